package dev.retrain.orchestrator;

import java.util.LinkedHashMap;
import java.util.Map;

/** The benchmarks' arguments: {@code --name=value} (or {@code --flag}, as "true"). */
public final class BenchArgs {

	private BenchArgs() {
	}

	public static Map<String, String> parse(String[] args) {
		Map<String, String> a = new LinkedHashMap<>();
		for (String arg : args) {
			String[] kv = arg.replaceFirst("^--", "").split("=", 2);
			a.put(kv[0], (kv.length > 1) ? kv[1] : "true");
		}
		return a;
	}

}
