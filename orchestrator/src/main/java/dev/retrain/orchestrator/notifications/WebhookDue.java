package dev.retrain.orchestrator.notifications;

/**
 * A webhook delivery that is owed: the event's JSON body for the webhook whose URL has
 * the SHA-256 {@code hookKey}. Stored in the event publication registry until delivered;
 * the URL itself is never stored, since it may carry a token.
 */
record WebhookDue(String hookKey, String event, String pipeline, String body) {
}
