package io.vmsaga.functions.web;

import java.util.Optional;
import org.springframework.messaging.Message;

/**
 * The typed input of a function. When a body cannot be converted to the function's input type
 * (malformed JSON, a wrong shape), Spring Cloud Function hands over the raw text instead, over HTTP
 * and on Lambda alike; reading it through here turns that into a 400 rather than a
 * ClassCastException.
 */
public final class Inputs {
  private Inputs() {}

  public static <T> Optional<T> typed(Message<?> message, Class<T> type) {
    Object payload = message.getPayload();
    return type.isInstance(payload) ? Optional.of(type.cast(payload)) : Optional.empty();
  }

  /**
   * Whether a request body can be one function call: empty (DTM calls a step with no payload) or
   * one JSON object. Every function takes exactly that; the adapters would call it once per element
   * of an array.
   */
  public static boolean oneJsonObject(String body) {
    String trimmed = body.strip();
    return trimmed.isEmpty() || trimmed.startsWith("{");
  }

  public static Message<Replies.Error> malformed() {
    return Replies.status(
        400, new Replies.Error("malformed_json", "the body is not the JSON this function takes"));
  }
}
