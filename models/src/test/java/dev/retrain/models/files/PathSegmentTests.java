package dev.retrain.models.files;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The one way from a user's string to a file name refuses every string that could leave
 * its directory, and says which field held it without echoing control characters.
 */
class PathSegmentTests {

	@TempDir
	Path dir;

	@ParameterizedTest
	@ValueSource(strings = { "", " ", ".", "..", "../x", "../../../../x/escaped", "a/b", "a\\b", "/etc", ".hidden",
			"a..b", "a\u0000b", "%2e%2e", "x ", "C:", "a\nb" })
	void refusesWhatIsNotOneSegment(String value) {
		assertThatThrownBy(() -> PathSegment.key("policy", value)).isInstanceOf(PathSegment.Invalid.class)
			.hasMessageStartingWith("policy: ")
			.satisfies(ex -> assertThat(ex.getMessage()).doesNotContain("\u0000", "\n"));
		assertThatThrownBy(() -> PathSegment.name("alias", value)).isInstanceOf(PathSegment.Invalid.class);
		assertThatThrownBy(() -> new PathSegment(value)).isInstanceOf(PathSegment.Invalid.class);
		// the regular expressions that request annotations use are the same rule
		assertThat(value.matches(PathSegment.KEY_REGEX)).isFalse();
		assertThat(value.matches(PathSegment.NAME_REGEX)).isFalse();
	}

	@ParameterizedTest
	@ValueSource(strings = { "a", "Manual-1.2", "schedule-2024-03-20", "a.b.c", "x_y", "9" })
	void theKeyRegexAloneAcceptsWhatAKeyAccepts(String value) {
		assertThat(value.matches(PathSegment.KEY_REGEX)).isTrue();
		assertThat(PathSegment.isKey(value)).isTrue();
	}

	@Test
	void aNameIsLowerCaseAndAKeyMayHoldDotsAndCapitals() {
		assertThat(PathSegment.name("pipeline", "churn_2-b").in(this.dir)).isEqualTo(this.dir.resolve("churn_2-b"));
		assertThat(PathSegment.key("runKey", "Manual-1.2").in(this.dir)).isEqualTo(this.dir.resolve("Manual-1.2"));
		assertThatThrownBy(() -> PathSegment.name("pipeline", "Churn")).hasMessageContaining("pipeline: 'Churn'");
		assertThatThrownBy(() -> PathSegment.name("pipeline", null)).hasMessageContaining("a missing name");
		assertThatThrownBy(() -> PathSegment.key("runKey", "k".repeat(100))).hasMessageContaining("…");
	}

	@Test
	void aSegmentStaysInItsDirectory() {
		Path child = new PathSegment("x").in(this.dir.resolve("a/../b"));
		assertThat(child.getParent()).isEqualTo(this.dir.resolve("b").toAbsolutePath().normalize());
	}

}
