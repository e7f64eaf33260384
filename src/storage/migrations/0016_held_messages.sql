-- Discreet SMS (CLINICAL.md §7): the content of a message the client did not just ask for waits here,
-- as the outbox row it would have been, while a neutral notice goes out in its place. The client's answer
-- moves the rows into the outbox in their order (held_messages.ts). The transcript has the content.
CREATE TABLE held_messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  address_id TEXT NOT NULL REFERENCES channel_addresses (id),
  channel TEXT NOT NULL,
  transcript_seq INTEGER NOT NULL REFERENCES transcript (seq),
  payload TEXT NOT NULL,
  kind TEXT NOT NULL,
  segments INTEGER,
  encoding TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX held_messages_address ON held_messages (address_id, id);
