package dev.retrain.orchestrator.pipelines;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import dev.retrain.jobs.pipeline.PipelineCatalog;

/**
 * Pipeline edits applied without a restart: every {@code retrain.config-watch} (30 s) the
 * configuration directory's YAML files are read, and when their names or contents changed
 * since the last look the pipelines are reloaded, their schedules reconciled and the
 * reload audited, as {@code POST /api/pipelines/reload} does. In Kubernetes the
 * ConfigMap's new files reach a running pod within a minute or two (the kubelet swaps
 * them), so an edit needs no roll of the nodes, and the runs they hold go on. Contents,
 * not modification times: a ConfigMap's files are symbolic links swapped at once.
 */
@Component
class PipelineFileWatch {

	private static final Logger log = LoggerFactory.getLogger(PipelineFileWatch.class);

	private final PipelineCatalog catalog;

	private final PipelineReload reload;

	private volatile String seen;

	PipelineFileWatch(PipelineCatalog catalog, PipelineReload reload) {
		this.catalog = catalog;
		this.reload = reload;
		this.seen = fingerprint(catalog.directory());
	}

	@Scheduled(initialDelayString = "${retrain.config-watch:30s}", fixedDelayString = "${retrain.config-watch:30s}")
	void look() {
		String now = fingerprint(this.catalog.directory());
		if (now.equals(this.seen)) {
			return;
		}
		this.seen = now;
		PipelineReload.ReloadResult result = this.reload.reload("config-watch");
		log.info("pipeline files changed in {}: reloaded {} (errors: {}; schedules: {})", this.catalog.directory(),
				result.pipelines(), result.loadErrors().size(), result.scheduleChanges());
	}

	/**
	 * A digest of the directory's YAML files, names and contents; a directory that cannot
	 * be read has a fingerprint of its own (so that its return is noticed).
	 */
	static String fingerprint(Path directory) {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			List<Path> files;
			try (Stream<Path> listed = Files.list(directory)) {
				files = listed.filter(PipelineFileWatch::yaml).sorted().toList();
			}
			for (Path f : files) {
				digest.update(f.getFileName().toString().getBytes(StandardCharsets.UTF_8));
				digest.update((byte) 0);
				digest.update(Files.readAllBytes(f));
				digest.update((byte) 0);
			}
			return HexFormat.of().formatHex(digest.digest());
		}
		catch (IOException | UncheckedIOException ex) {
			return "unreadable: " + ex.getMessage();
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static boolean yaml(Path f) {
		String name = f.getFileName().toString();
		return !name.startsWith(".") && (name.endsWith(".yaml") || name.endsWith(".yml")) && Files.isRegularFile(f);
	}

}
