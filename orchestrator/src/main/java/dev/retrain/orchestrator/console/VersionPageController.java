package dev.retrain.orchestrator.console;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.registry.ModelVersion;
import dev.retrain.jobs.registry.RegistryOperations;
import dev.retrain.models.store.ArtifactMetadata;
import dev.retrain.models.store.ModelStore;
import dev.retrain.orchestrator.web.Actor;

/**
 * A model version's page, beside another version if asked; promoting, rolling back,
 * approving and rejecting, each a compare-and-set on the champion the page showed.
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
		if (compare != null) {
			model.addAttribute("other", this.registry.version(name, compare).orElse(null));
			model.addAttribute("otherMetadata", metadata(name, compare));
		}
		return "console/version";
	}

	@PostMapping("/console/models/{name}/promote")
	String promote(@PathVariable String name, @RequestParam int version,
			@RequestParam(required = false) Integer expectedChampion, @RequestParam String reason,
			RedirectAttributes flash) {
		String back = "/console/models/" + name + "/versions/" + version;
		return this.actions.act(flash, back, () -> {
			this.operations.promote(name, version, expectedChampion, Actor.current(), ConsoleActions.required(reason),
					false);
			flash.addFlashAttribute("notice", "version " + version + " is now champion");
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
