package io.vmsaga.functions.vm;

import io.vmsaga.functions.migration.MigrationMapper;
import io.vmsaga.functions.migration.MigrationView;
import io.vmsaga.functions.tenant.Tenants;
import io.vmsaga.functions.web.Check;
import io.vmsaga.functions.web.Inputs;
import io.vmsaga.functions.web.Replies;
import java.util.List;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /getVm}: the VM as recorded, with its disks, NICs, the sagas that own and last touched it,
 * and its latest migration (progress while it runs, downtime and outcome once it ended).
 */
@Component("getVm")
public class GetVm implements Function<Message<VmRequest>, Message<?>> {
    public record View(String vmId, String tenantId, String name, String nodeId, String state, int vcpus, int maxVcpus,
            int memoryMb, int maxMemoryMb, List<VmMapper.DiskRow> disks, List<VmMapper.NicRow> nics, String ownerGid,
            String lastGid, String lastOutcome, String dtmUrl, MigrationView migration) {
    }

    private final Tenants tenants;
    private final VmMapper vms;
    private final Sagas sagas;
    private final MigrationMapper migrations;

    public GetVm(Tenants tenants, VmMapper vms, Sagas sagas, MigrationMapper migrations) {
        this.tenants = tenants;
        this.vms = vms;
        this.sagas = sagas;
        this.migrations = migrations;
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
                vm.lastGid(), vm.lastOutcome(), gid == null ? null : sagas.adminUrl(gid),
                MigrationView.of(migrations.latestOf(vmId))));
    }
}
