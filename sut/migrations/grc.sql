-- grc (Service Personne): the person referential the front searches.
CREATE TABLE IF NOT EXISTS grc.persons (
  id uuid PRIMARY KEY,
  last_name text NOT NULL,
  first_name text NOT NULL,
  -- upper-case, accents removed: what the search compares (filled by the service and the seeder)
  last_name_norm text COLLATE "C" NOT NULL,
  first_name_norm text COLLATE "C" NOT NULL,
  birth_date date NOT NULL,
  sex text NOT NULL,
  email text NOT NULL,
  phone text NOT NULL,
  postcode text NOT NULL,
  city text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- The index behind person search (prefix of the last name, then first name; "C" collation so one btree
-- serves both the LIKE prefix and the ORDER BY). SUT_TRAP_MISSING_INDEX=1 drops it.
CREATE INDEX IF NOT EXISTS persons_search_idx ON grc.persons (last_name_norm, first_name_norm);
