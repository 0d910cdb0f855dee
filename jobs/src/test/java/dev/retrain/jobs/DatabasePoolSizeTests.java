package dev.retrain.jobs;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The database pool is sized from the process's role: a Spring context with the
 * DataSource auto-configuration on real H2, the same post-processor as the application
 * (from spring.factories), and the pool's own configuration read back.
 */
class DatabasePoolSizeTests {

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(DataSourceAutoConfiguration.class)
	static class DataSourceOnly {

	}

	@Test
	void aWorkerGetsItsSlotsPlusThree() throws SQLException {
		assertThat(poolSize(Map.of("retrain.workers.consume", "default"))).isEqualTo(1 + 3);
		assertThat(poolSize(Map.of("retrain.workers.consume", "default,gpu", "retrain.workers.slots", "2")))
			.isEqualTo(2 + 3);
	}

	@Test
	void aNodeGetsItsConcurrentRunsPlusSix() throws SQLException {
		assertThat(poolSize(Map.of())).as("a node training itself: 2 runs").isEqualTo(2 + 6);
		assertThat(poolSize(Map.of("retrain.workers.enabled", "true"))).as("a node sending steps to workers: 12 runs")
			.isEqualTo(12 + 6);
		assertThat(poolSize(Map.of("retrain.workers.enabled", "true", "retrain.max-concurrent-runs", "4")))
			.isEqualTo(4 + 6);
	}

	@Test
	void anExplicitSizeWinsInAnyRole() throws SQLException {
		assertThat(poolSize(Map.of("spring.datasource.hikari.maximum-pool-size", "7"))).isEqualTo(7);
		assertThat(
				poolSize(Map.of("retrain.workers.consume", "default", "spring.datasource.hikari.maximumPoolSize", "9")))
			.isEqualTo(9);
	}

	/** Starts a context with these properties and reads its pool's maximum size. */
	private static int poolSize(Map<String, Object> properties) throws SQLException {
		String[] args = properties.entrySet()
			.stream()
			.map(e -> "--" + e.getKey() + "=" + e.getValue())
			.toArray(String[]::new);
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(DataSourceOnly.class)
			.web(WebApplicationType.NONE)
			.properties("spring.datasource.url=jdbc:h2:mem:" + UUID.randomUUID(), "spring.main.banner-mode=off")
			.run(args)) {
			DataSource dataSource = context.getBean(DataSource.class);
			try (Connection connection = dataSource.getConnection()) {
				assertThat(connection.isValid(1)).isTrue();
			}
			return ((HikariDataSource) dataSource).getHikariConfigMXBean().getMaximumPoolSize();
		}
	}

}
