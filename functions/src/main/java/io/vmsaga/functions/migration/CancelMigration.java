package io.vmsaga.functions.migration;

import io.vmsaga.functions.core.MigrationView;
import io.vmsaga.functions.core.Sagas;
import io.vmsaga.functions.core.VmLookup;
import io.vmsaga.functions.core.VmMapper;
import io.vmsaga.functions.core.VmRequest;
import io.vmsaga.functions.web.Replies;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /cancelMigration}: asks the VM's running migration to stop before its pivot. The saga
 * itself cancels (the polling step passes it to QEMU, which settles cancel against completion) and
 * rolls back: nothing stays on the target and the VM keeps running on its source. Past the pivot:
 * 409.
 */
@Component("cancelMigration")
public class CancelMigration implements Function<Message<VmRequest>, Message<?>> {
  private final VmLookup lookup;
  private final VmMapper vms;
  private final MigrationMapper rows;
  private final Sagas sagas;
  private final Moves moves;

  public CancelMigration(
      VmLookup lookup, VmMapper vms, MigrationMapper rows, Sagas sagas, Moves moves) {
    this.lookup = lookup;
    this.vms = vms;
    this.rows = rows;
    this.sagas = sagas;
    this.moves = moves;
  }

  @Override
  public Message<?> apply(Message<VmRequest> message) {
    return lookup.on(message, VmRequest.class, (request, caller, vm) -> cancel(request, vm));
  }

  private Message<?> cancel(VmRequest request, VmMapper.VmRow vm) {
    var migration = rows.latestOf(vm.id());
    if (migration == null
        || !migration.gid().equals(vm.ownerGid())
        || migration.outcome() != null) {
      return Replies.conflict("not_migrating", "the VM has no migration in progress");
    }
    if (rows.requestCancel(migration.gid(), "requested") == 0) {
      return rows.find(migration.gid()).pivoted()
          ? pastPivot(migration.targetNodeId())
          : Replies.conflict("not_migrating", "the VM has no migration in progress");
    }
    if (!request.awaitResult()) {
      return Replies.status(202, response(vm.id(), migration.gid(), "cancelling"));
    }
    String status = sagas.status(migration.gid(), true);
    return switch (status) {
      case "failed" -> Replies.ok(response(vm.id(), migration.gid(), "cancelled"));
      case "succeed" -> pastPivot(migration.targetNodeId());
      default -> Replies.status(202, response(vm.id(), migration.gid(), "cancelling"));
    };
  }

  private Moves.Response response(String vmId, String gid, String status) {
    var vm = vms.find(vmId);
    return new Moves.Response(
        vmId,
        gid,
        status,
        vm == null ? null : vm.nodeId(),
        MigrationView.of(rows.find(gid)),
        sagas.adminUrl(gid));
  }

  private static Message<?> pastPivot(String targetNodeId) {
    return Replies.conflict(
        "past_pivot",
        "the migration passed its pivot: the VM runs on "
            + targetNodeId
            + " and the move can only finish");
  }
}
