package io.vmsaga.functions.migration;

import io.vmsaga.agent.api.MigrationParameters;
import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.api.VmNic;
import io.vmsaga.functions.core.Sha256;
import java.util.List;

/**
 * Everything the steps of a move (live or cold migration) need, decided by the trigger before the
 * saga is submitted. Taps are node-local names: the target gets its own, derived from the VM and
 * the node, because QEMU on the target must open a tap while the source's is still in use.
 */
public record MigrationPlan(
    String vmId,
    String tenantId,
    String kind,
    String sourceNodeId,
    String targetNodeId,
    String targetHost,
    Integer incomingPort,
    int vcpus,
    int memoryMib,
    boolean wasRunning,
    List<Disk> disks,
    List<Nic> nics,
    MigrationParameters parameters) {

  public static final String LIVE = "live";
  public static final String COLD = "cold";

  /** A rebuild on another node from shared disks, the source node down (evacuateNode). */
  public static final String EVACUATE = "evacuate";

  public record Disk(String diskId, String pool) {
    public boolean local() {
      return "local".equals(pool);
    }
  }

  public record Nic(String nicId, String bridge, String sourceTap, String targetTap) {}

  /**
   * The tap of a VM on a node it moved to; never the name it was created with, nor that of another
   * node.
   */
  public static String tapOn(String vmId, String nodeId) {
    return "vt" + Sha256.hex(vmId + "@" + nodeId).substring(0, 12);
  }

  /**
   * The VM's own definition (hot-plugged devices included), with this node's taps instead of the
   * source's.
   */
  public VmConfig configForTarget(VmConfig source) {
    List<VmNic> taps = source.nics().stream().map(n -> n.withTap(targetTapOf(n.tap()))).toList();
    return new VmConfig(
            source.name(),
            source.vcpus(),
            source.maxVcpus(),
            source.memoryMib(),
            source.maxMemoryMib(),
            source.memorySlots(),
            source.disks(),
            taps,
            source.hotplugged())
        .withCidata(Boolean.TRUE.equals(source.cidata()));
  }

  private String targetTapOf(String sourceTap) {
    return nics.stream()
        .filter(n -> n.sourceTap().equals(sourceTap))
        .map(Nic::targetTap)
        .findFirst()
        .orElseThrow(
            () -> new IllegalStateException("the source config has a tap the plan does not know"));
  }
}
