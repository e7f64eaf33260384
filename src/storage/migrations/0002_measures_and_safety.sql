-- Questionnaire responses with their item answers and scores; safety alerts; the "are you safe right
-- now?" question waiting for an answer; measurement schedules that start check-ins.

CREATE TABLE questionnaire_responses (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients (id),
  enrollment_id TEXT REFERENCES enrollments (id),
  instrument TEXT NOT NULL,
  instrument_version TEXT NOT NULL,
  items TEXT NOT NULL,
  difficulty INTEGER,
  total INTEGER NOT NULL,
  band TEXT,
  caseness INTEGER,
  screen_positive INTEGER,
  channel TEXT NOT NULL,
  started_at TEXT NOT NULL,
  completed_at TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX questionnaire_responses_client ON questionnaire_responses (client_id, completed_at);

CREATE TABLE alerts (
  id TEXT PRIMARY KEY,
  client_id TEXT REFERENCES clients (id),
  address_id TEXT NOT NULL REFERENCES channel_addresses (id),
  enrollment_id TEXT REFERENCES enrollments (id),
  kind TEXT NOT NULL CHECK (kind IN ('crisis_text', 'phq9_item9')),
  priority TEXT NOT NULL CHECK (priority IN ('high')),
  trigger_text TEXT NOT NULL,
  matched_phrase TEXT,
  channel TEXT NOT NULL,
  shown TEXT NOT NULL,
  alerted TEXT NOT NULL,
  safety_question_pending INTEGER NOT NULL DEFAULT 0,
  safety_answer TEXT,
  created_at TEXT NOT NULL,
  acknowledged_at TEXT,
  acknowledged_by TEXT
);
CREATE INDEX alerts_open ON alerts (acknowledged_at, created_at);
CREATE INDEX alerts_client ON alerts (client_id, acknowledged_at);
CREATE INDEX alerts_address_pending ON alerts (address_id, safety_question_pending);

CREATE TABLE measurement_schedules (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients (id),
  flow_id TEXT NOT NULL,
  every_days INTEGER,
  next_due_at TEXT,
  active INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL
);
CREATE INDEX measurement_schedules_due ON measurement_schedules (active, next_due_at);
