package dev.retrain.jobs;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where everything lives. {@code dataDir} holds the H2 files, the model store
 * ({@code models/}), run workspaces ({@code work/}) and, by default, the pipelines' data;
 * {@code configDir} holds one YAML per pipeline; {@code nodeId} names this node in locks
 * (default: the host name). {@code trainingMemoryMb} bounds the encoded training rows a
 * run holds in memory: a larger training set is streamed from Parquet every epoch instead
 * (default: a quarter of the maximum heap). Every node writes a heartbeat every
 * {@code heartbeatInterval}; one silent for {@code nodeTimeout} is declared stopped by
 * another node, which recovers its runs.
 */
@ConfigurationProperties("retrain")
public record RetrainProperties(@DefaultValue("./var") Path dataDir, @DefaultValue("./configs") Path configDir,
		String nodeId, Long trainingMemoryMb, @DefaultValue("10s") java.time.Duration heartbeatInterval,
		@DefaultValue("60s") java.time.Duration nodeTimeout) {

	/** Bytes of encoded training rows a run may hold in memory. */
	public long trainingMemoryBytes() {
		return (this.trainingMemoryMb != null) ? this.trainingMemoryMb * 1024 * 1024
				: Runtime.getRuntime().maxMemory() / 4;
	}

	public Path storeDir() {
		return this.dataDir.resolve("models");
	}

	public Path workDir() {
		return this.dataDir.resolve("work");
	}

	/** A pipeline's data path: absolute as written, or relative to the data directory. */
	public Path resolveData(String path) {
		Path p = Path.of(path);
		return (p.isAbsolute() ? p : this.dataDir.resolve(p)).toAbsolutePath().normalize();
	}

}
