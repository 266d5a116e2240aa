package io.vmsaga.agent.server;

import io.vmsaga.agent.server.log.LogContext;
import io.vmsaga.agent.server.log.LogFields;
import io.vmsaga.agent.server.metrics.AgentMetrics;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The one place a request is accounted for once answered: its log line (text: method, path, status,
 * ms and gid; JSON: the same as fields, with {@code vm_id} and {@code route}) and its sample of the
 * route timer.
 */
final class AccessLog {
  private static final Logger LOG = Logger.getLogger("vmsaga.agent.access");

  private final AgentMetrics metrics;

  AccessLog(AgentMetrics metrics) {
    this.metrics = metrics;
  }

  /** {@code route} is the route the request matched, null when it matched none. */
  void answered(LogContext request, Router.Route route, int status, long nanos) {
    long ms = nanos / 1_000_000;
    String template = route != null ? route.template() : AgentMetrics.UNMATCHED;
    metrics.request(
        route != null ? route.method().name() : request.method(), template, status, nanos);
    if (!LOG.isLoggable(Level.INFO)) {
      return;
    }
    LogRecord line =
        new LogRecord(
            Level.INFO,
            String.format(
                "%s %s %d %dms%s",
                request.method(),
                request.path(),
                status,
                ms,
                request.gid() == null ? "" : " gid=" + request.gid()));
    Map<String, Object> fields = request.fields();
    fields.put("route", template);
    fields.put("status", status);
    fields.put("ms", ms);
    line.setParameters(new Object[] {new LogFields(fields)});
    line.setLoggerName(LOG.getName());
    LOG.log(line);
  }
}
