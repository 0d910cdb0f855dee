-- Realised production performance: the stored predictions of a day joined with the labels that landed later,
-- per day and model version (the label-join job writes one row per version; a join of the day again replaces them).
CREATE TABLE realised_performance (
    pipeline        VARCHAR(64)  NOT NULL,
    scored_day      DATE         NOT NULL,
    version         INTEGER      NOT NULL,
    metric          VARCHAR(32)  NOT NULL,
    metric_value    DOUBLE PRECISION,
    scored_rows     BIGINT       NOT NULL,
    labelled_rows   BIGINT       NOT NULL,
    metrics         VARCHAR(4000),
    computed_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (pipeline, scored_day, version)
);
