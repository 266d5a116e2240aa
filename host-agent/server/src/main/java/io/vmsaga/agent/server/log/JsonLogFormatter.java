package io.vmsaga.agent.server.log;

import io.vmsaga.agent.api.AgentJson;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;
import tools.jackson.databind.ObjectMapper;

/**
 * {@code --log-format json}: one JSON object per line with {@code time} (UTC, ms), {@code level}
 * (java.util.logging's), {@code logger}, {@code message}, {@code node_id}, then whatever is known:
 * the request's {@link LogContext} ({@code gid}, {@code vm_id}, {@code method}, {@code path}) when
 * the line is logged while a request is served, the record's {@link LogFields} (the request line
 * adds {@code route}, {@code status}, {@code ms}), and {@code error} with the stack trace of a
 * thrown exception.
 */
public final class JsonLogFormatter extends Formatter {
  private static final ObjectMapper JSON = AgentJson.lenient();

  private final String nodeId;

  public JsonLogFormatter(String nodeId) {
    this.nodeId = nodeId;
  }

  @Override
  public String format(LogRecord record) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("time", Instant.ofEpochMilli(record.getInstant().toEpochMilli()).toString());
    line.put("level", record.getLevel().getName());
    line.put("logger", record.getLoggerName());
    line.put("message", formatMessage(record));
    line.put("node_id", nodeId);
    if (LogContext.CURRENT.isBound()) {
      line.putAll(LogContext.CURRENT.get().fields());
    }
    Object[] parameters = record.getParameters();
    if (parameters != null) {
      for (Object parameter : parameters) {
        if (parameter instanceof LogFields fields) {
          line.putAll(fields.values());
        }
      }
    }
    if (record.getThrown() != null) {
      StringWriter trace = new StringWriter();
      record.getThrown().printStackTrace(new PrintWriter(trace));
      line.put("error", trace.toString());
    }
    return JSON.writeValueAsString(line) + System.lineSeparator();
  }
}
