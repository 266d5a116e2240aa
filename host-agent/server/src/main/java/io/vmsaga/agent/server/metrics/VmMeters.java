package io.vmsaga.agent.server.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vmsaga.agent.api.VmDiskStats;
import io.vmsaga.agent.api.VmNicStats;
import io.vmsaga.agent.api.VmStats;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The per-VM series, whose label sets come and go with the VMs, their disks and NICs: before each
 * scrape the running VMs are read once, each value is kept under its series, the meters of new
 * series are registered and those of series that are gone removed. The meters only read the kept
 * values. Not thread-safe: {@link AgentMetrics#scrape} calls it one scrape at a time.
 */
final class VmMeters {
  private record Series(String name, String unit, boolean counter, String help, Tags tags) {}

  private final MeterRegistry registry;
  private final Supplier<List<VmStats>> stats;
  private final Map<Series, Meter.Id> registered = new HashMap<>();
  private volatile Map<Series, Double> values = Map.of();

  VmMeters(MeterRegistry registry, Supplier<List<VmStats>> stats) {
    this.registry = registry;
    this.stats = stats;
  }

  void refresh() {
    Map<Series, Double> now = new HashMap<>();
    for (VmStats vm : stats.get()) {
      rows(vm, now);
    }
    values = now;
    Set<Series> gone = new HashSet<>(registered.keySet());
    gone.removeAll(now.keySet());
    for (Series series : gone) {
      registry.remove(registered.remove(series));
    }
    for (Series series : now.keySet()) {
      registered.computeIfAbsent(series, this::register);
    }
  }

  private static void rows(VmStats vm, Map<Series, Double> into) {
    Tags tags = Tags.of("vm_id", vm.vmId());
    into.put(
        counter(
            "vmsaga.vm.cpu", "seconds", "CPU time of the VM's QEMU process, user + system", tags),
        vm.cpuTimeMs() / 1000.0);
    into.put(
        new Series(
            "vmsaga.vm.memory.rss", "bytes", false, "Resident set of the VM's QEMU process", tags),
        (double) vm.rssBytes());
    for (VmDiskStats disk : vm.disks()) {
      Tags d = tags.and("pool", disk.pool()).and("disk_id", disk.diskId());
      into.put(
          counter("vmsaga.vm.disk.read", "bytes", "Bytes the VM read from a disk", d),
          (double) disk.readBytes());
      into.put(
          counter("vmsaga.vm.disk.write", "bytes", "Bytes the VM wrote to a disk", d),
          (double) disk.writeBytes());
      into.put(
          counter("vmsaga.vm.disk.read.ops", null, "Read requests of the VM to a disk", d),
          (double) disk.readOps());
      into.put(
          counter("vmsaga.vm.disk.write.ops", null, "Write requests of the VM to a disk", d),
          (double) disk.writeOps());
    }
    for (VmNicStats nic : vm.nics()) {
      if (nic.rxBytes() == null) {
        continue; // the tap is missing
      }
      Tags n = tags.and("nic_id", nic.nicId());
      into.put(
          counter("vmsaga.vm.nic.rx", "bytes", "Bytes the VM received on a NIC (its tap sent)", n),
          (double) nic.rxBytes());
      into.put(
          counter("vmsaga.vm.nic.tx", "bytes", "Bytes the VM sent on a NIC (its tap received)", n),
          (double) nic.txBytes());
      into.put(
          counter("vmsaga.vm.nic.rx.packets", null, "Packets the VM received on a NIC", n),
          (double) nic.rxPackets());
      into.put(
          counter("vmsaga.vm.nic.tx.packets", null, "Packets the VM sent on a NIC", n),
          (double) nic.txPackets());
    }
  }

  private static Series counter(String name, String unit, String help, Tags tags) {
    return new Series(name, unit, true, help, tags);
  }

  private Meter.Id register(Series series) {
    Meter meter =
        series.counter()
            ? FunctionCounter.builder(series.name(), this, m -> m.value(series))
                .baseUnit(series.unit())
                .description(series.help())
                .tags(series.tags())
                .register(registry)
            : Gauge.builder(series.name(), this, m -> m.value(series))
                .baseUnit(series.unit())
                .description(series.help())
                .tags(series.tags())
                .register(registry);
    return meter.getId();
  }

  private double value(Series series) {
    return values.getOrDefault(series, Double.NaN);
  }
}
