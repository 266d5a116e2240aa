package io.vmsaga.functions.migration;

import io.vmsaga.functions.tenant.Tenants;
import io.vmsaga.functions.vm.Sagas;
import io.vmsaga.functions.vm.VmMapper;
import io.vmsaga.functions.vm.VmRequest;
import io.vmsaga.functions.web.Check;
import io.vmsaga.functions.web.Inputs;
import io.vmsaga.functions.web.Replies;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /cancelMigration}: asks the VM's running migration to stop before its pivot. The saga
 * itself cancels (the polling step passes it to QEMU, which settles cancel against completion) and rolls
 * back: nothing stays on the target and the VM keeps running on its source. Past the pivot: 409.
 */
@Component("cancelMigration")
public class CancelMigration implements Function<Message<VmRequest>, Message<?>> {
    private final Tenants tenants;
    private final VmMapper vms;
    private final MigrationMapper rows;
    private final Sagas sagas;
    private final Moves moves;

    public CancelMigration(Tenants tenants, VmMapper vms, MigrationMapper rows, Sagas sagas, Moves moves) {
        this.tenants = tenants;
        this.vms = vms;
        this.rows = rows;
        this.sagas = sagas;
        this.moves = moves;
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
        Check check = new Check().matches(request.vmId(), Check.ID, "vmId", true);
        if (check.failed()) {
            return check.reply();
        }
        var vm = vms.find(request.vmId());
        if (vm == null || !(vm.tenantId().equals(caller.id()) || caller.isAdmin())) {
            return Replies.notFound("VM");
        }
        var migration = rows.latestOf(vm.id());
        if (migration == null || !migration.gid().equals(vm.ownerGid()) || migration.outcome() != null) {
            return Replies.conflict("not_migrating", "the VM has no migration in progress");
        }
        if (rows.requestCancel(migration.gid(), "requested") == 0) {
            return rows.find(migration.gid()).pivoted() ? pastPivot(migration.targetNodeId())
                    : Replies.conflict("not_migrating", "the VM has no migration in progress");
        }
        if (!request.awaitResult()) {
            return Replies.status(202, response(vm.id(), migration.gid(), "cancelling"));
        }
        String status = sagas.await(migration.gid(), Moves.WAIT_AT_MOST).map(t -> t.status()).orElse("submitted");
        return switch (status) {
            case "failed" -> Replies.ok(response(vm.id(), migration.gid(), "cancelled"));
            case "succeed" -> pastPivot(migration.targetNodeId());
            default -> Replies.status(202, response(vm.id(), migration.gid(), "cancelling"));
        };
    }

    private Moves.Response response(String vmId, String gid, String status) {
        var vm = vms.find(vmId);
        return new Moves.Response(vmId, gid, status, vm == null ? null : vm.nodeId(), MigrationView.of(rows.find(gid)),
                sagas.adminUrl(gid));
    }

    private static Message<?> pastPivot(String targetNodeId) {
        return Replies.conflict("past_pivot",
                "the migration passed its pivot: the VM runs on " + targetNodeId + " and the move can only finish");
    }
}
