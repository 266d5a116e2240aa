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
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
  private static final Logger log = LoggerFactory.getLogger(ResizeDisk.class);

  public record Request(String vmId, String diskId, Integer sizeGib, boolean awaitResult)
      implements ForVm {}

  public record Response(
      String vmId, String diskId, int sizeGib, String gid, String status, String dtmUrl) {}

  private final VmLookup lookup;
  private final VmMapper vms;
  private final Sagas sagas;

  public ResizeDisk(VmLookup lookup, VmMapper vms, Sagas sagas) {
    this.lookup = lookup;
    this.vms = vms;
    this.sagas = sagas;
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
    String diskId = r.diskId() == null ? VmPlan.diskFor(vm.id(), false, 1).diskId() : r.diskId();
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
    if (!List.of("running", "stopped", "paused").contains(vm.state())) {
      return Replies.conflict("not_resizable", "a VM that is " + vm.state() + " cannot resize");
    }
    if (vm.ownerGid() != null && sagas.live(vm.ownerGid())) {
      return Replies.conflict("busy", "VM is owned by saga " + vm.ownerGid());
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
    if (vms.claim(vm.id(), vm.tenantId(), gid, vm.state(), vm.ownerGid()) == 0) {
      return Replies.conflict("busy", "VM was just taken by another saga");
    }
    try {
      sagas.submit(ResizeDiskSaga.of(gid, plan, TIMEOUT_TO_FAIL));
    } catch (RuntimeException e) {
      vms.settle(vm.id(), gid, vm.state(), "failed");
      log.warn("resizeDisk of {}: submit failed, nothing changed", vm.id(), e);
      return Replies.unavailable("DTM did not take the saga; nothing was changed");
    }
    log.info(
        "resizeDisk {} of {}: {} -> {} GiB as saga {}", diskId, vm.id(), fromGib, r.sizeGib(), gid);
    String status = sagas.status(gid, r.awaitResult());
    var response = new Response(vm.id(), diskId, r.sizeGib(), gid, status, sagas.adminUrl(gid));
    return Sagas.reply(
        status,
        response,
        () -> {
          var reason =
              sagas.failure(
                  gid,
                  new Replies.Error("resize_failed", "the resize was rolled back; see dtmUrl"));
          return Replies.status(
              409, Map.of("code", reason.code(), "message", reason.message(), "disk", response));
        });
  }
}
