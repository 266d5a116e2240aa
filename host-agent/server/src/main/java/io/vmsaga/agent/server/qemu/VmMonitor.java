package io.vmsaga.agent.server.qemu;

import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.api.VmDisk;
import io.vmsaga.agent.api.VmDiskStats;
import io.vmsaga.agent.api.VmNic;
import io.vmsaga.agent.api.VmNicStats;
import io.vmsaga.agent.api.VmStats;
import io.vmsaga.agent.server.ApiException;
import io.vmsaga.agent.server.net.Links;
import io.vmsaga.agent.server.os.ProcFs;
import io.vmsaga.agent.server.qmp.Qmp;
import io.vmsaga.agent.server.qmp.QmpError;
import io.vmsaga.agent.server.qmp.QmpUnavailable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Resource monitoring of running VMs: CPU time and resident memory of the QEMU process ({@code
 * /proc}), I/O per disk (QMP {@code query-blockstats}), traffic per NIC (the tap's counters). The
 * same numbers feed {@code GET /v1/vms/{vm_id}/stats} and the per-VM series of {@code /metrics}.
 * Takes no VM lock: it only reads, like {@code status}.
 */
public final class VmMonitor {
  /** The shortest CPU window, and how long a stats call samples when it has no earlier sample. */
  static final Duration CPU_SAMPLE = Duration.ofMillis(250);

  /** An earlier sample older than this is not used: the figure should say how busy it is now. */
  static final Duration LONGEST_WINDOW = Duration.ofSeconds(10);

  /** A scrape reads every VM: one VM with a silent QMP must not hold it for long. */
  private static final Duration SCRAPE_QMP_TIMEOUT = Duration.ofSeconds(2);

  private final VmSupervisor vms;

  /** The last CPU sample per VM, from a stats call or a scrape. */
  private final Map<String, CpuSample> lastCpu = new ConcurrentHashMap<>();

  private record CpuSample(long pid, long nanos, ProcFs.CpuTimes times) {}

  public VmMonitor(VmSupervisor vms) {
    this.vms = vms;
  }

  /** 404 for an unknown VM, 409 when it does not run; QMP silent: 503. */
  public VmStats stats(String vmId) {
    VmConfig config = vms.requireConfig(vmId);
    VmProcess process = vms.requireLive(vmId);
    CpuSample before = lastCpu.get(vmId);
    CpuSample now = sampleCpu(vmId, process);
    long age = before == null ? 0 : now.nanos() - before.nanos();
    if (before == null
        || before.pid() != process.pid
        || age < CPU_SAMPLE.toNanos()
        || age > LONGEST_WINDOW.toNanos()) {
      before = now;
      sleep(CPU_SAMPLE);
      now = sampleCpu(vmId, process);
    }
    long windowNanos = now.nanos() - before.nanos();
    double percent =
        (now.times().totalMs() - before.times().totalMs()) * 100.0 / (windowNanos / 1e6);
    return read(
        vmId,
        config,
        process,
        now.times(),
        Math.round(percent * 10) / 10.0,
        Math.round(windowNanos / 1e6),
        blockStats(process, VmProcess.QMP_TIMEOUT),
        guestMemory(process));
  }

  /**
   * The same numbers for every running VM, for a metrics scrape: no CPU window, no balloon, and a
   * VM whose QMP does not answer within 2 s is listed without its disks.
   */
  public List<VmStats> sampleRunning() {
    List<String> running = vms.runningIds();
    lastCpu.keySet().retainAll(running);
    List<VmStats> all = new ArrayList<>();
    for (String vmId : running) {
      Optional<VmProcess> process = vms.live(vmId);
      Optional<VmConfig> config = vms.store.read(vmId);
      Optional<CpuSample> cpu = process.flatMap(p -> trySampleCpu(vmId, p));
      if (process.isEmpty() || config.isEmpty() || cpu.isEmpty()) {
        continue;
      }
      List<Qmp.BlockStats> blocks;
      try {
        blocks = blockStats(process.get(), SCRAPE_QMP_TIMEOUT);
      } catch (QmpUnavailable | QmpError e) {
        blocks = List.of();
      }
      all.add(read(vmId, config.get(), process.get(), cpu.get().times(), null, null, blocks, null));
    }
    return all;
  }

  private VmStats read(
      String vmId,
      VmConfig config,
      VmProcess process,
      ProcFs.CpuTimes cpu,
      Double cpuPercent,
      Long cpuWindowMs,
      List<Qmp.BlockStats> blocks,
      Long guestMemoryBytes) {
    long rss =
        ProcFs.rssBytes(process.pid).orElseThrow(() -> ApiException.conflict("VM is not running"));
    Map<String, Qmp.BlockDeviceStats> byNode =
        blocks.stream()
            .filter(b -> b.nodeName() != null && b.stats() != null)
            .collect(
                Collectors.toMap(Qmp.BlockStats::nodeName, Qmp.BlockStats::stats, (a, b) -> a));
    List<VmDiskStats> disks = new ArrayList<>();
    for (VmDisk disk : config.disks()) {
      Qmp.BlockDeviceStats io = byNode.get(QemuCommandLine.diskNode(disk.slot()));
      if (io != null) {
        disks.add(
            new VmDiskStats(
                disk.pool(),
                disk.diskId(),
                QemuCommandLine.diskDeviceId(disk.slot()),
                io.rdBytes(),
                io.wrBytes(),
                io.rdOperations(),
                io.wrOperations()));
      }
    }
    List<VmNicStats> nics = config.nics().stream().map(VmMonitor::nicStats).toList();
    return new VmStats(
        vmId,
        process.pid,
        System.currentTimeMillis(),
        cpu.totalMs(),
        cpu.userMs(),
        cpu.systemMs(),
        cpuPercent,
        cpuWindowMs,
        rss,
        guestMemoryBytes,
        disks,
        nics);
  }

  /** The tap's tx is what the guest received, its rx what the guest sent. */
  private static VmNicStats nicStats(VmNic nic) {
    Optional<Links.Counters> tap = Links.counters(nic.tap());
    if (tap.isEmpty()) {
      return new VmNicStats(nic.nicId(), nic.tap(), null, null, null, null);
    }
    Links.Counters c = tap.get();
    return new VmNicStats(
        nic.nicId(), nic.tap(), c.txBytes(), c.rxBytes(), c.txPackets(), c.rxPackets());
  }

  private CpuSample sampleCpu(String vmId, VmProcess process) {
    return trySampleCpu(vmId, process)
        .orElseThrow(() -> ApiException.conflict("VM is not running"));
  }

  private Optional<CpuSample> trySampleCpu(String vmId, VmProcess process) {
    long nanos = System.nanoTime();
    Optional<CpuSample> sample =
        ProcFs.cpuTimes(process.pid).map(times -> new CpuSample(process.pid, nanos, times));
    sample.ifPresent(s -> lastCpu.put(vmId, s));
    return sample;
  }

  private static List<Qmp.BlockStats> blockStats(VmProcess process, Duration timeout) {
    return process.call(Qmp.queryBlockstats(), timeout);
  }

  /** The balloon's {@code actual}; null when QEMU has no balloon device (or will not say). */
  private static Long guestMemory(VmProcess process) {
    try {
      return process.call(Qmp.queryBalloon()).actual();
    } catch (QmpError e) {
      return null;
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.unavailable("interrupted");
    }
  }
}
