package io.vmsaga.agent.server.qemu;

import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.api.VmDisk;
import io.vmsaga.agent.api.VmDiskInfo;
import io.vmsaga.agent.api.VmDiskSpec;
import io.vmsaga.agent.server.ApiException;
import io.vmsaga.agent.server.Ids;
import io.vmsaga.agent.server.KeyedLocks;
import io.vmsaga.agent.server.Outcome;
import io.vmsaga.agent.server.qmp.Qmp;
import io.vmsaga.agent.server.qmp.QmpError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Disks of the pools attached to and detached from a VM, running or not. The VM's config is the one
 * truth: an attached disk is in its {@code disks} list, in a slot that fixes its device id and PCI
 * address ({@link QemuCommandLine#diskDevice}), so a restart and a migration target started from
 * the config have the same devices as the QEMU that got them hot-plugged.
 */
public final class VmDiskAttachments {
  private final VmSupervisor vms;

  /** Serialises the attachment of one disk, so two VMs cannot both take it. */
  private final KeyedLocks diskLocks = new KeyedLocks();

  public VmDiskAttachments(VmSupervisor vms) {
    this.vms = vms;
  }

  /**
   * Attaches an existing disk of a pool: appended to the config in the lowest free slot, then, if
   * QEMU runs, {@code blockdev-add} + {@code device_add}. The config is written first, so from then
   * on the disk counts as in use; a plug QEMU refuses takes it out again. Attaching it again is
   * success; a disk in the config that the running QEMU lacks (the agent died in between) is
   * plugged then.
   */
  public Outcome<VmDiskInfo> attach(String vmId, String diskId, VmDiskSpec spec) {
    String pool = Ids.pool(spec.pool());
    return vms.locked(
        vmId,
        () ->
            diskLocks.with(
                pool + "/" + diskId,
                () -> {
                  VmConfig config = vms.requireConfig(vmId);
                  Optional<VmDisk> known = find(config, diskId);
                  if (known.isPresent() && !known.get().pool().equals(pool)) {
                    throw ApiException.conflict(
                        "a disk with this id from the other pool is attached");
                  }
                  VmDisk requested = known.orElse(new VmDisk(pool, diskId));
                  if (!Files.exists(vms.diskFile(requested))) {
                    throw ApiException.notFound("no such disk");
                  }
                  if (usedByAnotherVm(vmId, pool, diskId)) {
                    throw ApiException.conflict("disk is attached to another VM");
                  }
                  vms.requireSafeBacking(requested);
                  Optional<VmProcess> process = pluggable(vmId);
                  if (known.isPresent()) {
                    VmDisk disk = known.get();
                    // Slot 0 is on the QEMU command line, and on the root bus, which cannot plug.
                    if (process.isPresent() && disk.slot() != 0) {
                      plug(process.get(), disk);
                    }
                    return Outcome.existing(
                        info(disk, process.isPresent() && plugged(process.get(), disk)));
                  }
                  VmDisk disk = requested.inSlot(freeSlot(config, process.isPresent()));
                  List<VmDisk> disks = new ArrayList<>(config.disks());
                  disks.add(disk);
                  vms.store.write(vmId, config.withDisks(List.copyOf(disks)));
                  if (process.isPresent()) {
                    try {
                      plug(process.get(), disk);
                    } catch (QmpError e) {
                      // QEMU refused: it does not have the disk. (No answer is another matter: it
                      // may have it, so the config keeps it and a retry or GET finds out.)
                      vms.store.write(vmId, config);
                      throw e;
                    }
                  }
                  return Outcome.created(info(disk, process.isPresent()));
                }));
  }

  /**
   * Detaches a disk: if QEMU runs, {@code device_del}, QEMU's {@code DEVICE_DELETED} once the guest
   * has released the device (at most {@code timeoutMs}), {@code blockdev-del}; then out of the
   * config. A guest that does not release it in time leaves everything as it was, the disk still
   * attached: 503 {@code unplug_pending}, and a retry waits again (QEMU keeps the request). Nothing
   * to do for a disk that is not attached, or a VM that does not exist. The boot disk (slot 0)
   * stays: changing it is a new config.
   */
  public void detach(String vmId, String diskId, Optional<String> timeoutMs) {
    Duration wait = PciHotplug.unplugWait(timeoutMs);
    vms.locked(
        vmId,
        () -> {
          Optional<VmConfig> config = vms.store.read(vmId);
          Optional<VmDisk> known = config.flatMap(c -> find(c, diskId));
          if (known.isEmpty()) {
            return;
          }
          VmDisk disk = known.get();
          if (disk.slot() == 0) {
            throw ApiException.conflict(
                "the boot disk (slot 0) cannot be detached; define the VM anew to change it");
          }
          Optional<VmProcess> process = pluggable(vmId);
          if (process.isPresent()) {
            unplug(vmId, process.get(), disk, wait);
          }
          List<VmDisk> disks = new ArrayList<>(config.get().disks());
          disks.remove(disk);
          vms.store.write(vmId, config.get().withDisks(List.copyOf(disks)));
        });
  }

  /** The VM's disks in config order; {@code live} asks the running QEMU which devices it has. */
  public List<VmDiskInfo> list(String vmId) {
    VmConfig config = vms.requireConfig(vmId);
    Set<String> devices = vms.live(vmId).map(PciHotplug::devices).orElse(Set.of());
    return config.disks().stream()
        .map(d -> info(d, devices.contains(QemuCommandLine.diskDeviceId(d.slot()))))
        .toList();
  }

  private Optional<VmProcess> pluggable(String vmId) {
    return PciHotplug.pluggable(vms, vmId, "disks");
  }

  /** {@code blockdev-add} + {@code device_add}, for what QEMU lacks of the two. */
  private void plug(VmProcess process, VmDisk disk) {
    if (plugged(process, disk)) {
      return;
    }
    String node = QemuCommandLine.diskNode(disk.slot());
    // A node left without its device (an attach cut short) may name another file: made anew.
    if (nodes(process).contains(node)) {
      process.call(Qmp.blockdevDel(node));
    }
    Path file = vms.diskFile(disk);
    process.call(Qmp.blockdevAdd(QemuCommandLine.diskBlockdev(disk.slot(), file)));
    try {
      process.call(Qmp.deviceAdd(QemuCommandLine.diskDevice(disk.slot())));
    } catch (QmpError e) {
      try {
        process.call(Qmp.blockdevDel(node));
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }

  private void unplug(String vmId, VmProcess process, VmDisk disk, Duration wait) {
    PciHotplug.unplug(vms, vmId, process, QemuCommandLine.diskDeviceId(disk.slot()), wait, "disk");
    String node = QemuCommandLine.diskNode(disk.slot());
    if (nodes(process).contains(node)) {
      process.call(Qmp.blockdevDel(node));
    }
  }

  private static boolean plugged(VmProcess process, VmDisk disk) {
    return PciHotplug.devices(process).contains(QemuCommandLine.diskDeviceId(disk.slot()));
  }

  private static Set<String> nodes(VmProcess process) {
    return process.call(Qmp.queryNamedBlockNodes()).stream()
        .map(Qmp.BlockNode::nodeName)
        .collect(Collectors.toSet());
  }

  private boolean usedByAnotherVm(String vmId, String pool, String diskId) {
    return vms.store.ids().stream()
        .filter(id -> !id.equals(vmId))
        .map(vms.store::read)
        .flatMap(Optional::stream)
        .anyMatch(
            c ->
                c.disks().stream()
                    .anyMatch(d -> d.pool().equals(pool) && d.diskId().equals(diskId)));
  }

  /**
   * The lowest slot no disk has. A running VM's slot 0 is out of reach (the root bus cannot
   * hot-plug): a hot-plugged disk takes 1..15; a stopped VM's next disk may become its boot disk.
   */
  private static int freeSlot(VmConfig config, boolean running) {
    Set<Integer> taken = config.disks().stream().map(VmDisk::slot).collect(Collectors.toSet());
    for (int slot = running ? 1 : 0; slot < QemuCommandLine.DISK_SLOTS; slot++) {
      if (!taken.contains(slot)) {
        return slot;
      }
    }
    throw ApiException.conflict("no free disk slot (at most 16 disks)");
  }

  private static Optional<VmDisk> find(VmConfig config, String diskId) {
    return config.disks().stream().filter(d -> d.diskId().equals(diskId)).findFirst();
  }

  private static VmDiskInfo info(VmDisk disk, boolean live) {
    return new VmDiskInfo(
        disk.pool(), disk.diskId(), disk.slot(), QemuCommandLine.diskDeviceId(disk.slot()), live);
  }
}
