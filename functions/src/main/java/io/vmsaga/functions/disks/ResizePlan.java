package io.vmsaga.functions.disks;

import io.vmsaga.functions.dtm.BranchRef;
import io.vmsaga.functions.saga.Step;
import java.util.Map;

/**
 * One disk's growth: which disk of which VM, on which node's agent, from and to how many GiB, and
 * the state the VM keeps meanwhile (a running VM grows online, a stopped one offline).
 */
public record ResizePlan(
    String vmId,
    String tenantId,
    String nodeId,
    String diskId,
    String pool,
    int fromGib,
    int toGib,
    String vmState) {

  public int growthGib() {
    return toGib - fromGib;
  }

  public long toMib() {
    return toGib * 1024L;
  }

  /** The payload of every resizeDisk step. */
  public record ResizeStep(BranchRef branch, ResizePlan disk) implements Step {
    @Override
    public Map<String, String> logFields() {
      return Step.fields("vmId", disk.vmId(), "nodeId", disk.nodeId());
    }
  }
}
