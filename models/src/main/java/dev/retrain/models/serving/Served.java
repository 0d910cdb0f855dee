package dev.retrain.models.serving;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.retrain.models.committee.CommitteeManifest;
import dev.retrain.models.committee.CommitteeVote;
import dev.retrain.models.committee.CommitteeWeights;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.features.FeatureEncoding;
import dev.retrain.models.metrics.Predictions;
import dev.retrain.models.store.ArtifactMetadata;
import dev.retrain.models.store.ModelArtifact;

/**
 * What a {@link Champion} serves: one version, or a committee (its members, each with its
 * own encoders, network and derived-feature state, and their weights), whose prediction
 * is the weighted vote of the members' own predictions ({@link CommitteeVote}, as batch
 * scoring writes it).
 */
final class Served implements AutoCloseable {

	private final int version;

	private final List<ModelArtifact> members;

	private final CommitteeManifest committee;

	private Served(int version, List<ModelArtifact> members, CommitteeManifest committee) {
		this.version = version;
		this.members = List.copyOf(members);
		this.committee = committee;
	}

	static Served single(ModelArtifact artifact) {
		return new Served(artifact.metadata().version(), List.of(artifact), null);
	}

	/** A committee: {@code members} opened in the manifest's order. */
	static Served committee(CommitteeManifest manifest, List<ModelArtifact> members) {
		for (int i = 0; i < members.size(); i++) {
			int v = members.get(i).metadata().version();
			if (v != manifest.members().get(i).version()) {
				throw new IllegalStateException("the committee's member " + (i + 1) + " is v" + v
						+ ", its manifest says v" + manifest.members().get(i).version());
			}
		}
		return new Served(manifest.champion(), members, manifest);
	}

	/** The version the champion alias names. */
	int version() {
		return this.version;
	}

	/**
	 * The champion version's metadata (for a committee: that member's, or the newest
	 * member's when the alias names none of them).
	 */
	ArtifactMetadata metadata() {
		for (ModelArtifact m : this.members) {
			if (m.metadata().version() == this.version) {
				return m.metadata();
			}
		}
		return this.members.get(this.members.size() - 1).metadata();
	}

	/** The committee's weights by member version, oldest first; empty for one version. */
	Map<Integer, Double> weights() {
		Map<Integer, Double> out = new LinkedHashMap<>();
		if (this.committee != null) {
			for (CommitteeWeights.Member m : this.committee.members()) {
				out.put(m.version(), m.weight());
			}
		}
		return out;
	}

	/** The committee's revision in the registry, or -1 for one version. */
	long revision() {
		return (this.committee != null) ? this.committee.revision() : -1;
	}

	/** Every input feature any member needs (the first member's order, then new ones). */
	List<FeatureEncoding> inputs() {
		if (this.members.size() == 1) {
			return this.members.get(0).metadata().inputs();
		}
		Map<String, FeatureEncoding> out = new LinkedHashMap<>();
		for (ModelArtifact m : this.members) {
			for (FeatureEncoding f : m.metadata().inputs()) {
				out.putIfAbsent(f.name(), f);
			}
		}
		return new ArrayList<>(out.values());
	}

	/** The prediction: the version's, or the committee's weighted vote. */
	Predictions predict(Table table) {
		if (this.committee == null) {
			return this.members.get(0).predict(table);
		}
		return CommitteeVote.predict(this.members, this.committee.weights(), table);
	}

	@Override
	public void close() {
		for (ModelArtifact m : this.members) {
			m.close();
		}
	}

}
