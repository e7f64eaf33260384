-- What a conversation asked its client for outside the flow, from the chat menu: a message to the
-- therapist, or a phone number for reminders and then the code sent to it. One JSON value
-- ({"kind": ..., "at": ...}), cleared when it is answered or another choice is made.
ALTER TABLE channel_addresses ADD COLUMN menu_prompt TEXT;
