package dev.retrain.orchestrator.pipelines;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.json.JsonTest;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

import dev.retrain.orchestrator.ApiExamples;

/**
 * The list of pipelines the OpenAPI document shows is the shape the server writes (a JSON
 * slice; see {@link ApiExamples}).
 */
@JsonTest
class PipelineJsonTests {

	@Autowired
	JsonMapper mapper;

	/**
	 * Nothing but the JSON mapper: not the application class, which imports every job.
	 */
	@Configuration(proxyBeanMethods = false)
	static class Slice {

	}

	@Test
	void thePipelineListNamesEachPipelineWithItsChampionAndTheFilesThatFailed() {
		PipelineController.PipelineList list = new PipelineController.PipelineList(
				List.of(new PipelineController.PipelineSummary("sample", "Churn from account activity",
						"configs/sample.yaml", "5d41402a", "binary_classification", "retrain", 3)),
				List.of("configs/broken.yaml: field 'model.epochs': must be at least 1"));
		ApiExamples.assertExampleIsTheShapeOf("GET /api/pipelines", this.mapper.valueToTree(list));
	}

}
