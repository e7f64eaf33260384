-- Exactly-once sending in practice: the claim marks an outbox row as sending before the provider call, in
-- the same write as its lease. `sending_since` is when the earliest attempt started whose outcome is not
-- known (still in flight, cut off by a crash, or timed out after the request went out); it is cleared once
-- the row is sent or failed, or once the provider was asked and had no such message. A row due again with
-- it set is looked up at the provider before it is sent again.
ALTER TABLE outbox ADD COLUMN sending_since TEXT;
-- A message found at the provider is matched against the ids other rows already hold, and a delivery
-- status finds its row by id: both by this index.
CREATE INDEX outbox_provider ON outbox (provider_id) WHERE provider_id IS NOT NULL;
