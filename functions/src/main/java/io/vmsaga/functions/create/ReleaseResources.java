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
 * Gives back whatever quota and capacity the VM holds, and removes the {@code creating} record that
 * {@link ReserveResources} wrote: DTM does not call the compensations of steps that never started,
 * so each compensation undoes exactly what its own action did. Nothing held, nothing to do.
 */
@Component("releaseResources")
public class ReleaseResources implements Function<Message<VmStep>, Message<?>> {
  private final Branches branches;
  private final CapacityMapper capacity;
  private final VmMapper vms;

  public ReleaseResources(Branches branches, CapacityMapper capacity, VmMapper vms) {
    this.branches = branches;
    this.capacity = capacity;
    this.vms = vms;
  }

  @Override
  public Message<?> apply(Message<VmStep> call) {
    return branches.compensate(
        this,
        call,
        step -> {
          String vmId = step.vm().vmId();
          var released = capacity.release(vmId, r -> true);
          vms.deleteCreating(vmId, step.branch().gid());
          return Replies.ok(Map.of("released", released.size()));
        });
  }
}
