package dev.retrain.orchestrator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Real HTTP from a chosen loopback source address ({@code 127.0.0.x}: all of
 * {@code 127/8} is loopback on Linux), so that the server sees requests from several
 * clients. The JDK 17 HTTP client cannot choose its local address; this writes HTTP/1.0
 * on a socket bound to it (one request a connection, no chunked answers).
 */
final class FromAddress {

	private final String local;

	private final int port;

	FromAddress(String local, int port) {
		this.local = local;
		this.port = port;
	}

	/** What the server answered. */
	record Answer(int status, Map<String, List<String>> headers, String body) {

		Optional<String> header(String name) {
			return Optional.ofNullable(this.headers.get(name.toLowerCase(Locale.ROOT))).map(v -> v.get(0));
		}

		List<String> headers(String name) {
			return this.headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
		}

	}

	static String basic(String user, String password) {
		return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
	}

	/** {@code GET path} with HTTP Basic. */
	Answer getAs(String path, String user, String password) throws IOException {
		return send("GET", path, Map.of("Authorization", basic(user, password)), null);
	}

	Answer send(String method, String path, Map<String, String> headers, String formBody) throws IOException {
		try (Socket socket = new Socket()) {
			socket.bind(new InetSocketAddress(this.local, 0));
			socket.connect(new InetSocketAddress("127.0.0.1", this.port), 10_000);
			socket.setSoTimeout(60_000);
			StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.0\r\n");
			request.append("Host: 127.0.0.1:").append(this.port).append("\r\n");
			headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
			byte[] body = (formBody != null) ? formBody.getBytes(StandardCharsets.UTF_8) : new byte[0];
			if (formBody != null) {
				request.append("Content-Type: application/x-www-form-urlencoded\r\n")
					.append("Content-Length: ")
					.append(body.length)
					.append("\r\n");
			}
			request.append("\r\n");
			OutputStream out = socket.getOutputStream();
			out.write(request.toString().getBytes(StandardCharsets.UTF_8));
			out.write(body);
			out.flush();
			return parse(socket.getInputStream());
		}
	}

	private static Answer parse(InputStream in) throws IOException {
		ByteArrayOutputStream all = new ByteArrayOutputStream();
		in.transferTo(all);
		String text = all.toString(StandardCharsets.UTF_8);
		int end = text.indexOf("\r\n\r\n");
		String head = (end >= 0) ? text.substring(0, end) : text;
		String body = (end >= 0) ? text.substring(end + 4) : "";
		String[] lines = head.split("\r\n");
		int status = Integer.parseInt(lines[0].split(" ")[1]);
		Map<String, List<String>> headers = new LinkedHashMap<>();
		for (int i = 1; i < lines.length; i++) {
			int colon = lines[i].indexOf(':');
			headers
				.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
				.add(lines[i].substring(colon + 1).trim());
		}
		return new Answer(status, headers, body);
	}

}
