-- The safety protocol of CLINICAL.md §3: two tiers of free-text signals (crisis, concern), the intro's
-- acute question as a signal of its own, and the conversation's safety mode recorded on the alert: the
-- direct question it waits at, every answer given, and the flow's replies held back until it ends.
-- A flow that fails raises an alert too (kind flow_error, no tier), so a person looks at it.
-- SQLite cannot change a CHECK constraint, so the table is rebuilt with its rows.

CREATE TABLE alerts_v7 (
  id TEXT PRIMARY KEY,
  client_id TEXT REFERENCES clients (id),
  address_id TEXT NOT NULL REFERENCES channel_addresses (id),
  enrollment_id TEXT REFERENCES enrollments (id),
  kind TEXT NOT NULL CHECK (kind IN ('crisis_text', 'concern_text', 'phq9_item9', 'intro_acute', 'flow_error')),
  tier TEXT CHECK (tier IN ('crisis', 'concern')),
  priority TEXT NOT NULL CHECK (priority IN ('high', 'normal')),
  trigger_text TEXT NOT NULL,
  matched_phrase TEXT,
  channel TEXT NOT NULL,
  shown TEXT NOT NULL,
  alerted TEXT NOT NULL,
  safety_step TEXT CHECK (safety_step IN ('ask_thoughts', 'ask_danger')),
  safety_answer TEXT,
  safety_answers TEXT NOT NULL DEFAULT '[]',
  held_replies TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL,
  acknowledged_at TEXT,
  acknowledged_by TEXT
);

INSERT INTO alerts_v7 (id, client_id, address_id, enrollment_id, kind, tier, priority, trigger_text, matched_phrase,
  channel, shown, alerted, safety_step, safety_answer, created_at, acknowledged_at,
  acknowledged_by)
SELECT id, client_id, address_id, enrollment_id, kind, 'crisis', priority, trigger_text, matched_phrase, channel,
  shown, alerted, CASE WHEN safety_question_pending = 1 THEN 'ask_danger' END,
  safety_answer, created_at, acknowledged_at, acknowledged_by
FROM alerts;

DROP TABLE alerts;
ALTER TABLE alerts_v7 RENAME TO alerts;

CREATE INDEX alerts_open ON alerts (acknowledged_at, created_at);
CREATE INDEX alerts_client ON alerts (client_id, acknowledged_at);
-- Safety mode waits at safety_step; an alert with none has no question open.
CREATE INDEX alerts_address_pending ON alerts (address_id) WHERE safety_step IS NOT NULL;
CREATE INDEX alerts_address_unlinked ON alerts (address_id) WHERE client_id IS NULL;
CREATE INDEX alerts_enrollment_open ON alerts (enrollment_id, kind) WHERE acknowledged_at IS NULL;
