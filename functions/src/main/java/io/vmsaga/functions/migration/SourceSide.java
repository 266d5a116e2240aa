package io.vmsaga.functions.migration;

import io.vmsaga.agent.api.VmAction;
import io.vmsaga.agent.client.AgentClient;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.ImageCache;
import io.vmsaga.functions.core.VmMapper;
import io.vmsaga.functions.dtm.BranchRef;
import org.springframework.stereotype.Component;

/**
 * Removes the VM from the node it left: its QEMU (paused in {@code postmigrate} after a live move,
 * stopped after a cold one), its config and cidata, its taps, its local disks (a cold move copied
 * them; shared disks stay, the target uses them) and the node's cached copy of its image when no
 * other VM there needs it. Each call is idempotent: what is gone already is success.
 */
@Component
public class SourceSide {
  private final Agents agents;
  private final VmMapper vms;
  private final ImageCache cache;

  public SourceSide(Agents agents, VmMapper vms, ImageCache cache) {
    this.agents = agents;
    this.vms = vms;
    this.cache = cache;
  }

  public void remove(MigrationPlan move, BranchRef branch) {
    AgentClient source = agents.on(move.sourceNodeId(), branch);
    // the VM runs on the target now: the source's copy goes, no guest shutdown
    source.action(move.vmId(), VmAction.of(VmAction.Action.DESTROY));
    source.deleteVm(move.vmId());
    move.nics().forEach(n -> source.deleteTap(n.sourceTap()));
    move.disks().stream()
        .filter(MigrationPlan.Disk::local)
        .forEach(d -> source.deleteDisk(d.pool(), d.diskId()));
    var vm = vms.find(move.vmId());
    if (vm != null && vm.imageId() != null) {
      cache.release(source, move.sourceNodeId(), vm.imageId(), vm.id());
    }
  }
}
