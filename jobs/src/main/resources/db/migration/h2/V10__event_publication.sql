-- Spring Modulith's event publication registry (schema v2 of spring-modulith-events-jdbc 2.0, H2): an event
-- for a transactional listener is stored with the change that raised it and completed once the listener ran.
-- Webhook deliveries are such events. The serialized event may be longer than Modulith's 4000 characters.
CREATE TABLE event_publication (
    id                     UUID NOT NULL,
    completion_date        TIMESTAMP(9) WITH TIME ZONE,
    event_type             VARCHAR(512) NOT NULL,
    listener_id            VARCHAR(512) NOT NULL,
    publication_date       TIMESTAMP(9) WITH TIME ZONE NOT NULL,
    serialized_event       VARCHAR(65536) NOT NULL,
    status                 VARCHAR(20),
    completion_attempts    INT,
    last_resubmission_date TIMESTAMP(9) WITH TIME ZONE,
    PRIMARY KEY (id)
);
CREATE INDEX event_publication_by_completion_date_idx ON event_publication (completion_date);
