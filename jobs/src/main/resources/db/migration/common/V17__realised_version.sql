-- The realised metric of every version a day was scored with (issue 27, part 5): the version served (SERVED: the
-- champion, or the committee's vote under the champion's number), each committee member's own predictions (MEMBER)
-- and each shadow version (SHADOW), from the label join of that day; a join of the day again replaces them. loss is
-- the committee's loss (0/1 error, or relative squared error), the same number that moves the committee's weights.
-- A SHADOW row also says how it fared against the served predictions of the same rows: against_version, difference
-- (positive: the shadow is better), won (better, and through promotion.test when the pipeline has one), verdict.
-- (Named clearly so that it can be renumbered on merge.)
CREATE TABLE realised_version (
    pipeline        VARCHAR(64)  NOT NULL,
    scored_day      DATE         NOT NULL,
    scored_as       VARCHAR(16)  NOT NULL,
    version         INTEGER      NOT NULL,
    metric          VARCHAR(32)  NOT NULL,
    metric_value    DOUBLE PRECISION,
    loss            DOUBLE PRECISION,
    scored_rows     BIGINT       NOT NULL,
    labelled_rows   BIGINT       NOT NULL,
    metrics         VARCHAR(4000),
    against_version INTEGER,
    difference      DOUBLE PRECISION,
    won             BOOLEAN,
    verdict         VARCHAR(1000),
    computed_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (pipeline, scored_day, scored_as, version)
);

CREATE INDEX realised_version_by_version ON realised_version (pipeline, scored_as, version, scored_day);
