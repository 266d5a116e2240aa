package io.vmsaga.agent.server.qemu;

import io.vmsaga.agent.api.TapSpec;
import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.api.VmNic;
import io.vmsaga.agent.api.VmNicInfo;
import io.vmsaga.agent.api.VmNicSpec;
import io.vmsaga.agent.server.ApiException;
import io.vmsaga.agent.server.Ids;
import io.vmsaga.agent.server.KeyedLocks;
import io.vmsaga.agent.server.Outcome;
import io.vmsaga.agent.server.net.Links;
import io.vmsaga.agent.server.net.NetService;
import io.vmsaga.agent.server.qmp.Qmp;
import io.vmsaga.agent.server.qmp.QmpError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * NICs attached to and detached from a VM, running or not, the way {@link VmDiskAttachments} does
 * it for disks. The VM's config is the one truth: an attached NIC is in its {@code nics} list, in a
 * slot that fixes its device id, netdev id and PCI address ({@link QemuCommandLine#nicDevice}), so
 * a restart and a migration target started from the config have the same devices as the QEMU that
 * got them hot-plugged. Attached NICs take slots 1..7, each behind its own root port, so every NIC
 * attached here can be hot-unplugged again; slot 0 (the root bus) is only ever a VM definition's.
 */
public final class VmNicAttachments {
  private final VmSupervisor vms;
  private final NetService net;

  /** Serialise the attachments that name one tap or one MAC, so two NICs cannot both take it. */
  private final KeyedLocks tapLocks = new KeyedLocks();

  private final KeyedLocks macLocks = new KeyedLocks();

  public VmNicAttachments(VmSupervisor vms, NetService net) {
    this.vms = vms;
    this.net = net;
  }

  /**
   * Attaches a NIC on an existing tap: appended to the config in the lowest free slot of 1..7,
   * then, if QEMU runs, {@code netdev_add} + {@code device_add}. The config is written first, so
   * from then on the tap counts as in use; a plug QEMU refuses takes the NIC out again. The same
   * NIC again (same id, tap and MAC) is success; one in the config that the running QEMU lacks (the
   * agent died in between) is plugged then.
   */
  public Outcome<VmNicInfo> attach(String vmId, String nicId, VmNicSpec spec) {
    String tap = Ids.ifname("tap", spec.tap());
    String mac = Ids.mac(spec.mac());
    if (spec.slot() != null) {
      Ids.bounded("slot", spec.slot(), 0, QemuCommandLine.NIC_SLOTS - 1);
    }
    return vms.locked(
        vmId,
        () ->
            tapLocks.with(
                tap,
                () ->
                    macLocks.with(
                        mac,
                        () -> {
                          VmConfig config = vms.requireConfig(vmId);
                          Optional<VmNic> known = find(config, nicId);
                          if (known.isPresent()
                              && !(known.get().tap().equals(tap)
                                  && known.get().mac().equals(mac)
                                  && (spec.slot() == null || spec.slot() == known.get().slot()))) {
                            throw ApiException.conflict(
                                "a NIC with this id is attached with another tap or MAC");
                          }
                          if (!Links.exists(tap) || !Links.isTap(tap)) {
                            throw ApiException.notFound("no such tap");
                          }
                          if (known.isEmpty()) {
                            requireUnused(vmId, config, tap, mac);
                          }
                          Optional<VmProcess> process = PciHotplug.pluggable(vms, vmId, "NICs");
                          if (known.isPresent()) {
                            VmNic nic = known.get();
                            // Slot 0 is on the QEMU command line, on the root bus: never plugged.
                            if (process.isPresent() && nic.slot() != 0) {
                              plug(vmId, process.get(), nic);
                            }
                            return Outcome.existing(info(vmId, nic, process));
                          }
                          VmNic nic =
                              new VmNic(
                                  nicId,
                                  tap,
                                  mac,
                                  spec.slot() == null
                                      ? freeSlot(config)
                                      : askedSlot(config, spec.slot(), process.isPresent()));
                          List<VmNic> nics = new ArrayList<>(config.nics());
                          nics.add(nic);
                          vms.store.write(vmId, config.withNics(List.copyOf(nics)));
                          if (process.isPresent()) {
                            try {
                              plug(vmId, process.get(), nic);
                            } catch (QmpError e) {
                              // QEMU refused: it does not have the NIC. (No answer is another
                              // matter: it may have it, so the config keeps it for a retry or
                              // GET to find out.)
                              vms.store.write(vmId, config);
                              throw e;
                            }
                          }
                          return Outcome.created(info(vmId, nic, process));
                        })));
  }

  /**
   * Detaches a NIC: if QEMU runs, {@code device_del}, QEMU's {@code DEVICE_DELETED} once the guest
   * has released the device (at most {@code timeoutMs}), {@code netdev_del}; then out of the
   * config. A guest that does not release it in time leaves everything as it was: 503 {@code
   * unplug_pending}, and a retry waits again. Nothing to do for a NIC that is not attached, or a VM
   * that does not exist. The last NIC may go. The NIC in slot 0 sits on the root bus, which cannot
   * hot-unplug: 409 while the VM runs, a config change when it does not.
   */
  public void detach(String vmId, String nicId, Optional<String> timeoutMs) {
    Duration wait = PciHotplug.unplugWait(timeoutMs);
    vms.locked(
        vmId,
        () -> {
          Optional<VmConfig> config = vms.store.read(vmId);
          Optional<VmNic> known = config.flatMap(c -> find(c, nicId));
          if (known.isEmpty()) {
            return;
          }
          VmNic nic = known.get();
          Optional<VmProcess> process = PciHotplug.pluggable(vms, vmId, "NICs");
          if (process.isPresent()) {
            if (nic.slot() == 0) {
              throw ApiException.conflict(
                  "the NIC in slot 0 is on the root bus, which cannot hot-unplug; stop the VM to"
                      + " detach it");
            }
            PciHotplug.unplug(
                vms, vmId, process.get(), QemuCommandLine.nicDeviceId(nic.slot()), wait, "NIC");
            netdevDel(process.get(), nic.slot());
          }
          List<VmNic> nics = new ArrayList<>(config.get().nics());
          nics.remove(nic);
          vms.store.write(vmId, config.get().withNics(List.copyOf(nics)));
        });
  }

  /**
   * The VM's NICs in config order; {@code live} and {@code pci_path} ask the running QEMU which
   * devices it has and where, {@code tap_state} looks at QEMU's tap files and the taps.
   */
  public List<VmNicInfo> list(String vmId) {
    VmConfig config = vms.requireConfig(vmId);
    Optional<VmProcess> process = vms.live(vmId);
    Set<String> devices = process.map(PciHotplug::devices).orElse(Set.of());
    Map<String, String> paths = process.map(VmNicAttachments::pciPaths).orElse(Map.of());
    List<NicTaps.TapFd> fds =
        process.map(p -> NicTaps.look(vms.store, vmId, p.pid)).orElse(List.of());
    return config.nics().stream()
        .map(
            n -> {
              String device = QemuCommandLine.nicDeviceId(n.slot());
              return info(n, devices.contains(device), paths.get(device), fds);
            })
        .toList();
  }

  /**
   * Mends the tap under a live NIC without touching the VM: a tap deleted by hand is made again
   * with its name and QEMU's own tap file attached to it (the file's duplicate, so QEMU and the
   * guest see no change, slot 0 included: {@link NicTaps}); a tap of that name that QEMU's file is
   * not attached to gets the file; then the bridge the agent recorded for the tap, and up. A NIC
   * whose tap is well does nothing. 404 no such VM or NIC; 409 {@code conflict} VM not running, NIC
   * not live, tap not this agent's (its bridge unknown); 409 {@code tap_fd_ambiguous} or {@code
   * not_repairable} when QEMU's file for it cannot be told or attached.
   */
  public VmNicInfo repairTap(String vmId, String nicId) {
    return vms.locked(
        vmId,
        () -> {
          VmConfig config = vms.requireConfig(vmId);
          VmNic nic = find(config, nicId).orElseThrow(() -> ApiException.notFound("no such NIC"));
          VmProcess process = vms.requireLive(vmId);
          Set<String> devices = PciHotplug.devices(process);
          if (!devices.contains(QemuCommandLine.nicDeviceId(nic.slot()))) {
            throw ApiException.conflict(
                "the running QEMU does not have this NIC; PUT it to plug it");
          }
          String bridge =
              net.tapBridge(nic.tap())
                  .orElseThrow(
                      () ->
                          ApiException.conflict(
                              "this agent did not create the tap, so it does not know its bridge"));
          List<NicTaps.TapFd> fds = NicTaps.look(vms.store, vmId, process.pid);
          String state = NicTaps.state(nic, fds, Optional.of(bridge));
          if (state.equals(VmNicInfo.TAP_MISSING) || state.equals(VmNicInfo.TAP_DETACHED)) {
            if (Links.exists(nic.tap()) && !Links.isTap(nic.tap())) {
              throw ApiException.conflict("an interface of the tap's name exists that is no tap");
            }
            List<VmNic> live =
                config.nics().stream()
                    .filter(n -> devices.contains(QemuCommandLine.nicDeviceId(n.slot())))
                    .toList();
            NicTaps.reattach(process, nic, NicTaps.detachedFd(nic, live, fds));
          }
          if (!state.equals(VmNicInfo.TAP_OK)) {
            net.putTap(nic.tap(), new TapSpec(bridge));
          }
          return info(vmId, nic, Optional.of(process));
        });
  }

  /**
   * {@code netdev_add} + {@code device_add}, unless QEMU has the device; then a look at QEMU's tap
   * files notes which one the new netdev opened.
   */
  private void plug(String vmId, VmProcess process, VmNic nic) {
    if (PciHotplug.devices(process).contains(QemuCommandLine.nicDeviceId(nic.slot()))) {
      return;
    }
    // A netdev left without its device (an attach cut short) may name another tap: made anew.
    netdevDel(process, nic.slot());
    process.call(Qmp.netdevAdd(QemuCommandLine.nicNetdev(nic.slot(), nic.tap())));
    try {
      process.call(Qmp.deviceAdd(QemuCommandLine.nicDevice(nic.slot(), nic.mac())));
    } catch (QmpError e) {
      try {
        netdevDel(process, nic.slot());
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    NicTaps.look(vms.store, vmId, process.pid);
  }

  /** {@code netdev_del}; a netdev that is not there is fine. */
  private static void netdevDel(VmProcess process, int slot) {
    try {
      process.call(Qmp.netdevDel(QemuCommandLine.nicNetdevId(slot)));
    } catch (QmpError e) {
      if (!"DeviceNotFound".equals(e.errorClass())) {
        throw e;
      }
    }
  }

  /**
   * 409 when the tap or the MAC belongs to a NIC already: another of this VM's, or any of another
   * VM's config on this node (running or not).
   */
  private void requireUnused(String vmId, VmConfig config, String tap, String mac) {
    List<VmNic> taken = new ArrayList<>(config.nics());
    vms.store.ids().stream()
        .filter(id -> !id.equals(vmId))
        .map(vms.store::read)
        .flatMap(Optional::stream)
        .forEach(c -> taken.addAll(c.nics()));
    if (taken.stream().anyMatch(n -> n.tap().equals(tap))) {
      throw ApiException.conflict("tap is used by another NIC on this node");
    }
    if (taken.stream().anyMatch(n -> n.mac().equals(mac))) {
      throw ApiException.conflict("MAC is used by another NIC on this node");
    }
  }

  /**
   * The slot the caller asks for (putting a NIC back where it was): free, and slot 0 (the root bus,
   * on the command line only) only while QEMU does not run.
   */
  private static int askedSlot(VmConfig config, int slot, boolean running) {
    if (slot == 0 && running) {
      throw ApiException.conflict("slot 0 is on the root bus: only a stopped VM's NIC takes it");
    }
    if (config.nics().stream().anyMatch(n -> n.slot() == slot)) {
      throw ApiException.conflict("NIC slot " + slot + " is taken");
    }
    return slot;
  }

  /** The lowest of slots 1..7 no NIC has: slot 0, on the root bus, could never be unplugged. */
  private static int freeSlot(VmConfig config) {
    Set<Integer> taken = config.nics().stream().map(VmNic::slot).collect(Collectors.toSet());
    for (int slot = 1; slot < QemuCommandLine.NIC_SLOTS; slot++) {
      if (!taken.contains(slot)) {
        return slot;
      }
    }
    throw ApiException.conflict("no free NIC slot (an attached NIC takes one of 1..7)");
  }

  /**
   * Where QEMU lists each of our devices in the PCI tree: {@code 00:02.0} on the root bus, {@code
   * 00:12.0/00.0} behind a root port (bus numbers behind ports are the firmware's or the guest's
   * choice, the path is not).
   */
  private static Map<String, String> pciPaths(VmProcess process) {
    Map<String, String> paths = new HashMap<>();
    for (Qmp.PciBus bus : process.call(Qmp.queryPci())) {
      collect(String.format("%02x:", bus.bus()), bus.devices(), paths);
    }
    return paths;
  }

  private static void collect(String prefix, List<Qmp.PciDevice> devices, Map<String, String> to) {
    if (devices == null) {
      return;
    }
    for (Qmp.PciDevice device : devices) {
      String path = prefix + String.format("%02x.%x", device.slot(), device.function());
      if (device.qdevId() != null && !device.qdevId().isEmpty()) {
        to.put(device.qdevId(), path);
      }
      if (device.pciBridge() != null) {
        collect(path + "/", device.pciBridge().devices(), to);
      }
    }
  }

  private VmNicInfo info(String vmId, VmNic nic, Optional<VmProcess> process) {
    if (process.isEmpty()) {
      return info(nic, false, null, List.of());
    }
    String device = QemuCommandLine.nicDeviceId(nic.slot());
    boolean live = PciHotplug.devices(process.get()).contains(device);
    return info(
        nic,
        live,
        live ? pciPaths(process.get()).get(device) : null,
        live ? NicTaps.look(vms.store, vmId, process.get().pid) : List.of());
  }

  /** {@code fds}: QEMU's tap files, for the state of a live NIC's tap. */
  private VmNicInfo info(VmNic nic, boolean live, String pciPath, List<NicTaps.TapFd> fds) {
    return new VmNicInfo(
        nic.nicId(),
        nic.tap(),
        nic.mac(),
        nic.slot(),
        QemuCommandLine.nicDeviceId(nic.slot()),
        live,
        pciPath,
        live ? NicTaps.state(nic, fds, net.tapBridge(nic.tap())) : null);
  }

  private static Optional<VmNic> find(VmConfig config, String nicId) {
    return config.nics().stream().filter(n -> n.nicId().equals(nicId)).findFirst();
  }
}
