package dev.retrain.orchestrator.cli;

/**
 * Why a command of the jar stopped, said on one line without a stack trace: a bad
 * argument (exit code 2, followed by the command's usage), bad input in a file the
 * command was given (exit code 2), or a failure of the command itself (exit code 1).
 */
public final class CommandFailed extends RuntimeException {

	private final int exitCode;

	private final boolean usage;

	private CommandFailed(String message, int exitCode, boolean usage, Throwable cause) {
		super(message, cause);
		this.exitCode = exitCode;
		this.usage = usage;
	}

	/** An argument that cannot be used; the message names it. */
	public static CommandFailed badArgument(String message) {
		return new CommandFailed(message, 2, true, null);
	}

	/**
	 * A file given as an argument whose content cannot be used; the message says where.
	 */
	public static CommandFailed badInput(String message, Throwable cause) {
		return new CommandFailed(message, 2, false, cause);
	}

	/** The command failed for a reason other than its input. */
	public static CommandFailed failed(String message, Throwable cause) {
		return new CommandFailed(message, 1, false, cause);
	}

	public int exitCode() {
		return this.exitCode;
	}

	/** Whether the command's usage should follow the message. */
	public boolean showsUsage() {
		return this.usage;
	}

}
