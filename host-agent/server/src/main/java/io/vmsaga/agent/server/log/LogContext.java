package io.vmsaga.agent.server.log;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What is known of the request a thread is serving: the caller's DTM gid ({@code X-Dtm-Gid}), the
 * VM its path names, its method and path. The handler binds it ({@link #CURRENT}) while the route's
 * service runs, so every line logged there carries these fields in the JSON format without the
 * service knowing of them.
 */
public record LogContext(String gid, String vmId, String method, String path) {
  public static final ScopedValue<LogContext> CURRENT = ScopedValue.newInstance();

  private static final int MAX_FIELD = 300;

  /**
   * A request's context before routing: no {@code vm_id} yet. Each value is cut to 300 characters
   * and its braces are percent-encoded (as a client should have sent them in a path): the request
   * line's message holds them, and a message with {@code {0}} in it would be taken for a
   * java.util.logging pattern.
   */
  public static LogContext of(String method, String path, String gid) {
    return new LogContext(safe(gid), null, safe(method), safe(path));
  }

  /** The same request once routed: {@code vmId} is the validated {@code {vm_id}}, or null. */
  public LogContext withVmId(String vmId) {
    return new LogContext(gid, vmId, method, path);
  }

  /** The fields that are known, in log order. */
  public Map<String, Object> fields() {
    Map<String, Object> fields = new LinkedHashMap<>();
    putIfKnown(fields, "gid", gid);
    putIfKnown(fields, "vm_id", vmId);
    putIfKnown(fields, "method", method);
    putIfKnown(fields, "path", path);
    return fields;
  }

  private static void putIfKnown(Map<String, Object> fields, String name, Object value) {
    if (value != null) {
      fields.put(name, value);
    }
  }

  private static String safe(String value) {
    if (value == null) {
      return null;
    }
    String cut = value.length() <= MAX_FIELD ? value : value.substring(0, MAX_FIELD);
    return cut.replace("{", "%7B").replace("}", "%7D");
  }
}
