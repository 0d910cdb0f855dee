package dev.retrain.orchestrator;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PromQlNamesTests {

	@Test
	void findsMetricsAndLabelsInSelectorsAggregationsAndVectorMatching() {
		PromQlNames n = PromQlNames.of("max by (pipeline, feature) (retrain_drift_statistic{pipeline=~\"a|b\", "
				+ "drifted!=\"x\"} / on (pipeline, feature, test) group_left retrain_drift_threshold) > 2 * 3600");

		assertThat(n.metrics()).containsExactly("retrain_drift_statistic", "retrain_drift_threshold");
		assertThat(n.labels()).containsExactlyInAnyOrder("pipeline", "feature", "test", "drifted");
	}

	@Test
	void readsLabelValuesAndIgnoresFunctionsRangesAndStrings() {
		assertThat(PromQlNames.of("label_values(retrain_runs, pipeline)").metrics()).containsExactly("retrain_runs");
		PromQlNames n = PromQlNames
			.of("sum without (step) (rate(http_server_requests_seconds_count{uri=\"/api\"}[5m]))");
		assertThat(n.metrics()).containsExactly("http_server_requests_seconds_count");
		assertThat(n.labels()).containsExactlyInAnyOrder("step", "uri");
	}

	@Test
	void readsTheNamesAndLabelsOfAnExposition() {
		var exported = PromQlNames.exported("""
				# HELP retrain_runs runs
				# TYPE retrain_runs gauge
				retrain_runs{pipeline="a b",status="COMPLETED",trigger="manual"} 3.0
				process_uptime_seconds 12.5
				""");
		assertThat(exported).containsOnlyKeys("retrain_runs", "process_uptime_seconds");
		assertThat(exported.get("retrain_runs")).containsExactly("pipeline", "status", "trigger");
		assertThat(exported.get("process_uptime_seconds")).isEmpty();
	}

}
