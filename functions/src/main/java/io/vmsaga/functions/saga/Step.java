package io.vmsaga.functions.saga;

import io.vmsaga.functions.dtm.BranchRef;
import java.util.LinkedHashMap;
import java.util.Map;

/** A saga step payload: it names the branch it belongs to. */
public interface Step {
  BranchRef branch();

  /**
   * What the step works on, for its log lines' fields ({@code vmId}, {@code nodeId}…) next to the
   * gid and branch id.
   */
  default Map<String, String> logFields() {
    return Map.of();
  }

  /** Key/value pairs as log fields; a null value is left out. */
  static Map<String, String> fields(String... keysAndValues) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
      if (keysAndValues[i + 1] != null) {
        fields.put(keysAndValues[i], keysAndValues[i + 1]);
      }
    }
    return fields;
  }
}
