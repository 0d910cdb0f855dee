package dev.retrain.jobs.pipeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads and checks pipeline files: {@link ConfigBinder} binds the YAML to
 * {@link PipelineYaml} (unknown fields are refused, since a typo must not silently fall
 * back to a default) and validates it; {@link PipelineRules} applies the rules that span
 * fields and builds the {@link PipelineDefinition}. All problems of a file are reported
 * at once, naming the file and the field.
 */
public final class PipelineLoader {

	private static final ConfigBinder BINDER = new ConfigBinder();

	/** A file that loaded, or the reason it did not. */
	public record Loaded(String file, PipelineDefinition definition, PipelineConfigInvalid error) {
	}

	/**
	 * Loads every {@code *.yaml} / {@code *.yml} file of a directory; one bad file does
	 * not stop the others.
	 */
	public List<Loaded> loadDirectory(Path dir) {
		return loadDirectory(dir, Map.of());
	}

	/**
	 * As {@link #loadDirectory(Path)}; a name two files declare stays with the file in
	 * {@code incumbents} (name to file) that declared it before, and is an error of the
	 * newcomer only (of every file declaring it, when none held it before).
	 */
	public List<Loaded> loadDirectory(Path dir, Map<String, String> incumbents) {
		List<Loaded> result = new ArrayList<>();
		if (!Files.isDirectory(dir)) {
			return result;
		}
		try (var files = Files.list(dir)) {
			for (Path file : files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
				.sorted()
				.toList()) {
				String shown = dir.getFileName() + "/" + file.getFileName();
				try {
					result.add(new Loaded(shown, load(file, shown), null));
				}
				catch (PipelineConfigInvalid ex) {
					result.add(new Loaded(shown, null, ex));
				}
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException("cannot list pipeline directory " + dir + ": " + ex.getMessage(), ex);
		}
		Map<String, List<Loaded>> byName = result.stream()
			.filter(l -> l.definition() != null)
			.collect(Collectors.groupingBy(l -> l.definition().name()));
		List<Loaded> checked = new ArrayList<>();
		for (Loaded l : result) {
			List<Loaded> same = (l.definition() != null) ? byName.get(l.definition().name()) : List.of();
			String incumbent = (l.definition() != null) ? incumbents.get(l.definition().name()) : null;
			boolean incumbentHere = same.stream().anyMatch(o -> o.file().equals(incumbent));
			if (same.size() > 1 && !(incumbentHere && l.file().equals(incumbent))) {
				String why = incumbentHere
						? "pipeline name '" + l.definition().name() + "' is already defined by " + incumbent
						: "pipeline name '" + l.definition().name() + "' is used by more than one file: "
								+ same.stream().map(Loaded::file).toList();
				checked.add(new Loaded(l.file(), null,
						new PipelineConfigInvalid(l.file(), List.of(new ConfigProblem("name", why)))));
			}
			else {
				checked.add(l);
			}
		}
		return checked;
	}

	public PipelineDefinition load(Path file, String shownName) {
		try {
			return parse(Files.readString(file, StandardCharsets.UTF_8), shownName);
		}
		catch (IOException ex) {
			throw new PipelineConfigInvalid(shownName,
					List.of(new ConfigProblem(null, "cannot read: " + ex.getMessage())));
		}
	}

	/**
	 * Parses and checks YAML text; {@code source} names it in messages. Every problem of
	 * the text is reported at once.
	 */
	public PipelineDefinition parse(String text, String source) {
		ConfigBinder.Bound<PipelineYaml> bound = BINDER.bind(text, PipelineYaml.class);
		List<ConfigProblem> problems = new ArrayList<>(bound.problems());
		PipelineDefinition def = null;
		if (bound.value() != null) {
			PipelineRules rules = new PipelineRules(bound.problems());
			def = rules.definition(bound.value(), source, hash(text));
			problems.addAll(rules.problems());
		}
		if (!problems.isEmpty()) {
			throw new PipelineConfigInvalid(source, problems);
		}
		return def;
	}

	static String hash(String text) {
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
