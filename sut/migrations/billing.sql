-- billing: IBAN and SEPA mandate (sensitive), invoices and their lines.
CREATE TABLE IF NOT EXISTS billing.accounts (
  person_id uuid PRIMARY KEY,
  last_name text NOT NULL,
  first_name text NOT NULL,
  email text NOT NULL,
  phone text NOT NULL,
  iban text,
  sepa_mandate_ref text,
  sepa_signed_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS billing.invoices (
  id serial PRIMARY KEY,
  person_id uuid NOT NULL,
  issued_at timestamptz NOT NULL,
  period text NOT NULL,
  amount_cents integer NOT NULL,
  status text NOT NULL,
  offer_id integer
);
CREATE INDEX IF NOT EXISTS invoices_person_idx ON billing.invoices (person_id, issued_at DESC, id DESC);
CREATE TABLE IF NOT EXISTS billing.invoice_lines (
  id serial PRIMARY KEY,
  invoice_id integer NOT NULL,
  label text NOT NULL,
  amount_cents integer NOT NULL
);
CREATE INDEX IF NOT EXISTS invoice_lines_invoice_idx ON billing.invoice_lines (invoice_id);
CREATE TABLE IF NOT EXISTS billing.processed_events (event_id uuid PRIMARY KEY, processed_at timestamptz NOT NULL DEFAULT now());
