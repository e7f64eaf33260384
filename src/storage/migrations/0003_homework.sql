-- Structured homework entries from course exercises (activity diary, worry diary, sleep diary, ...),
-- each validated against its type's schema before it is written.

CREATE TABLE homework_entries (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients (id),
  enrollment_id TEXT REFERENCES enrollments (id),
  type TEXT NOT NULL,
  step TEXT NOT NULL,
  entry TEXT NOT NULL,
  channel TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX homework_entries_client ON homework_entries (client_id, created_at);
