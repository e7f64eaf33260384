-- Messages between a client and their therapist (issue 13 item 6): `out` from a therapist to the client
-- (delivered as a turn: transcript and outbox), `in` from the client with the reply word (VEILEDER /
-- THERAPIST). An inbound message is unread until a therapist lists the client's messages.

CREATE TABLE staff_messages (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients (id),
  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  text TEXT NOT NULL,
  -- Who wrote it (out); none for the client's own.
  staff_id TEXT REFERENCES staff (id),
  -- The channel it came from or went to; none when the client had no channel to send it to.
  channel TEXT,
  created_at TEXT NOT NULL,
  read_at TEXT
);
CREATE INDEX staff_messages_client ON staff_messages (client_id, created_at);
CREATE INDEX staff_messages_unread ON staff_messages (client_id) WHERE direction = 'in' AND read_at IS NULL;
