-- The therapist workspace: staff accounts, sessions, personal API tokens and set-password links (stored
-- hashed), a responsible therapist per client, access codes with a life cycle, rate-limit counters that
-- hold across processes and isolates, and an append-only audit log of every staff read.

CREATE TABLE staff (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'therapist')),
  password_hash TEXT,
  locale TEXT NOT NULL DEFAULT 'nb' CHECK (locale IN ('nb', 'en')),
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until TEXT,
  disabled_at TEXT,
  created_at TEXT NOT NULL
);

-- A credential is a random secret of which only the SHA-256 is kept: a browser session, a personal API
-- token or a one-time set-password link.
CREATE TABLE staff_credentials (
  token_hash TEXT PRIMARY KEY,
  staff_id TEXT NOT NULL REFERENCES staff (id),
  kind TEXT NOT NULL CHECK (kind IN ('session', 'api_token', 'set_password')),
  created_at TEXT NOT NULL,
  last_used_at TEXT,
  expires_at TEXT,
  ended_at TEXT
);
CREATE INDEX staff_credentials_staff ON staff_credentials (staff_id, kind);

ALTER TABLE clients ADD COLUMN therapist_id TEXT REFERENCES staff (id);
CREATE INDEX clients_therapist ON clients (therapist_id);

-- Every code a client was given. A code links one conversation: once used it is spent; an unused code
-- expires; a revoked code is refused. clients.access_code keeps the newest code for reading.
CREATE TABLE access_codes (
  code TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients (id),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT,
  used_by_address_id TEXT REFERENCES channel_addresses (id),
  revoked_at TEXT
);
CREATE INDEX access_codes_client ON access_codes (client_id, created_at);

INSERT INTO access_codes (code, client_id, created_at, expires_at, used_at, used_by_address_id)
SELECT c.access_code, c.id, c.created_at, strftime('%Y-%m-%dT%H:%M:%fZ', c.created_at, '+30 days'),
  (SELECT MIN(a.linked_at) FROM channel_addresses a WHERE a.client_id = c.id),
  (SELECT a.id FROM channel_addresses a WHERE a.client_id = c.id ORDER BY a.linked_at LIMIT 1)
FROM clients c;

-- Fixed-window counters: (bucket, key) counts events since window_start. Keys are hashed when they
-- are personal (network addresses, phone numbers).
CREATE TABLE rate_limits (
  bucket TEXT NOT NULL,
  key TEXT NOT NULL,
  window_start TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (bucket, key)
);

ALTER TABLE alerts ADD COLUMN acknowledged_note TEXT;
ALTER TABLE alerts ADD COLUMN acknowledged_by_staff_id TEXT REFERENCES staff (id);

CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  staff_id TEXT REFERENCES staff (id),
  staff_email TEXT NOT NULL,
  via TEXT NOT NULL CHECK (via IN ('page', 'api', 'cli')),
  client_id TEXT,
  action TEXT NOT NULL,
  detail TEXT
);
CREATE INDEX audit_log_client ON audit_log (client_id, seq);
-- Each trigger stays on one line: the migration runner splits statements at a ';' that ends a line.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- The dashboard finds each client's newest part event with one seek (measured: 42 → 28 ms p50 for a
-- therapist with 1 000 clients); only the rare part events pay the extra index write.
CREATE INDEX domain_events_parts ON domain_events (enrollment_id, id) WHERE type IN ('part.started', 'part.completed');
