-- Core tables of the service: clients and their channel addresses, enrollments in flows with their
-- persisted snapshots, durable timers, deduplication of inbound messages, transcript, outbox and
-- domain events. Times are ISO-8601 UTC strings.

CREATE TABLE clients (
  id TEXT PRIMARY KEY,
  access_code TEXT NOT NULL UNIQUE,
  locale TEXT NOT NULL CHECK (locale IN ('nb', 'en')),
  time_zone TEXT NOT NULL,
  display_name TEXT,
  phone TEXT UNIQUE,
  created_at TEXT NOT NULL
);

CREATE TABLE channel_addresses (
  id TEXT PRIMARY KEY,
  channel TEXT NOT NULL,
  address TEXT NOT NULL,
  client_id TEXT REFERENCES clients (id),
  locale TEXT NOT NULL CHECK (locale IN ('nb', 'en')),
  created_at TEXT NOT NULL,
  linked_at TEXT,
  last_inbound_at TEXT,
  UNIQUE (channel, address)
);
CREATE INDEX channel_addresses_client ON channel_addresses (client_id);

CREATE TABLE enrollments (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients (id),
  flow_id TEXT NOT NULL,
  flow_version INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'done')),
  snapshot TEXT,
  row_version INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX enrollments_client ON enrollments (client_id, status);

CREATE TABLE timers (
  enrollment_id TEXT NOT NULL REFERENCES enrollments (id),
  timer_key TEXT NOT NULL,
  due_at TEXT NOT NULL,
  event TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (enrollment_id, timer_key)
);
CREATE INDEX timers_due ON timers (due_at);

CREATE TABLE processed_inbound (
  channel TEXT NOT NULL,
  provider_id TEXT NOT NULL,
  processed_at TEXT NOT NULL,
  PRIMARY KEY (channel, provider_id)
);

CREATE TABLE transcript (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  address_id TEXT NOT NULL REFERENCES channel_addresses (id),
  client_id TEXT REFERENCES clients (id),
  enrollment_id TEXT REFERENCES enrollments (id),
  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  text TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX transcript_address ON transcript (address_id, seq);
CREATE INDEX transcript_client ON transcript (client_id, seq);

CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  address_id TEXT NOT NULL REFERENCES channel_addresses (id),
  channel TEXT NOT NULL,
  transcript_seq INTEGER NOT NULL REFERENCES transcript (seq),
  payload TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  provider_id TEXT,
  last_error TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_address ON outbox (address_id, id);

CREATE TABLE delivery_attempts (
  outbox_id INTEGER NOT NULL REFERENCES outbox (id),
  attempt INTEGER NOT NULL,
  attempted_at TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('sent', 'retry', 'failed')),
  detail TEXT,
  PRIMARY KEY (outbox_id, attempt)
);

CREATE TABLE domain_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  client_id TEXT REFERENCES clients (id),
  enrollment_id TEXT REFERENCES enrollments (id),
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX domain_events_client ON domain_events (client_id, id);
