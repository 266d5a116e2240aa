package io.vmsaga.agent.server.qemu;

import io.vmsaga.agent.api.HotplugCpu;
import io.vmsaga.agent.api.HotplugMemory;
import io.vmsaga.agent.api.Hotplugged;
import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.api.VmDisk;
import io.vmsaga.agent.api.VmNic;
import io.vmsaga.agent.server.ApiException;
import io.vmsaga.agent.server.Ids;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules of a {@link VmConfig}, without touching QEMU, disks or taps: whether those exist is
 * checked when the VM starts. Every broken rule is an {@link ApiException#invalid}.
 */
public final class VmConfigValidator {
  static final int MAX_VCPUS = 256;
  static final long MIN_MEMORY_MIB = 16;
  static final long MAX_MEMORY_MIB = 1L << 22;
  static final int MAX_MEMORY_SLOTS = 256;
  static final int MAX_DISKS = 16;
  static final int MAX_NICS = 8;
  static final int MAX_NAME_LENGTH = 128;

  private static final Pattern CPU_DRIVER = Pattern.compile("[a-z0-9-]{1,40}-x86_64-cpu");
  private static final Set<String> CPU_PROPS =
      Set.of("socket-id", "die-id", "cluster-id", "core-id", "thread-id", "node-id");

  private VmConfigValidator() {}

  /** Checks every field and fills defaults, so two equivalent configs compare equal. */
  public static VmConfig validate(VmConfig c) {
    if (c.name() != null
        && (c.name().length() > MAX_NAME_LENGTH
            || c.name().chars().anyMatch(Character::isISOControl))) {
      throw ApiException.invalid("name must be at most 128 printable characters");
    }
    int vcpus = (int) Ids.bounded("vcpus", c.vcpus(), 1, MAX_VCPUS);
    int maxVcpus =
        (int)
            Ids.bounded("max_vcpus", c.maxVcpus() == null ? vcpus : c.maxVcpus(), vcpus, MAX_VCPUS);
    long memoryMib = Ids.bounded("memory_mib", c.memoryMib(), MIN_MEMORY_MIB, MAX_MEMORY_MIB);
    int slots =
        (int)
            Ids.bounded(
                "memory_slots", c.memorySlots() == null ? 0 : c.memorySlots(), 0, MAX_MEMORY_SLOTS);
    long maxMemoryMib =
        Ids.bounded(
            "max_memory_mib",
            c.maxMemoryMib() == null ? memoryMib : c.maxMemoryMib(),
            memoryMib,
            MAX_MEMORY_MIB);
    if (slots == 0 && maxMemoryMib != memoryMib) {
      throw ApiException.invalid("max_memory_mib above memory_mib needs memory_slots");
    }
    List<VmDisk> disks = disks(c.disks());
    List<VmNic> nics = nics(c.nics());
    Hotplugged hotplugged =
        hotplugged(c.hotplugged(), vcpus, maxVcpus, memoryMib, maxMemoryMib, slots);
    // false and absent are the same; absent keeps the stored config of a VM without cidata as it
    // was.
    Boolean cidata = Boolean.TRUE.equals(c.cidata()) ? Boolean.TRUE : null;
    return new VmConfig(
        c.name(), vcpus, maxVcpus, memoryMib, maxMemoryMib, slots, disks, nics, hotplugged, cidata);
  }

  private static List<VmDisk> disks(List<VmDisk> requested) {
    List<VmDisk> disks = requested == null ? List.of() : requested;
    if (disks.size() > MAX_DISKS) {
      throw ApiException.invalid("at most 16 disks");
    }
    noNulls(disks, "disks");
    disks.forEach(
        d -> {
          Ids.pool(d.pool());
          Ids.id("disk_id", d.diskId());
          if (d.slot() != null) {
            Ids.bounded("disk slot", d.slot(), 0, MAX_DISKS - 1);
          }
        });
    // One disk_id per VM, whatever the pool: /v1/vms/{vm_id}/disks/{disk_id} names it.
    unique(disks.stream().map(VmDisk::diskId).toList(), "disk_id");
    unique(disks.stream().map(VmDisk::slot).filter(s -> s != null).toList(), "disk slot");
    return withSlots(disks);
  }

  /**
   * The disks with every missing slot filled, in list order, with the lowest slot no other disk
   * has: plain disks get 0, 1, 2 … (as the list order numbered them before slots existed), so a
   * config stored without slots reads back with the slots its QEMU was started with.
   */
  static List<VmDisk> withSlots(List<VmDisk> disks) {
    if (disks.stream().allMatch(d -> d.slot() != null)) {
      return disks;
    }
    Set<Integer> taken = new HashSet<>();
    disks.stream().map(VmDisk::slot).filter(s -> s != null).forEach(taken::add);
    List<VmDisk> slotted = new ArrayList<>(disks.size());
    for (VmDisk disk : disks) {
      if (disk.slot() != null) {
        slotted.add(disk);
        continue;
      }
      int slot = 0;
      while (taken.contains(slot)) {
        slot++;
      }
      taken.add(slot);
      slotted.add(disk.inSlot(slot));
    }
    return List.copyOf(slotted);
  }

  private static List<VmNic> nics(List<VmNic> requested) {
    List<VmNic> nics = requested == null ? List.of() : requested;
    if (nics.size() > MAX_NICS) {
      throw ApiException.invalid("at most 8 nics");
    }
    noNulls(nics, "nics");
    nics.forEach(
        n -> {
          if (n.nicId() != null) {
            Ids.id("nic_id", n.nicId());
          }
          Ids.ifname("tap", n.tap());
          Ids.mac(n.mac());
          if (n.slot() != null) {
            Ids.bounded("nic slot", n.slot(), 0, MAX_NICS - 1);
          }
        });
    unique(nics.stream().map(VmNic::tap).toList(), "tap");
    unique(nics.stream().map(VmNic::mac).toList(), "mac");
    unique(nics.stream().map(VmNic::slot).filter(s -> s != null).toList(), "nic slot");
    List<VmNic> filled = nicDefaults(nics);
    // A default id (nic<slot>) may meet an id given to another NIC.
    unique(filled.stream().map(VmNic::nicId).toList(), "nic_id");
    return filled;
  }

  /**
   * The NICs with every missing slot filled as for disks (lowest free, in list order: plain NICs
   * get 0, 1, 2 …, the order QEMU numbered them before slots existed), then every missing id as
   * {@code nic<slot>}; a config stored before NICs had slots and ids reads back with them.
   */
  static List<VmNic> nicDefaults(List<VmNic> nics) {
    if (nics.stream().allMatch(n -> n.slot() != null && n.nicId() != null)) {
      return nics;
    }
    Set<Integer> taken = new HashSet<>();
    nics.stream().map(VmNic::slot).filter(s -> s != null).forEach(taken::add);
    List<VmNic> filled = new ArrayList<>(nics.size());
    for (VmNic nic : nics) {
      if (nic.slot() == null) {
        int slot = 0;
        while (taken.contains(slot)) {
          slot++;
        }
        taken.add(slot);
        nic = nic.inSlot(slot);
      }
      filled.add(nic.nicId() == null ? nic.withId(defaultNicId(nic.slot())) : nic);
    }
    return List.copyOf(filled);
  }

  /** The id of a NIC given none: {@code nic0} for the NIC in slot 0. */
  static String defaultNicId(int slot) {
    return "nic" + slot;
  }

  /** The devices plugged into the running VM, replayed on start: they must fit the maxima. */
  private static Hotplugged hotplugged(
      Hotplugged requested, int vcpus, int maxVcpus, long memoryMib, long maxMemoryMib, int slots) {
    Hotplugged hotplugged =
        requested == null
            ? Hotplugged.none()
            : new Hotplugged(
                requested.cpus() == null ? List.of() : requested.cpus(),
                requested.memory() == null ? List.of() : requested.memory());
    noNulls(hotplugged.cpus(), "hot-plugged cpus");
    noNulls(hotplugged.memory(), "hot-plugged memory");
    for (HotplugCpu cpu : hotplugged.cpus()) {
      Ids.id("device_id", cpu.deviceId());
      if (cpu.driver() == null || !CPU_DRIVER.matcher(cpu.driver()).matches()) {
        throw ApiException.invalid("hot-plugged cpu driver has an invalid format");
      }
      if (cpu.props() == null || !CPU_PROPS.containsAll(cpu.props().keySet())) {
        throw ApiException.invalid("hot-plugged cpu props must be slot ids");
      }
      cpu.props().values().forEach(v -> Ids.bounded("cpu slot id", v, 0, 1023));
    }
    unique(hotplugged.cpus().stream().map(HotplugCpu::deviceId).toList(), "cpu device_id");
    if (vcpus + hotplugged.cpus().size() > maxVcpus) {
      throw ApiException.invalid("hot-plugged cpus exceed max_vcpus");
    }
    long pluggedMib = 0;
    for (HotplugMemory dimm : hotplugged.memory()) {
      Ids.id("device_id", dimm.deviceId());
      pluggedMib += Ids.bounded("hot-plugged size_mib", dimm.sizeMib(), 1, maxMemoryMib);
    }
    unique(hotplugged.memory().stream().map(HotplugMemory::deviceId).toList(), "memory device_id");
    if (hotplugged.memory().size() > slots || memoryMib + pluggedMib > maxMemoryMib) {
      throw ApiException.invalid("hot-plugged memory exceeds memory_slots or max_memory_mib");
    }
    return hotplugged;
  }

  /** JSON {@code [null]} is a list with a null element; refused here rather than as a 500. */
  private static void noNulls(List<?> values, String what) {
    if (values.stream().anyMatch(v -> v == null)) {
      throw ApiException.invalid(what + " must not contain null");
    }
  }

  private static void unique(List<?> values, String what) {
    if (Set.copyOf(values).size() != values.size()) {
      throw ApiException.invalid("duplicate " + what);
    }
  }
}
