-- The guidance contract (veiledningskontrakt, CLINICAL.md §6): versioned data signed by therapist and
-- client. A change after signing is a new version that both sign; older versions stay readable.

CREATE TABLE contracts (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients (id),
  version INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('draft', 'sent', 'signed', 'changes_requested', 'superseded')),
  fields TEXT NOT NULL,
  drafted_by TEXT REFERENCES staff (id),
  therapist_signed_by TEXT REFERENCES staff (id),
  therapist_signed_at TEXT,
  client_signed_at TEXT,
  client_signed_via TEXT,
  -- The client's words when they asked for a change (NULL while they have not said what yet).
  change_request TEXT,
  change_requested_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (client_id, version)
);
CREATE INDEX contracts_client ON contracts (client_id, version);

-- When the therapist lets a course start without a signed contract, and why.
ALTER TABLE enrollments ADD COLUMN contract_waived_reason TEXT;
