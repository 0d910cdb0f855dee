-- Each node's heartbeat. A node whose heartbeat is older than the timeout is taken for stopped: another node
-- marks its runs FAILED (so they can be restarted) and releases its pipeline locks.
CREATE TABLE node_heartbeat (
    node            VARCHAR(128) PRIMARY KEY,
    started_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    beat_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    declared_dead_at TIMESTAMP WITH TIME ZONE,
    declared_dead_by VARCHAR(128)
);
