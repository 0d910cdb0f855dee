package dev.retrain.orchestrator.console;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.registry.Comparison;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.registry.ModelVersion;
import dev.retrain.jobs.registry.RegistryOperations;
import dev.retrain.models.files.FileHashes;
import dev.retrain.models.store.ArtifactMetadata;
import dev.retrain.models.store.ModelStore;
import dev.retrain.orchestrator.web.Actor;

/**
 * A model version's page, beside another version if asked; promoting (forced, by an admin
 * with a reason, for a version that failed its policy), rolling back, approving and
 * rejecting, each a compare-and-set on the champion the page showed.
 */
@Controller
class VersionPageController {

	private final PipelineCatalog catalog;

	private final ModelRegistry registry;

	private final RegistryOperations operations;

	private final ModelStore store;

	private final ConsoleActions actions;

	VersionPageController(PipelineCatalog catalog, ModelRegistry registry, RegistryOperations operations,
			ModelStore store, ConsoleActions actions) {
		this.catalog = catalog;
		this.registry = registry;
		this.operations = operations;
		this.store = store;
		this.actions = actions;
	}

	@GetMapping("/console/models/{name}/versions/{version}")
	String version(@PathVariable String name, @PathVariable int version,
			@RequestParam(required = false) Integer compare, Model model) {
		this.catalog.get(name);
		ModelVersion v = this.registry.version(name, version)
			.orElseThrow(() -> new IllegalArgumentException("pipeline '" + name + "' has no version " + version));
		model.addAttribute("pipeline", name);
		model.addAttribute("v", v);
		model.addAttribute("metadata", metadata(name, version));
		model.addAttribute("champion", this.registry.champion(name).orElse(null));
		model.addAttribute("previous", this.registry.alias(name, ModelRegistry.PREVIOUS).orElse(null));
		model.addAttribute("others", this.registry.versions(name).stream().map(ModelVersion::version).toList());
		String base = ServletUriComponentsBuilder.fromCurrentContextPath().build().toUriString();
		model.addAttribute("snippetJava", """
				try (Champion champion = Champion.builder("%s", "%s")
				        .apiKey(System.getenv("RETRAIN_API_KEY"))   // or .basicAuth(user, password): a viewer
				        .pollEvery(Duration.ofSeconds(30))          // null: only when refresh() is called
				        .build()) {
				    Scored s = champion.score(row);   // a Map of feature name to value; s.version() says which
				}""".formatted(base, name));
		model.addAttribute("snippetCurl", "curl -fsS -H \"X-API-Key: $RETRAIN_API_KEY\" -o " + name + "-v" + version
				+ ".zip \\\n  " + base + "/api/models/" + name + "/versions/" + version + "/artifact");
		if (compare != null) {
			model.addAttribute("other", this.registry.version(name, compare).orElse(null));
			ArtifactMetadata mine = metadata(name, version);
			ArtifactMetadata theirs = metadata(name, compare);
			if (mine != null && theirs != null) {
				try {
					model.addAttribute("comparison", Comparison.of(version, mine, compare, theirs));
				}
				catch (RuntimeException ex) {
					// metadata of an older format: the side-by-side facts above only
				}
			}
		}
		return "console/version";
	}

	/**
	 * The version as one zip archive, for a signed-in console user (the API's
	 * {@code /artifact} takes Basic or an API key, not the console's session).
	 */
	@GetMapping("/console/models/{name}/versions/{version}/artifact")
	ResponseEntity<byte[]> artifact(@PathVariable String name, @PathVariable int version) {
		this.registry.version(name, version)
			.orElseThrow(() -> new IllegalArgumentException("pipeline '" + name + "' has no version " + version));
		byte[] zip = this.store.archive(name, version);
		return ResponseEntity.ok()
			.header("X-Artifact-SHA256", FileHashes.sha256(zip))
			.header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + name + "-v" + version + ".zip\"")
			.contentType(MediaType.parseMediaType("application/zip"))
			.body(zip);
	}

	@PostMapping("/console/models/{name}/promote")
	String promote(@PathVariable String name, @RequestParam int version,
			@RequestParam(required = false) Integer expectedChampion, @RequestParam String reason,
			@RequestParam(defaultValue = "false") boolean force, RedirectAttributes flash) {
		String back = "/console/models/" + name + "/versions/" + version;
		return this.actions.act(flash, back, () -> {
			this.operations.promote(name, version, expectedChampion, Actor.current(), ConsoleActions.required(reason),
					force);
			flash.addFlashAttribute("notice",
					"version " + version + " is now champion" + (force ? " (a forced promotion)" : ""));
			return back;
		});
	}

	@PostMapping("/console/models/{name}/rollback")
	String rollback(@PathVariable String name, @RequestParam int version,
			@RequestParam(required = false) Integer expectedChampion, @RequestParam String reason,
			RedirectAttributes flash) {
		String back = "/console/models/" + name + "/versions/" + version;
		return this.actions.act(flash, back, () -> {
			ModelVersion now = this.operations.rollback(name, expectedChampion, Actor.current(),
					ConsoleActions.required(reason));
			flash.addFlashAttribute("notice", "rolled back: version " + now.version() + " is champion again");
			return "/console/models/" + name + "/versions/" + now.version();
		});
	}

	@PostMapping("/console/models/{name}/versions/{version}/{verdict}")
	String review(@PathVariable String name, @PathVariable int version, @PathVariable String verdict,
			@RequestParam(required = false) Integer expectedChampion, @RequestParam String reason,
			RedirectAttributes flash) {
		String back = "/console/models/" + name + "/versions/" + version;
		return this.actions.act(flash, back, () -> {
			switch (verdict) {
				case "approve" -> this.operations.approve(name, version, expectedChampion, Actor.current(),
						ConsoleActions.required(reason));
				case "reject" ->
					this.operations.reject(name, version, Actor.current(), ConsoleActions.required(reason));
				default -> throw new IllegalArgumentException("unknown review '" + verdict + "'");
			}
			flash.addFlashAttribute("notice", "version " + version + ": " + verdict + "d");
			return back;
		});
	}

	/** A version's metadata, or null where its files cannot be read. */
	private ArtifactMetadata metadata(String name, int version) {
		try {
			return this.store.metadata(name, version);
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

}
