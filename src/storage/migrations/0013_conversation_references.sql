-- Where a push channel sends what nobody asked for right now (reminders, check-ins, therapist messages,
-- safety follow-ups): Bot Framework's conversation reference (serviceUrl, channel, conversation, bot and
-- user ids, tenant), kept per address and replaced by each inbound activity, because the serviceUrl of a
-- conversation may change. Keyed by the address string, since the first activity stores it before the
-- turn that creates the address row.

CREATE TABLE conversation_references (
  channel TEXT NOT NULL,
  address TEXT NOT NULL,
  reference TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (channel, address)
);
