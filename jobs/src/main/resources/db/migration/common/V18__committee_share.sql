-- The committee's fixed share (Herbster and Warmuth's "tracking the best expert"): after each Hedge update
-- w_i <- (1 - share) * w_i + share / n, so no member falls below share / n. 0 (every committee before it) is plain
-- Hedge. (Named clearly so that it can be renumbered on merge.)
ALTER TABLE committee ADD COLUMN share DOUBLE PRECISION DEFAULT 0 NOT NULL;
