package io.vmsaga.functions.create;

import io.vmsaga.functions.core.CapacityMapper;
import io.vmsaga.functions.core.VmMapper;
import io.vmsaga.functions.core.VmStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Records the VM as running with its disk and NIC, turns its reservation into a commitment and ends
 * the saga's ownership.
 */
@Component("recordVmRunning")
public class RecordVmRunning implements Function<Message<VmStep>, Message<?>> {
  private final Branches branches;
  private final VmMapper vms;
  private final CapacityMapper capacity;

  public RecordVmRunning(Branches branches, VmMapper vms, CapacityMapper capacity) {
    this.branches = branches;
    this.vms = vms;
    this.capacity = capacity;
  }

  @Override
  public Message<?> apply(Message<VmStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          var vm = step.vm();
          vms.insertDisk(vm.vmId(), vm.nodeId(), vm.disk(), vm.imageId());
          for (var data : vm.disks().subList(1, vm.disks().size())) {
            vms.insertDisk(vm.vmId(), vm.nodeId(), data, null);
          }
          vms.insertNic(vm.vmId(), vm.nic());
          capacity.commit(vm.vmId());
          if (vms.settle(vm.vmId(), step.branch().gid(), "running", "succeed") == 0) {
            return Replies.failure("not_owned", "the VM record is not owned by this saga");
          }
          return Replies.ok(Map.of("vmId", vm.vmId(), "state", "running"));
        });
  }
}
