package io.vmsaga.functions.disks;

import io.vmsaga.functions.core.ForVm;
import io.vmsaga.functions.core.Sagas;
import io.vmsaga.functions.core.VmLookup;
import io.vmsaga.functions.core.VmMapper;
import io.vmsaga.functions.core.VmMapper.VmRow;
import io.vmsaga.functions.core.VmPlan;
import io.vmsaga.functions.web.Check;
import io.vmsaga.functions.web.Replies;
import java.time.Duration;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /detachDisk} {@code {vmId, diskId, delete?, awaitResult?}}: unplugs a data disk from
 * the VM (the guest releases it) and deletes it, or with {@code "delete": false} keeps it as the
 * VM's, detached. The root disk stays: 409 {@code root_disk}. The detachDisk saga.
 */
@Component("detachDisk")
public class DetachDisk implements Function<Message<DetachDisk.Request>, Message<?>> {
  static final Duration TIMEOUT_TO_FAIL = Duration.ofSeconds(60);

  public record Request(String vmId, String diskId, Boolean delete, boolean awaitResult)
      implements ForVm {}

  private final VmLookup lookup;
  private final VmMapper vms;
  private final Sagas sagas;
  private final DiskSagas diskSagas;

  public DetachDisk(VmLookup lookup, VmMapper vms, Sagas sagas, DiskSagas diskSagas) {
    this.lookup = lookup;
    this.vms = vms;
    this.sagas = sagas;
    this.diskSagas = diskSagas;
  }

  @Override
  public Message<?> apply(Message<Request> message) {
    return lookup.on(message, Request.class, (request, caller, vm) -> detach(request, vm));
  }

  private Message<?> detach(Request r, VmRow vm) {
    Check check = new Check().matches(r.diskId(), Check.ID, "diskId", true);
    if (check.failed()) {
      return check.reply();
    }
    var disk =
        vms.disksOf(vm.id()).stream()
            .filter(d -> d.id().equals(r.diskId()))
            .findFirst()
            .orElse(null);
    if (disk == null) {
      return Replies.notFound("disk");
    }
    if (disk.id().equals(VmPlan.rootDiskId(vm.id()))) {
      return Replies.conflict("root_disk", "the root disk cannot be detached");
    }
    boolean delete = r.delete() == null || r.delete();
    if (!disk.attached() && !delete) {
      return Replies.ok(new AttachDisk.Response(vm.id(), disk.id(), null, "succeed", null));
    }
    Message<?> refused = diskSagas.refusal(vm);
    if (refused != null) {
      return refused;
    }
    var plan =
        new DataDiskPlan(
            vm.id(),
            vm.tenantId(),
            vm.nodeId(),
            disk.id(),
            disk.pool(),
            disk.sizeGib(),
            false,
            delete,
            vm.state());
    return diskSagas.run(
        vm,
        DetachDiskSaga.of(sagas.newGid(), plan, TIMEOUT_TO_FAIL),
        r.awaitResult(),
        (id, status, url) -> new AttachDisk.Response(vm.id(), disk.id(), id, status, url));
  }
}
