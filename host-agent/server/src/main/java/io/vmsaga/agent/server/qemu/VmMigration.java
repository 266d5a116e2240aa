package io.vmsaga.agent.server.qemu;

import io.vmsaga.agent.api.IncomingSpec;
import io.vmsaga.agent.api.MigrationInfo;
import io.vmsaga.agent.api.MigrationParameters;
import io.vmsaga.agent.api.MigrationSpec;
import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.api.VmInfo;
import io.vmsaga.agent.server.ApiException;
import io.vmsaga.agent.server.Ids;
import io.vmsaga.agent.server.Outcome;
import io.vmsaga.agent.server.qmp.Qmp;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Live migration over TCP: the target side ({@code -incoming defer}), the parameters, the outgoing
 * {@code migrate}, its progress and its cancellation.
 */
public final class VmMigration {
  private static final Pattern TCP_URI = Pattern.compile("tcp:([^:]+):([0-9]{1,5})");

  /**
   * Migration states in which a second {@code migrate} would be refused or would start over a
   * finished one.
   */
  private static final Set<String> UNDER_WAY =
      Set.of(
          "setup",
          "active",
          "pre-switchover",
          "device",
          "wait-unplug",
          "postcopy-active",
          "completed");

  /** QEMU 7.2's own defaults, restored by DELETE migration-parameters. */
  private static final long DEFAULT_DOWNTIME_LIMIT_MS = 300;

  private static final long DEFAULT_MAX_BANDWIDTH_MIB = 128;

  /** The longest {@code wait_ms} of a progress read: well inside a caller's request timeout. */
  private static final long MAX_WAIT_MS = 5_000;

  private static final long WAIT_POLL_MS = 2;

  /** How long a target QEMU whose migrate-incoming failed gets to stop. */
  private static final long ABANDON_TARGET_MS = 1_000;

  private final VmSupervisor vms;

  public VmMigration(VmSupervisor vms) {
    this.vms = vms;
  }

  /**
   * Starts the migration target: QEMU from this node's copy of the config with {@code -incoming
   * defer}, then listens.
   */
  public Outcome<VmInfo> startIncoming(String vmId, IncomingSpec spec) {
    String uri = "tcp:" + Ids.host(spec.host()) + ":" + Ids.port(spec.port());
    return vms.locked(
        vmId,
        () -> {
          VmConfig config = vms.requireConfig(vmId);
          Optional<VmProcess> current = vms.live(vmId);
          if (current.isPresent()) {
            if (!current.get().incoming) {
              throw ApiException.conflict("VM is already running here (not as a migration target)");
            }
            return Outcome.existing(vms.info(vmId, config));
          }
          VmProcess process = vms.spawn(vmId, config, true, VmSupervisor.DEFAULT_START_MS);
          try {
            process.call(Qmp.migrateIncoming(uri));
          } catch (RuntimeException e) {
            vms.stop(vmId, process, ABANDON_TARGET_MS);
            throw e;
          }
          return Outcome.created(vms.info(vmId, config));
        });
  }

  public MigrationParameters setMigrationParameters(String vmId, MigrationParameters requested) {
    Map<String, Boolean> capabilities = new LinkedHashMap<>();
    if (requested.xbzrle() != null) {
      capabilities.put("xbzrle", requested.xbzrle());
    }
    if (requested.autoConverge() != null) {
      capabilities.put("auto-converge", requested.autoConverge());
    }
    Map<String, Object> parameters = new LinkedHashMap<>();
    if (requested.downtimeLimitMs() != null) {
      parameters.put(
          "downtime-limit",
          Ids.bounded("downtime_limit_ms", requested.downtimeLimitMs(), 1, 2_000_000));
    }
    if (requested.maxBandwidthMib() != null) {
      parameters.put(
          "max-bandwidth",
          Ids.bounded("max_bandwidth_mib", requested.maxBandwidthMib(), 1, 1 << 20) << 20);
    }
    vms.requireConfig(vmId);
    return vms.locked(vmId, () -> apply(vms.requireLive(vmId), capabilities, parameters));
  }

  /**
   * Back to QEMU's defaults; nothing to do when the VM does not run (a compensation must not fail).
   */
  public void resetMigrationParameters(String vmId) {
    vms.requireConfig(vmId);
    vms.locked(
        vmId,
        () ->
            vms.live(vmId)
                .ifPresent(
                    process ->
                        apply(
                            process,
                            Map.of("xbzrle", false, "auto-converge", false),
                            Map.of(
                                "downtime-limit",
                                DEFAULT_DOWNTIME_LIMIT_MS,
                                "max-bandwidth",
                                DEFAULT_MAX_BANDWIDTH_MIB << 20))));
  }

  /**
   * Starts {@code migrate} unless a migration is already under way or done; progress is read with
   * {@link #migration}.
   */
  public MigrationInfo migrate(String vmId, MigrationSpec spec) {
    Matcher uri = TCP_URI.matcher(spec.uri() == null ? "" : spec.uri());
    if (!uri.matches()) {
      throw ApiException.invalid("uri must be tcp:HOST:PORT");
    }
    String target =
        "tcp:" + Ids.host(uri.group(1)) + ":" + Ids.port(Integer.parseInt(uri.group(2)));
    vms.requireConfig(vmId);
    return vms.locked(
        vmId,
        () -> {
          VmProcess process = vms.requireLive(vmId);
          if (!UNDER_WAY.contains(statusOf(process.call(Qmp.queryMigrate())))) {
            process.call(Qmp.migrate(target));
          }
          return migrationInfo(process.call(Qmp.queryMigrate()));
        });
  }

  /**
   * QEMU's reading of the migration; with {@code wait_ms}, once it has ended (or there is none) or
   * after that long, whichever comes first. Asked here every {@link #WAIT_POLL_MS} over the local
   * QMP socket (a tenth of a millisecond each), a caller learns of the end within milliseconds
   * without polling over HTTP.
   */
  public MigrationInfo migration(String vmId, Optional<String> waitMs) {
    Duration wait = Ids.millis("wait_ms", waitMs, 0, 0, MAX_WAIT_MS);
    vms.requireConfig(vmId);
    long until = System.nanoTime() + wait.toNanos();
    while (true) {
      MigrationInfo info = migrationInfo(vms.requireLive(vmId).call(Qmp.queryMigrate()));
      if (info.finished() || "none".equals(info.status()) || System.nanoTime() >= until) {
        return info;
      }
      try {
        Thread.sleep(WAIT_POLL_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw ApiException.unavailable("interrupted");
      }
    }
  }

  /**
   * {@code migrate_cancel}; the target QEMU then exits by itself (and is reported {@code defined}).
   */
  public void cancelMigration(String vmId) {
    vms.requireConfig(vmId);
    vms.live(vmId).ifPresent(process -> process.call(Qmp.migrateCancel()));
  }

  private static MigrationParameters apply(
      VmProcess process, Map<String, Boolean> capabilities, Map<String, Object> parameters) {
    if (!capabilities.isEmpty()) {
      process.call(Qmp.migrateSetCapabilities(capabilities));
    }
    if (!parameters.isEmpty()) {
      process.call(Qmp.migrateSetParameters(parameters));
    }
    Map<String, Boolean> now = new LinkedHashMap<>();
    process.call(Qmp.queryMigrateCapabilities()).forEach(c -> now.put(c.capability(), c.state()));
    Qmp.MigrateParameters current = process.call(Qmp.queryMigrateParameters());
    return new MigrationParameters(
        now.get("xbzrle"),
        now.get("auto-converge"),
        current.downtimeLimit(),
        current.maxBandwidth() == null ? null : current.maxBandwidth() >> 20);
  }

  /**
   * The status of the migration out of this QEMU. {@code query-migrate} also reports how a QEMU
   * arrived when it never sent one itself: a target of an earlier migration says {@code completed},
   * without RAM figures (a completed outgoing migration always has them). That is no migration from
   * here.
   */
  private static String statusOf(Qmp.MigrateInfo info) {
    boolean arrived = "completed".equals(info.status()) && info.ram() == null;
    return info.status() == null || arrived ? "none" : info.status();
  }

  private static MigrationInfo migrationInfo(Qmp.MigrateInfo info) {
    Qmp.MigrateRam ram = info.ram();
    return new MigrationInfo(
        statusOf(info),
        ram == null ? null : ram.total(),
        ram == null ? null : ram.transferred(),
        ram == null ? null : ram.remaining(),
        ram == null ? null : ram.mbps(),
        info.downtime(),
        info.totalTime(),
        info.setupTime());
  }
}
