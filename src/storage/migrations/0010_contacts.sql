-- Follow-up contacts (CLINICAL.md §5): planned from the contract, then done (with a structured note:
-- learned / helped / hard / next), missed or cancelled. A planned contact carries its reminder to the
-- client (the day before, inside the send window) and the questionnaire asked before it.

CREATE TABLE contacts (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients (id),
  contract_id TEXT REFERENCES contracts (id),
  planned_at TEXT NOT NULL,
  minutes INTEGER NOT NULL,
  mode TEXT NOT NULL CHECK (mode IN ('phone', 'video', 'in_person', 'chat')),
  status TEXT NOT NULL CHECK (status IN ('planned', 'done', 'missed', 'cancelled')),
  note TEXT,
  note_by TEXT REFERENCES staff (id),
  note_at TEXT,
  -- The reminder to the client: when it is due, and when it went (or was dropped, see reminder_outcome).
  reminder_at TEXT,
  reminded_at TEXT,
  reminder_outcome TEXT CHECK (reminder_outcome IN ('sent', 'no_address', 'too_late')),
  -- Whether the reminder opens discreetly (the contract's choice for SMS; CLINICAL.md §7).
  discreet INTEGER NOT NULL DEFAULT 1,
  created_by TEXT REFERENCES staff (id),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX contacts_client ON contacts (client_id, planned_at);
CREATE INDEX contacts_reminder_due ON contacts (reminder_at) WHERE reminded_at IS NULL AND status = 'planned';

-- A questionnaire asked for a contact (the day before it) or for a contract (at the end of the course):
-- replanning finds and withdraws the ones that have not started yet.
ALTER TABLE measurement_schedules ADD COLUMN contact_id TEXT REFERENCES contacts (id);
ALTER TABLE measurement_schedules ADD COLUMN contract_id TEXT REFERENCES contracts (id);
CREATE INDEX measurement_schedules_contact ON measurement_schedules (contact_id) WHERE contact_id IS NOT NULL;
