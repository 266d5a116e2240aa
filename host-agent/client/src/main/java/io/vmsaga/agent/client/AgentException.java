package io.vmsaga.agent.client;

/**
 * A failed agent call. {@code status} is the HTTP status, or 0 when no answer came (connection
 * refused, reset, timeout); {@code code} is the agent's stable error code ({@code invalid}, {@code
 * unauthorized}, {@code not_found}, {@code conflict}, {@code too_large}, {@code unavailable},
 * {@code internal}).
 */
public class AgentException extends RuntimeException {
  private final int status;
  private final String code;

  public AgentException(int status, String code, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  /**
   * True when the same call may succeed later: no answer, 5xx, 425 or 429. A 4xx will not change by
   * retrying.
   */
  public boolean isRetryable() {
    return status == 0 || status >= 500 || status == 425 || status == 429;
  }

  @Override
  public String toString() {
    return "AgentException{status=" + status + ", code=" + code + ", message=" + getMessage() + "}";
  }
}
