package dev.retrain.jobs.retrain;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

import dev.retrain.jobs.RetrainProperties;
import dev.retrain.models.drift.ReferenceSample;
import dev.retrain.models.storage.Location;
import dev.retrain.models.store.ModelStore;

/**
 * A run's scratch directory, {@code <data>/work/<pipeline>/<job instance>/}: what each
 * step hands to the next (as JSON) and the training checkpoints. Keyed by job instance,
 * so a restarted execution finds what the failed one left; removed when the run
 * completes.
 * <p>
 * With {@code retrain.workspace-uri} the workspace lives in object storage and the local
 * directory is this node's mirror of it: each step starts from what is there
 * ({@link #pull}) and leaves what it wrote ({@link #push}), and training pushes every
 * checkpoint, so that whichever node or worker runs the next step (or resumes this one)
 * finds it.
 */
record RunWorkspace(Path root, Location remote) {

	static RunWorkspace of(RetrainProperties props, RunContext run) {
		String key = run.pipeline() + "/" + run.jobInstanceId();
		Location remote = props.workspace();
		return new RunWorkspace(props.workDir().resolve(run.pipeline()).resolve(Long.toString(run.jobInstanceId())),
				(remote != null) ? remote.resolve(key) : null);
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

	/**
	 * Makes the local directory what the remote workspace holds (nothing to do without
	 * one, or when it is still empty).
	 */
	void pull() {
		if (this.remote == null) {
			return;
		}
		try {
			List<Location> files = this.remote.isDirectory() ? this.remote.files() : List.of();
			if (files.isEmpty()) {
				return;
			}
			ModelStore.deleteTree(this.root);
			for (Location file : files) {
				Path target = this.root.resolve(this.remote.relativize(file));
				Files.createDirectories(target.getParent());
				try (InputStream in = file.open()) {
					Files.copy(in, target);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(
					"cannot read the run's workspace " + this.remote.uri() + ": " + ex.getMessage(), ex);
		}
	}

	/**
	 * Copies the remote workspace's files whose path (relative, with {@code /})
	 * {@code wanted} accepts over the local ones, each by an atomic move, and deletes
	 * nothing: a step that shares the node's copy of the workspace with others running at
	 * the same time (a search's candidates) takes only its own part.
	 */
	void pull(Predicate<String> wanted) {
		if (this.remote == null) {
			return;
		}
		try {
			List<Location> files = this.remote.isDirectory() ? this.remote.files() : List.of();
			for (Location file : files) {
				String relative = this.remote.relativize(file).toString().replace('\\', '/');
				if (!wanted.test(relative)) {
					continue;
				}
				Path target = this.root.resolve(relative);
				Files.createDirectories(target.getParent());
				Path part = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
				try (InputStream in = file.open()) {
					Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
				}
				Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(
					"cannot read the run's workspace " + this.remote.uri() + ": " + ex.getMessage(), ex);
		}
	}

	/** Writes the local directory to the remote workspace. */
	void push() {
		push(this.root);
	}

	/**
	 * Writes one directory of the workspace: the JSON files (a checkpoint's pointer to
	 * its parameter files among them) go last, so a reader never finds a pointer to files
	 * not yet written.
	 */
	void push(Path dir) {
		if (this.remote == null || !Files.isDirectory(dir)) {
			return;
		}
		try (Stream<Path> walk = Files.walk(dir)) {
			List<Path> files = walk.filter(Files::isRegularFile)
				.filter(p -> !p.getFileName().toString().endsWith(".tmp"))
				.sorted(Comparator.comparing((Path p) -> p.getFileName().toString().endsWith(".json"))
					.thenComparing(Path::toString))
				.toList();
			for (Path file : files) {
				this.remote.resolve(this.root.relativize(file).toString().replace('\\', '/')).upload(file);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(
					"cannot write the run's workspace " + this.remote.uri() + ": " + ex.getMessage(), ex);
		}
	}

	void delete() {
		ModelStore.deleteTree(this.root);
		if (this.remote != null) {
			try {
				this.remote.deleteAll();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
	}

}
