package io.vmsaga.agent.server;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.vmsaga.agent.api.ErrorBody;
import java.nio.file.Path;
import java.util.Map;

/** What the handler writes back: a JSON body, nothing (204), or a file streamed from disk. */
public record Reply(
    HttpResponseStatus status, Object json, Path file, Map<String, String> headers) {
  public static Reply ok(Object json) {
    return new Reply(HttpResponseStatus.OK, json, null, Map.of());
  }

  public static Reply of(Outcome<?> outcome) {
    return new Reply(
        outcome.created() ? HttpResponseStatus.CREATED : HttpResponseStatus.OK,
        outcome.value(),
        null,
        Map.of());
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
