package dev.retrain.jobs.workers;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The fast path of a remote step's end. A worker that ends a step sends its id to the
 * requesting node's reply queue; the node's wait for that step wakes at once instead of
 * at its next poll of the job repository. The repository stays the truth: a wake-up only
 * makes the waiter read it now, and a reply that is lost (a node restarted, a broker
 * hiccup) costs one poll interval, never a step.
 */
final class StepEndSignals {

	private final Map<Long, CompletableFuture<Void>> waiting = new ConcurrentHashMap<>();

	/**
	 * Announces interest in {@code stepExecutionId}'s end: call before reading its
	 * status.
	 */
	CompletableFuture<Void> expect(long stepExecutionId) {
		return this.waiting.computeIfAbsent(stepExecutionId, id -> new CompletableFuture<>());
	}

	/** Waits for a reply about the step, at most {@code millis}. */
	void await(CompletableFuture<Void> expected, long millis) throws InterruptedException {
		try {
			expected.get(millis, TimeUnit.MILLISECONDS);
		}
		catch (TimeoutException | ExecutionException ex) {
			// the poll goes on
		}
	}

	/** The waiter is done with the step. */
	void forget(long stepExecutionId) {
		this.waiting.remove(stepExecutionId);
	}

	/** A worker says the step ended: wake its waiter, if this node has one. */
	void ended(long stepExecutionId) {
		CompletableFuture<Void> expected = this.waiting.remove(stepExecutionId);
		if (expected != null) {
			expected.complete(null);
		}
	}

}
