package io.vmsaga.agent.server.log;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fields of one log line, passed as the {@link java.util.logging.LogRecord}'s parameter: the JSON
 * format writes them as fields, the text format ignores them (its message says the same).
 */
public record LogFields(Map<String, Object> values) {
  public LogFields {
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }
}
