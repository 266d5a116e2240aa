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
 * {@code POST /resizeDisk} {@code {vmId, diskId?, sizeGib, awaitResult?}}: grows one of the VM's
 * disks (the root disk by default) to {@code sizeGib}, running or stopped, through the resizeDisk
 * saga. A disk only grows: a smaller size is 400 {@code disk_shrink}, the same size answers at
 * once.
 */
@Component("resizeDisk")
public class ResizeDisk implements Function<Message<ResizeDisk.Request>, Message<?>> {
  static final Duration TIMEOUT_TO_FAIL = Duration.ofSeconds(60);
  static final int MAX_GIB = 16 * 1024;

  public record Request(String vmId, String diskId, Integer sizeGib, boolean awaitResult)
      implements ForVm {}

  public record Response(
      String vmId, String diskId, int sizeGib, String gid, String status, String dtmUrl) {}

  private final VmLookup lookup;
  private final VmMapper vms;
  private final Sagas sagas;
  private final DiskSagas diskSagas;

  public ResizeDisk(VmLookup lookup, VmMapper vms, Sagas sagas, DiskSagas diskSagas) {
    this.lookup = lookup;
    this.vms = vms;
    this.sagas = sagas;
    this.diskSagas = diskSagas;
  }

  @Override
  public Message<?> apply(Message<Request> message) {
    return lookup.on(message, Request.class, (request, caller, vm) -> resize(request, vm));
  }

  private Message<?> resize(Request r, VmRow vm) {
    Check check =
        new Check()
            .matches(r.diskId(), Check.ID, "diskId", false)
            .range(r.sizeGib(), 1, MAX_GIB, "sizeGib");
    if (check.failed()) {
      return check.reply();
    }
    String diskId = r.diskId() == null ? VmPlan.rootDiskId(vm.id()) : r.diskId();
    var disk = vms.disksOf(vm.id()).stream().filter(d -> d.id().equals(diskId)).findFirst();
    if (disk.isEmpty()) {
      return Replies.notFound("disk");
    }
    int fromGib = disk.get().sizeGib();
    if (r.sizeGib() < fromGib) {
      return Replies.status(
          400,
          new Replies.Error(
              "disk_shrink", "disks only grow: " + diskId + " has " + fromGib + " GiB"));
    }
    if (r.sizeGib() == fromGib) {
      return Replies.ok(new Response(vm.id(), diskId, fromGib, null, "succeed", null));
    }
    Message<?> refused = diskSagas.refusal(vm);
    if (refused != null) {
      return refused;
    }
    String gid = sagas.newGid();
    var plan =
        new ResizePlan(
            vm.id(),
            vm.tenantId(),
            vm.nodeId(),
            diskId,
            disk.get().pool(),
            fromGib,
            r.sizeGib(),
            vm.state());
    return diskSagas.run(
        vm,
        ResizeDiskSaga.of(gid, plan, TIMEOUT_TO_FAIL),
        r.awaitResult(),
        (id, status, url) -> new Response(vm.id(), diskId, r.sizeGib(), id, status, url));
  }
}
