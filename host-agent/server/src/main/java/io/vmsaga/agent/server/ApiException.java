package io.vmsaga.agent.server;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * An answer other than success, with one of the agent's stable error codes. Messages are short and
 * never echo request text.
 */
public class ApiException extends RuntimeException {
  private final HttpResponseStatus status;
  private final String code;

  private ApiException(HttpResponseStatus status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  /**
   * A more specific code than the five generic ones ({@code in_use}, {@code checksum_mismatch},
   * {@code unsafe_image}, {@code image_not_cached}, {@code disk_too_small}, {@code lease_newer},
   * {@code fenced} …), with its status.
   */
  public static ApiException of(HttpResponseStatus status, String code, String message) {
    return new ApiException(status, code, message);
  }

  public static ApiException inUse(String message) {
    return new ApiException(HttpResponseStatus.CONFLICT, "in_use", message);
  }

  public static ApiException invalid(String message) {
    return new ApiException(HttpResponseStatus.BAD_REQUEST, "invalid", message);
  }

  public static ApiException unauthorized() {
    return new ApiException(
        HttpResponseStatus.UNAUTHORIZED, "unauthorized", "missing or wrong bearer token");
  }

  public static ApiException notFound(String message) {
    return new ApiException(HttpResponseStatus.NOT_FOUND, "not_found", message);
  }

  public static ApiException conflict(String message) {
    return new ApiException(HttpResponseStatus.CONFLICT, "conflict", message);
  }

  public static ApiException tooLarge(String message) {
    return new ApiException(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "too_large", message);
  }

  public static ApiException unavailable(String message) {
    return new ApiException(HttpResponseStatus.SERVICE_UNAVAILABLE, "unavailable", message);
  }

  public static ApiException internal(String message) {
    return new ApiException(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal", message);
  }

  public HttpResponseStatus status() {
    return status;
  }

  public String code() {
    return code;
  }
}
