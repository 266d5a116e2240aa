package io.vmsaga.functions.assign;

import io.vmsaga.agent.api.VmNicInfo;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.dtm.BranchRef;
import org.springframework.stereotype.Component;

/**
 * The VM's NICs as its agent holds them, for the assignVm steps: plugged in by id (again: the same
 * answer), unplugged by id (gone already: success). The VM is stopped, so only its definition
 * changes; the old NIC plugged back in takes its old slot, so its PCI address is what it was.
 */
@Component
public class AssignNics {
  private final Agents agents;

  public AssignNics(Agents agents) {
    this.agents = agents;
  }

  /** Plugs the NIC in: the new one where the agent has room, the old one back in its slot. */
  public VmNicInfo plug(AssignPlan vm, AssignPlan.Nic nic, BranchRef branch) {
    return agents
        .on(vm.nodeId(), branch)
        .attachNic(
            vm.vmId(),
            agentIdOf(vm, nic),
            nic.tap(),
            nic.mac(),
            nic.equals(vm.oldNic()) ? vm.oldSlot() : null);
  }

  public void unplug(AssignPlan vm, AssignPlan.Nic nic, BranchRef branch) {
    agents.on(vm.nodeId(), branch).detachNic(vm.vmId(), agentIdOf(vm, nic));
  }

  private static String agentIdOf(AssignPlan vm, AssignPlan.Nic nic) {
    return nic.equals(vm.oldNic()) ? vm.oldAgentNicId() : nic.nicId();
  }
}
