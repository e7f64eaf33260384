-- Client preferences for scheduled messages (preferred time of day) and SMS consent, and one-off
-- measurement points (for instance before a follow-up contact) beside the repeating schedules.

ALTER TABLE clients ADD COLUMN preferred_time TEXT;
ALTER TABLE clients ADD COLUMN sms_consent TEXT NOT NULL DEFAULT 'granted';
ALTER TABLE clients ADD COLUMN sms_undeliverable_at TEXT;
ALTER TABLE measurement_schedules ADD COLUMN once INTEGER NOT NULL DEFAULT 0;
