package io.vmsaga.agent.server;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.vmsaga.agent.api.ErrorBody;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the handler writes back: a JSON body, nothing (204), text, or a file streamed from disk. A
 * {@code temporary} file is deleted as soon as it is open for sending.
 */
public record Reply(
    HttpResponseStatus status,
    Object json,
    Path file,
    Map<String, String> headers,
    String text,
    boolean temporary) {
  public Reply(HttpResponseStatus status, Object json, Path file, Map<String, String> headers) {
    this(status, json, file, headers, null, false);
  }

  public static Reply ok(Object json) {
    return new Reply(HttpResponseStatus.OK, json, null, Map.of());
  }

  /** 202: the work goes on after the answer (an image import); poll to see it end. */
  public static Reply accepted(Object json) {
    return new Reply(HttpResponseStatus.ACCEPTED, json, null, Map.of());
  }

  public static Reply text(String text) {
    return new Reply(HttpResponseStatus.OK, null, null, Map.of(), text, false);
  }

  /** Text of another type than {@code text/plain} (the Prometheus exposition format). */
  public static Reply text(String text, String contentType) {
    return new Reply(
        HttpResponseStatus.OK, null, null, Map.of("Content-Type", contentType), text, false);
  }

  /** A file made for this one answer (a flattened disk export), gone once the answer is sent. */
  public static Reply temporaryFile(Path file, Map<String, String> headers) {
    return new Reply(HttpResponseStatus.OK, null, file, headers, null, true);
  }

  public static Reply of(Outcome<?> outcome) {
    return new Reply(
        outcome.created() ? HttpResponseStatus.CREATED : HttpResponseStatus.OK,
        outcome.value(),
        null,
        Map.of());
  }

  /** 200 without a body: a HEAD's answer that the resource is there. */
  public static Reply found() {
    return new Reply(HttpResponseStatus.OK, null, null, Map.of());
  }

  public static Reply noContent() {
    return new Reply(HttpResponseStatus.NO_CONTENT, null, null, Map.of());
  }

  public static Reply file(Path file, Map<String, String> headers) {
    return new Reply(HttpResponseStatus.OK, null, file, headers);
  }

  public static Reply error(ApiException e) {
    return new Reply(e.status(), new ErrorBody(e.code(), e.getMessage()), null, Map.of());
  }
}
