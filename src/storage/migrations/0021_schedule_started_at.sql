-- When a measurement schedule last started its questionnaire. A schedule for one contact ends when it
-- fires (no next due time, inactive), and without this the contact list could not tell a questionnaire
-- that went from one that was withdrawn or skipped (no channel, STOP).
ALTER TABLE measurement_schedules ADD COLUMN last_started_at TEXT;
