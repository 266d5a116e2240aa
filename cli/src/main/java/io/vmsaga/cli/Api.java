package io.vmsaga.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The functions app: every call is {@code POST /<function>} with one JSON object and the bearer
 * token. Answers are turned into {@link Exit.Failure}s here, once: a 409 that names a saga (its
 * {@code dtmUrl}) is a rolled-back operation, any other 4xx a refusal, no answer or a 5xx
 * unavailability.
 */
public final class Api {
  public static final ObjectMapper JSON = new ObjectMapper();

  /** Long enough for a trigger that waits for its saga server-side (a create's replay). */
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(120);

  private final URI base;
  private final String token;
  private final Map<String, String> headers;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  /** {@code headers}: extra request headers (the hidden fault injection of the tests). */
  public Api(String url, String token, Map<String, String> headers) {
    if (url == null) {
      throw new Exit.Failure(
          Exit.USAGE,
          "no API URL: give --url, set VMSAGA_URL, run inside a checkout with .vmsaga/env,"
              + " or write url=… to ~/.config/vmsaga/config");
    }
    if (token == null) {
      throw new Exit.Failure(
          Exit.USAGE, "no token: give --token, set VMSAGA_TOKEN, or write token=… to the config");
    }
    this.base = URI.create(url + "/");
    this.token = token;
    this.headers = Map.copyOf(headers);
  }

  /** A request body from name/value pairs; null values are left out (the API's defaults apply). */
  public static ObjectNode body(Object... namesAndValues) {
    ObjectNode body = JSON.createObjectNode();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (namesAndValues[i + 1] != null) {
        body.set((String) namesAndValues[i], JSON.valueToTree(namesAndValues[i + 1]));
      }
    }
    return body;
  }

  /** The function's 2xx answer; every other outcome is a {@link Exit.Failure}. */
  public JsonNode call(String function, JsonNode body) {
    Reply reply = send(function, body);
    if (reply.status() / 100 == 2) {
      return reply.body();
    }
    throw failure(reply);
  }

  /**
   * As {@link #call}, but the function's own "not found" is empty: for polling what may be gone. A
   * 404 without the API's code is a server that lacks the function, a refusal.
   */
  public Optional<JsonNode> find(String function, JsonNode body) {
    Reply reply = send(function, body);
    if (reply.status() == 404 && reply.body().path("code").asString("").equals("not_found")) {
      return Optional.empty();
    }
    if (reply.status() / 100 == 2) {
      return Optional.of(reply.body());
    }
    throw failure(reply);
  }

  private record Reply(int status, JsonNode body) {}

  private Reply send(String function, JsonNode body) {
    var request =
        HttpRequest.newBuilder(base.resolve(function))
            .timeout(CALL_TIMEOUT)
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    headers.forEach(request::header);
    try {
      HttpResponse<String> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Reply(response.statusCode(), parse(response.body()));
    } catch (IOException e) {
      throw new Exit.Failure(
          Exit.UNAVAILABLE, "no answer from " + base + function + ": " + describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Exit.Failure(Exit.UNAVAILABLE, "interrupted while calling " + function);
    }
  }

  private static String describe(IOException e) {
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  private static JsonNode parse(String text) {
    if (text == null || text.isBlank()) {
      return JSON.createObjectNode();
    }
    try {
      return JSON.readTree(text);
    } catch (JacksonException notJson) {
      return body("code", "unreadable", "message", text.strip());
    }
  }

  private static Exit.Failure failure(Reply reply) {
    JsonNode body = reply.body();
    String code = body.path("code").asString("http_" + reply.status());
    String message = code + ": " + body.path("message").asString("status " + reply.status());
    if (reply.status() >= 500) {
      return new Exit.Failure(Exit.UNAVAILABLE, message);
    }
    JsonNode dtmUrl = body.findValue("dtmUrl");
    if (reply.status() != 409 || dtmUrl == null || !dtmUrl.isString()) {
      return new Exit.Failure(Exit.REFUSED, message);
    }
    List<String> details = new ArrayList<>();
    JsonNode reason = body.path("reason");
    if (reason.isObject()) {
      details.add(
          "reason: " + reason.path("code").asString() + ": " + reason.path("message").asString());
    } else if (reason.isString()) {
      details.add("reason: " + reason.asString());
    }
    details.add("saga: " + dtmUrl.asString());
    return new Exit.Failure(Exit.FAILED, message, details);
  }
}
