package dev.retrain.jobs.scoring;

import java.time.LocalDate;

/** A person launched label join {@code id} of a scored date. */
public record LabelJoinRequested(long id, String pipeline, LocalDate date, String actor) {
}
