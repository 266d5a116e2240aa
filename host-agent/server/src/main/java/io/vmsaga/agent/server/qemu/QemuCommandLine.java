package io.vmsaga.agent.server.qemu;

import io.vmsaga.agent.api.HotplugCpu;
import io.vmsaga.agent.api.HotplugMemory;
import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.api.VmDisk;
import io.vmsaga.agent.api.VmNic;
import io.vmsaga.agent.server.disk.Pools;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;

/**
 * The QEMU argv of a VM, derived from its persisted config alone, so a migration target started
 * from the same config has the same devices. Devices are given as JSON, which needs no escaping of
 * paths.
 */
final class QemuCommandLine {
  static final String QEMU = "qemu-system-x86_64";

  /** Disk slots 0..15 ({@link io.vmsaga.agent.api.VmDisk#slot}). */
  static final int DISK_SLOTS = VmConfigValidator.MAX_DISKS;

  /** NIC slots 0..7 ({@link io.vmsaga.agent.api.VmNic#slot}). */
  static final int NIC_SLOTS = VmConfigValidator.MAX_NICS;

  private static final ObjectMapper JSON = new ObjectMapper();

  private QemuCommandLine() {}

  /**
   * setsid puts QEMU in its own session, so a signal to the agent's process group does not reach
   * the VM.
   */
  static List<String> build(
      String vmId,
      VmConfig config,
      VmStore store,
      Pools pools,
      String accelerator,
      boolean incoming) {
    List<String> argv =
        new ArrayList<>(
            List.of(
                "setsid",
                QEMU,
                "-name",
                "guest=" + vmId,
                "-nodefaults",
                "-no-user-config",
                "-display",
                "none",
                "-machine",
                "q35,accel=" + accelerator,
                // On KVM "max" can ask for MSRs the host refuses; "host" is the usual KVM choice.
                "-cpu",
                "kvm".equals(accelerator) ? "host" : "max",
                "-smp",
                config.vcpus() + ",maxcpus=" + config.maxVcpus(),
                "-m",
                memory(config),
                "-qmp",
                qmpArgument(store.socket(vmId)),
                "-serial",
                "file:" + store.serialLog(vmId),
                "-pidfile",
                store.pidfile(vmId).toString()));
    // The ports first: the buses of the data disks and of the NICs after the first. They are
    // there whatever disks and NICs the config lists, so the PCI layout never depends on which are
    // attached.
    for (int slot = 1; slot < DISK_SLOTS; slot++) {
      argv.add("-device");
      argv.add(json(diskPort(slot)));
    }
    for (int slot = 1; slot < NIC_SLOTS; slot++) {
      argv.add("-device");
      argv.add(json(nicPort(slot)));
    }
    for (VmDisk disk : config.disks()) {
      argv.add("-blockdev");
      argv.add(json(diskBlockdev(disk.slot(), pools.disk(disk.pool(), disk.diskId()))));
      argv.add("-device");
      argv.add(json(diskDevice(disk.slot())));
    }
    if (Boolean.TRUE.equals(config.cidata())) {
      argv.add("-blockdev");
      argv.add(
          json(
              ordered(
                  "driver",
                  "raw",
                  "node-name",
                  "cidata",
                  "read-only",
                  true,
                  "file",
                  ordered("driver", "file", "filename", store.cidata(vmId).toString()))));
      argv.add("-device");
      argv.add(json(ordered("driver", "ide-cd", "id", "cd0", "drive", "cidata", "bus", "ide.0")));
    }
    for (VmNic nic : config.nics()) {
      argv.add("-netdev");
      argv.add(json(nicNetdev(nic.slot(), nic.tap())));
      argv.add("-device");
      argv.add(json(nicDevice(nic.slot(), nic.mac())));
    }
    for (HotplugCpu cpu : config.hotplugged().cpus()) {
      argv.add("-device");
      argv.add(json(cpuDevice(cpu)));
    }
    for (HotplugMemory dimm : config.hotplugged().memory()) {
      argv.add("-object");
      argv.add(
          json(
              Map.of(
                  "qom-type",
                  "memory-backend-ram",
                  "id",
                  memoryBackendId(dimm.deviceId()),
                  "size",
                  dimm.sizeMib() << 20)));
      argv.add("-device");
      argv.add(json(dimmDevice(dimm.deviceId())));
    }
    if (incoming) {
      argv.add("-incoming");
      argv.add("defer");
    }
    return argv;
  }

  /** Also how an adopted process is recognised: its argv holds exactly this string. */
  static String qmpArgument(Path socket) {
    return "unix:" + socket + ",server=on,wait=off";
  }

  /** The block node of the disk in {@code slot} ({@code block_resize}, {@code blockdev-del}). */
  static String diskNode(int slot) {
    return "disk" + slot;
  }

  static String diskDeviceId(int slot) {
    return "virtio-disk" + slot;
  }

  static String diskPortId(int slot) {
    return "disk-port" + slot;
  }

  /** The qcow2 node over the disk's file, as {@code -blockdev} and as QMP {@code blockdev-add}. */
  static Map<String, Object> diskBlockdev(int slot, Path file) {
    return ordered(
        "driver",
        "qcow2",
        "node-name",
        diskNode(slot),
        "file",
        ordered("driver", "file", "filename", file.toString()));
  }

  /**
   * The disk's virtio-blk device, as {@code -device} and as QMP {@code device_add}: the same
   * properties both ways, so a migration target started with a disk the source got hot-plugged has
   * it at the same address. Slot 0, the boot disk, sits on the root bus at 00:01.0, where the first
   * disk always was; q35's root bus cannot hot-plug, so every other slot has its own pcie-root-port
   * ({@link #diskPort}). {@code bootindex} is the slot: SeaBIOS boots slot 0, not the cidata
   * CD-ROM.
   */
  static Map<String, Object> diskDevice(int slot) {
    return ordered(
        "driver",
        "virtio-blk-pci",
        "id",
        diskDeviceId(slot),
        "drive",
        diskNode(slot),
        "bus",
        slot == 0 ? "pcie.0" : diskPortId(slot),
        "addr",
        slot == 0 ? "0x1" : "0x0",
        "bootindex",
        slot);
  }

  /**
   * The pcie-root-port of slot 1..15, at 00:10.0-7 and 00:11.0-6 (functions of two PCI slots). No
   * I/O window: a virtio device behind a PCIe port is modern-only and needs none, and fifteen 4 KiB
   * windows would not fit in the firmware's I/O space.
   */
  static Map<String, Object> diskPort(int slot) {
    int function = (slot - 1) % 8;
    Map<String, Object> port =
        ordered(
            "driver",
            "pcie-root-port",
            "id",
            diskPortId(slot),
            "bus",
            "pcie.0",
            "addr",
            String.format("0x%x.0x%x", 0x10 + (slot - 1) / 8, function),
            "chassis",
            slot,
            "port",
            slot,
            "io-reserve",
            0);
    if (function == 0) {
      port.put("multifunction", true);
    }
    return port;
  }

  static String nicDeviceId(int slot) {
    return "nic" + slot;
  }

  static String nicNetdevId(int slot) {
    return "net" + slot;
  }

  static String nicPortId(int slot) {
    return "nic-port" + slot;
  }

  /**
   * The NIC's tap backend, as {@code -netdev} and as QMP {@code netdev_add}: QEMU opens the
   * existing tap by name, runs no scripts, and moves the packets itself (no vhost-net).
   */
  static Map<String, Object> nicNetdev(int slot, String tap) {
    return ordered(
        "type",
        "tap",
        "id",
        nicNetdevId(slot),
        "ifname",
        tap,
        "script",
        "no",
        "downscript",
        "no",
        "vhost",
        false);
  }

  /**
   * The NIC's virtio-net device, as {@code -device} and as QMP {@code device_add}, the same both
   * ways like {@link #diskDevice}. Slot 0, the boot NIC, sits on the root bus at 00:02.0, where
   * QEMU put the first NIC of a VM with a boot disk before NICs had slots (it cannot be
   * hot-unplugged there); slots 1..7 each have their own pcie-root-port ({@link #nicPort}). No
   * option ROM ({@code romfile: ""}): nothing boots from the network here, and the PXE ROM of a VM
   * whose disk has nothing to boot polls for DHCP at a whole core for the better part of a minute
   * under TCG (docs/performance.md).
   */
  static Map<String, Object> nicDevice(int slot, String mac) {
    return ordered(
        "driver",
        "virtio-net-pci",
        "id",
        nicDeviceId(slot),
        "netdev",
        nicNetdevId(slot),
        "mac",
        mac,
        "bus",
        slot == 0 ? "pcie.0" : nicPortId(slot),
        "addr",
        slot == 0 ? "0x2" : "0x0",
        "romfile",
        "");
  }

  /**
   * The pcie-root-port of NIC slot 1..7, at 00:12.0-6 (functions of one PCI slot, after the disks'
   * 00:10 and 00:11), chassis 16..22 (the disks' ports have 1..15). No I/O window, as for the
   * disks' ports.
   */
  static Map<String, Object> nicPort(int slot) {
    int function = slot - 1;
    int chassis = DISK_SLOTS - 1 + slot;
    Map<String, Object> port =
        ordered(
            "driver",
            "pcie-root-port",
            "id",
            nicPortId(slot),
            "bus",
            "pcie.0",
            "addr",
            String.format("0x12.0x%x", function),
            "chassis",
            chassis,
            "port",
            chassis,
            "io-reserve",
            0);
    if (function == 0) {
      port.put("multifunction", true);
    }
    return port;
  }

  static String cpuDeviceId(String deviceId) {
    return "cpu-" + deviceId;
  }

  static String memoryBackendId(String deviceId) {
    return "mem-" + deviceId;
  }

  static String dimmDeviceId(String deviceId) {
    return "dimm-" + deviceId;
  }

  /** QEMU ids must start with a letter, hence the prefixes on the caller's device ids. */
  static Map<String, Object> cpuDevice(HotplugCpu cpu) {
    Map<String, Object> device = new LinkedHashMap<>();
    device.put("driver", cpu.driver());
    device.put("id", cpuDeviceId(cpu.deviceId()));
    device.putAll(cpu.props());
    return device;
  }

  static Map<String, Object> dimmDevice(String deviceId) {
    return Map.of(
        "driver", "pc-dimm", "id", dimmDeviceId(deviceId), "memdev", memoryBackendId(deviceId));
  }

  private static Map<String, Object> ordered(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  private static String memory(VmConfig config) {
    return config.memorySlots() > 0
        ? config.memoryMib()
            + "M,slots="
            + config.memorySlots()
            + ",maxmem="
            + config.maxMemoryMib()
            + "M"
        : config.memoryMib() + "M";
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JacksonException e) {
      throw new IllegalStateException(e);
    }
  }
}
