package io.vmsaga.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * The persisted definition of a VM, the source of truth for its QEMU command line. {@code vcpus} of
 * {@code max_vcpus} are present at boot; memory can grow by pc-dimms in {@code memory_slots} up to
 * {@code max_memory_mib}. {@code cidata: true} attaches the VM's NoCloud ISO as a CD-ROM.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VmConfig(
    String name,
    Integer vcpus,
    Integer maxVcpus,
    Long memoryMib,
    Long maxMemoryMib,
    Integer memorySlots,
    List<VmDisk> disks,
    List<VmNic> nics,
    Hotplugged hotplugged,
    Boolean cidata) {
  /** A VM without a cidata ISO. */
  public VmConfig(
      String name,
      Integer vcpus,
      Integer maxVcpus,
      Long memoryMib,
      Long maxMemoryMib,
      Integer memorySlots,
      List<VmDisk> disks,
      List<VmNic> nics,
      Hotplugged hotplugged) {
    this(
        name, vcpus, maxVcpus, memoryMib, maxMemoryMib, memorySlots, disks, nics, hotplugged, null);
  }

  /** The same config with these disks. */
  public VmConfig withDisks(List<VmDisk> disks) {
    return new VmConfig(
        name,
        vcpus,
        maxVcpus,
        memoryMib,
        maxMemoryMib,
        memorySlots,
        disks,
        nics,
        hotplugged,
        cidata);
  }

  /** The same config with these NICs. */
  public VmConfig withNics(List<VmNic> nics) {
    return new VmConfig(
        name,
        vcpus,
        maxVcpus,
        memoryMib,
        maxMemoryMib,
        memorySlots,
        disks,
        nics,
        hotplugged,
        cidata);
  }

  /** The same config with the VM's cidata ISO attached as a CD-ROM (true) or not (null). */
  public VmConfig withCidata(boolean attached) {
    return new VmConfig(
        name,
        vcpus,
        maxVcpus,
        memoryMib,
        maxMemoryMib,
        memorySlots,
        disks,
        nics,
        hotplugged,
        attached ? Boolean.TRUE : null);
  }
}
