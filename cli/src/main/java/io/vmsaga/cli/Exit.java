package io.vmsaga.cli;

import java.util.List;

/**
 * The exit codes scripts can trust (also in {@link Vmsaga}'s help footer and README), and the
 * failure that carries one to the top.
 */
public final class Exit {
  public static final int OK = 0;

  /** The operation ran and failed: its saga was rolled back (or a batch item failed). */
  public static final int FAILED = 1;

  /** The command line was wrong (picocli's own code for invalid input). */
  public static final int USAGE = 2;

  /** The API refused the request (4xx): its stable code and message are on stderr. */
  public static final int REFUSED = 3;

  /** Nobody answered, or the API answered 5xx: trying again later may work. */
  public static final int UNAVAILABLE = 4;

  /** {@code --wait} gave up; the operation goes on (follow it with {@code saga show GID}). */
  public static final int TIMED_OUT = 5;

  private Exit() {}

  /** Ends the command with {@code code}; {@link #lines} go to stderr, the first as the error. */
  public static final class Failure extends RuntimeException {
    private final int code;
    private final List<String> lines;

    public Failure(int code, String message, List<String> details) {
      super(message);
      this.code = code;
      this.lines = details;
    }

    public Failure(int code, String message) {
      this(code, message, List.of());
    }

    public int code() {
      return code;
    }

    public List<String> details() {
      return lines;
    }
  }
}
