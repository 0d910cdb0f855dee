package dev.retrain.orchestrator;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Import;
import org.springframework.scheduling.annotation.EnableScheduling;

import dev.retrain.jobs.JobsConfiguration;
import dev.retrain.jobs.backtest.BacktestJobConfiguration;
import dev.retrain.orchestrator.backtest.Commands;
import dev.retrain.orchestrator.security.Credentials;

/**
 * The retraining orchestrator: REST API, run launching, registry, and (with
 * {@code --demo}) the sample run.
 */
@SpringBootApplication
@EnableScheduling
@Import({ JobsConfiguration.class, BacktestJobConfiguration.class })
public class RetrainApplication {

	public static void main(String[] args) throws Exception {
		configureDjl(args);
		if (Commands.run(args)) {
			return;
		}
		if (args.length == 2 && args[0].equals("hash-password")) {
			System.out.println(Credentials.hashPassword(args[1]));
			return;
		}
		if (args.length == 2 && args[0].equals("hash-api-key")) {
			System.out.println(Credentials.hashApiKey(args[1]));
			return;
		}
		if (args.length > 0 && args[0].equals("worker")) {
			SpringApplication.run(RetrainApplication.class, workerArguments(args));
			return;
		}
		SpringApplication.run(RetrainApplication.class, args);
	}

	/**
	 * {@code worker [--retrain.workers.consume=q1,q2] [settings]}: the same application
	 * taking heavy steps from the named queues (default: {@code default}); a worker fires
	 * no schedules (the orchestrator nodes do), and reports the broker in its health.
	 */
	static String[] workerArguments(String[] args) {
		List<String> out = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
		if (out.stream().noneMatch(a -> a.startsWith("--retrain.workers.consume="))) {
			out.add("--retrain.workers.consume=default");
		}
		if (out.stream().noneMatch(a -> a.startsWith("--management.health.rabbit.enabled="))) {
			out.add("--management.health.rabbit.enabled=true");
		}
		return out.toArray(String[]::new);
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
