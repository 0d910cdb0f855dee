package dev.retrain.jobs.events;

/** A person moved the champion (manual or forced promotion, approval, rollback). */
public record ChampionChanged(String pipeline, Integer from, int to, String actor, String action, String reason) {
}
