package dev.retrain.models.storage;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;

import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * A Parquet input file in object storage, read by ranged GETs: the footer and the column
 * chunks asked for, never the whole object first. Small reads share a 1 MiB window;
 * larger ones are fetched as one range of exactly their size. With an ETag, every request
 * is conditional on it ({@code If-Match}): an object replaced since the snapshot fails
 * the read rather than mixing bytes of two versions.
 */
final class S3InputFile implements InputFile {

	static final int WINDOW = 1 << 20;

	private final S3Location location;

	private final String etag;

	S3InputFile(S3Location location, String etag) {
		this.location = location;
		this.etag = etag;
	}

	@Override
	public long getLength() throws IOException {
		return this.location.size();
	}

	@Override
	public SeekableInputStream newStream() throws IOException {
		return new Stream(this.location, this.etag, getLength());
	}

	@Override
	public String toString() {
		return this.location.name();
	}

	private static final class Stream extends SeekableInputStream {

		private final S3Location location;

		private final String etag;

		private final long length;

		private long pos;

		private byte[] window = new byte[0];

		private long windowStart;

		Stream(S3Location location, String etag, long length) {
			this.location = location;
			this.etag = etag;
			this.length = length;
		}

		private byte[] fetch(long from, int count) throws IOException {
			try {
				byte[] bytes = this.location.storage()
					.client()
					.getObjectAsBytes(b -> b.bucket(this.location.bucket())
						.key(this.location.key())
						.range("bytes=" + from + "-" + (from + count - 1))
						.ifMatch((this.etag != null) ? "\"" + this.etag + "\"" : null))
					.asByteArray();
				this.location.storage().fetched(bytes.length);
				if (bytes.length != count) {
					throw new EOFException("cannot read " + this.location.uri() + ": asked for " + count + " bytes at "
							+ from + ", got " + bytes.length + " (object changed while it was read?)");
				}
				return bytes;
			}
			catch (SdkException ex) {
				throw S3Storage.failure("read", this.location.uri(), ex);
			}
		}

		private int available(long at) {
			long offset = at - this.windowStart;
			return (offset >= 0 && offset < this.window.length) ? (int) (this.window.length - offset) : 0;
		}

		private void fill() throws IOException {
			if (available(this.pos) == 0) {
				int count = (int) Math.min(WINDOW, this.length - this.pos);
				this.window = fetch(this.pos, count);
				this.windowStart = this.pos;
			}
		}

		@Override
		public long getPos() {
			return this.pos;
		}

		@Override
		public void seek(long newPos) throws IOException {
			if (newPos < 0 || newPos > this.length) {
				throw new EOFException(
						"cannot seek to " + newPos + " in " + this.location.uri() + " of " + this.length + " bytes");
			}
			this.pos = newPos;
		}

		@Override
		public int read() throws IOException {
			if (this.pos >= this.length) {
				return -1;
			}
			fill();
			return this.window[(int) (this.pos++ - this.windowStart)] & 0xff;
		}

		@Override
		public int read(byte[] b, int off, int len) throws IOException {
			if (len == 0) {
				return 0;
			}
			if (this.pos >= this.length) {
				return -1;
			}
			if (available(this.pos) == 0 && len > WINDOW) {
				int count = (int) Math.min(len, this.length - this.pos);
				System.arraycopy(fetch(this.pos, count), 0, b, off, count);
				this.pos += count;
				return count;
			}
			fill();
			int n = Math.min(len, available(this.pos));
			System.arraycopy(this.window, (int) (this.pos - this.windowStart), b, off, n);
			this.pos += n;
			return n;
		}

		@Override
		public void readFully(byte[] bytes) throws IOException {
			readFully(bytes, 0, bytes.length);
		}

		@Override
		public void readFully(byte[] bytes, int start, int len) throws IOException {
			int done = 0;
			while (done < len) {
				int n = read(bytes, start + done, len - done);
				if (n < 0) {
					throw new EOFException("unexpected end of " + this.location.uri() + " at " + this.pos);
				}
				done += n;
			}
		}

		@Override
		public int read(ByteBuffer buf) throws IOException {
			int len = buf.remaining();
			if (len == 0) {
				return 0;
			}
			byte[] tmp = new byte[len];
			int n = read(tmp, 0, len);
			if (n > 0) {
				buf.put(tmp, 0, n);
			}
			return n;
		}

		@Override
		public void readFully(ByteBuffer buf) throws IOException {
			byte[] tmp = new byte[buf.remaining()];
			readFully(tmp, 0, tmp.length);
			buf.put(tmp);
		}

	}

}
