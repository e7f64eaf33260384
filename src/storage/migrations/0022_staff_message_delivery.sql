-- A therapist's message shows its delivery (issue 13, QA): the message names the transcript row its turn
-- wrote, and the outbox rows (or the held row) that send that transcript row say where it is. Messages
-- written before this are linked by the row their turn wrote at the same instant to the same client.
ALTER TABLE staff_messages ADD COLUMN transcript_seq INTEGER REFERENCES transcript (seq);
UPDATE staff_messages SET transcript_seq = (
  SELECT max(t.seq) FROM transcript t
  WHERE t.client_id = staff_messages.client_id AND t.direction = 'out'
    AND t.created_at = staff_messages.created_at
    AND json_extract(t.payload, '$.reply.key') = 'messages.from_therapist')
WHERE direction = 'out' AND channel IS NOT NULL;
-- A message's outbox rows are found by the transcript row they send.
CREATE INDEX outbox_transcript ON outbox (transcript_seq);
