package dev.retrain.models.faults;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Named points where the fault-injection tests stop a real process with {@code kill -9}
 * (between the staged rename and the registry row, inside the registry's transaction, at
 * step boundaries, after a checkpoint).
 * <p>
 * A point does nothing unless the system property {@value #PROPERTY} names it; nothing
 * sets that property outside the tests. When it does, the thread that reaches the point
 * prints {@code FAILPOINT <name>} on standard output and waits there to be killed (at
 * most five minutes, then the JVM halts), so that the test kills the process at exactly
 * that point.
 */
public final class Failpoints {

	/** The system property that arms one point by name. */
	public static final String PROPERTY = "retrain.failpoint";

	/**
	 * The system property naming a file: with it, the thread waits at the point until the
	 * file exists, then goes on (a process held at a point while the test does something
	 * else, then released).
	 */
	public static final String RELEASE = "retrain.failpoint.release";

	/** What the process prints when a held point is released. */
	public static final String RELEASED = "FAILPOINT RELEASED ";

	/** What the process prints when it reaches the armed point. */
	public static final String REACHED = "FAILPOINT ";

	private Failpoints() {
	}

	public static void reach(String name) {
		if (!name.equals(System.getProperty(PROPERTY))) {
			return;
		}
		System.out.println(REACHED + name);
		System.out.flush();
		String release = System.getProperty(RELEASE);
		long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
		while (System.nanoTime() < deadline) {
			if (release != null && Files.exists(Path.of(release))) {
				System.out.println(RELEASED + name);
				System.out.flush();
				return;
			}
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
		}
		Runtime.getRuntime().halt(137);
	}

}
