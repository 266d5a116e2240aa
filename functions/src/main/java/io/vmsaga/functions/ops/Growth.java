package io.vmsaga.functions.ops;

import io.vmsaga.functions.core.CapacityMapper;
import io.vmsaga.functions.core.VmMapper;
import io.vmsaga.functions.core.VmMapper.VmRow;
import io.vmsaga.functions.web.Replies;
import java.util.Optional;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Grows a running VM by hot-plug. Quota, node commitment, reservation and VM record move in one
 * local transaction that holds the tenant and node row locks while the agent plugs, so a refusal or
 * an agent failure leaves every counter as it was. Device ids name what they bring the VM to, so a
 * repeated request plugs nothing twice.
 */
@Component
public class Growth {
  private final CapacityMapper capacity;
  private final VmMapper vms;
  private final TransactionTemplate transaction;

  public Growth(CapacityMapper capacity, VmMapper vms, TransactionTemplate transaction) {
    this.capacity = capacity;
    this.vms = vms;
    this.transaction = transaction;
  }

  /**
   * Moves the VM to {@code vcpus}/{@code memoryMib} (never smaller), running {@code plug} for the
   * difference.
   */
  public Message<?> grow(DirectOps.Target target, int vcpus, int memoryMib, Runnable plug) {
    VmRow vm = target.vm();
    int moreVcpus = vcpus - vm.vcpus();
    int moreMemory = memoryMib - vm.memoryMib();
    if (moreVcpus < 0 || moreMemory < 0) {
      return Replies.conflict(
          "unplug_unsupported", "hot-unplug is not offered; stop the VM to shrink it");
    }
    if (vcpus > vm.maxVcpus() || memoryMib > vm.maxMemoryMib()) {
      return Replies.conflict(
          "beyond_headroom",
          "the VM was created with at most "
              + vm.maxVcpus()
              + " vCPUs and "
              + vm.maxMemoryMib()
              + " MiB");
    }
    if (moreVcpus == 0 && moreMemory == 0) {
      return Replies.ok(new VmStatusView(vm.id(), target.state(), vcpus, memoryMib));
    }
    return transaction.execute(
        tx -> {
          Optional<Message<?>> refusal = refusal(vm, moreVcpus, moreMemory);
          if (refusal.isPresent()) {
            return refusal.get();
          }
          capacity.moveTenantUsage(vm.tenantId(), 0, moreVcpus, moreMemory, 0);
          capacity.moveNodeCommitment(vm.nodeId(), moreVcpus, moreMemory);
          capacity.grow(vm.id(), moreVcpus, moreMemory);
          vms.resize(vm.id(), vcpus, memoryMib);
          plug.run();
          return Replies.ok(new VmStatusView(vm.id(), target.state(), vcpus, memoryMib));
        });
  }

  private Optional<Message<?>> refusal(VmRow vm, int moreVcpus, int moreMemory) {
    var tenant = capacity.lockTenant(vm.tenantId());
    var node = capacity.lockNode(vm.nodeId());
    if (!tenant.fitsMore(moreVcpus, moreMemory, 0)) {
      return Optional.of(
          Replies.conflict("quota_exceeded", "the tenant's quota has no room for this"));
    }
    if (!node.fits(moreVcpus, moreMemory)) {
      return Optional.of(Replies.conflict("no_capacity", "the VM's node has no room for this"));
    }
    return Optional.empty();
  }
}
