-- SMS: consent and deliverability per phone number, what kind of message each outbox row is (safety
-- replies and the STOP confirmation are never held back), segment count and encoding of every
-- outbound message, and the delivery statuses the provider reports.

ALTER TABLE channel_addresses ADD COLUMN opted_out_at TEXT;
ALTER TABLE channel_addresses ADD COLUMN undeliverable_at TEXT;
ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'normal';
ALTER TABLE outbox ADD COLUMN segments INTEGER;
ALTER TABLE outbox ADD COLUMN encoding TEXT;

CREATE TABLE delivery_status_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  outbox_id INTEGER NOT NULL REFERENCES outbox (id),
  provider_id TEXT NOT NULL,
  status TEXT NOT NULL,
  error_code INTEGER,
  received_at TEXT NOT NULL
);
CREATE INDEX delivery_status_events_outbox ON delivery_status_events (outbox_id, id);
