package io.vmsaga.agent.server.qemu;

import io.vmsaga.agent.api.CpuInfo;
import io.vmsaga.agent.api.HotplugCpu;
import io.vmsaga.agent.api.HotplugMemory;
import io.vmsaga.agent.api.Hotplugged;
import io.vmsaga.agent.api.IncomingSpec;
import io.vmsaga.agent.api.MemoryDevice;
import io.vmsaga.agent.api.MemorySpec;
import io.vmsaga.agent.api.MigrationInfo;
import io.vmsaga.agent.api.MigrationParameters;
import io.vmsaga.agent.api.MigrationSpec;
import io.vmsaga.agent.api.VmAction;
import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.api.VmDisk;
import io.vmsaga.agent.api.VmEvent;
import io.vmsaga.agent.api.VmInfo;
import io.vmsaga.agent.api.VmNic;
import io.vmsaga.agent.api.VmStatus;
import io.vmsaga.agent.api.VmSummary;
import io.vmsaga.agent.server.ApiException;
import io.vmsaga.agent.server.Ids;
import io.vmsaga.agent.server.KeyedLocks;
import io.vmsaga.agent.server.Outcome;
import io.vmsaga.agent.server.disk.DiskUsers;
import io.vmsaga.agent.server.disk.Pools;
import io.vmsaga.agent.server.net.Links;
import io.vmsaga.agent.server.net.TapUsers;
import io.vmsaga.agent.server.os.Exec;
import io.vmsaga.agent.server.os.ProcFs;
import io.vmsaga.agent.server.qmp.Qmp;
import io.vmsaga.agent.server.qmp.QmpError;
import io.vmsaga.agent.server.qmp.QmpUnavailable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * VMs of this node: persisted configs, the QEMU processes started from them, and everything done to
 * a running VM over QMP. Operations on one VM are serialised; a VM's state is asked from QEMU, not
 * cached.
 */
public final class VmService implements DiskUsers, TapUsers, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(VmService.class.getName());
  private static final long DEFAULT_START_MS = 30_000;
  private static final long DEFAULT_STOP_MS = 30_000;
  private static final long MAX_ACTION_MS = 600_000;
  private static final Pattern TCP_URI = Pattern.compile("tcp:([^:]+):([0-9]{1,5})");
  private static final Pattern CPU_DRIVER = Pattern.compile("[a-z0-9-]{1,40}-x86_64-cpu");
  private static final Set<String> CPU_PROPS =
      Set.of("socket-id", "die-id", "cluster-id", "core-id", "thread-id", "node-id");

  /**
   * Migration states in which a second {@code migrate} would be refused or would start over a
   * finished one.
   */
  private static final Set<String> MIGRATION_UNDER_WAY =
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

  private final VmStore store;
  private final Pools pools;
  private final String accelerator;
  private final KeyedLocks locks = new KeyedLocks();
  private final Map<String, VmProcess> running = new ConcurrentHashMap<>();
  private final Map<String, EventRing> events = new ConcurrentHashMap<>();

  public VmService(Path stateDir, Path runDir, Pools pools, String accelerator) throws IOException {
    this.store = new VmStore(stateDir, runDir);
    this.pools = pools;
    this.accelerator = accelerator;
  }

  /**
   * Takes back the QEMUs a previous agent started: pidfile, then {@code /proc} says it is that VM's
   * QEMU.
   */
  public void adoptAll() {
    for (String vmId : store.ids()) {
      Optional<Long> pid = store.pid(vmId);
      if (pid.isEmpty()) {
        continue;
      }
      List<String> argv = ProcFs.cmdline(pid.get()).orElse(List.of());
      VmProcess process =
          new VmProcess(
              pid.get(), null, argv.contains("-incoming"), store.socket(vmId), ring(vmId)::add);
      if (!process.alive()) {
        cleanUp(vmId, pid.get());
        continue;
      }
      running.put(vmId, process);
      try {
        process.qmp(VmProcess.QMP_TIMEOUT);
        LOG.info("adopted VM " + vmId + " (pid " + pid.get() + ")");
      } catch (QmpUnavailable e) {
        LOG.warning(
            "adopted VM "
                + vmId
                + " (pid "
                + pid.get()
                + ") but QMP is not answering yet: "
                + e.getMessage());
      }
    }
  }

  // --- definition ---

  public Outcome<VmInfo> define(String vmId, VmConfig requested) {
    VmConfig config = validate(requested);
    return locks.with(
        vmId,
        () -> {
          Optional<VmConfig> existing = store.read(vmId);
          if (existing.isPresent() && existing.get().equals(config)) {
            return Outcome.existing(info(vmId, config));
          }
          if (live(vmId).isPresent()) {
            throw ApiException.conflict("VM is running; stop it before changing its config");
          }
          store.write(vmId, config);
          return new Outcome<>(info(vmId, config), existing.isEmpty());
        });
  }

  public VmInfo get(String vmId) {
    return info(vmId, requireConfig(vmId));
  }

  public void delete(String vmId) {
    locks.run(
        vmId,
        () -> {
          if (live(vmId).isPresent()) {
            throw ApiException.conflict("VM is running; stop it first");
          }
          store.delete(vmId);
          events.remove(vmId);
        });
  }

  public List<VmSummary> summaries() {
    return store.ids().stream()
        .map(
            vmId -> {
              Optional<VmProcess> process = live(vmId);
              return new VmSummary(
                  vmId,
                  process.map(this::state).orElse("defined"),
                  process.map(p -> p.pid).orElse(null));
            })
        .toList();
  }

  // --- actions ---

  public VmInfo act(String vmId, VmAction action) {
    if (action.action() == null) {
      throw ApiException.invalid("action is required");
    }
    long timeoutMs =
        action.timeoutMs() == null
            ? (action.action() == VmAction.Action.STOP ? DEFAULT_STOP_MS : DEFAULT_START_MS)
            : Ids.bounded("timeout_ms", action.timeoutMs(), 100, MAX_ACTION_MS);
    return locks.with(
        vmId,
        () -> {
          VmConfig config = requireConfig(vmId);
          switch (action.action()) {
            case START -> {
              if (live(vmId).isEmpty()) {
                spawn(vmId, config, false, timeoutMs);
              }
            }
            case STOP -> live(vmId).ifPresent(process -> stop(vmId, process, timeoutMs));
            case PAUSE -> requireLive(vmId).call(Qmp.stop());
            case RESUME -> requireLive(vmId).call(Qmp.cont());
            case RESET -> requireLive(vmId).call(Qmp.systemReset());
            case POWERDOWN -> requireLive(vmId).call(Qmp.systemPowerdown());
          }
          return info(vmId, config);
        });
  }

  public VmStatus status(String vmId) {
    requireConfig(vmId);
    Qmp.StatusInfo status = requireLive(vmId).call(Qmp.queryStatus());
    return new VmStatus(status.status(), status.running());
  }

  public List<VmEvent> events(String vmId, long afterSeq) {
    requireConfig(vmId);
    return ring(vmId).after(afterSeq);
  }

  // --- hot-plug ---

  /**
   * Plugs one vCPU into the first free slot QEMU offers; the slot is persisted so a restart or
   * migration replays it.
   */
  public Outcome<HotplugCpu> plugCpu(String vmId, String deviceId) {
    return locks.with(
        vmId,
        () -> {
          VmConfig config = requireConfig(vmId);
          VmProcess process = requireLive(vmId);
          Optional<HotplugCpu> known =
              config.hotplugged().cpus().stream()
                  .filter(c -> c.deviceId().equals(deviceId))
                  .findFirst();
          if (known.isPresent()) {
            return Outcome.existing(known.get());
          }
          List<Qmp.HotpluggableCpu> slots = process.call(Qmp.queryHotpluggableCpus());
          String qomPath = "/machine/peripheral/" + QemuCommandLine.cpuDeviceId(deviceId);
          // Plugged before a crash kept the agent from persisting it: record what QEMU already has.
          Optional<Qmp.HotpluggableCpu> plugged =
              slots.stream().filter(s -> qomPath.equals(s.qomPath())).findFirst();
          Qmp.HotpluggableCpu slot =
              plugged.orElseGet(
                  () ->
                      slots.stream()
                          .filter(s -> s.qomPath() == null)
                          .reduce(
                              (first, later) ->
                                  later) // QEMU lists slots highest first: take the lowest free one
                          .orElseThrow(
                              () ->
                                  ApiException.conflict("no free vCPU slot (max_vcpus reached)")));
          HotplugCpu cpu = new HotplugCpu(deviceId, slot.type(), slot.props());
          if (plugged.isEmpty()) {
            process.call(Qmp.deviceAdd(QemuCommandLine.cpuDevice(cpu)));
          }
          List<HotplugCpu> cpus = new ArrayList<>(config.hotplugged().cpus());
          cpus.add(cpu);
          store.write(
              vmId, withHotplugged(config, new Hotplugged(cpus, config.hotplugged().memory())));
          return Outcome.created(cpu);
        });
  }

  /**
   * Plugs a pc-dimm backed by {@code memory-backend-ram mem-<device_id>}; persisted like a vCPU.
   */
  public Outcome<HotplugMemory> plugMemory(String vmId, String deviceId, MemorySpec spec) {
    return locks.with(
        vmId,
        () -> {
          VmConfig config = requireConfig(vmId);
          long sizeMib = Ids.bounded("size_mib", spec.sizeMib(), 1, config.maxMemoryMib());
          VmProcess process = requireLive(vmId);
          Optional<HotplugMemory> known =
              config.hotplugged().memory().stream()
                  .filter(m -> m.deviceId().equals(deviceId))
                  .findFirst();
          if (known.isPresent()) {
            if (known.get().sizeMib() != sizeMib) {
              throw ApiException.conflict("memory device exists with a different size");
            }
            return Outcome.existing(known.get());
          }
          if (config.hotplugged().memory().size() >= config.memorySlots()) {
            throw ApiException.conflict("no free memory slot");
          }
          if (totalMemoryMib(config) + sizeMib > config.maxMemoryMib()) {
            throw ApiException.conflict("max_memory_mib would be exceeded");
          }
          String dimmId = QemuCommandLine.dimmDeviceId(deviceId);
          boolean plugged =
              process.call(Qmp.queryMemoryDevices()).stream()
                  .anyMatch(d -> d.data() != null && dimmId.equals(d.data().id()));
          if (!plugged) {
            String backend = QemuCommandLine.memoryBackendId(deviceId);
            process.call(Qmp.memoryBackendAdd(backend, sizeMib << 20));
            try {
              process.call(Qmp.deviceAdd(QemuCommandLine.dimmDevice(deviceId)));
            } catch (QmpError e) {
              process.call(Qmp.objectDel(backend));
              throw e;
            }
          }
          HotplugMemory dimm = new HotplugMemory(deviceId, sizeMib);
          List<HotplugMemory> memory = new ArrayList<>(config.hotplugged().memory());
          memory.add(dimm);
          store.write(
              vmId, withHotplugged(config, new Hotplugged(config.hotplugged().cpus(), memory)));
          return Outcome.created(dimm);
        });
  }

  public List<CpuInfo> cpus(String vmId) {
    requireConfig(vmId);
    return requireLive(vmId).call(Qmp.queryCpusFast()).stream()
        .map(c -> new CpuInfo(c.cpuIndex(), c.qomPath(), c.threadId(), c.props()))
        .toList();
  }

  public List<MemoryDevice> memoryDevices(String vmId) {
    requireConfig(vmId);
    return requireLive(vmId).call(Qmp.queryMemoryDevices()).stream()
        .filter(d -> d.data() != null)
        .map(
            d ->
                new MemoryDevice(
                    d.type(),
                    d.data().id(),
                    d.data().size(),
                    d.data().slot(),
                    d.data().memdev(),
                    d.data().hotplugged()))
        .toList();
  }

  // --- migration ---

  /**
   * Starts the migration target: QEMU from this node's copy of the config with {@code -incoming
   * defer}, then listens.
   */
  public Outcome<VmInfo> startIncoming(String vmId, IncomingSpec spec) {
    String uri = "tcp:" + Ids.host(spec.host()) + ":" + Ids.port(spec.port());
    return locks.with(
        vmId,
        () -> {
          VmConfig config = requireConfig(vmId);
          Optional<VmProcess> current = live(vmId);
          if (current.isPresent()) {
            if (!current.get().incoming) {
              throw ApiException.conflict("VM is already running here (not as a migration target)");
            }
            return Outcome.existing(info(vmId, config));
          }
          VmProcess process = spawn(vmId, config, true, DEFAULT_START_MS);
          try {
            process.call(Qmp.migrateIncoming(uri));
          } catch (RuntimeException e) {
            stop(vmId, process, 1_000);
            throw e;
          }
          return Outcome.created(info(vmId, config));
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
    requireConfig(vmId);
    return locks.with(
        vmId, () -> applyMigrationParameters(requireLive(vmId), capabilities, parameters));
  }

  /**
   * Back to QEMU's defaults; nothing to do when the VM does not run (a compensation must not fail).
   */
  public void resetMigrationParameters(String vmId) {
    requireConfig(vmId);
    locks.run(
        vmId,
        () ->
            live(vmId)
                .ifPresent(
                    process ->
                        applyMigrationParameters(
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
    requireConfig(vmId);
    return locks.with(
        vmId,
        () -> {
          VmProcess process = requireLive(vmId);
          if (!MIGRATION_UNDER_WAY.contains(statusOf(process.call(Qmp.queryMigrate())))) {
            process.call(Qmp.migrate(target));
          }
          return migrationInfo(process.call(Qmp.queryMigrate()));
        });
  }

  public MigrationInfo migration(String vmId) {
    requireConfig(vmId);
    return migrationInfo(requireLive(vmId).call(Qmp.queryMigrate()));
  }

  /**
   * {@code migrate_cancel}; the target QEMU then exits by itself (and is reported {@code defined}).
   */
  public void cancelMigration(String vmId) {
    requireConfig(vmId);
    live(vmId).ifPresent(process -> process.call(Qmp.migrateCancel()));
  }

  // --- what disks and taps need to know ---

  @Override
  public boolean inUse(String pool, String diskId) {
    return diskIndexInRunningVm(pool, diskId).isPresent();
  }

  @Override
  public boolean resizeOnline(String pool, String diskId, long sizeBytes) {
    Optional<Map.Entry<VmProcess, Integer>> user = diskIndexInRunningVm(pool, diskId);
    user.ifPresent(
        u -> u.getKey().call(Qmp.blockResize(QemuCommandLine.diskNode(u.getValue()), sizeBytes)));
    return user.isPresent();
  }

  @Override
  public boolean tapInUse(String tap) {
    return runningConfigs().stream()
        .anyMatch(c -> c.nics().stream().anyMatch(n -> n.tap().equals(tap)));
  }

  /** Closes the QMP sessions; the VMs themselves keep running for the next agent to adopt. */
  @Override
  public void close() {
    running.values().forEach(VmProcess::closeQmp);
  }

  // --- internals ---

  private VmProcess spawn(String vmId, VmConfig config, boolean incoming, long timeoutMs) {
    for (VmDisk disk : config.disks()) {
      if (!Files.exists(pools.disk(disk.pool(), disk.diskId()))) {
        throw ApiException.conflict(
            "disk " + disk.pool() + "/" + disk.diskId() + " does not exist");
      }
    }
    config.nics().stream()
        .filter(n -> !Links.exists(n.tap()))
        .findFirst()
        .ifPresent(
            n -> {
              throw ApiException.conflict("tap " + n.tap() + " does not exist");
            });
    Path socket = store.socket(vmId);
    Process child;
    try {
      Files.deleteIfExists(socket);
      child =
          new ProcessBuilder(
                  QemuCommandLine.build(vmId, config, store, pools, accelerator, incoming))
              .redirectInput(Exec.NO_INPUT)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(store.qemuLog(vmId).toFile()))
              .start();
    } catch (IOException e) {
      throw ApiException.internal("cannot start QEMU: " + e.getMessage());
    }
    VmProcess process = new VmProcess(child.pid(), child, incoming, socket, ring(vmId)::add);
    running.put(vmId, process);
    child.onExit().thenRun(() -> exited(vmId, process));
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    // Accepting on the socket is not enough: QEMU can still die after binding it (a locked disk),
    // so wait for the greeting.
    while (true) {
      if (!child.isAlive()) {
        exited(vmId, process);
        throw ApiException.conflict("QEMU exited during start: " + lastLine(store.qemuLog(vmId)));
      }
      if (Files.exists(socket)) {
        try {
          process.qmp(Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1_000_000)));
          LOG.info(
              "started VM " + vmId + " (pid " + process.pid + (incoming ? ", incoming" : "") + ")");
          return process;
        } catch (QmpUnavailable e) {
          // not listening yet, or exiting: the next round tells which
        }
      }
      if (System.nanoTime() > deadline) {
        stop(vmId, process, 1_000);
        throw ApiException.unavailable("QEMU did not answer on QMP in time");
      }
      sleep(5);
    }
  }

  /** Graceful with a deadline: ACPI powerdown, then {@code quit}, then SIGTERM, then SIGKILL. */
  private void stop(String vmId, VmProcess process, long timeoutMs) {
    long start = System.nanoTime();
    Function<Double, Duration> until =
        share ->
            Duration.ofNanos(start + (long) (timeoutMs * 1_000_000 * share) - System.nanoTime());
    try {
      if ("running".equals(state(process))) {
        attempt(() -> process.call(Qmp.systemPowerdown()));
        if (process.awaitExit(until.apply(0.5))) {
          return;
        }
      }
      attempt(() -> process.call(Qmp.quit()));
      if (process.awaitExit(until.apply(0.8))) {
        return;
      }
      process.signal(false);
      if (process.awaitExit(until.apply(1.0))) {
        return;
      }
      process.signal(true);
      if (!process.awaitExit(Duration.ofSeconds(5))) {
        throw ApiException.unavailable("QEMU did not exit after SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.unavailable("interrupted while stopping");
    } finally {
      if (!process.alive()) {
        exited(vmId, process);
      }
    }
  }

  private void exited(String vmId, VmProcess process) {
    if (running.remove(vmId, process)) {
      process.closeQmp();
      cleanUp(vmId, process.pid);
      LOG.info("VM " + vmId + ": QEMU " + process.pid + " exited");
    }
  }

  /** Removes what a dead QEMU left: its socket, and its pidfile unless a newer QEMU wrote it. */
  private void cleanUp(String vmId, long pid) {
    try {
      Files.deleteIfExists(store.socket(vmId));
      if (store.pid(vmId).map(p -> p == pid).orElse(false)) {
        Files.deleteIfExists(store.pidfile(vmId));
      }
    } catch (IOException e) {
      LOG.warning("VM " + vmId + ": cannot clean up after QEMU: " + e.getMessage());
    }
  }

  /** The VM's QEMU if it runs; a process found dead here is cleaned up on the spot. */
  private Optional<VmProcess> live(String vmId) {
    VmProcess process = running.get(vmId);
    if (process != null && !process.alive()) {
      exited(vmId, process);
      return Optional.empty();
    }
    return Optional.ofNullable(process);
  }

  private VmProcess requireLive(String vmId) {
    return live(vmId).orElseThrow(() -> ApiException.conflict("VM is not running"));
  }

  private VmConfig requireConfig(String vmId) {
    return store.read(vmId).orElseThrow(() -> ApiException.notFound("no such VM"));
  }

  private VmInfo info(String vmId, VmConfig config) {
    Optional<VmProcess> process = live(vmId);
    return new VmInfo(
        vmId,
        config,
        process.map(this::state).orElse("defined"),
        process.map(p -> p.pid).orElse(null),
        process.map(VmProcess::qmpConnected).orElse(false));
  }

  private String state(VmProcess process) {
    try {
      return process.call(Qmp.queryStatus()).status();
    } catch (QmpUnavailable e) {
      return "unknown";
    }
  }

  private EventRing ring(String vmId) {
    return events.computeIfAbsent(vmId, id -> new EventRing());
  }

  private List<VmConfig> runningConfigs() {
    List<VmConfig> configs = new ArrayList<>();
    for (String vmId : List.copyOf(running.keySet())) {
      if (live(vmId).isPresent()) {
        store.read(vmId).ifPresent(configs::add);
      }
    }
    return configs;
  }

  private Optional<Map.Entry<VmProcess, Integer>> diskIndexInRunningVm(String pool, String diskId) {
    for (String vmId : List.copyOf(running.keySet())) {
      Optional<VmProcess> process = live(vmId);
      Optional<VmConfig> config = store.read(vmId);
      if (process.isEmpty() || config.isEmpty()) {
        continue;
      }
      List<VmDisk> disks = config.get().disks();
      for (int i = 0; i < disks.size(); i++) {
        if (disks.get(i).equals(new VmDisk(pool, diskId))) {
          return Optional.of(Map.entry(process.get(), i));
        }
      }
    }
    return Optional.empty();
  }

  private MigrationParameters applyMigrationParameters(
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

  private static long totalMemoryMib(VmConfig config) {
    return config.memoryMib()
        + config.hotplugged().memory().stream().mapToLong(HotplugMemory::sizeMib).sum();
  }

  private static VmConfig withHotplugged(VmConfig c, Hotplugged hotplugged) {
    return new VmConfig(
        c.name(),
        c.vcpus(),
        c.maxVcpus(),
        c.memoryMib(),
        c.maxMemoryMib(),
        c.memorySlots(),
        c.disks(),
        c.nics(),
        hotplugged);
  }

  /** Checks every field and fills defaults, so two equivalent configs compare equal. */
  static VmConfig validate(VmConfig c) {
    if (c.name() != null
        && (c.name().length() > 128 || c.name().chars().anyMatch(Character::isISOControl))) {
      throw ApiException.invalid("name must be at most 128 printable characters");
    }
    int vcpus = (int) Ids.bounded("vcpus", c.vcpus(), 1, 256);
    int maxVcpus =
        (int) Ids.bounded("max_vcpus", c.maxVcpus() == null ? vcpus : c.maxVcpus(), vcpus, 256);
    long memoryMib = Ids.bounded("memory_mib", c.memoryMib(), 16, 1L << 22);
    int slots =
        (int) Ids.bounded("memory_slots", c.memorySlots() == null ? 0 : c.memorySlots(), 0, 256);
    long maxMemoryMib =
        Ids.bounded(
            "max_memory_mib",
            c.maxMemoryMib() == null ? memoryMib : c.maxMemoryMib(),
            memoryMib,
            1L << 22);
    if (slots == 0 && maxMemoryMib != memoryMib) {
      throw ApiException.invalid("max_memory_mib above memory_mib needs memory_slots");
    }
    List<VmDisk> disks = c.disks() == null ? List.of() : c.disks();
    if (disks.size() > 16) {
      throw ApiException.invalid("at most 16 disks");
    }
    disks.forEach(
        d -> {
          Ids.pool(d.pool());
          Ids.id("disk_id", d.diskId());
        });
    unique(disks, "disk");
    List<VmNic> nics = c.nics() == null ? List.of() : c.nics();
    if (nics.size() > 8) {
      throw ApiException.invalid("at most 8 nics");
    }
    nics.forEach(
        n -> {
          Ids.ifname("tap", n.tap());
          Ids.mac(n.mac());
        });
    unique(nics.stream().map(VmNic::tap).toList(), "tap");
    unique(nics.stream().map(VmNic::mac).toList(), "mac");
    Hotplugged hotplugged =
        c.hotplugged() == null
            ? Hotplugged.none()
            : new Hotplugged(
                c.hotplugged().cpus() == null ? List.of() : c.hotplugged().cpus(),
                c.hotplugged().memory() == null ? List.of() : c.hotplugged().memory());
    for (HotplugCpu cpu : hotplugged.cpus()) {
      Ids.id("device_id", cpu.deviceId());
      if (cpu.driver() == null || !CPU_DRIVER.matcher(cpu.driver()).matches()) {
        throw ApiException.invalid("hot-plugged cpu driver has an invalid format");
      }
      if (cpu.props() == null || !CPU_PROPS.containsAll(cpu.props().keySet())) {
        throw ApiException.invalid("hot-plugged cpu props must be slot ids");
      }
      cpu.props().values().forEach(v -> Ids.bounded("cpu slot id", v, 0, 1023));
    }
    unique(hotplugged.cpus().stream().map(HotplugCpu::deviceId).toList(), "cpu device_id");
    if (vcpus + hotplugged.cpus().size() > maxVcpus) {
      throw ApiException.invalid("hot-plugged cpus exceed max_vcpus");
    }
    long plugged = 0;
    for (HotplugMemory dimm : hotplugged.memory()) {
      Ids.id("device_id", dimm.deviceId());
      plugged += Ids.bounded("hot-plugged size_mib", dimm.sizeMib(), 1, maxMemoryMib);
    }
    unique(hotplugged.memory().stream().map(HotplugMemory::deviceId).toList(), "memory device_id");
    if (hotplugged.memory().size() > slots || memoryMib + plugged > maxMemoryMib) {
      throw ApiException.invalid("hot-plugged memory exceeds memory_slots or max_memory_mib");
    }
    return new VmConfig(
        c.name(), vcpus, maxVcpus, memoryMib, maxMemoryMib, slots, disks, nics, hotplugged);
  }

  private static void unique(List<?> values, String what) {
    if (Set.copyOf(values).size() != values.size()) {
      throw ApiException.invalid("duplicate " + what);
    }
  }

  private static String lastLine(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      String line = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
      return line.length() > 200 ? line.substring(0, 200) : line;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void attempt(Runnable qmpCall) {
    try {
      qmpCall.run();
    } catch (QmpUnavailable | QmpError e) {
      // the next, harder step of the stop sequence follows anyway
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.unavailable("interrupted");
    }
  }
}
