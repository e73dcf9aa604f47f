-- customer-service (Service Client): contacts and the call log.
CREATE TABLE IF NOT EXISTS customer_service.contacts (
  person_id uuid PRIMARY KEY,
  last_name text NOT NULL,
  first_name text NOT NULL,
  email text NOT NULL,
  phone text NOT NULL,
  availability text NOT NULL DEFAULT 'weekdays 9:00-18:00',
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS customer_service.calls (
  id serial PRIMARY KEY,
  person_id uuid NOT NULL,
  reason text NOT NULL,
  called_at timestamptz NOT NULL,
  operator text NOT NULL,
  actions text NOT NULL DEFAULT '',
  redirected_to text,
  ticket_id text
);
CREATE INDEX IF NOT EXISTS calls_person_idx ON customer_service.calls (person_id, called_at DESC);
CREATE TABLE IF NOT EXISTS customer_service.processed_events (event_id uuid PRIMARY KEY, processed_at timestamptz NOT NULL DEFAULT now());
