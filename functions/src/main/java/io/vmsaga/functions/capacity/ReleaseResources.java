package io.vmsaga.functions.capacity;

import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.vm.VmStep;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** Gives back whatever quota and capacity the VM holds; nothing held, nothing to do. */
@Component("releaseResources")
public class ReleaseResources implements Function<Message<VmStep>, Message<?>> {
    private final Branches branches;
    private final CapacityMapper capacity;

    public ReleaseResources(Branches branches, CapacityMapper capacity) {
        this.branches = branches;
        this.capacity = capacity;
    }

    @Override
    public Message<?> apply(Message<VmStep> call) {
        return branches.compensate(this, call, step -> {
            String vmId = step.vm().vmId();
            // lock order as everywhere: tenant, node, then the reservation rows
            var seen = capacity.reservationsOf(vmId);
            seen.forEach(r -> capacity.lockTenant(r.tenantId()));
            seen.forEach(r -> capacity.lockNode(r.nodeId()));
            var held = capacity.lockReservationsOf(vmId);
            for (var r : held) {
                capacity.moveTenantUsage(r.tenantId(), -1, r.vcpus(), r.memoryMb());
                capacity.moveNodeCommitment(r.nodeId(), -1, r.vcpus(), r.memoryMb());
                capacity.delete(r.id());
            }
            return Replies.ok(Map.of("released", held.size()));
        });
    }
}
