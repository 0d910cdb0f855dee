package dev.retrain.jobs.retrain;

import java.nio.file.Path;

import dev.retrain.jobs.RetrainProperties;
import dev.retrain.models.drift.ReferenceSample;
import dev.retrain.models.store.ModelStore;

/**
 * A run's scratch directory, {@code <data>/work/<pipeline>/<job instance>/}: what each
 * step hands to the next (as JSON) and the training checkpoints. Keyed by job instance,
 * so a restarted execution finds what the failed one left; removed when the run
 * completes.
 */
record RunWorkspace(Path root) {

	static RunWorkspace of(RetrainProperties props, RunContext run) {
		return new RunWorkspace(props.workDir().resolve(run.pipeline()).resolve(Long.toString(run.jobInstanceId())));
	}

	Path snapshot() {
		return this.root.resolve("snapshot.json");
	}

	Path validation() {
		return this.root.resolve("validation.json");
	}

	Path training() {
		return this.root.resolve("training");
	}

	Path reference() {
		return this.root.resolve(ReferenceSample.FILE);
	}

	Path candidate() {
		return this.root.resolve("candidate.json");
	}

	Path evaluation() {
		return this.root.resolve("evaluation.json");
	}

	Path decision() {
		return this.root.resolve("decision.json");
	}

	void delete() {
		ModelStore.deleteTree(this.root);
	}

}
