package dev.retrain.models.storage;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.apache.parquet.io.InputFile;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An object or a key prefix in a bucket. The object's size and ETag are read once (a HEAD
 * request) and kept.
 */
public final class S3Location implements Location {

	private final S3Storage storage;

	private final String bucket;

	private final String key;

	private volatile HeadObjectResponse head;

	S3Location(S3Storage storage, String bucket, String key) {
		this.storage = storage;
		this.bucket = bucket;
		this.key = key;
	}

	/** A key without leading or trailing '/' and without '.' or '..' segments. */
	static String clean(String key) {
		List<String> parts = new ArrayList<>();
		for (String part : key.split("/")) {
			if (part.isEmpty() || part.equals(".")) {
				continue;
			}
			if (part.equals("..")) {
				throw new IllegalArgumentException("'..' is not allowed in an object key: " + key);
			}
			parts.add(part);
		}
		return String.join("/", parts);
	}

	public String bucket() {
		return this.bucket;
	}

	public String key() {
		return this.key;
	}

	S3Storage storage() {
		return this.storage;
	}

	@Override
	public String uri() {
		return "s3://" + this.bucket + (this.key.isEmpty() ? "" : "/" + this.key);
	}

	@Override
	public String name() {
		int slash = this.key.lastIndexOf('/');
		return (slash < 0) ? this.key : this.key.substring(slash + 1);
	}

	@Override
	public Location resolve(String relative) {
		String child = clean(relative);
		return new S3Location(this.storage, this.bucket, this.key.isEmpty() ? child : this.key + "/" + child);
	}

	@Override
	public Location parent() {
		int slash = this.key.lastIndexOf('/');
		return new S3Location(this.storage, this.bucket, (slash < 0) ? "" : this.key.substring(0, slash));
	}

	@Override
	public String relativize(Location descendant) {
		S3Location d = (S3Location) descendant;
		String prefix = dirPrefix();
		if (!d.bucket.equals(this.bucket) || !d.key.startsWith(prefix)) {
			throw new IllegalArgumentException(d.uri() + " is not below " + uri());
		}
		return d.key.substring(prefix.length());
	}

	private String dirPrefix() {
		return this.key.isEmpty() ? "" : this.key + "/";
	}

	@Override
	public boolean isDirectory() throws IOException {
		try {
			ListObjectsV2Response r = this.storage.client()
				.listObjectsV2(
						ListObjectsV2Request.builder().bucket(this.bucket).prefix(dirPrefix()).maxKeys(1).build());
			return r.keyCount() != null && r.keyCount() > 0;
		}
		catch (SdkException ex) {
			throw S3Storage.failure("list", uri(), ex);
		}
	}

	@Override
	public boolean isFile() throws IOException {
		if (this.key.isEmpty()) {
			return false;
		}
		try {
			head();
			return true;
		}
		catch (NoSuchKeyException ex) {
			return false;
		}
		catch (S3Exception ex) {
			if (ex.statusCode() == 404) {
				return false;
			}
			throw S3Storage.failure("read", uri(), ex);
		}
		catch (SdkException ex) {
			throw S3Storage.failure("read", uri(), ex);
		}
	}

	@Override
	public List<Location> children() throws IOException {
		return list(true);
	}

	@Override
	public List<Location> files() throws IOException {
		return list(false);
	}

	/**
	 * The objects below this prefix, sorted by URI: with {@code oneLevel} those directly
	 * below and the sub-prefixes (as locations), else every object at any depth.
	 */
	private List<Location> list(boolean oneLevel) throws IOException {
		List<Location> out = new ArrayList<>();
		try {
			for (ListObjectsV2Response page : this.storage.client()
				.listObjectsV2Paginator(ListObjectsV2Request.builder()
					.bucket(this.bucket)
					.prefix(dirPrefix())
					.delimiter(oneLevel ? "/" : null)
					.build())) {
				for (CommonPrefix p : page.commonPrefixes()) {
					out.add(new S3Location(this.storage, this.bucket, clean(p.prefix())));
				}
				for (S3Object o : page.contents()) {
					if (!o.key().endsWith("/")) {
						out.add(new S3Location(this.storage, this.bucket, o.key()));
					}
				}
			}
		}
		catch (SdkException ex) {
			throw S3Storage.failure("list", uri(), ex);
		}
		out.sort(Comparator.comparing(Location::uri));
		return out;
	}

	HeadObjectResponse head() {
		HeadObjectResponse h = this.head;
		if (h == null) {
			h = this.storage.client().headObject(b -> b.bucket(this.bucket).key(this.key));
			this.head = h;
		}
		return h;
	}

	@Override
	public long size() throws IOException {
		try {
			return head().contentLength();
		}
		catch (SdkException ex) {
			throw S3Storage.failure("read", uri(), ex);
		}
	}

	@Override
	public String etag() throws IOException {
		try {
			String etag = head().eTag();
			return (etag != null) ? etag.replace("\"", "") : null;
		}
		catch (SdkException ex) {
			throw S3Storage.failure("read", uri(), ex);
		}
	}

	@Override
	public InputFile inputFile() {
		return new S3InputFile(this, null);
	}

	@Override
	public InputFile inputFile(String etag) {
		return new S3InputFile(this, etag);
	}

	@Override
	public InputStream open() throws IOException {
		try {
			return new CountingStream(this.storage.client().getObject(b -> b.bucket(this.bucket).key(this.key)));
		}
		catch (SdkException ex) {
			throw S3Storage.failure("read", uri(), ex);
		}
	}

	@Override
	public Path localPath() {
		return null;
	}

	@Override
	public void upload(Path file) throws IOException {
		try {
			this.storage.client()
				.putObject(b -> b.bucket(this.bucket).key(this.key),
						software.amazon.awssdk.core.sync.RequestBody.fromFile(file));
			this.head = null;
		}
		catch (SdkException ex) {
			throw S3Storage.failure("write", uri(), ex);
		}
	}

	@Override
	public void deleteAll() throws IOException {
		try {
			List<Location> below = new ArrayList<>(files());
			if (isFile()) {
				below.add(this);
			}
			for (Location l : below) {
				S3Location o = (S3Location) l;
				this.storage.client().deleteObject(b -> b.bucket(o.bucket).key(o.key));
			}
			this.head = null;
		}
		catch (SdkException ex) {
			throw S3Storage.failure("delete", uri(), ex);
		}
	}

	@Override
	public String toString() {
		return uri();
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof S3Location l && l.bucket.equals(this.bucket) && l.key.equals(this.key);
	}

	@Override
	public int hashCode() {
		return this.bucket.hashCode() * 31 + this.key.hashCode();
	}

	/** A whole-object read, counted. */
	private final class CountingStream extends FilterInputStream {

		CountingStream(InputStream in) {
			super(in);
		}

		@Override
		public int read() throws IOException {
			int b = super.read();
			if (b >= 0) {
				S3Location.this.storage.fetched(1);
			}
			return b;
		}

		@Override
		public int read(byte[] b, int off, int len) throws IOException {
			int n = super.read(b, off, len);
			if (n > 0) {
				S3Location.this.storage.fetched(n);
			}
			return n;
		}

	}

}
