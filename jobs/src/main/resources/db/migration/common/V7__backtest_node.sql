-- The node running a backtest: when that node restarts, a backtest it left RUNNING is marked FAILED.
ALTER TABLE backtest ADD COLUMN node VARCHAR(128);
