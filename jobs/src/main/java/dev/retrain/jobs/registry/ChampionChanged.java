package dev.retrain.jobs.registry;

/**
 * The champion alias moved from {@code from} (null: there was none) to {@code to}, by a
 * run ({@code runId} set, {@link ChampionMove#AUTOMATIC}) or by a person.
 */
public record ChampionChanged(String pipeline, Integer from, int to, String actor, ChampionMove move, String reason,
		Long runId) implements VersionEvent {
}
