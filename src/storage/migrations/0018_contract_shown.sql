-- Consent to a guidance contract counts only for a version the client was shown (issue 13, QA 1 and 6).
-- The newest transcript row when the therapist signed a version: its text reached a conversation only
-- in rows written after it (the web chat's transcript; on push channels, outbox rows that were sent).
-- An edit signed again moves it, so the text of the version before the edit no longer counts.
ALTER TABLE contracts ADD COLUMN sent_after_seq INTEGER;
UPDATE contracts SET sent_after_seq = COALESCE(
  (SELECT max(seq) FROM transcript WHERE created_at < contracts.therapist_signed_at), 0)
WHERE therapist_signed_at IS NOT NULL;
