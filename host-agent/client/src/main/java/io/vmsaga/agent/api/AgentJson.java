package io.vmsaga.agent.api;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/** The JSON mapping of the agent API; the records carry their snake_case names themselves. */
public final class AgentJson {
  private AgentJson() {}

  /**
   * A mapper that ignores fields it does not know, so a newer agent does not break an older client.
   */
  public static ObjectMapper lenient() {
    return JsonMapper.builder()
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
        .build();
  }

  /**
   * A mapper that refuses unknown fields and values of the wrong JSON type ({@code "64"}, {@code
   * 1.5e3} for an integer), so a typo in a request is an error rather than a default or a guess.
   */
  public static ObjectMapper strict() {
    return JsonMapper.builder()
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
        .configure(DeserializationFeature.ACCEPT_FLOAT_AS_INT, false)
        .configure(MapperFeature.ALLOW_COERCION_OF_SCALARS, false)
        .build();
  }
}
