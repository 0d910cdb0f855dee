package dev.retrain.orchestrator.scoring;

import java.util.Set;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.retrain.models.files.PathSegment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A scoring's run key is refused at the request exactly where {@link PathSegment} would
 * refuse it as a file name: one rule, checked by the same Bean Validation the web layer
 * runs.
 */
class ScoringRequestTests {

	private static final ValidatorFactory FACTORY = Validation.buildDefaultValidatorFactory();

	private static final Validator VALIDATOR = FACTORY.getValidator();

	@AfterAll
	static void close() {
		FACTORY.close();
	}

	private static Set<ConstraintViolation<ScoringController.ScoringRequest>> violations(String runKey) {
		return VALIDATOR.validate(new ScoringController.ScoringRequest(null, null, runKey));
	}

	@ParameterizedTest
	@ValueSource(strings = { "..", "a..b", ".hidden", "-lead", "a/b", "a b", "" })
	void aRunKeyThatIsNotAPathSegmentIsRefusedNamingTheRule(String runKey) {
		assertThat(PathSegment.isKey(runKey)).isFalse();
		assertThat(violations(runKey)).singleElement().satisfies(v -> {
			assertThat(v.getPropertyPath()).hasToString("runKey");
			assertThat(v.getMessage()).isEqualTo("must match " + PathSegment.KEY_REGEX);
		});
	}

	@ParameterizedTest
	@ValueSource(strings = { "default", "rerun-2", "Manual-1.2", "a.b" })
	void aRunKeyThatIsAPathSegmentPasses(String runKey) {
		assertThat(PathSegment.isKey(runKey)).isTrue();
		assertThat(violations(runKey)).isEmpty();
	}

}
