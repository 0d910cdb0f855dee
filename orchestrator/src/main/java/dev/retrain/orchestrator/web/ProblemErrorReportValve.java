package dev.retrain.orchestrator.web;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.springframework.http.HttpStatus;

/**
 * Tomcat's report of an error it raises itself, before any application code (an encoded
 * {@code %2F}, {@code %00} or {@code %5C} in a path), as a problem detail instead of its
 * HTML page: no server name, version or stack trace.
 */
public class ProblemErrorReportValve extends ErrorReportValve {

	@Override
	protected void report(Request request, Response response, Throwable throwable) {
		int status = response.getStatus();
		if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
			return;
		}
		HttpStatus known = HttpStatus.resolve(status);
		String title = (known != null) ? known.getReasonPhrase() : "Error";
		String detail = (status == 400) ? "the request's path or headers are not acceptable" : title;
		try {
			response.setContentType("application/problem+json");
			response.setCharacterEncoding(StandardCharsets.UTF_8.name());
			Writer writer = response.getReporter();
			if (writer != null) {
				writer.write("{\"type\":\"https://retrain.dev/problems/http-" + status + "\",\"title\":\"" + title
						+ "\",\"status\":" + status + ",\"detail\":\"" + detail + "\"}");
				response.finishResponse();
			}
		}
		catch (IOException | IllegalStateException ex) {
			// the client went away, or the response was committed meanwhile: nothing more
			// to say
			response.getCoyoteResponse().action(ActionCode.CLOSE_NOW, ex);
		}
	}

}
