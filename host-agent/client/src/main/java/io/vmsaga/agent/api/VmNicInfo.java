package io.vmsaga.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * A NIC of a VM: its place in the VM's config ({@code slot}, see {@link VmNic}), the QEMU device id
 * ({@code nic<slot>}) and whether the VM's running QEMU has that device now ({@code live}; false
 * while the VM does not run, the next start attaches it). {@code pci_path} is where the running
 * QEMU reports the device (QMP {@code query-pci}): {@code 00:02.0} on the root bus, or the port's
 * {@code slot.function} on the root bus and the device's behind it, {@code 00:12.0/00.0}; null when
 * QEMU does not list it (not live, or behind a port the firmware has not numbered yet, as on a
 * migration target before the move). {@code tap_state}, for a live NIC only, is how the tap under
 * it is: {@code ok}; {@code missing} (no such link: deleted by hand); {@code detached} (a link of
 * that name exists but QEMU's tap file is not attached to it); {@code wrong_bridge} (not a port of
 * the bridge the agent put it on); {@code down}. {@code PUT /v1/vms/{vm_id}/nics/{nic_id}/tap}
 * mends each of these without restarting the VM.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VmNicInfo(
    String nicId,
    String tap,
    String mac,
    int slot,
    String deviceId,
    boolean live,
    String pciPath,
    String tapState) {
  public static final String TAP_OK = "ok";
  public static final String TAP_MISSING = "missing";
  public static final String TAP_DETACHED = "detached";
  public static final String TAP_WRONG_BRIDGE = "wrong_bridge";
  public static final String TAP_DOWN = "down";
}
