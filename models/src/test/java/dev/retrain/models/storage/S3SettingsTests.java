package dev.retrain.models.storage;

import org.junit.jupiter.api.Test;

import dev.retrain.models.storage.S3Settings.Checksums;

import static org.assertj.core.api.Assertions.assertThat;

class S3SettingsTests {

	@Test
	void checksumsOnlyWhereRequiredWithACustomEndpointByDefaultAndTheSdksDefaultOnAws() {
		assertThat(new S3Settings("http://s3.internal:9000", null, true, null, null).checksumsOnlyWhenRequired())
			.isTrue();
		assertThat(S3Settings.DEFAULT.checksumsOnlyWhenRequired()).isFalse();
		assertThat(new S3Settings(" ", null, false, null, null, null).checksums()).isEqualTo(Checksums.AUTO);
		assertThat(new S3Settings(" ", null, false, null, null, null).checksumsOnlyWhenRequired()).isFalse();
	}

	@Test
	void anExplicitSettingWinsEitherWay() {
		assertThat(new S3Settings("http://s3.internal:9000", null, true, null, null, Checksums.WHEN_SUPPORTED)
			.checksumsOnlyWhenRequired()).isFalse();
		assertThat(new S3Settings(null, null, false, null, null, Checksums.WHEN_REQUIRED).checksumsOnlyWhenRequired())
			.isTrue();
	}

	@Test
	void credentialsAreNeverShown() {
		assertThat(new S3Settings(null, null, false, "AKIA-key", "the-secret").toString()).doesNotContain("AKIA-key")
			.doesNotContain("the-secret")
			.contains("checksums=AUTO");
	}

}
