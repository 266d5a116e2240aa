package io.vmsaga.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * A disk attached to a VM, by pool and id, as virtio-blk. {@code slot} (0..15) fixes where the disk
 * sits in the VM: its QEMU device id {@code virtio-disk<slot>}, its PCI address and its boot order.
 * Slot 0 is the boot disk. Leave it out and the agent gives each disk the lowest free slot in list
 * order, so a config of plain disks numbers them 0, 1, 2 …; the agent's answer always carries the
 * slots, and a migration target given that config rebuilds the same devices.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VmDisk(String pool, String diskId, Integer slot) {
  /** A disk whose slot the agent chooses. */
  public VmDisk(String pool, String diskId) {
    this(pool, diskId, null);
  }

  /** The same disk in {@code slot}. */
  public VmDisk inSlot(int slot) {
    return new VmDisk(pool, diskId, slot);
  }
}
