package io.vmsaga.functions.create;

import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.api.VmDisk;
import io.vmsaga.agent.api.VmNic;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.VmPlan;
import io.vmsaga.functions.core.VmStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.List;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Persists the VM's QEMU definition on its node: the source of truth for every later QEMU start.
 */
@Component("writeVmConfig")
public class WriteVmConfig implements Function<Message<VmStep>, Message<?>> {
  private final Branches branches;
  private final Agents agents;

  public WriteVmConfig(Branches branches, Agents agents) {
    this.branches = branches;
    this.agents = agents;
  }

  @Override
  public Message<?> apply(Message<VmStep> call) {
    return branches.action(
        this,
        call,
        step ->
            Replies.ok(
                agents
                    .on(step.vm().nodeId(), step.branch())
                    .putVm(step.vm().vmId(), configOf(step.vm()))));
  }

  static VmConfig configOf(VmPlan vm) {
    return new VmConfig(
            vm.name(),
            vm.vcpus(),
            vm.maxVcpus(),
            (long) vm.memoryMib(),
            (long) vm.maxMemoryMib(),
            vm.memorySlots(),
            // in order: the root disk in slot 0, the data disks in slots 1, 2, …
            vm.disks().stream().map(d -> new VmDisk(d.pool(), d.diskId())).toList(),
            List.of(new VmNic(vm.nic().tap(), vm.nic().mac())),
            null)
        // a VM made from an image boots with its cidata CD-ROM (writeCidata made it)
        .withCidata(vm.imageId() != null);
  }
}
