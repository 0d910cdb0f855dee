-- The committee champion (issue 27): per pipeline, the members (the last K promoted versions) and their weights,
-- with a revision that every change raises (compare-and-set), and every change kept in committee_update: a member
-- entering (or leaving), or the weights moved by labels (which days, each member's loss).
CREATE TABLE committee (
    pipeline    VARCHAR(64)   PRIMARY KEY,
    size        INTEGER       NOT NULL,
    weighting   VARCHAR(16)   NOT NULL,
    eta         DOUBLE PRECISION NOT NULL,
    members     VARCHAR(4000) NOT NULL,
    revision    BIGINT        NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE committee_update (
    pipeline     VARCHAR(64)   NOT NULL,
    revision     BIGINT        NOT NULL,
    updated_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    kind         VARCHAR(16)   NOT NULL,
    source       VARCHAR(500)  NOT NULL,
    labels_from  DATE,
    labels_to    DATE,
    losses       VARCHAR(4000),
    weights      VARCHAR(4000) NOT NULL,
    PRIMARY KEY (pipeline, revision)
);
