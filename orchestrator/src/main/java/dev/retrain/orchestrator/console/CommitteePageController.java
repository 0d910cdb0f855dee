package dev.retrain.orchestrator.console;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;

import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.registry.CommitteeNotFound;
import dev.retrain.jobs.registry.CommitteeRegistry;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.orchestrator.web.Names;

/**
 * A pipeline's committee champion: its members and their weights now (a table), the
 * weights over its newest changes (a small SVG, one line per version), and those changes
 * (who entered, which labels moved the weights and each member's loss, who left on a
 * rollback). Read from the registry the REST API reads ({@link CommitteeRegistry}).
 */
@Controller
class CommitteePageController {

	/** The changes shown and drawn: the newest. */
	static final int CHANGES = 100;

	private final CommitteeRegistry committees;

	private final ModelRegistry registry;

	private final PipelineCatalog catalog;

	CommitteePageController(CommitteeRegistry committees, ModelRegistry registry, PipelineCatalog catalog) {
		this.committees = committees;
		this.registry = registry;
		this.catalog = catalog;
	}

	/**
	 * A member now: its version, weight, colour in the chart, and whether it is champion.
	 */
	record Member(int version, double weight, String colour, boolean champion) {
	}

	@GetMapping("/console/models/{name}/committee")
	String committee(@PathVariable String name, Model model) {
		Names.pipeline(name);
		Optional<CommitteeRegistry.State> state = this.committees.current(name);
		if (state.isEmpty()) {
			this.catalog.get(name);
			throw new CommitteeNotFound(name, "no version has entered one");
		}
		List<CommitteeRegistry.Update> history = this.committees.history(name, CHANGES);
		TreeSet<Integer> versions = new TreeSet<>();
		history.forEach(u -> versions.addAll(u.weights().keySet()));
		versions.addAll(state.get().weights().versions());
		List<Integer> ordered = new ArrayList<>(versions);
		Integer champion = this.registry.champion(name).orElse(null);
		List<Member> members = state.get()
			.weights()
			.members()
			.stream()
			.map(m -> new Member(m.version(), m.weight(), Svg.colour(ordered.indexOf(m.version())),
					champion != null && m.version() == champion))
			.toList();
		List<Map<Integer, Double>> weights = history.stream().map(CommitteeRegistry.Update::weights).toList();
		PipelineDefinition def = this.catalog.state().pipelines().get(name);
		model.addAttribute("name", name);
		model.addAttribute("committee", state.get());
		model.addAttribute("spec", state.get().weights().spec().describe());
		model.addAttribute("served", def != null && def.committee() != null);
		model.addAttribute("champion", champion);
		model.addAttribute("members", members);
		model.addAttribute("legend", ordered.stream()
			.map(v -> new Member(v, Double.NaN, Svg.colour(ordered.indexOf(v)), champion != null && v.equals(champion)))
			.toList());
		model.addAttribute("chart", Svg.weights(weights, ordered, 480, 120));
		List<CommitteeRegistry.Update> newestFirst = new ArrayList<>(history);
		Collections.reverse(newestFirst);
		model.addAttribute("history", newestFirst);
		model.addAttribute("changes", CHANGES);
		return "console/committee";
	}

}
