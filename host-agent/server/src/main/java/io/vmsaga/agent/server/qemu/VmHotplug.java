package io.vmsaga.agent.server.qemu;

import io.vmsaga.agent.api.CpuInfo;
import io.vmsaga.agent.api.HotplugCpu;
import io.vmsaga.agent.api.HotplugMemory;
import io.vmsaga.agent.api.Hotplugged;
import io.vmsaga.agent.api.MemoryDevice;
import io.vmsaga.agent.api.MemorySpec;
import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.server.ApiException;
import io.vmsaga.agent.server.Ids;
import io.vmsaga.agent.server.Outcome;
import io.vmsaga.agent.server.qmp.Qmp;
import io.vmsaga.agent.server.qmp.QmpError;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * vCPUs and DIMMs plugged into a running VM. Each plugged device is persisted in the config, so a
 * restart or a migration target replays it; plugging a known device id again is success.
 */
public final class VmHotplug {
  private final VmSupervisor vms;

  public VmHotplug(VmSupervisor vms) {
    this.vms = vms;
  }

  /** Plugs one vCPU into the first free slot QEMU offers. */
  public Outcome<HotplugCpu> plugCpu(String vmId, String deviceId) {
    return vms.locked(
        vmId,
        () -> {
          VmConfig config = vms.requireConfig(vmId);
          VmProcess process = vms.requireLive(vmId);
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
          Qmp.HotpluggableCpu slot = plugged.orElseGet(() -> lowestFreeSlot(slots));
          HotplugCpu cpu = new HotplugCpu(deviceId, slot.type(), slot.props());
          if (plugged.isEmpty()) {
            process.call(Qmp.deviceAdd(QemuCommandLine.cpuDevice(cpu)));
          }
          List<HotplugCpu> cpus = new ArrayList<>(config.hotplugged().cpus());
          cpus.add(cpu);
          vms.store.write(
              vmId, withHotplugged(config, new Hotplugged(cpus, config.hotplugged().memory())));
          return Outcome.created(cpu);
        });
  }

  /** Plugs a pc-dimm backed by {@code memory-backend-ram mem-<device_id>}. */
  public Outcome<HotplugMemory> plugMemory(String vmId, String deviceId, MemorySpec spec) {
    return vms.locked(
        vmId,
        () -> {
          VmConfig config = vms.requireConfig(vmId);
          long sizeMib = Ids.bounded("size_mib", spec.sizeMib(), 1, config.maxMemoryMib());
          VmProcess process = vms.requireLive(vmId);
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
          vms.store.write(
              vmId, withHotplugged(config, new Hotplugged(config.hotplugged().cpus(), memory)));
          return Outcome.created(dimm);
        });
  }

  public List<CpuInfo> cpus(String vmId) {
    vms.requireConfig(vmId);
    return vms.requireLive(vmId).call(Qmp.queryCpusFast()).stream()
        .map(c -> new CpuInfo(c.cpuIndex(), c.qomPath(), c.threadId(), c.props()))
        .toList();
  }

  public List<MemoryDevice> memoryDevices(String vmId) {
    vms.requireConfig(vmId);
    return vms.requireLive(vmId).call(Qmp.queryMemoryDevices()).stream()
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

  /** QEMU lists slots highest first: the last free one is the lowest. */
  private static Qmp.HotpluggableCpu lowestFreeSlot(List<Qmp.HotpluggableCpu> slots) {
    return slots.stream()
        .filter(s -> s.qomPath() == null)
        .reduce((first, later) -> later)
        .orElseThrow(() -> ApiException.conflict("no free vCPU slot (max_vcpus reached)"));
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
        hotplugged,
        c.cidata());
  }
}
