package dev.retrain.jobs.scoring;

/** A person launched a scoring. */
public record ScoringRequested(ScoringLauncher.Launched scoring, String actor) {
}
