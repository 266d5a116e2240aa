package io.vmsaga.agent.server.qemu;

import io.vmsaga.agent.api.VmDisk;
import io.vmsaga.agent.server.disk.DiskUsers;
import io.vmsaga.agent.server.net.TapUsers;
import io.vmsaga.agent.server.qmp.Qmp;
import java.util.Map;
import java.util.Optional;

/**
 * Which disks the running VMs of this node hold and which taps its VM configs name, for the disk
 * and network services.
 */
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

  /**
   * A tap named in any VM config of this node, running or not: a NIC attached to a running VM is
   * written to its config before QEMU opens the tap and leaves it only after QEMU let go of it, and
   * a stopped VM's config needs the tap for its next start. Detach the NIC (or delete the VM) to
   * free the tap.
   */
  @Override
  public boolean tapInUse(String tap) {
    return vms.store.ids().stream()
        .map(vms.store::read)
        .flatMap(Optional::stream)
        .anyMatch(c -> c.nics().stream().anyMatch(n -> n.tap().equals(tap)));
  }

  /** The running QEMU that has the disk open and the disk's slot in its config. */
  private Optional<Map.Entry<VmProcess, Integer>> diskSlotInRunningVm(String pool, String diskId) {
    for (String vmId : vms.runningIds()) {
      Optional<Integer> slot =
          vms.store.read(vmId).stream()
              .flatMap(c -> c.disks().stream())
              .filter(d -> d.pool().equals(pool) && d.diskId().equals(diskId))
              .map(VmDisk::slot)
              .findFirst();
      // whether QEMU still runs is asked only of the VM that has the disk: for a QEMU this agent
      // did not start (it restarted since) that reads /proc, too dear to do for every VM
      Optional<VmProcess> process = slot.isEmpty() ? Optional.empty() : vms.live(vmId);
      if (process.isPresent()) {
        return Optional.of(Map.entry(process.get(), slot.get()));
      }
    }
    return Optional.empty();
  }
}
