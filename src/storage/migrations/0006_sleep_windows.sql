-- Sleep-window proposals from the sleep course (CLINICAL.md §4): the service proposes, the therapist
-- approves. Only an approved window is the client's window.

CREATE TABLE sleep_windows (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients (id),
  enrollment_id TEXT REFERENCES enrollments (id),
  bed_time TEXT NOT NULL,
  rise_time TEXT NOT NULL,
  minutes INTEGER NOT NULL,
  proposal TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('awaiting_approval', 'approved', 'rejected', 'superseded')),
  created_at TEXT NOT NULL,
  decided_at TEXT,
  decided_by TEXT
);
CREATE INDEX sleep_windows_client ON sleep_windows (client_id, created_at);
CREATE INDEX sleep_windows_status ON sleep_windows (status, created_at);
