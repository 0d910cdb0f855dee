package dev.retrain.models.serving;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import dev.retrain.models.committee.CommitteeManifest;
import dev.retrain.models.committee.CommitteeWeights;
import dev.retrain.models.files.FileHashes;
import dev.retrain.models.json.Json;
import dev.retrain.models.storage.S3Settings;
import dev.retrain.models.storage.Storage;
import dev.retrain.models.store.ModelArtifact;
import dev.retrain.models.store.ModelStore;

/**
 * Where a {@link Champion} finds its pipeline's champion: the orchestrator's REST API
 * (the artifact download, polled with {@code If-None-Match}) or the model store itself
 * (the alias pointer the registry keeps there, then the version's files).
 */
sealed interface ChampionSource permits ChampionSource.Api, ChampionSource.Store {

	/**
	 * The champion if it is not the one {@code current} names (null: nothing loaded yet),
	 * loaded and checked; empty when it has not moved.
	 */
	Optional<Fetched> changed(Loaded current) throws IOException;

	/** What is loaded, and the tag it was fetched with. */
	record Loaded(int version, String tag) {
	}

	/**
	 * A fetched version, opened, with the tag that names it and the directory to delete
	 * once it is no longer used (null: none of its own).
	 */
	record Fetched(Served served, String tag, Path cleanup) {
	}

	/** Where, in words, for messages. */
	String describe();

	/**
	 * {@code GET <base>/api/models/<pipeline>/aliases/champion/artifact}: the version as
	 * one zip, its SHA-256 in {@code X-Artifact-SHA256} and as the ETag; a poll sends
	 * {@code If-None-Match} and gets 304 until the champion moves.
	 */
	final class Api implements ChampionSource {

		/** The header that marks a committee's download, with its revision. */
		static final String COMMITTEE_REVISION = "X-Committee-Revision";

		private final URI url;

		private final String authorization;

		private final String apiKey;

		private final Path work;

		private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

		Api(URI base, String pipeline, String user, String password, String apiKey, Path work) {
			String b = base.toString().replaceAll("/+$", "");
			this.url = URI.create(b + "/api/models/" + pipeline + "/aliases/champion/artifact");
			this.authorization = (user != null) ? "Basic "
					+ Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8))
					: null;
			this.apiKey = apiKey;
			this.work = work;
		}

		@Override
		public String describe() {
			return this.url.toString();
		}

		@Override
		public Optional<Fetched> changed(Loaded current) throws IOException {
			HttpRequest.Builder request = HttpRequest.newBuilder(this.url).timeout(Duration.ofMinutes(2)).GET();
			if (this.authorization != null) {
				request.header("Authorization", this.authorization);
			}
			if (this.apiKey != null) {
				request.header("X-API-Key", this.apiKey);
			}
			if (current != null && current.tag() != null) {
				request.header("If-None-Match", current.tag());
			}
			HttpResponse<byte[]> response;
			try {
				response = this.http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IOException("interrupted while asking " + this.url, ex);
			}
			if (response.statusCode() == 304) {
				return Optional.empty();
			}
			if (response.statusCode() != 200) {
				throw new IOException(this.url + " answered " + response.statusCode() + ": "
						+ new String(response.body(), StandardCharsets.UTF_8).strip());
			}
			byte[] zip = response.body();
			String sha = response.headers().firstValue("X-Artifact-SHA256").orElse(null);
			if (sha != null && !sha.equals(FileHashes.sha256(zip))) {
				throw new IOException(this.url
						+ ": the archive's SHA-256 is not the one in X-Artifact-SHA256 (a truncated download?)");
			}
			String version = response.headers().firstValue("X-Model-Version").orElse("unknown");
			boolean committee = response.headers().firstValue(COMMITTEE_REVISION).isPresent();
			// one version: the same version is the same model; a committee with the same
			// champion may have other weights or members
			if (!committee && current != null && version.equals(Integer.toString(current.version()))) {
				return Optional.empty();
			}
			Path dir = Files.createTempDirectory(this.work, "v" + version + "-");
			try {
				unzip(zip, dir);
				Served served = Files.isRegularFile(dir.resolve(CommitteeManifest.FILE)) ? openCommittee(dir)
						: Served.single(ModelArtifact.open(dir));
				return Optional.of(new Fetched(served, response.headers().firstValue("ETag").orElse(sha), dir));
			}
			catch (IOException | RuntimeException ex) {
				ModelStore.deleteTree(dir);
				throw ex;
			}
		}

		/**
		 * The committee unpacked in {@code dir}: its manifest, and each member opened
		 * from {@code v<version>/} (checked against its recorded hashes).
		 */
		static Served openCommittee(Path dir) throws IOException {
			CommitteeManifest manifest;
			try {
				manifest = Json.MAPPER.readValue(Files.readString(dir.resolve(CommitteeManifest.FILE)),
						CommitteeManifest.class);
			}
			catch (RuntimeException ex) {
				throw new IOException(CommitteeManifest.FILE + " of the download cannot be read: " + ex.getMessage(),
						ex);
			}
			List<ModelArtifact> members = new ArrayList<>();
			try {
				for (CommitteeWeights.Member m : manifest.members()) {
					members.add(ModelArtifact.open(dir.resolve(CommitteeManifest.memberDir(m.version()))));
				}
				return Served.committee(manifest, members);
			}
			catch (RuntimeException ex) {
				members.forEach(ModelArtifact::close);
				throw ex;
			}
		}

		private static void unzip(byte[] zip, Path dir) throws IOException {
			try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
				for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
					Path target = dir.resolve(e.getName()).normalize();
					if (!target.startsWith(dir) || e.isDirectory()) {
						throw new IOException("unexpected entry '" + e.getName() + "' in the archive");
					}
					Files.createDirectories(target.getParent());
					Files.copy(in, target);
				}
			}
		}

	}

	/**
	 * The model store (a directory or an {@code s3://} URI): the alias pointer
	 * {@code <pipeline>/aliases/champion.json} that the registry writes on every move,
	 * then the version's files, checked against their recorded hashes. When the registry
	 * wrote a committee beside it ({@value ModelStore#COMMITTEE}, the committee
	 * download's manifest), the committee serves: every member loaded from the store and
	 * the weighted vote, as from the API; a new revision of the committee is a swap like
	 * a champion move. A store without that file (older stores, pipelines without a
	 * committee) serves the alias's version alone.
	 */
	final class Store implements ChampionSource {

		private final ModelStore store;

		private final String pipeline;

		Store(String storeUri, String pipeline, S3Settings s3, Path work) {
			this.store = new ModelStore(Storage.locate(storeUri, Path.of("").toAbsolutePath(), s3), work);
			this.pipeline = pipeline;
		}

		@Override
		public String describe() {
			return this.store.uri() + " (" + this.pipeline + "/" + ModelStore.ALIASES + "/champion.json)";
		}

		@Override
		public Optional<Fetched> changed(Loaded current) throws IOException {
			int version;
			CommitteeManifest committee;
			try {
				Optional<Integer> pointer = this.store.readAlias(this.pipeline, "champion");
				if (pointer.isEmpty()) {
					throw new IOException("no champion of '" + this.pipeline + "' in " + describe());
				}
				version = pointer.get();
				committee = committee(version);
			}
			catch (UncheckedIOException ex) {
				throw ex.getCause();
			}
			// one version: its number names it; a committee: the alias's version and the
			// committee's revision (new weights or members with the same champion)
			String tag = (committee != null) ? version + "/r" + committee.revision() : Integer.toString(version);
			if (current != null && tag.equals(current.tag())) {
				return Optional.empty();
			}
			if (committee == null) {
				return Optional.of(new Fetched(Served.single(this.store.load(this.pipeline, version)), tag, null));
			}
			List<ModelArtifact> members = new ArrayList<>();
			try {
				for (CommitteeWeights.Member m : committee.members()) {
					members.add(this.store.load(this.pipeline, m.version()));
				}
				return Optional.of(new Fetched(Served.committee(committee, members), tag, null));
			}
			catch (RuntimeException ex) {
				members.forEach(ModelArtifact::close);
				throw ex;
			}
		}

		/**
		 * The committee the store says the champion serves, with {@code champion} the
		 * version its alias pointer names (as the API's download names the alias's
		 * version); null when the store has none.
		 */
		private CommitteeManifest committee(int champion) throws IOException {
			Optional<byte[]> json = this.store.readCommittee(this.pipeline);
			if (json.isEmpty()) {
				return null;
			}
			CommitteeManifest m;
			try {
				m = Json.MAPPER.readValue(json.get(), CommitteeManifest.class);
			}
			catch (RuntimeException ex) {
				throw new IOException("the committee of '" + this.pipeline + "' in " + this.store.uri()
						+ " cannot be read: " + ex.getMessage(), ex);
			}
			return new CommitteeManifest(m.pipeline(), champion, m.revision(), m.spec(), m.members());
		}

	}

}
