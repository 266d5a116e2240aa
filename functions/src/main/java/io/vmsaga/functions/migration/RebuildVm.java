package io.vmsaga.functions.migration;

import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.api.VmDisk;
import io.vmsaga.agent.api.VmNic;
import io.vmsaga.functions.core.VmMapper;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Defines the VM on the target from its records — the source's definition died with its node — and
 * boots it there if it ran: same shared disks (root first, then the attached data disks), same MACs
 * (so the same addresses), the cidata CD-ROM rebuilt from the kept documents, the current vCPUs and
 * memory. The switch of an evacuation, recorded as its pivot.
 */
@Component("rebuildVm")
public class RebuildVm implements Function<Message<MigrationStep>, Message<?>> {
  private final Branches branches;
  private final VmMapper vms;
  private final TargetSide targetSide;
  private final Migrations migrations;

  public RebuildVm(Branches branches, VmMapper vms, TargetSide targetSide, Migrations migrations) {
    this.branches = branches;
    this.vms = vms;
    this.targetSide = targetSide;
    this.migrations = migrations;
  }

  @Override
  public Message<?> apply(Message<MigrationStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          var move = step.move();
          var switched = targetSide.switchTo(move, configOf(vms.find(move.vmId())), step.branch());
          migrations.markPivoted(step.branch().gid());
          return Replies.ok(switched);
        });
  }

  /** The definition as the VM's dead node had it, from the records (with the source's taps). */
  private VmConfig configOf(VmMapper.VmRow vm) {
    return new VmConfig(
            vm.name(),
            vm.vcpus(),
            vm.maxVcpus(),
            (long) vm.memoryMib(),
            (long) vm.maxMemoryMib(),
            vm.maxMemoryMib() > vm.memoryMib() ? 4 : 0,
            vms.disksOf(vm.id()).stream()
                .filter(VmMapper.DiskRow::attached)
                .map(d -> new VmDisk(d.pool(), d.id()))
                .toList(),
            vms.nicsOf(vm.id()).stream().map(n -> new VmNic(n.tap(), n.mac())).toList(),
            null)
        .withCidata(vm.imageId() != null);
  }
}
