package io.vmsaga.agent.server.qemu;

import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.api.VmDisk;
import io.vmsaga.agent.api.VmInfo;
import io.vmsaga.agent.server.ApiException;
import io.vmsaga.agent.server.KeyedLocks;
import io.vmsaga.agent.server.disk.Pools;
import io.vmsaga.agent.server.net.Links;
import io.vmsaga.agent.server.os.Exec;
import io.vmsaga.agent.server.os.ProcFs;
import io.vmsaga.agent.server.qmp.QmpObserver;
import io.vmsaga.agent.server.qmp.QmpUnavailable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The QEMU processes of this node's VMs: spawns them from the persisted config, reaps them, adopts
 * those a previous agent started, stops them with a deadline. Also the one lock per VM that the VM
 * services take, so operations on one VM are serialised. A VM's state is asked from QEMU, not
 * cached.
 */
public final class VmSupervisor implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(VmSupervisor.class.getName());
  static final long DEFAULT_START_MS = 30_000;
  private static final long POLL_MS = 5;

  final VmStore store;
  private final Pools pools;
  private final String accelerator;
  private final QmpObserver qmpObserver;
  private final KeyedLocks locks = new KeyedLocks();
  private final Map<String, VmProcess> running = new ConcurrentHashMap<>();
  private final Map<String, EventRing> events = new ConcurrentHashMap<>();

  /** {@code qmpObserver} is told of every QMP command's round trip, to every VM. */
  public VmSupervisor(
      Path stateDir, Path runDir, Pools pools, String accelerator, QmpObserver qmpObserver)
      throws IOException {
    this.store = new VmStore(stateDir, runDir);
    this.pools = pools;
    this.accelerator = accelerator;
    this.qmpObserver = qmpObserver;
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
              pid.get(),
              null,
              argv.contains("-incoming"),
              store.socket(vmId),
              ring(vmId)::add,
              qmpObserver);
      if (!process.alive()) {
        cleanUp(vmId, pid.get());
        continue;
      }
      running.put(vmId, process);
      NicTaps.look(store, vmId, pid.get());
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

  /** Closes the QMP sessions; the VMs themselves keep running for the next agent to adopt. */
  @Override
  public void close() {
    running.values().forEach(VmProcess::closeQmp);
  }

  <T> T locked(String vmId, Supplier<T> work) {
    return locks.with(vmId, work);
  }

  void locked(String vmId, Runnable work) {
    locks.run(vmId, work);
  }

  /** Starts QEMU and waits for its QMP greeting; caller holds the VM's lock. */
  VmProcess spawn(String vmId, VmConfig config, boolean incoming, long timeoutMs) {
    for (VmDisk disk : config.disks()) {
      if (!Files.exists(diskFile(disk))) {
        throw ApiException.conflict(
            "disk " + disk.pool() + "/" + disk.diskId() + " does not exist");
      }
      requireSafeBacking(disk);
    }
    requireCidata(vmId, config);
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
    VmProcess process =
        new VmProcess(child.pid(), child, incoming, socket, ring(vmId)::add, qmpObserver);
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
          // QEMU opened the taps of its command line before it greeted
          NicTaps.look(store, vmId, process.pid);
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
      sleep(POLL_MS);
    }
  }

  Path diskFile(VmDisk disk) {
    return pools.disk(disk.pool(), disk.diskId());
  }

  /** QEMU opens a qcow2's backing file by the name in its header: only images of the pools. */
  void requireSafeBacking(VmDisk disk) {
    Optional<Path> backing = pools.backingFile(diskFile(disk));
    if (backing.isPresent()
        && (pools.imageIdOf(backing.get()).isEmpty() || !Files.exists(backing.get()))) {
      throw ApiException.conflict(
          "disk "
              + disk.pool()
              + "/"
              + disk.diskId()
              + " is backed by a file that is not an image of this node's pools");
    }
  }

  /** {@link GracefulStop}, then the bookkeeping of a QEMU that is gone. */
  void stop(String vmId, VmProcess process, long timeoutMs) {
    end(vmId, process, () -> GracefulStop.stop(process, timeoutMs));
  }

  /** SIGKILL ({@link GracefulStop#kill}), then the bookkeeping of a QEMU that is gone. */
  /** {@link GracefulStop#destroy}: no guest shutdown; then the bookkeeping. */
  void destroy(String vmId, VmProcess process) {
    end(vmId, process, () -> GracefulStop.destroy(process));
  }

  void kill(String vmId, VmProcess process) {
    end(vmId, process, () -> GracefulStop.kill(process));
  }

  private void end(String vmId, VmProcess process, Runnable ending) {
    try {
      ending.run();
    } finally {
      if (!process.alive()) {
        exited(vmId, process);
      }
    }
  }

  /** The VM's QEMU if it runs; a process found dead here is cleaned up on the spot. */
  Optional<VmProcess> live(String vmId) {
    VmProcess process = running.get(vmId);
    if (process != null && !process.alive()) {
      exited(vmId, process);
      return Optional.empty();
    }
    return Optional.ofNullable(process);
  }

  VmProcess requireLive(String vmId) {
    return live(vmId).orElseThrow(() -> ApiException.conflict("VM is not running"));
  }

  /** A config with {@code cidata: true} needs the VM's ISO (PUT /v1/vms/{vm_id}/cidata) first. */
  void requireCidata(String vmId, VmConfig config) {
    if (Boolean.TRUE.equals(config.cidata()) && !Files.exists(store.cidata(vmId))) {
      throw ApiException.conflict("cidata is true but the VM has no cidata ISO; PUT it first");
    }
  }

  VmConfig requireConfig(String vmId) {
    return store.read(vmId).orElseThrow(() -> ApiException.notFound("no such VM"));
  }

  /**
   * How many QEMU processes of this agent are alive now; reads {@code /proc} for adopted ones and
   * changes nothing (a dead one is cleaned up by the next call that needs its VM).
   */
  public int runningCount() {
    return (int) running.values().stream().filter(VmProcess::alive).count();
  }

  /** VM ids with a QEMU in this agent's table (checked with {@link #live} by the caller). */
  List<String> runningIds() {
    return List.copyOf(running.keySet());
  }

  VmInfo info(String vmId, VmConfig config) {
    Optional<VmProcess> process = live(vmId);
    return new VmInfo(
        vmId,
        config,
        process.map(VmProcess::runState).orElse(VmInfo.DEFINED),
        process.map(p -> p.pid).orElse(null),
        process.map(VmProcess::qmpConnected).orElse(false));
  }

  EventRing ring(String vmId) {
    return events.computeIfAbsent(vmId, id -> new EventRing());
  }

  /**
   * Deletes the VM's definition (config, pidfile, logs, cidata ISO, socket) and drops its events;
   * never a disk. The caller holds the VM's lock and has made sure no QEMU runs.
   */
  void forget(String vmId) {
    store.delete(vmId);
    events.remove(vmId);
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
      Files.deleteIfExists(store.tapFds(vmId));
      if (store.pid(vmId).map(p -> p == pid).orElse(false)) {
        Files.deleteIfExists(store.pidfile(vmId));
      }
    } catch (IOException e) {
      LOG.warning("VM " + vmId + ": cannot clean up after QEMU: " + e.getMessage());
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

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.unavailable("interrupted");
    }
  }
}
