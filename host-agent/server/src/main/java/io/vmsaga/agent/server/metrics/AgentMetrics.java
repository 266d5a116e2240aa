package io.vmsaga.agent.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vmsaga.agent.api.VmStats;
import io.vmsaga.agent.server.qmp.QmpObserver;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The agent's Prometheus series (README "Metrics"), kept in Micrometer's Prometheus registry. Every
 * label has few values: route templates, methods, statuses, QMP command names, this node's VMs and
 * their disks and NICs; never a raw path. Every series carries {@code node_id}.
 */
public final class AgentMetrics {
  /** The content type of {@link #scrape}: Prometheus text format 0.0.4. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /** The route label of a request that matched no route (or was refused before routing). */
  public static final String UNMATCHED = "unmatched";

  private static final Set<String> METHODS =
      Set.of("GET", "PUT", "PATCH", "DELETE", "POST", "HEAD", "OPTIONS");

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter fencedVms;
  private VmMeters vms;

  public AgentMetrics(String nodeId) {
    registry.config().commonTags("node_id", nodeId);
    // registered at once, so a scrape shows 0 before the first VM is fenced
    this.fencedVms =
        Counter.builder("vmsaga.agent.fenced.vms")
            .description("VMs a fencing pass took off this node: their lease names another node")
            .register(registry);
  }

  /** One VM fenced ({@code qemu.VmFencing}). */
  public void vmFenced() {
    fencedVms.increment();
  }

  /**
   * One answered request: {@code route} is the matched template ({@code /v1/vms/{vm_id}}) or {@link
   * #UNMATCHED}; a method no route has is counted as {@code other}.
   */
  public void request(String method, String route, int status, long nanos) {
    Timer.builder("vmsaga.agent.requests")
        .description("Agent API requests by route template, method and status, until answered")
        .tag("method", METHODS.contains(method) ? method : "other")
        .tag("route", route)
        .tag("status", Integer.toString(status))
        .serviceLevelObjectives(
            Duration.ofMillis(5),
            Duration.ofMillis(25),
            Duration.ofMillis(100),
            Duration.ofMillis(500),
            Duration.ofMillis(2500),
            Duration.ofSeconds(10),
            Duration.ofSeconds(60))
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * Times every QMP command by name and outcome ({@code ok}, {@code error}, {@code unavailable}).
   */
  public QmpObserver qmp() {
    return (command, outcome, nanos) ->
        Timer.builder("vmsaga.agent.qmp")
            .description("QMP commands by name and outcome, from the write to the reply")
            .tag("command", command)
            .tag("outcome", outcome)
            .serviceLevelObjectives(
                Duration.ofMillis(1),
                Duration.ofMillis(5),
                Duration.ofMillis(25),
                Duration.ofMillis(100),
                Duration.ofSeconds(1),
                Duration.ofSeconds(10))
            .register(registry)
            .record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * The series read at scrape time: the number of QEMU processes alive, and per running VM the
   * numbers of {@code GET /v1/vms/{vm_id}/stats} ({@code stats}, asked once per scrape).
   */
  public synchronized void watch(IntSupplier qemuProcesses, Supplier<List<VmStats>> stats) {
    Gauge.builder("vmsaga.agent.qemu.processes", qemuProcesses, s -> s.getAsInt())
        .description("QEMU processes of this agent alive now")
        .strongReference(true)
        .register(registry);
    this.vms = new VmMeters(registry, stats);
  }

  /** The Prometheus text ({@link #CONTENT_TYPE}); one scrape at a time. */
  public synchronized String scrape() {
    if (vms != null) {
      vms.refresh();
    }
    return registry.scrape();
  }
}
