-- legal: health declarations (sensitive) and contracts with their digital copy.
CREATE TABLE IF NOT EXISTS legal.persons (
  person_id uuid PRIMARY KEY,
  last_name text NOT NULL,
  first_name text NOT NULL,
  tobacco boolean NOT NULL DEFAULT false,
  alcohol text NOT NULL DEFAULT 'none',
  illnesses text NOT NULL DEFAULT '',
  declared_at timestamptz
);
CREATE TABLE IF NOT EXISTS legal.contracts (
  id uuid PRIMARY KEY,
  person_id uuid NOT NULL,
  product text NOT NULL,
  status text NOT NULL,
  signed_at timestamptz NOT NULL,
  offer_id integer,
  document_name text NOT NULL,
  document_type text NOT NULL,
  document_sha256 text NOT NULL,
  document bytea NOT NULL
);
CREATE INDEX IF NOT EXISTS contracts_person_idx ON legal.contracts (person_id, signed_at DESC);
CREATE TABLE IF NOT EXISTS legal.processed_events (event_id uuid PRIMARY KEY, processed_at timestamptz NOT NULL DEFAULT now());
