-- The turn's context read (src/storage/inbound-context.ts) finds a client's current enrollment and an
-- address's unanswered safety question, each the newest of its kind. With these indexes both are the
-- first entry of an index walked backwards, where before SQLite sorted the candidates in a temporary
-- B-tree on every turn (about 30% of that read).
CREATE INDEX enrollments_current ON enrollments (client_id, created_at) WHERE status IN ('pending', 'active');
DROP INDEX alerts_address_pending;
CREATE INDEX alerts_address_pending ON alerts (address_id, created_at) WHERE safety_step IS NOT NULL;
