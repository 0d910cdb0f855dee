package dev.retrain.orchestrator.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /error} as a problem detail, in place of Boot's whitelabel controller: the
 * status the container recorded (never a 500 for a request that merely asked for
 * {@code /error} itself, which is a 404), and no exception, class name or server path in
 * the detail.
 */
@RestController
class ProblemErrorController implements ErrorController {

	@RequestMapping("/error")
	ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
		Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
		HttpStatus status = (code instanceof Integer c && HttpStatus.resolve(c) != null) ? HttpStatus.resolve(c)
				: HttpStatus.NOT_FOUND;
		String detail = (code == null) ? "no resource at /error" : status.getReasonPhrase();
		ProblemDetail p = ProblemDetailsAdvice.problem(status, "http-" + status.value(), status.getReasonPhrase(),
				detail);
		// the request that failed, not the error page it was forwarded to
		if (request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI) instanceof String uri && !uri.isEmpty()) {
			p.setInstance(java.net.URI.create(encoded(uri)));
		}
		return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(p);
	}

	/** A request path as a URI reference, whatever bytes it held. */
	private static String encoded(String path) {
		StringBuilder sb = new StringBuilder();
		for (byte b : path.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
			int c = b & 0xff;
			if (c > 0x20 && c < 0x7f && c != '%' && c != '"' && c != '<' && c != '>' && c != '\\' && c != '^'
					&& c != '`' && c != '{' && c != '|' && c != '}') {
				sb.append((char) c);
			}
			else {
				sb.append('%').append(String.format("%02X", c));
			}
		}
		return sb.toString();
	}

}
