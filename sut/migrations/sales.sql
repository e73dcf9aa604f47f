-- sales: profile (age category, profession, sex) and offers proposed / accepted / signed.
CREATE TABLE IF NOT EXISTS sales.profiles (
  person_id uuid PRIMARY KEY,
  last_name text NOT NULL,
  first_name text NOT NULL,
  email text NOT NULL,
  phone text NOT NULL,
  age_category text NOT NULL,
  profession text NOT NULL,
  sex text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS sales.offers (
  id serial PRIMARY KEY,
  person_id uuid NOT NULL,
  product text NOT NULL,
  monthly_premium_cents integer NOT NULL,
  status text NOT NULL,
  proposed_at timestamptz NOT NULL,
  accepted_at timestamptz,
  contract_id uuid,
  invoice_id integer
);
CREATE INDEX IF NOT EXISTS offers_person_idx ON sales.offers (person_id);
CREATE TABLE IF NOT EXISTS sales.processed_events (event_id uuid PRIMARY KEY, processed_at timestamptz NOT NULL DEFAULT now());
