package dev.retrain.orchestrator.registry;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.WebRequest;
import tools.jackson.databind.JsonNode;

import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.registry.AliasChange;
import dev.retrain.jobs.registry.AliasNotFound;
import dev.retrain.jobs.registry.CommitteeNotFound;
import dev.retrain.jobs.registry.CommitteeRegistry;
import dev.retrain.jobs.registry.Decision;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.registry.ModelVersion;
import dev.retrain.jobs.registry.VersionNotFound;
import dev.retrain.models.committee.CommitteeManifest;
import dev.retrain.models.files.FileHashes;
import dev.retrain.models.files.PathSegment;
import dev.retrain.models.json.Json;
import dev.retrain.models.store.ArtifactMetadata;
import dev.retrain.models.store.ModelStore;
import dev.retrain.orchestrator.web.Names;

/** Read access to a pipeline's model versions, aliases and promotion history. */
@RestController
@Tag(name = "models")
@RequestMapping("/api/models/{name}")
class ModelController {

	private final ModelRegistry registry;

	private final ModelStore store;

	private final PipelineCatalog catalog;

	private final CommitteeRegistry committees;

	ModelController(ModelRegistry registry, ModelStore store, PipelineCatalog catalog, CommitteeRegistry committees) {
		this.registry = registry;
		this.store = store;
		this.catalog = catalog;
		this.committees = committees;
	}

	/**
	 * A version as listed: registry facts, holdout metrics, and the aliases pointing at
	 * it.
	 */
	record VersionSummary(int version, String createdAt, String mode, Integer parentVersion, String snapshotId,
			String primaryMetric, Double primaryValue, Decision decision, String decisionSummary, Long runId,
			List<String> aliases, JsonNode metrics, String path) {

		static VersionSummary of(ModelVersion v, Map<String, Integer> aliases) {
			return new VersionSummary(v.version(), v.createdAt().toString(), v.mode(), v.parentVersion(),
					v.snapshotId(), v.primaryMetric(), v.primaryValue(), v.decision(), v.decisionSummary(), v.runId(),
					aliases.entrySet()
						.stream()
						.filter(e -> e.getValue() == v.version())
						.map(Map.Entry::getKey)
						.toList(),
					Json.MAPPER.readTree(v.metrics()), v.path());
		}

	}

	/**
	 * The versions, newest first, with the current aliases and the history of their
	 * moves.
	 */
	record VersionList(String pipeline, Map<String, Integer> aliases, List<VersionSummary> versions,
			List<AliasChange> history) {
	}

	/**
	 * One version in full: registry facts and the stored metadata (lineage, encoders,
	 * training, profile).
	 */
	record VersionDetail(VersionSummary version, ArtifactMetadata metadata) {
	}

	@GetMapping("/versions")
	@Operation(summary = "List a pipeline's model versions, aliases and promotion history")
	VersionList versions(@PathVariable String name) {
		Names.pipeline(name);
		List<ModelVersion> versions = this.registry.versions(name);
		if (versions.isEmpty()) {
			// a pipeline no file defines and no run ever registered: not an empty list, a
			// wrong name
			this.catalog.get(name);
		}
		Map<String, Integer> aliases = this.registry.aliases(name);
		return new VersionList(name, aliases, versions.stream().map(v -> VersionSummary.of(v, aliases)).toList(),
				this.registry.history(name));
	}

	@GetMapping(path = "/versions/{version}/artifact", produces = "application/zip")
	@Operation(summary = "A version as one zip archive (metadata.json with encoders, model.params, the reference "
			+ "sample); its SHA-256 in X-Artifact-SHA256 and as the ETag: If-None-Match answers 304; what a "
			+ "process needs to load it in X-Model-Requires (a built-in family, or a plugin's name, version, jar "
			+ "and the jar's SHA-256)")
	ResponseEntity<byte[]> artifact(@PathVariable String name, @PathVariable int version, WebRequest request) {
		Names.pipeline(name);
		this.registry.version(name, version).orElseThrow(() -> new VersionNotFound(name, version));
		return archive(name, version, request);
	}

	@GetMapping(path = "/aliases/{alias}/artifact", produces = "application/zip")
	@Operation(summary = "The version an alias (champion, ...) points at, as one zip archive; for the champion of a "
			+ "pipeline with promotion.committee, the committee (as /committee/artifact gives it); poll with "
			+ "If-None-Match: 304 until the alias moves (or the committee's weights or members change)")
	ResponseEntity<byte[]> aliasArtifact(@PathVariable String name, @PathVariable String alias, WebRequest request) {
		Names.pipeline(name);
		PathSegment.name("alias", alias);
		int version = this.registry.alias(name, alias).orElseThrow(() -> {
			this.catalog.get(name);
			return new AliasNotFound(name, alias);
		});
		if (ModelRegistry.CHAMPION.equals(alias)) {
			Optional<CommitteeManifest> committee = servedCommittee(name, version);
			if (committee.isPresent()) {
				return committeeArchive(committee.get(), request);
			}
		}
		return archive(name, version, request);
	}

	@GetMapping(path = "/committee/artifact", produces = "application/zip")
	@Operation(summary = "The committee champion as one zip archive: committee.json (the version the champion alias "
			+ "names, the committee's revision, its spec, its members and weights) and each member's files under "
			+ "v<version>/; the champion alias's download is the same archive for a pipeline with "
			+ "promotion.committee. Its SHA-256 is the ETag, which changes when the weights or the members change; "
			+ "X-Committee-Revision and X-Committee-Members say which")
	ResponseEntity<byte[]> committeeArtifact(@PathVariable String name, WebRequest request) {
		Names.pipeline(name);
		int champion = this.registry.champion(name).orElseThrow(() -> {
			this.catalog.get(name);
			return new CommitteeNotFound(name, "no champion yet");
		});
		return committeeArchive(
				servedCommittee(name, champion).orElseThrow(() -> new CommitteeNotFound(name,
						"its pipeline file has no promotion.committee, or no " + "version has entered it yet")),
				request);
	}

	/**
	 * The committee the champion serves: the pipeline's file has a
	 * {@code promotion.committee} and the committee has members; else empty (the alias's
	 * version serves alone).
	 */
	private Optional<CommitteeManifest> servedCommittee(String name, int champion) {
		PipelineDefinition def = this.catalog.state().pipelines().get(name);
		if (def == null || def.committee() == null) {
			return Optional.empty();
		}
		return this.committees.served(name, champion);
	}

	private ResponseEntity<byte[]> committeeArchive(CommitteeManifest committee, WebRequest request) {
		String name = committee.pipeline();
		byte[] zip = this.store.committeeArchive(name, CommitteeManifest.FILE, committee.json(), committee.versions());
		String sha = FileHashes.sha256(zip);
		String etag = "\"" + sha + "\"";
		String members = committee.members()
			.stream()
			.map(m -> m.version() + "=" + m.weight())
			.collect(Collectors.joining(","));
		if (anyRepresentation(request) || request.checkNotModified(etag)) {
			return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).header("X-Artifact-SHA256", sha).build();
		}
		return ResponseEntity.ok()
			.eTag(etag)
			.header("X-Artifact-SHA256", sha)
			.header("X-Model-Version", Integer.toString(committee.champion()))
			.header("X-Committee-Revision", Long.toString(committee.revision()))
			.header("X-Committee-Members", members)
			.header("X-Model-Requires",
					committee.members()
						.stream()
						.map(m -> this.store.metadata(name, m.version()).shape().requires())
						.distinct()
						.collect(Collectors.joining("; ")))
			.header(HttpHeaders.CONTENT_DISPOSITION,
					"attachment; filename=\"" + name + "-committee-r" + committee.revision() + ".zip\"")
			.contentType(MediaType.parseMediaType("application/zip"))
			.body(zip);
	}

	/**
	 * A committee now: its spec, its members and their weights, and whether it serves.
	 */
	record CommitteeView(String pipeline, Integer champion, boolean served, String describe, int size, String weighting,
			double eta, double share, long revision, String updatedAt, List<Member> members) {

		record Member(int version, double weight, boolean champion) {
		}

	}

	@GetMapping("/committee")
	@Operation(summary = "The committee champion: its spec, members (oldest first) and weights, its revision, and "
			+ "whether the champion download serves it (the pipeline's file has promotion.committee)")
	CommitteeView committee(@PathVariable String name) {
		Names.pipeline(name);
		CommitteeRegistry.State state = this.committees.current(name).orElseThrow(() -> {
			this.catalog.get(name);
			return new CommitteeNotFound(name, "no version has entered one");
		});
		Integer champion = this.registry.champion(name).orElse(null);
		PipelineDefinition def = this.catalog.state().pipelines().get(name);
		boolean served = def != null && def.committee() != null && !state.weights().isEmpty();
		return new CommitteeView(name, champion, served, state.weights().spec().describe(),
				state.weights().spec().size(), state.weights().spec().weighting().key(), state.weights().spec().eta(),
				state.weights().spec().share(), state.revision(), state.updatedAt().toString(),
				state.weights()
					.members()
					.stream()
					.map(m -> new CommitteeView.Member(m.version(), m.weight(),
							champion != null && m.version() == champion))
					.toList());
	}

	@GetMapping("/committee/history")
	@Operation(summary = "Every change of the committee, oldest first (the newest `limit`, 1 to 1000): a member "
			+ "entering (ADMIT), labels moving the weights (LABELS: which days, each member's loss) or a member "
			+ "leaving on a rollback (RETIRE), with the weights after it")
	List<CommitteeRegistry.Update> committeeHistory(@PathVariable String name,
			@RequestParam(defaultValue = "200") int limit) {
		Names.pipeline(name);
		if (limit < 1 || limit > 1000) {
			throw new IllegalArgumentException("limit must be between 1 and 1000, got " + limit);
		}
		if (this.committees.current(name).isEmpty()) {
			this.catalog.get(name);
			throw new CommitteeNotFound(name, "no version has entered one");
		}
		return this.committees.history(name, limit);
	}

	/**
	 * The archive, or 304 when the caller has it: an If-None-Match that names its ETag,
	 * or {@code *} (RFC 9110: any current representation; Spring's check takes {@code *}
	 * for unsafe methods only). HEAD gets the same headers without the body.
	 */
	private ResponseEntity<byte[]> archive(String name, int version, WebRequest request) {
		byte[] zip = this.store.archive(name, version);
		String sha = FileHashes.sha256(zip);
		String etag = "\"" + sha + "\"";
		if (anyRepresentation(request) || request.checkNotModified(etag)) {
			return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).header("X-Artifact-SHA256", sha).build();
		}
		return ResponseEntity.ok()
			.eTag(etag)
			.header("X-Artifact-SHA256", sha)
			.header("X-Model-Version", Integer.toString(version))
			.header("X-Model-Requires", this.store.metadata(name, version).shape().requires())
			.header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + name + "-v" + version + ".zip\"")
			.contentType(MediaType.parseMediaType("application/zip"))
			.body(zip);
	}

	/** Whether If-None-Match is {@code *} (alone or in a list). */
	private static boolean anyRepresentation(WebRequest request) {
		String[] values = request.getHeaderValues(HttpHeaders.IF_NONE_MATCH);
		if (values == null) {
			return false;
		}
		for (String value : values) {
			for (String tag : value.split(",")) {
				if (tag.trim().equals("*")) {
					return true;
				}
			}
		}
		return false;
	}

	@GetMapping("/versions/{version}")
	@Operation(summary = "One model version with its full metadata")
	VersionDetail version(@PathVariable String name, @PathVariable int version) {
		Names.pipeline(name);
		ModelVersion v = this.registry.version(name, version).orElseThrow(() -> new VersionNotFound(name, version));
		return new VersionDetail(VersionSummary.of(v, this.registry.aliases(name)), this.store.metadata(name, version));
	}

}
