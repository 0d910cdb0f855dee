package dev.retrain.jobs;

import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The one redaction of failure texts, on the texts the suites saw leave the server before
 * it existed: no class names, no absolute server paths, and the domain's words intact.
 */
class FailureTextTests {

	private static final Path DATA = Path.of("/srv/retrain/var").toAbsolutePath();

	private static final Path CONFIGS = Path.of("/srv/retrain/configs").toAbsolutePath();

	private final FailureText text = new FailureText(DATA, CONFIGS);

	static Stream<Arguments> texts() {
		return Stream.of(
				arguments("dev.retrain.models.dataset.DataValidationFailed: file /srv/retrain/var/data/sample: "
						+ "column 'x' is missing", "file <data-dir>/data/sample: column 'x' is missing"),
				arguments("java.nio.file.FileSystemException: /mnt/full/store/sample/3/model.params: No space left "
						+ "on device", ".../model.params: No space left on device"),
				arguments("IllegalStateException: Cannot find any job execution for job instance",
						"Cannot find any job execution for job instance"),
				arguments("step 'score' failed: java.io.UncheckedIOException: java.io.IOException: /etc/x/y.parquet "
						+ "is not a Parquet file", "step 'score' failed: .../y.parquet is not a Parquet file"),
				arguments("pipeline file /srv/retrain/configs/sample.yaml: field 'model.epochs': must be >= 1",
						"pipeline file <config-dir>/sample.yaml: field 'model.epochs': must be >= 1"),
				arguments("cannot read s3://bucket/data/dt=2024-01-01/part-0.parquet (HTTP 404)",
						"cannot read s3://bucket/data/dt=2024-01-01/part-0.parquet (HTTP 404)"),
				arguments("see GET /api/admin/consistency; 3/4 rows", "see GET /api/admin/consistency; 3/4 rows"),
				arguments("tools.jackson.databind.exc.MismatchedInputException: bad", "bad"),
				arguments("java.lang.NullPointerException", "failed (the server log has the details)"));
	}

	@ParameterizedTest
	@MethodSource("texts")
	void redactsClassNamesAndServerPaths(String raw, String seen) {
		assertThat(this.text.of(raw)).isEqualTo(seen);
	}

	@Test
	void aFailureIsToldByItsDomainExceptionOrInWords() {
		RuntimeException wrapped = new IllegalStateException("wrapper",
				new java.io.UncheckedIOException(new NoSuchFileException("/srv/retrain/var/data/x.parquet")));
		assertThat(this.text.of(wrapped)).isEqualTo("no such file: <data-dir>/data/x.parquet");
		assertThat(this.text.of((String) null)).isNull();
	}

	@Test
	void aStackTraceFromAnotherProcessReadsAsItsMessage() {
		assertThat(FailureText.firstLineInWords("org.springframework.batch.core.JobInterruptedException: "
				+ "dev.retrain.models.training.TrainingFailed: the module does not fit\n\tat a.b.C.d(C.java:1)"))
			.isEqualTo("the module does not fit");
		assertThat(FailureText.firstLineInWords("java.lang.IllegalStateException")).isNull();
		assertThat(FailureText.firstLineInWords("plain words: a.b here")).isEqualTo("plain words: a.b here");
	}

}
