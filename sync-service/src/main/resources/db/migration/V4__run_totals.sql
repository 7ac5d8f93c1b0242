-- How many records a run will read, when the source can count them (a full read): the run's percent and ETA.
ALTER TABLE sync_runs ADD COLUMN records_total bigint;
