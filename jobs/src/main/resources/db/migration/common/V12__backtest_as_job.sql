-- Backtests are Spring Batch jobs (job 'backtest', identifying parameter 'backtest' = this id): their status,
-- progress, failure and end time are the job repository's, their report under <data>/backtests/<id>/. The table
-- keeps the id, who asked, when, and the node that last started the backtest (for recovery when it stops).
ALTER TABLE backtest DROP COLUMN status;
ALTER TABLE backtest DROP COLUMN progress;
ALTER TABLE backtest DROP COLUMN ended_at;
ALTER TABLE backtest DROP COLUMN failure;
ALTER TABLE backtest DROP COLUMN report_dir;
