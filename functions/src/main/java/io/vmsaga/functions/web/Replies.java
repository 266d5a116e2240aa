package io.vmsaga.functions.web;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.messaging.Message;
import org.springframework.messaging.support.MessageBuilder;

/**
 * Replies that carry their HTTP status in the {@code statusCode} header: the AWS adapter turns that
 * header into the API Gateway status, and {@link StatusCodeHeaderFilter} does the same over HTTP,
 * so a function answers 200/409/425 identically in both places (docs/design.md §7). On Lambda every
 * header of the reply becomes an HTTP header, and the adapter's own {@code contentType} is not one:
 * hence {@code Content-Type}.
 */
public final class Replies {
  public static final String STATUS_HEADER = "statusCode";

  private Replies() {}

  public static <T> Message<T> status(int status, T body) {
    return MessageBuilder.withPayload(body)
        .setHeader(STATUS_HEADER, status)
        .setHeader(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON_VALUE)
        .build();
  }

  public static <T> Message<T> ok(T body) {
    return status(200, body);
  }

  /** DTM reads 409 as a business failure: the saga rolls back. */
  public static Message<Error> failure(String code, String message) {
    return status(409, new Error(code, message));
  }

  /** DTM reads 425 as "call me again after retry_interval". */
  public static Message<Error> ongoing(String message) {
    return status(425, new Error("ongoing", message));
  }

  /** Any 5xx is retried by DTM with backoff; used for transient faults of a dependency. */
  public static Message<Error> unavailable(String message) {
    return status(503, new Error("unavailable", message));
  }

  public static Message<Error> invalid(String message) {
    return status(400, new Error("invalid", message));
  }

  public static Message<Error> unauthorized() {
    return status(401, new Error("unauthorized", "a valid bearer token is required"));
  }

  public static Message<Error> forbidden() {
    return status(403, new Error("forbidden", "this needs an administrator's token"));
  }

  public static Message<Error> notFound(String what) {
    return status(404, new Error("not_found", what + " not found"));
  }

  public static Message<Error> conflict(String code, String message) {
    return status(409, new Error(code, message));
  }

  /** The one error body shape of every function: a stable code and a short message. */
  public record Error(String code, String message) {}
}
