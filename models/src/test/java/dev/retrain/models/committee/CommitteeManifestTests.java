package dev.retrain.models.committee;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.retrain.models.committee.CommitteeSpec.Weighting;
import dev.retrain.models.json.Json;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A committee's manifest carries its whole spec, the fixed share included, and a manifest
 * written before there was a share reads as plain Hedge (share 0).
 */
class CommitteeManifestTests {

	@Test
	void theShareRoundTrips() {
		CommitteeManifest m = new CommitteeManifest("sea", 7, 12, new CommitteeSpec(5, Weighting.HEDGE, 5.0, 0.05),
				List.of(new CommitteeWeights.Member(6, 0.25), new CommitteeWeights.Member(7, 0.75)));
		CommitteeManifest back = Json.MAPPER.readValue(m.json(), CommitteeManifest.class);
		assertThat(back).isEqualTo(m);
		assertThat(back.spec().share()).isEqualTo(0.05);
	}

	@Test
	void aManifestWithoutAShareIsPlainHedge() {
		String before = """
				{"pipeline": "sea", "champion": 7, "revision": 12,
				 "spec": {"size": 5, "weighting": "HEDGE", "eta": 5.0},
				 "members": [{"version": 6, "weight": 0.25}, {"version": 7, "weight": 0.75}]}
				""";
		CommitteeManifest m = Json.MAPPER.readValue(before, CommitteeManifest.class);
		assertThat(m.spec()).isEqualTo(new CommitteeSpec(5, Weighting.HEDGE, 5.0));
		assertThat(m.spec().share()).isZero();
	}

}
