package dev.retrain.jobs.workers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;

import dev.retrain.jobs.JobsTestApplication;
import dev.retrain.jobs.TestPostgres;

/**
 * A worker in a JVM of its own for {@link WorkerIT}: the jobs module taking steps from a
 * queue until it is killed. Arguments: database URL, schema, data directory, config
 * directory, node id, queue, then any further settings ({@code --key=value}).
 */
public final class WorkerNode {

	private WorkerNode() {
	}

	public static void main(String[] args) {
		List<String> settings = new ArrayList<>(
				List.of("--spring.datasource.url=" + args[0], "--spring.datasource.username=" + TestPostgres.USER,
						"--spring.datasource.password=", "--spring.flyway.schemas=" + args[1],
						"--retrain.data-dir=" + args[2], "--retrain.config-dir=" + args[3],
						"--retrain.node-id=" + args[4], "--retrain.workers.consume=" + args[5],
						"--spring.main.banner-mode=off", "--logging.level.org.springframework=WARN",
						"--logging.level.org.flywaydb=WARN", "--logging.level.com.zaxxer=WARN"));
		settings.addAll(Arrays.asList(args).subList(6, args.length));
		new SpringApplicationBuilder(JobsTestApplication.class).web(WebApplicationType.NONE)
			.logStartupInfo(false)
			.run(settings.toArray(String[]::new));
	}

}
