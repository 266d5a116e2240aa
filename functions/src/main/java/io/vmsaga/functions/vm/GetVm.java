package io.vmsaga.functions.vm;

import io.vmsaga.functions.tenant.Tenants;
import io.vmsaga.functions.web.Check;
import io.vmsaga.functions.web.Inputs;
import io.vmsaga.functions.web.Replies;
import java.util.List;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** {@code POST /getVm}: the VM as recorded, with its disks, NICs, and the sagas that own and last touched it. */
@Component("getVm")
public class GetVm implements Function<Message<VmRequest>, Message<?>> {
    public record View(String vmId, String tenantId, String name, String nodeId, String state, int vcpus, int maxVcpus,
            int memoryMb, int maxMemoryMb, List<VmMapper.DiskRow> disks, List<VmMapper.NicRow> nics, String ownerGid,
            String lastGid, String lastOutcome, String dtmUrl) {
    }

    private final Tenants tenants;
    private final VmMapper vms;
    private final Sagas sagas;

    public GetVm(Tenants tenants, VmMapper vms, Sagas sagas) {
        this.tenants = tenants;
        this.vms = vms;
        this.sagas = sagas;
    }

    @Override
    public Message<?> apply(Message<VmRequest> message) {
        var caller = tenants.caller(message).orElse(null);
        if (caller == null) {
            return Replies.unauthorized();
        }
        VmRequest request = Inputs.typed(message, VmRequest.class).orElse(null);
        if (request == null) {
            return Inputs.malformed();
        }
        String vmId = request.vmId();
        Check check = new Check().matches(vmId, Check.ID, "vmId", true);
        if (check.failed()) {
            return check.reply();
        }
        var vm = vms.find(vmId);
        if (vm == null || !(vm.tenantId().equals(caller.id()) || caller.isAdmin())) {
            return Replies.notFound("VM");
        }
        String gid = vm.ownerGid() != null ? vm.ownerGid() : vm.lastGid();
        return Replies.ok(new View(vm.id(), vm.tenantId(), vm.name(), vm.nodeId(), vm.state(), vm.vcpus(),
                vm.maxVcpus(), vm.memoryMb(), vm.maxMemoryMb(), vms.disksOf(vmId), vms.nicsOf(vmId), vm.ownerGid(),
                vm.lastGid(), vm.lastOutcome(), gid == null ? null : sagas.adminUrl(gid)));
    }
}
