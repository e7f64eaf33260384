-- Messages to one conversation go out in the order they were written (a safety reply's acknowledgement,
-- numbers and question; a course's lines): a row waits while an earlier one of its lane to the same
-- address is pending (dueOutbox). This index keeps that check to the few pending rows of an address.
CREATE INDEX outbox_pending_address ON outbox (address_id, id) WHERE status = 'pending';
