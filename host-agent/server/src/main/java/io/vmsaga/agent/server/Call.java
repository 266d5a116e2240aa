package io.vmsaga.agent.server;

import io.netty.handler.codec.http.HttpHeaders;
import io.vmsaga.agent.api.AgentJson;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;

/**
 * One request as a route sees it: validated path parameters, query, headers and the whole (small)
 * body.
 */
public record Call(
    Map<String, String> params, Map<String, List<String>> query, HttpHeaders headers, byte[] body) {
  private static final ObjectMapper JSON = AgentJson.strict();

  public String param(String name) {
    return params.get(name);
  }

  public Optional<String> query(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /**
   * The JSON body as {@code type}; an empty, malformed or unknown-field body is {@code invalid}.
   */
  public <T> T body(Class<T> type) {
    if (body.length == 0) {
      throw ApiException.invalid("a JSON body is required");
    }
    T value;
    try {
      value = JSON.readValue(body, type);
    } catch (JacksonException e) {
      throw ApiException.invalid("malformed JSON body or unknown field");
    }
    if (value == null) {
      throw ApiException.invalid("a JSON object is required");
    }
    return value;
  }

  Call withBody(byte[] content) {
    return new Call(params, query, headers, content);
  }
}
