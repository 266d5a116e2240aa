package io.vmsaga.functions.disks;

import io.vmsaga.functions.dtm.BranchRef;
import io.vmsaga.functions.saga.Step;
import java.util.Map;

/**
 * A data disk plugged into a VM or out of it. {@code fresh}: attachDisk makes the disk (else it
 * plugs in one the VM kept detached); {@code delete}: detachDisk deletes it afterwards (else the VM
 * keeps it, detached). {@code vmState} is the state the VM keeps meanwhile.
 */
public record DataDiskPlan(
    String vmId,
    String tenantId,
    String nodeId,
    String diskId,
    String pool,
    int sizeGib,
    boolean fresh,
    boolean delete,
    String vmState) {

  /** The payload of every attachDisk and detachDisk step. */
  public record DataDiskStep(BranchRef branch, DataDiskPlan disk) implements Step {
    @Override
    public Map<String, String> logFields() {
      return Step.fields("vmId", disk.vmId(), "nodeId", disk.nodeId());
    }
  }
}
