package dev.retrain.models.committee;

import java.util.List;

import dev.retrain.models.json.Json;

/**
 * What a committee's download says about itself ({@value #FILE}, the first entry of the
 * archive): the pipeline, the version the {@code champion} alias names, the committee's
 * revision in the registry, its spec, and its members oldest first with their weights.
 * Each member's files are in the archive under {@code v<version>/}. The weights are
 * written as the registry holds them, so a client votes with exactly the same numbers.
 */
public record CommitteeManifest(String pipeline, int champion, long revision, CommitteeSpec spec,
		List<CommitteeWeights.Member> members) {

	/** The manifest's name in the archive. */
	public static final String FILE = "committee.json";

	public CommitteeManifest {
		if (members == null || members.isEmpty()) {
			throw new IllegalArgumentException("a committee of " + pipeline + " without members cannot be served");
		}
		members = List.copyOf(members);
	}

	/**
	 * The directory of a member's files in the archive (as
	 * {@code ModelStore.committeeArchive} writes it).
	 */
	public static String memberDir(int version) {
		return "v" + version;
	}

	/** The members' versions, oldest first. */
	public List<Integer> versions() {
		return this.members.stream().map(CommitteeWeights.Member::version).toList();
	}

	/** The manifest as the archive holds it. */
	public byte[] json() {
		return Json.MAPPER.writeValueAsBytes(this);
	}

	/** The members' weights in the members' order. */
	public double[] weights() {
		return this.members.stream().mapToDouble(CommitteeWeights.Member::weight).toArray();
	}

}
