package dev.retrain.orchestrator;

import java.nio.file.Files;
import java.nio.file.Path;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.orchestrator.scheduling.ScheduleReconciler;
import dev.retrain.orchestrator.security.Credentials;

/**
 * One application context (per test JVM) for the tests over real HTTP that need nothing
 * of their own but data: one data directory, one configuration directory, the test users
 * and an admin API key. Each class defines its pipelines, under names no other class
 * uses, in a {@code @BeforeAll} ({@link #definePipeline}), and asserts on its own
 * pipelines, never on everything there is: the other classes' pipelines, runs, audit
 * entries and schedules are there too. A class that needs settings of its own (a clock,
 * webhooks, other properties) keeps a context of its own instead.
 */
@SpringBootTest(classes = RetrainApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
abstract class OrchestratorTestSupport {

	static final TestDirs DIRS = TestDirs.create("shared");

	protected static final Path DATA_DIR = DIRS.data();

	protected static final Path CONFIG_DIR = DIRS.configs();

	/**
	 * An admin API key: Basic's bcrypt check (~80 ms a request) makes a thousand requests
	 * as admin slow.
	 */
	static final String ADMIN_API_KEY = "test-admin-key-7d41e9";

	@LocalServerPort
	protected int port;

	@DynamicPropertySource
	static void sharedProperties(DynamicPropertyRegistry registry) {
		DIRS.register(registry);
		registry.add("retrain.security.api-keys[1].name", () -> "test-admin");
		registry.add("retrain.security.api-keys[1].sha256", () -> Credentials.hashApiKey(ADMIN_API_KEY));
		registry.add("retrain.security.api-keys[1].roles[0]", () -> ApiClient.ADMIN);
	}

	/**
	 * Writes a pipeline's file and loads it as {@code POST /api/pipelines/reload} does:
	 * the catalog again, then its schedules (a cron in the file is a Quartz trigger
	 * afterwards). The context may have started before the file was there.
	 */
	protected static void definePipeline(ApplicationContext context, String name, String yaml) {
		refuseTaken("pipeline", CONFIG_DIR.resolve(name + ".yaml"));
		PipelineFixtures.write(CONFIG_DIR, name, yaml);
		context.getBean(PipelineCatalog.class).reload();
		context.getBean(ScheduleReconciler.class).reconcile();
	}

	/**
	 * Writes sample data into a directory of that name in the data directory (see
	 * {@link PipelineFixtures#sampleData}).
	 */
	protected static Path sampleData(String dir, int rowsPerDay, long seed) {
		refuseTaken("data directory", DATA_DIR.resolve(dir));
		return PipelineFixtures.sampleData(DATA_DIR, dir, rowsPerDay, seed);
	}

	/**
	 * Each class defines its pipelines and data once: what is there already is another
	 * class's, which sharing it would change.
	 */
	private static void refuseTaken(String what, Path path) {
		if (Files.exists(path)) {
			throw new IllegalStateException(
					what + " '" + path.getFileName() + "' is another test class's already: take a name of your own");
		}
	}

}
