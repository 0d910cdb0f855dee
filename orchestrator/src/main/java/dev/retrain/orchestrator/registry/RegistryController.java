package dev.retrain.orchestrator.registry;

import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.retrain.jobs.registry.Comparison;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.registry.ModelVersion;
import dev.retrain.jobs.registry.RegistryOperations;
import dev.retrain.jobs.registry.RetentionPlan;
import dev.retrain.jobs.registry.VersionNotFound;
import dev.retrain.models.store.ArtifactMetadata;
import dev.retrain.models.store.ModelStore;
import dev.retrain.orchestrator.web.Actor;
import dev.retrain.orchestrator.web.Names;

/**
 * Changing the registry: manual and forced promotion, rollback, approval, user-named
 * aliases, retention; and comparing two versions. Every alias move names the version the
 * caller believes is there ({@code expectedChampion}, {@code expectedVersion}); a stale
 * belief gets 409 and changes nothing.
 */
@RestController
@Tag(name = "models")
@RequestMapping("/api/models/{name}")
class RegistryController {

	private final RegistryOperations operations;

	private final ModelRegistry registry;

	private final ModelStore store;

	RegistryController(RegistryOperations operations, ModelRegistry registry, ModelStore store) {
		this.operations = operations;
		this.registry = registry;
		this.store = store;
	}

	/**
	 * Promote {@code version}; {@code expectedChampion} null means "there is no
	 * champion".
	 */
	@Schema(example = "{\"version\": 7, \"expectedChampion\": 6, \"reason\": \"better recall on the new region\"}")
	record PromoteRequest(@NotNull Integer version, Integer expectedChampion,
			@NotBlank @Size(max = 2000) String reason) {
	}

	@Schema(example = "{\"expectedChampion\": 7, \"reason\": \"latency regression in serving\"}")
	record RollbackRequest(Integer expectedChampion, @NotBlank @Size(max = 2000) String reason) {
	}

	@Schema(example = "{\"expectedChampion\": 6, \"reason\": \"checked the slices\"}")
	record ReviewRequest(Integer expectedChampion, @NotBlank @Size(max = 2000) String reason) {
	}

	@Schema(example = "{\"version\": 8, \"expectedVersion\": 5, \"reason\": \"shadow traffic for v8\"}")
	record AliasRequest(@NotNull Integer version, Integer expectedVersion, @NotBlank @Size(max = 2000) String reason) {
	}

	@PostMapping("/promote")
	@Operation(
			summary = "Promote a version (admin); compare-and-set on expectedChampion; a version that failed its policy needs force-promote")
	ModelVersion promote(@PathVariable String name, @Valid @RequestBody PromoteRequest r) {
		return this.operations.promote(Names.pipeline(name), r.version(), r.expectedChampion(), Actor.current(),
				r.reason(), false);
	}

	@PostMapping("/force-promote")
	@Operation(summary = "Promote a version that failed its policy (admin); marked as forced")
	ModelVersion forcePromote(@PathVariable String name, @Valid @RequestBody PromoteRequest r) {
		return this.operations.promote(Names.pipeline(name), r.version(), r.expectedChampion(), Actor.current(),
				r.reason(), true);
	}

	@PostMapping("/rollback")
	@Operation(summary = "Make the previous champion champion again (admin); compare-and-set on expectedChampion")
	ModelVersion rollback(@PathVariable String name, @Valid @RequestBody RollbackRequest r) {
		return this.operations.rollback(Names.pipeline(name), r.expectedChampion(), Actor.current(), r.reason());
	}

	@PostMapping("/versions/{version}/approve")
	@Operation(summary = "Approve a pending version (operator): it becomes champion by compare-and-set")
	ModelVersion approve(@PathVariable String name, @PathVariable int version, @Valid @RequestBody ReviewRequest r) {
		return this.operations.approve(Names.pipeline(name), version, r.expectedChampion(), Actor.current(),
				r.reason());
	}

	@PostMapping("/versions/{version}/reject")
	@Operation(summary = "Reject a pending version (operator), with why")
	ModelVersion reject(@PathVariable String name, @PathVariable int version, @Valid @RequestBody ReviewRequest r) {
		return this.operations.reject(Names.pipeline(name), version, Actor.current(), r.reason());
	}

	@PutMapping("/aliases/{alias}")
	@Operation(
			summary = "Point a user-named alias (e.g. shadow) at a version (admin); compare-and-set on expectedVersion")
	Map<String, Integer> setAlias(@PathVariable String name, @PathVariable String alias,
			@Valid @RequestBody AliasRequest r) {
		this.operations.setAlias(Names.pipeline(name), alias, r.version(), r.expectedVersion(), Actor.current(),
				r.reason());
		return this.registry.aliases(name);
	}

	@DeleteMapping("/aliases/{alias}")
	@Operation(summary = "Remove a user-named alias (admin); expectedVersion must match")
	Map<String, Integer> deleteAlias(@PathVariable String name, @PathVariable String alias,
			@RequestParam int expectedVersion, @RequestParam String reason) {
		this.operations.deleteAlias(Names.pipeline(name), alias, expectedVersion, Actor.current(), reason);
		return this.registry.aliases(name);
	}

	@GetMapping("/retention")
	@Operation(summary = "Dry run: which versions retention would delete, and why each other one is kept")
	RetentionPlan retentionPlan(@PathVariable String name) {
		return this.operations.retention(Names.pipeline(name));
	}

	@PostMapping("/retention")
	@Operation(summary = "Apply retention (admin): registry rows and files go together; protected versions stay")
	RetentionPlan applyRetention(@PathVariable String name) {
		return this.operations.applyRetention(Names.pipeline(name), Actor.current());
	}

	@GetMapping("/compare")
	@Operation(summary = "Compare two versions: metrics, data snapshots, configuration differences")
	Comparison compare(@PathVariable String name, @RequestParam int a, @RequestParam int b) {
		Names.pipeline(name);
		return Comparison.of(a, metadata(name, a), b, metadata(name, b));
	}

	private ArtifactMetadata metadata(String name, int version) {
		this.registry.version(name, version).orElseThrow(() -> new VersionNotFound(name, version));
		return this.store.metadata(name, version);
	}

}
