package io.vmsaga.functions.assign;

import io.vmsaga.functions.core.CidataRecords;
import io.vmsaga.functions.core.Sha256;
import io.vmsaga.functions.core.VmPlan;
import io.vmsaga.functions.dtm.BranchRef;
import io.vmsaga.functions.saga.Step;
import java.util.Map;

/**
 * A VM moving from one tenant to another: what it holds (counted against the new tenant's quota,
 * then no longer against the old one's), its NIC now and the NIC it gets on the new tenant's
 * network, new tap, MAC and address. The new NIC's id names it in the agent too; the old one's name
 * there is {@code oldAgentNicId} (the agent names a VM's first NIC {@code nic0}).
 */
public record AssignPlan(
    String vmId,
    String fromTenantId,
    String toTenantId,
    String nodeId,
    int vcpus,
    int memoryMib,
    int diskGib,
    Nic oldNic,
    String oldAgentNicId,
    int oldSlot,
    Nic newNic,
    CidataRecords.Cidata oldCidata,
    String vmState) {

  public record Nic(String nicId, String networkId, String bridge, String tap, String mac) {
    VmPlan.Nic asPlanNic() {
      return new VmPlan.Nic(nicId, networkId, bridge, tap, mac);
    }
  }

  /** The NIC an assignment gives the VM: named by the VM and the saga, so never one in use. */
  public static Nic newNicFor(String vmId, String gid, String networkId, String bridge) {
    String h = Sha256.hex(vmId + "/" + gid);
    return new Nic(
        vmId + "-nic-" + h.substring(0, 6),
        networkId,
        bridge,
        "vt" + h.substring(0, 12),
        "52:54:00:" + h.substring(12, 14) + ":" + h.substring(14, 16) + ":" + h.substring(16, 18));
  }

  /** The payload of every assignVm step. */
  public record AssignStep(BranchRef branch, AssignPlan vm) implements Step {
    @Override
    public Map<String, String> logFields() {
      return Step.fields("vmId", vm.vmId(), "nodeId", vm.nodeId());
    }
  }
}
