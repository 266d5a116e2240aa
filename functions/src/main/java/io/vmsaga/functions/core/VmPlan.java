package io.vmsaga.functions.core;

import java.util.List;

/**
 * Everything a VM saga needs to know about one VM, decided before the saga is submitted, so that
 * every step is a pure function of its payload. Names on the node (disk id, tap, MAC) derive from
 * the VM id.
 */
public record VmPlan(
    String vmId,
    String tenantId,
    String name,
    String nodeId,
    int vcpus,
    int maxVcpus,
    int memoryMib,
    int maxMemoryMib,
    int memorySlots,
    Disk disk,
    Nic nic,
    Guest guest,
    List<Disk> dataDisks) {

  /** A VM with no data disks. */
  public VmPlan(
      String vmId,
      String tenantId,
      String name,
      String nodeId,
      int vcpus,
      int maxVcpus,
      int memoryMib,
      int maxMemoryMib,
      int memorySlots,
      Disk disk,
      Nic nic,
      Guest guest) {
    this(
        vmId,
        tenantId,
        name,
        nodeId,
        vcpus,
        maxVcpus,
        memoryMib,
        maxMemoryMib,
        memorySlots,
        disk,
        nic,
        guest,
        List.of());
  }

  /** A VM that boots nothing: an empty disk, no first-boot configuration. */
  public VmPlan(
      String vmId,
      String tenantId,
      String name,
      String nodeId,
      int vcpus,
      int maxVcpus,
      int memoryMib,
      int maxMemoryMib,
      int memorySlots,
      Disk disk,
      Nic nic) {
    this(
        vmId,
        tenantId,
        name,
        nodeId,
        vcpus,
        maxVcpus,
        memoryMib,
        maxMemoryMib,
        memorySlots,
        disk,
        nic,
        null);
  }

  /**
   * What the VM boots and is told at first boot: the image its root disk is an overlay of, and the
   * NoCloud data (hostname, the user's keys and user-data) of its cidata CD-ROM.
   */
  public record Guest(
      String imageId, String hostname, List<String> sshAuthorizedKeys, String userData) {}

  /** The root disk first, then the data disks in the order the VM sees them. */
  public List<Disk> disks() {
    var all = new java.util.ArrayList<Disk>();
    all.add(disk);
    if (dataDisks != null) {
      all.addAll(dataDisks);
    }
    return all;
  }

  /** What the VM's disks count against its tenant's disk quota. */
  public int diskGib() {
    return disks().stream().mapToInt(Disk::sizeGib).sum();
  }

  public String imageId() {
    return guest == null ? null : guest.imageId();
  }

  /**
   * Boots an image: its disk is an overlay of it, and a cidata CD-ROM configures its first boot.
   */
  public boolean bootsImage() {
    return imageId() != null;
  }

  /** Needs the node's cached copy of its image: a root disk on the local pool made from one. */
  public boolean cachesImage() {
    return bootsImage() && disk.pool().equals("local");
  }

  public record Disk(String diskId, String pool, int sizeGib) {}

  public record Nic(String nicId, String networkId, String bridge, String tap, String mac) {}

  /** A VM id is the hash of the saga that creates it, so a resubmitted create names the same VM. */
  public static String vmIdFor(String createGid) {
    return "vm-" + Sha256.hex(createGid).substring(0, 16);
  }

  /** Tap names are at most 15 characters (IFNAMSIZ); MACs are locally administered and unicast. */
  public static Nic nicFor(String vmId, String networkId, String bridge) {
    String h = Sha256.hex(vmId);
    String mac =
        "52:54:00:" + h.substring(0, 2) + ":" + h.substring(2, 4) + ":" + h.substring(4, 6);
    return new Nic(vmId + "-nic0", networkId, bridge, "vt" + h.substring(0, 12), mac);
  }

  /** The root disk. */
  public static Disk diskFor(String vmId, boolean shared, int sizeGib) {
    return new Disk(rootDiskId(vmId), shared ? "shared" : "local", sizeGib);
  }

  public static String rootDiskId(String vmId) {
    return vmId + "-disk0";
  }

  /**
   * A data disk, named by the VM and what made it (its place in createVm, or attachDisk's saga).
   */
  public static Disk dataDiskFor(String vmId, String madeBy, boolean shared, int sizeGib) {
    return new Disk(
        vmId + "-data-" + Sha256.hex(madeBy).substring(0, 8), shared ? "shared" : "local", sizeGib);
  }
}
