package dev.retrain.jobs.pipeline;

import java.util.List;
import java.util.stream.Collectors;

/** A pipeline file cannot be used; the message names the file and every bad field. */
public class PipelineConfigInvalid extends RuntimeException {

	private final String file;

	private final List<ConfigProblem> problems;

	public PipelineConfigInvalid(String file, List<ConfigProblem> problems) {
		super(file + ": " + problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("; ")));
		this.file = file;
		this.problems = List.copyOf(problems);
	}

	public String file() {
		return this.file;
	}

	public List<ConfigProblem> problems() {
		return this.problems;
	}

}
