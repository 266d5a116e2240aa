package io.vmsaga.agent.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The JSON mapping of the agent API; the records carry their snake_case names themselves. */
public final class AgentJson {
  private AgentJson() {}

  /** A mapper that ignores fields it does not know, so a newer agent does not break an older client. */
  public static ObjectMapper lenient() {
    return new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  }

  /** A mapper that refuses unknown fields, so a typo in a request is an error rather than a default. */
  public static ObjectMapper strict() {
    return new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
  }
}
