package dev.retrain.jobs.pipeline;

/** No loaded pipeline has this name (it may have failed to load: the message says so). */
public class PipelineNotFound extends RuntimeException {

	private final String name;

	public PipelineNotFound(String name, String detail) {
		super("no pipeline named '" + name + "'" + ((detail != null) ? ": " + detail : ""));
		this.name = name;
	}

	public String name() {
		return this.name;
	}

}
