package dev.retrain.orchestrator.web;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Request bodies over 1 MiB are refused with 413: by their declared length before
 * anything is read, or, for a body sent without one, as soon as the count passes the
 * limit.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class RequestSizeLimit extends OncePerRequestFilter {

	static final long LIMIT = 1 << 20;

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (request.getContentLengthLong() > LIMIT) {
			tooLarge(response);
			return;
		}
		try {
			chain.doFilter(new Limited(request), response);
		}
		catch (BodyTooLarge ex) {
			if (!response.isCommitted()) {
				response.reset();
				tooLarge(response);
			}
		}
	}

	private static void tooLarge(HttpServletResponse response) throws IOException {
		response.setStatus(413);
		response.setContentType("application/problem+json");
		response.getOutputStream()
			.write(("{\"type\":\"https://retrain.dev/problems/payload-too-large\",\"title\":\"Payload too large\","
					+ "\"status\":413,\"detail\":\"request bodies are limited to " + LIMIT + " bytes\"}")
				.getBytes());
	}

	static final class BodyTooLarge extends IOException {

		BodyTooLarge() {
			super("request body over " + LIMIT + " bytes");
		}

	}

	private static final class Limited extends HttpServletRequestWrapper {

		Limited(HttpServletRequest request) {
			super(request);
		}

		@Override
		public ServletInputStream getInputStream() throws IOException {
			ServletInputStream in = super.getInputStream();
			return new ServletInputStream() {

				private long count;

				@Override
				public int read() throws IOException {
					int b = in.read();
					if (b >= 0 && ++this.count > LIMIT) {
						throw new BodyTooLarge();
					}
					return b;
				}

				@Override
				public int read(byte[] buf, int off, int len) throws IOException {
					int n = in.read(buf, off, len);
					if (n > 0 && (this.count += n) > LIMIT) {
						throw new BodyTooLarge();
					}
					return n;
				}

				@Override
				public boolean isFinished() {
					return in.isFinished();
				}

				@Override
				public boolean isReady() {
					return in.isReady();
				}

				@Override
				public void setReadListener(ReadListener listener) {
					in.setReadListener(listener);
				}

			};
		}

	}

}
