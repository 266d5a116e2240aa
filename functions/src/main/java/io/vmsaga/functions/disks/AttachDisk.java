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
import java.util.regex.Pattern;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /attachDisk} {@code {vmId, sizeGib, pool?, awaitResult?}} makes a blank data disk and
 * plugs it into the VM, running (the guest sees it at once) or stopped; {@code {vmId, diskId}}
 * plugs in again a disk the VM kept detached. The attachDisk saga; at most {@value #MAX_DISKS}
 * disks a VM.
 */
@Component("attachDisk")
public class AttachDisk implements Function<Message<AttachDisk.Request>, Message<?>> {
  static final Duration TIMEOUT_TO_FAIL = Duration.ofSeconds(60);

  /** The agent's PCI layout holds 16 disks: the root disk and 15 more. */
  static final int MAX_DISKS = 16;

  static final Pattern POOL = Pattern.compile("local|shared");

  public record Request(
      String vmId, Integer sizeGib, String pool, String diskId, boolean awaitResult)
      implements ForVm {}

  public record Response(String vmId, String diskId, String gid, String status, String dtmUrl) {}

  private final VmLookup lookup;
  private final VmMapper vms;
  private final Sagas sagas;
  private final DiskSagas diskSagas;

  public AttachDisk(VmLookup lookup, VmMapper vms, Sagas sagas, DiskSagas diskSagas) {
    this.lookup = lookup;
    this.vms = vms;
    this.sagas = sagas;
    this.diskSagas = diskSagas;
  }

  @Override
  public Message<?> apply(Message<Request> message) {
    return lookup.on(message, Request.class, (request, caller, vm) -> attach(request, vm));
  }

  private Message<?> attach(Request r, VmRow vm) {
    Check check =
        new Check()
            .matches(r.pool(), POOL, "pool", false)
            .matches(r.diskId(), Check.ID, "diskId", false)
            .require(
                (r.sizeGib() == null) != (r.diskId() == null),
                "give sizeGib for a new disk, or diskId for one the VM kept detached");
    if (r.sizeGib() != null) {
      check.range(r.sizeGib(), 1, ResizeDisk.MAX_GIB, "sizeGib");
    }
    if (check.failed()) {
      return check.reply();
    }
    Message<?> refused = diskSagas.refusal(vm);
    if (refused != null) {
      return refused;
    }
    var disks = vms.disksOf(vm.id());
    String gid = sagas.newGid();
    DataDiskPlan plan;
    if (r.diskId() != null) {
      var kept = disks.stream().filter(d -> d.id().equals(r.diskId())).findFirst().orElse(null);
      if (kept == null) {
        return Replies.notFound("disk");
      }
      if (kept.attached()) {
        return Replies.ok(new Response(vm.id(), kept.id(), null, "succeed", null));
      }
      plan =
          new DataDiskPlan(
              vm.id(),
              vm.tenantId(),
              vm.nodeId(),
              kept.id(),
              kept.pool(),
              kept.sizeGib(),
              false,
              false,
              vm.state());
    } else {
      if (disks.stream().filter(VmMapper.DiskRow::attached).count() >= MAX_DISKS) {
        return Replies.conflict("too_many_disks", "a VM has at most " + MAX_DISKS + " disks");
      }
      String rootPool =
          disks.stream()
              .filter(d -> d.id().equals(VmPlan.rootDiskId(vm.id())))
              .map(VmMapper.DiskRow::pool)
              .findFirst()
              .orElse("local");
      var disk =
          VmPlan.dataDiskFor(
              vm.id(), gid, "shared".equals(r.pool() == null ? rootPool : r.pool()), r.sizeGib());
      plan =
          new DataDiskPlan(
              vm.id(),
              vm.tenantId(),
              vm.nodeId(),
              disk.diskId(),
              disk.pool(),
              disk.sizeGib(),
              true,
              false,
              vm.state());
    }
    String diskId = plan.diskId();
    return diskSagas.run(
        vm,
        AttachDiskSaga.of(gid, plan, TIMEOUT_TO_FAIL),
        r.awaitResult(),
        (id, status, url) -> new Response(vm.id(), diskId, id, status, url));
  }
}
