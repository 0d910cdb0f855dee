package dev.retrain.jobs.registry;

import java.time.Clock;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import dev.retrain.jobs.audit.AuditLog;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.models.store.ModelStore;

/**
 * The registry's beans: versions and aliases, the operations people use, and the audit of
 * every move.
 */
@Configuration(proxyBeanMethods = false)
public class RegistryConfiguration {

	@Bean
	ModelRegistry modelRegistry(JdbcTemplate jdbc, TransactionTemplate tx, Clock clock,
			ApplicationEventPublisher events) {
		return new ModelRegistry(jdbc, tx, clock, events);
	}

	@Bean
	RegistryOperations registryOperations(ModelRegistry registry, ModelStore store, PipelineCatalog catalog,
			AuditLog audit, JdbcTemplate jdbc, TransactionTemplate tx, Clock clock) {
		return new RegistryOperations(registry, store, catalog, audit, jdbc, tx, clock);
	}

	@Bean
	CommitteeRegistry committeeRegistry(JdbcTemplate jdbc, TransactionTemplate tx, Clock clock, AuditLog audit,
			ModelStore store) {
		return new CommitteeRegistry(jdbc, tx, clock, audit, store);
	}

	@Bean
	CommitteeMembership committeeMembership(CommitteeRegistry committees, PipelineCatalog catalog,
			ModelRegistry registry) {
		return new CommitteeMembership(committees, catalog, registry);
	}

	@Bean
	AliasPointers aliasPointers(ModelRegistry registry, ModelStore store) {
		return new AliasPointers(registry, store);
	}

	@Bean
	VersionAudit versionAudit(AuditLog audit) {
		return new VersionAudit(audit);
	}

}
