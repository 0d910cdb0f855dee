-- Which worker holds a step that runs on workers: a fencing token per step execution. A worker that takes a step
-- (first delivery, or a redelivery after the broker took the request back) raises the token; the worker that held
-- the step before checks it before every checkpoint push and step output, finds a newer claim and stops without
-- writing.
CREATE TABLE step_claim (
    step_execution_id BIGINT       PRIMARY KEY,
    token             BIGINT       NOT NULL,
    worker            VARCHAR(128) NOT NULL,
    claimed_at        TIMESTAMP WITH TIME ZONE NOT NULL
);
