package dev.retrain.jobs.registry;

/**
 * Something that happened in a model version's life; the audit log and notifications
 * listen to these.
 */
public sealed interface VersionEvent permits VersionRegistered, ChampionChanged, VersionReviewed, PromotionConflicted {

	String pipeline();

}
