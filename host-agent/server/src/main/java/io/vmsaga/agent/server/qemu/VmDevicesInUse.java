package io.vmsaga.agent.server.qemu;

import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.api.VmDisk;
import io.vmsaga.agent.server.disk.DiskUsers;
import io.vmsaga.agent.server.net.TapUsers;
import io.vmsaga.agent.server.qmp.Qmp;
import java.util.Map;
import java.util.Optional;

/** Which disks and taps the running VMs of this node hold, for the disk and network services. */
public final class VmDevicesInUse implements DiskUsers, TapUsers {
  private final VmSupervisor vms;

  public VmDevicesInUse(VmSupervisor vms) {
    this.vms = vms;
  }

  /**
   * A disk in the config of a VM whose QEMU runs. A disk attached to a running VM is written to its
   * config before QEMU opens it and leaves the config only after QEMU let go of it, so hot-plugged
   * disks count from the first moment to the last.
   */
  @Override
  public boolean inUse(String pool, String diskId) {
    return diskSlotInRunningVm(pool, diskId).isPresent();
  }

  @Override
  public boolean resizeOnline(String pool, String diskId, long sizeBytes) {
    Optional<Map.Entry<VmProcess, Integer>> user = diskSlotInRunningVm(pool, diskId);
    user.ifPresent(
        u -> u.getKey().call(Qmp.blockResize(QemuCommandLine.diskNode(u.getValue()), sizeBytes)));
    return user.isPresent();
  }

  @Override
  public boolean tapInUse(String tap) {
    for (String vmId : vms.runningIds()) {
      if (vms.live(vmId).isEmpty()) {
        continue;
      }
      Optional<VmConfig> config = vms.store.read(vmId);
      if (config.isPresent() && config.get().nics().stream().anyMatch(n -> n.tap().equals(tap))) {
        return true;
      }
    }
    return false;
  }

  /** The running QEMU that has the disk open and the disk's slot in its config. */
  private Optional<Map.Entry<VmProcess, Integer>> diskSlotInRunningVm(String pool, String diskId) {
    for (String vmId : vms.runningIds()) {
      Optional<VmProcess> process = vms.live(vmId);
      Optional<VmConfig> config = vms.store.read(vmId);
      if (process.isEmpty() || config.isEmpty()) {
        continue;
      }
      for (VmDisk disk : config.get().disks()) {
        if (disk.pool().equals(pool) && disk.diskId().equals(diskId)) {
          return Optional.of(Map.entry(process.get(), disk.slot()));
        }
      }
    }
    return Optional.empty();
  }
}
