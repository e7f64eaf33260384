-- A web conversation started by a first message that carried its own id: a retry of that message (same
-- id, same network address, no conversation id yet) finds the conversation instead of starting another.
-- The key is a SHA-256 hash; it is never shown.
ALTER TABLE channel_addresses ADD COLUMN start_key TEXT;
CREATE UNIQUE INDEX channel_addresses_start_key ON channel_addresses (channel, start_key) WHERE start_key IS NOT NULL;
-- Abandoned unlinked conversations are deleted after UNLINKED_RETENTION_DAYS.
CREATE INDEX channel_addresses_unlinked ON channel_addresses (channel, created_at) WHERE client_id IS NULL;
