package io.vmsaga.agent.server.qemu;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.vmsaga.agent.server.ApiException;
import io.vmsaga.agent.server.Ids;
import io.vmsaga.agent.server.qmp.Qmp;
import io.vmsaga.agent.server.qmp.QmpError;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What hot-plugging disks and NICs into a VM's root ports shares: the running QEMU to plug into,
 * the devices it has, and the unplug that needs the guest's consent.
 */
final class PciHotplug {
  static final long DEFAULT_UNPLUG_MS = 10_000;
  static final long MAX_UNPLUG_MS = 120_000;

  /** QEMU run states in which the VM's devices must not change: it is moving or has moved. */
  private static final Set<String> MIGRATING = Set.of("inmigrate", "finish-migrate", "postmigrate");

  private PciHotplug() {}

  /** The {@code timeout_ms} of a detach: default 10 s, 100 ms .. 120 s. */
  static Duration unplugWait(Optional<String> timeoutMs) {
    return Ids.millis("timeout_ms", timeoutMs, DEFAULT_UNPLUG_MS, 100, MAX_UNPLUG_MS);
  }

  /**
   * The running QEMU to plug into, none when the VM does not run; 409 while it migrates ({@code
   * what} names the devices in the message).
   */
  static Optional<VmProcess> pluggable(VmSupervisor vms, String vmId, String what) {
    Optional<VmProcess> process = vms.live(vmId);
    if (process.isPresent() && MIGRATING.contains(process.get().runState())) {
      throw ApiException.conflict(
          "VM is migrating or has migrated; its " + what + " cannot change here");
    }
    return process;
  }

  /** The ids of the devices QEMU has (those given an id: ours). */
  static Set<String> devices(VmProcess process) {
    return process.call(Qmp.qomList("/machine/peripheral")).stream()
        .filter(p -> p.type() != null && p.type().startsWith("child<"))
        .map(Qmp.QomProperty::name)
        .collect(Collectors.toSet());
  }

  /**
   * {@code device_del}, then up to {@code wait} for QEMU's {@code DEVICE_DELETED}, which comes once
   * the guest released the device. A device still there after that is 503 {@code unplug_pending}:
   * QEMU keeps the request, so a retry may find it done. A device that is not there is success.
   */
  static void unplug(
      VmSupervisor vms, String vmId, VmProcess process, String device, Duration wait, String what) {
    EventRing events = vms.ring(vmId);
    long seq = events.lastSeq();
    boolean gone = false;
    try {
      process.call(Qmp.deviceDel(device));
    } catch (QmpError e) {
      if (!"DeviceNotFound".equals(e.errorClass())) {
        throw e;
      }
      gone = true;
    }
    if (!gone) {
      try {
        // DEVICE_DELETED comes for the device's virtio-backend child first, without "device".
        gone =
            events.await(
                seq,
                e ->
                    "DEVICE_DELETED".equals(e.event())
                        && device.equals(e.data().path("device").asString()),
                wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw ApiException.unavailable("interrupted");
      }
    }
    if (!gone && devices(process).contains(device)) {
      throw ApiException.of(
          HttpResponseStatus.SERVICE_UNAVAILABLE,
          "unplug_pending",
          "the guest did not release the "
              + what
              + " within "
              + wait.toMillis()
              + " ms; it stays attached, retry to wait again");
    }
  }
}
