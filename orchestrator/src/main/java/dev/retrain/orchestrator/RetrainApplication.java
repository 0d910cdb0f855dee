package dev.retrain.orchestrator;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

import ai.djl.engine.Engine;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Import;
import org.springframework.scheduling.annotation.EnableScheduling;

import dev.retrain.jobs.JobsConfiguration;
import dev.retrain.jobs.backtest.BacktestJobConfiguration;

/**
 * The retraining orchestrator: REST API, run launching, registry, and (with
 * {@code --demo}) the sample run.
 */
@SpringBootApplication
@EnableScheduling
@Import({ JobsConfiguration.class, BacktestJobConfiguration.class })
public class RetrainApplication {

	/**
	 * Serves, or runs one of the jar's commands and exits ({@link CommandLine}); Spring
	 * starts only to serve.
	 */
	public static void main(String[] args) {
		configureDjl(args);
		CommandLine.Outcome outcome = CommandLine.run(args, System.out, System.err);
		if (!outcome.serves()) {
			if (outcome.exitCode() != 0) {
				System.exit(outcome.exitCode());
			}
			return;
		}
		if (outcome.serverArgs().contains("--demo")) {
			System.out.println("starting the demo (framework logs: warnings and errors only; "
					+ "--logging.level.root=INFO shows them all)");
		}
		SpringApplication application = new SpringApplication(RetrainApplication.class);
		if (!outcome.defaults().isEmpty()) {
			application.setDefaultProperties(outcome.defaults());
		}
		application.run(outcome.serverArgs().toArray(String[]::new));
	}

	/**
	 * {@code worker [--retrain.workers.consume=q1,q2] [settings]}: the same application
	 * taking heavy steps from the named queues (default: {@code default}); a worker fires
	 * no schedules (the orchestrator nodes do), and reports the broker in its health.
	 * These are defaults: an argument, a system property or an environment variable
	 * ({@code RETRAIN_WORKERS_CONSUME}, as the Helm chart sets) overrides them.
	 */
	static Map<String, Object> workerDefaults() {
		return Map.of("retrain.workers.consume", "default", "management.health.rabbit.enabled", "true");
	}

	/**
	 * {@code natives}: loads the PyTorch engine, which extracts its native libraries into
	 * {@code DJL_CACHE_DIR}, and exits. The Dockerfile runs it at build time, so that a
	 * pod starts offline without unpacking ~450 MB on every start.
	 */
	static void natives(PrintStream out) {
		Engine engine = Engine.getEngine("PyTorch");
		out.println("PyTorch " + engine.getVersion() + " natives in "
				+ System.getProperty("DJL_CACHE_DIR", System.getenv("DJL_CACHE_DIR")));
	}

	/**
	 * DJL reads these before its engine loads: no downloads, natives cached under the
	 * data directory, and one PyTorch intra-op thread per training (OpenMP spinning
	 * starves a 2-core machine otherwise; STACK.md gotcha 1). Each may be overridden with
	 * -D.
	 */
	static void configureDjl(String[] args) {
		String dataDir = "./var";
		for (String arg : args) {
			if (arg.startsWith("--retrain.data-dir=")) {
				dataDir = arg.substring("--retrain.data-dir=".length());
			}
		}
		if (System.getenv("RETRAIN_DATA_DIR") != null) {
			dataDir = System.getenv("RETRAIN_DATA_DIR");
		}
		setIfAbsent("ai.djl.offline", "true");
		setIfAbsent("ai.djl.pytorch.num_threads", "1");
		setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
		if (System.getenv("DJL_CACHE_DIR") == null) {
			setIfAbsent("DJL_CACHE_DIR", Path.of(dataDir, "djl").toAbsolutePath().normalize().toString());
		}
	}

	private static void setIfAbsent(String key, String value) {
		if (System.getProperty(key) == null) {
			System.setProperty(key, value);
		}
	}

}
