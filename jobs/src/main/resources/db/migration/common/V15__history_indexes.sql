-- Indexes for a year of history (docs/capacity.md: 100,000 runs, 1,000,000 audit rows, 100,000 drift reports on
-- PostgreSQL). Without them a run's page read every parameter and step row of every run (Spring Batch loads a job
-- execution's parameters and steps by JOB_EXECUTION_ID, and a job instance's executions by JOB_INSTANCE_ID, columns
-- its schema leaves unindexed), and the metrics refresh and the console's overview scanned the whole run table.

-- the newest run of a pipeline (overview, metrics) and its runs newest first (run lists), from the index alone
CREATE INDEX retrain_run_pipeline_run ON retrain_run (pipeline, run_id);
-- the run counts by pipeline, status and trigger (metrics), from the index instead of the table
CREATE INDEX retrain_run_pipeline_status ON retrain_run (pipeline, status, trigger_type);

-- Spring Batch's own lookups (its documentation recommends these)
CREATE INDEX batch_job_execution_instance ON BATCH_JOB_EXECUTION (JOB_INSTANCE_ID);
CREATE INDEX batch_job_execution_params_execution ON BATCH_JOB_EXECUTION_PARAMS (JOB_EXECUTION_ID);
CREATE INDEX batch_step_execution_execution ON BATCH_STEP_EXECUTION (JOB_EXECUTION_ID);
-- steps waiting for a worker (STARTING: metrics), among every step ever run
CREATE INDEX batch_step_execution_status ON BATCH_STEP_EXECUTION (STATUS);

-- audit rows of one action (rollbacks per pipeline: metrics; the audit log filtered by action)
CREATE INDEX audit_log_action ON audit_log (action, pipeline);
