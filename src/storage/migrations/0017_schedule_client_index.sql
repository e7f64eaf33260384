-- A client's measurement schedules by client: the scheduler reads those of a whole batch of due
-- check-ins at once (checkinContexts), and a full scan per batch made a morning of 100 000 check-ins
-- quadratic (bench/README.md, the scheduler part).
CREATE INDEX measurement_schedules_client ON measurement_schedules (client_id);
