package io.vmsaga.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * A NIC of a VM: an existing tap and a unicast MAC ({@code 52:54:00:…}), as virtio-net. {@code
 * slot} (0..7) fixes where the NIC sits in the VM: its QEMU device id {@code nic<slot>}, its netdev
 * {@code net<slot>} and its PCI address. Slot 0 is the boot NIC on the root bus (it cannot be
 * hot-unplugged); slots 1..7 each have a hot-pluggable port. {@code nic_id} names the NIC in {@code
 * /v1/vms/{vm_id}/nics/{nic_id}}. Leave either out and the agent fills it: the lowest free slot in
 * list order (plain NICs get 0, 1, 2 …), then {@code nic<slot>} as the id; the agent's answer
 * always carries both, and a migration target given that config rebuilds the same devices.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VmNic(String nicId, String tap, String mac, Integer slot) {
  /** A NIC whose id and slot the agent chooses. */
  public VmNic(String tap, String mac) {
    this(null, tap, mac, null);
  }

  /** The same NIC in {@code slot}. */
  public VmNic inSlot(int slot) {
    return new VmNic(nicId, tap, mac, slot);
  }

  /** The same NIC named {@code nicId}. */
  public VmNic withId(String nicId) {
    return new VmNic(nicId, tap, mac, slot);
  }

  /**
   * The same NIC (id, MAC, slot) on another tap: what a migration target's config needs, since taps
   * are node-local names. Keep the slot: the target must have the NIC at the same address.
   */
  public VmNic withTap(String tap) {
    return new VmNic(nicId, tap, mac, slot);
  }
}
