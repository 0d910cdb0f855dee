package dev.retrain.jobs.retrain;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.infrastructure.item.ExecutionContext;

import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineConfigInvalid;
import dev.retrain.jobs.pipeline.PipelineDefinition;

/**
 * A run's pipeline, pinned as it starts: the text of the pipeline's file goes into the
 * job execution's context before the first step, and every step of that execution (on
 * this node or on a worker, which reads the context from the shared job repository)
 * parses that text instead of its own copy of the file. An edit while the run is in
 * progress (a reload, a ConfigMap a worker sees later than the node) then changes nothing
 * for it: its steps agree on one definition, whose hash the version records. A restart (a
 * new execution) pins the file as it is then, so a fixed file takes effect on restart.
 */
final class PinnedPipeline implements JobExecutionListener {

	private static final Logger log = LoggerFactory.getLogger(PinnedPipeline.class);

	/** The pinned file's text in the job execution's context. */
	static final String TEXT = PipelineCatalog.PINNED_TEXT;

	/** Where that text came from (the file's path), for messages. */
	static final String SOURCE = "retrain.pipeline.source";

	private final PipelineCatalog catalog;

	private final JobRepository repository;

	PinnedPipeline(PipelineCatalog catalog, JobRepository repository) {
		this.catalog = catalog;
		this.repository = repository;
	}

	@Override
	public void beforeJob(JobExecution execution) {
		ExecutionContext context = execution.getExecutionContext();
		// a restart's context starts as the last execution's: pin the file as it is now
		context.remove(TEXT);
		context.remove(SOURCE);
		PipelineDefinition def = this.catalog.get(RunContext.of(execution).pipeline());
		Optional<String> text = this.catalog.sourceText(def);
		if (text.isPresent() && sameAs(def, text.get())) {
			context.putString(TEXT, text.get());
			context.putString(SOURCE, def.source());
		}
		else {
			log.warn("run {}: the file of pipeline '{}' changed since it was loaded, or cannot be read: its steps "
					+ "read the loaded definition", execution.getId(), def.name());
		}
		this.repository.updateExecutionContext(execution);
	}

	private boolean sameAs(PipelineDefinition def, String text) {
		try {
			return this.catalog.validate(text, def.source()).configHash().equals(def.configHash());
		}
		catch (PipelineConfigInvalid ex) {
			return false;
		}
	}

	/**
	 * The definition the steps of {@code execution} use: the pinned text, else (a run
	 * started before pinning, or whose file could not be pinned) the catalog's.
	 */
	static PipelineDefinition of(JobExecution execution, PipelineCatalog catalog) {
		String text = execution.getExecutionContext().getString(TEXT, null);
		if (text == null) {
			return catalog.get(RunContext.of(execution).pipeline());
		}
		String source = execution.getExecutionContext().getString(SOURCE, "the run's pipeline");
		String key = source + "\n" + text;
		PipelineDefinition parsed = PARSED.get(key);
		if (parsed == null) {
			parsed = catalog.validate(text, source);
			if (PARSED.size() >= 64) {
				PARSED.clear();
			}
			PARSED.put(key, parsed);
		}
		return parsed;
	}

	/**
	 * Definitions parsed from pinned text, by source and text: every step of a run (and
	 * each epoch's StepInputs) parses it once per process. A definition is immutable.
	 */
	private static final Map<String, PipelineDefinition> PARSED = new ConcurrentHashMap<>();

}
