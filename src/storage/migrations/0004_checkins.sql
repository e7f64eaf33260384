-- The client's preferred time of day for scheduled messages, and one-off measurement points (for
-- instance before a follow-up contact) beside the repeating schedules.

ALTER TABLE clients ADD COLUMN preferred_time TEXT;
ALTER TABLE measurement_schedules ADD COLUMN once INTEGER NOT NULL DEFAULT 0;
