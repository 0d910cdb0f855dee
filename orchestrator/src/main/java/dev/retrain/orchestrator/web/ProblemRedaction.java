package dev.retrain.orchestrator.web;

import java.util.List;
import java.util.Map;

import org.springframework.core.MethodParameter;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice;

import dev.retrain.jobs.FailureText;

/**
 * Every problem detail the API writes passes the one redaction ({@link FailureText})
 * before it leaves: its detail and its problems' reasons carry no server directory and no
 * Java class name, whichever handler made it.
 */
@RestControllerAdvice
class ProblemRedaction implements ResponseBodyAdvice<Object> {

	private final FailureText text;

	ProblemRedaction(FailureText text) {
		this.text = text;
	}

	@Override
	public boolean supports(MethodParameter returnType, Class<? extends HttpMessageConverter<?>> converterType) {
		return true;
	}

	@Override
	public Object beforeBodyWrite(Object body, MethodParameter returnType, MediaType selectedContentType,
			Class<? extends HttpMessageConverter<?>> selectedConverterType, ServerHttpRequest request,
			ServerHttpResponse response) {
		if (body instanceof ProblemDetail p) {
			if (p.getDetail() != null) {
				p.setDetail(this.text.of(p.getDetail()));
			}
			Map<String, Object> properties = p.getProperties();
			if (properties != null && properties.get("problems") instanceof List<?> problems) {
				p.setProperty("problems", problems.stream().map(this::redacted).toList());
			}
		}
		return body;
	}

	private Object redacted(Object problem) {
		if (problem instanceof ProblemDetailsAdvice.FieldProblem f) {
			return new ProblemDetailsAdvice.FieldProblem(f.field(), this.text.of(f.reason()));
		}
		return problem;
	}

}
