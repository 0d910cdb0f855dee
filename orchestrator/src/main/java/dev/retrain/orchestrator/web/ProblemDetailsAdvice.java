package dev.retrain.orchestrator.web;

import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

import dev.retrain.jobs.backtest.BacktestNotFound;
import dev.retrain.jobs.backtest.PolicyFile;
import dev.retrain.jobs.pipeline.ConfigBinder;
import dev.retrain.jobs.pipeline.PipelineConfigInvalid;
import dev.retrain.jobs.pipeline.PipelineNotFound;
import dev.retrain.jobs.registry.AliasNotFound;
import dev.retrain.jobs.registry.CommitteeNotFound;
import dev.retrain.jobs.registry.IllegalTransition;
import dev.retrain.jobs.registry.PromotionConflict;
import dev.retrain.jobs.registry.VersionNotFound;
import dev.retrain.jobs.runs.RunAlreadyActive;
import dev.retrain.jobs.runs.RunNotFound;
import dev.retrain.jobs.runs.RunRejected;
import dev.retrain.jobs.scoring.ScoringNotFound;
import dev.retrain.models.store.VersionFilesMissing;

/**
 * Domain failures as RFC 9457 problem details; anything unexpected becomes a 500 with no
 * stack trace and no internals in the body (the log has them).
 */
@RestControllerAdvice
class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

	private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);

	@ExceptionHandler(PromotionConflict.class)
	ProblemDetail promotionConflict(PromotionConflict ex) {
		ProblemDetail p = problem(HttpStatus.CONFLICT, "promotion-conflict", "Stale compare-and-set", ex.getMessage());
		p.setProperty("current", ex.current());
		return p;
	}

	@ExceptionHandler(IllegalTransition.class)
	ProblemDetail illegalTransition(IllegalTransition ex) {
		return problem(HttpStatus.CONFLICT, "illegal-transition", "Not allowed in this state", ex.getMessage());
	}

	@ExceptionHandler({ PipelineNotFound.class, RunNotFound.class, VersionNotFound.class, BacktestNotFound.class,
			ScoringNotFound.class, AliasNotFound.class, CommitteeNotFound.class })
	ProblemDetail notFound(RuntimeException ex) {
		return problem(HttpStatus.NOT_FOUND, "not-found", "Not found", ex.getMessage());
	}

	@ExceptionHandler(RunAlreadyActive.class)
	ProblemDetail alreadyActive(RunAlreadyActive ex) {
		ProblemDetail p = problem(HttpStatus.CONFLICT, "run-already-active", "A run is already in progress",
				ex.getMessage());
		p.setProperty("pipeline", ex.pipeline());
		p.setProperty("runningRunId", ex.runId());
		return p;
	}

	@ExceptionHandler(RunRejected.class)
	ProblemDetail rejected(RunRejected ex) {
		return problem(HttpStatus.CONFLICT, "run-rejected", "Run rejected", ex.getMessage());
	}

	@ExceptionHandler(PipelineConfigInvalid.class)
	ProblemDetail invalidConfig(PipelineConfigInvalid ex) {
		ProblemDetail p = problem(HttpStatus.UNPROCESSABLE_CONTENT, "invalid-pipeline", "Invalid pipeline definition",
				ex.getMessage());
		p.setProperty("file", ex.file());
		p.setProperty("problems", ex.problems().stream().map(c -> new FieldProblem(c.field(), c.reason())).toList());
		return p;
	}

	@ExceptionHandler(VersionFilesMissing.class)
	ProblemDetail filesMissing(VersionFilesMissing ex) {
		return problem(HttpStatus.CONFLICT, "version-files-missing", "Version files missing", ex.getMessage());
	}

	@ExceptionHandler(PolicyFile.Invalid.class)
	ProblemDetail invalidPolicies(PolicyFile.Invalid ex) {
		ProblemDetail p = problem(HttpStatus.BAD_REQUEST, "bad-request", "Bad request", ex.getMessage());
		p.setProperty("problems", ex.problems().stream().map(c -> new FieldProblem(c.field(), c.reason())).toList());
		return p;
	}

	/**
	 * The database lost the connection while a change was being committed: it may or may
	 * not have been applied, and only the database can say which.
	 */
	@ExceptionHandler(TransactionSystemException.class)
	ProblemDetail outcomeUnknown(TransactionSystemException ex) {
		log.warn("commit failed, outcome unknown: {}", ex.getMessage());
		ProblemDetail p = problem(HttpStatus.SERVICE_UNAVAILABLE, "outcome-unknown", "Outcome unknown",
				"the database connection was lost while this change was being committed: it may or may not have been "
						+ "applied. Read the current state (e.g. GET /api/models/{name}/versions for the champion and "
						+ "its history) before you send it again");
		return p;
	}

	/** The database cannot be reached: nothing was changed. */
	@ExceptionHandler({ CannotGetJdbcConnectionException.class, CannotCreateTransactionException.class })
	ProblemDetail databaseUnavailable(RuntimeException ex) {
		log.warn("database unavailable: {}", ex.getMessage());
		return problem(HttpStatus.SERVICE_UNAVAILABLE, "database-unavailable", "Database unavailable",
				"the database cannot be reached; nothing was changed. Try again shortly");
	}

	@ExceptionHandler(IllegalArgumentException.class)
	ProblemDetail badRequest(IllegalArgumentException ex) {
		return problem(HttpStatus.BAD_REQUEST, "bad-request", "Bad request", ex.getMessage());
	}

	@ExceptionHandler(Exception.class)
	ProblemDetail unexpected(Exception ex) {
		log.error("unexpected error", ex);
		return problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error", "Internal error",
				"an unexpected error occurred; the server log has the details");
	}

	@Override
	protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		String detail = "malformed request body";
		// the binding error that names the field, however deep the date or number parser
		// that refused the value put it
		Throwable cause = ex.getMostSpecificCause();
		for (Throwable t = ex.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
			if (t instanceof tools.jackson.databind.DatabindException) {
				cause = t;
				break;
			}
		}
		if (cause instanceof tools.jackson.databind.exc.UnrecognizedPropertyException u) {
			detail = "unknown field '" + u.getPropertyName() + "'";
		}
		else if (cause instanceof tools.jackson.databind.DatabindException d) {
			String field = ConfigBinder.path(d);
			// the field and the value's fault, never the Java type it was bound to
			detail = (field.isEmpty() ? "" : "field '" + field + "': ") + "bad value"
					+ ((d instanceof tools.jackson.databind.exc.InvalidFormatException f && f.getValue() != null)
							? " '" + f.getValue() + "'" : "");
		}
		return ResponseEntity.badRequest()
			.body(problem(HttpStatus.BAD_REQUEST, "malformed-request", "Malformed request", detail));
	}

	/** A path or query value of the wrong type names the parameter and what it takes. */
	@Override
	protected ResponseEntity<Object> handleTypeMismatch(TypeMismatchException ex, HttpHeaders headers,
			HttpStatusCode status, WebRequest request) {
		String name = (ex instanceof MethodArgumentTypeMismatchException m) ? m.getName() : ex.getPropertyName();
		Throwable cause = ex.getMostSpecificCause();
		String why = (cause instanceof IllegalArgumentException && cause.getMessage() != null) ? cause.getMessage()
				: "'" + ex.getValue() + "' is not a valid value";
		return ResponseEntity.badRequest()
			.body(problem(HttpStatus.BAD_REQUEST, "bad-request", "Bad request", "parameter '" + name + "': " + why));
	}

	/**
	 * Bean Validation failures name each field and why, not "Invalid request content".
	 */
	@Override
	protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		List<FieldProblem> problems = ex.getBindingResult()
			.getFieldErrors()
			.stream()
			.map(e -> new FieldProblem(e.getField(), e.getDefaultMessage()))
			.sorted(Comparator.comparing(FieldProblem::field))
			.toList();
		ProblemDetail p = problem(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request",
				problems.stream()
					.map(f -> "field '" + f.field() + "': " + f.reason())
					.collect(Collectors.joining("; ")));
		p.setProperty("problems", problems);
		return ResponseEntity.badRequest().body(p);
	}

	/** One bad field of a pipeline definition. */
	record FieldProblem(String field, String reason) {
	}

	static ProblemDetail problem(HttpStatus status, String type, String title, String detail) {
		ProblemDetail p = ProblemDetail.forStatusAndDetail(status, detail);
		p.setType(URI.create("https://retrain.dev/problems/" + type));
		p.setTitle(title);
		return p;
	}

}
