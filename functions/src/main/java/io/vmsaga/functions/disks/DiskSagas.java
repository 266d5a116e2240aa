package io.vmsaga.functions.disks;

import io.vmsaga.functions.core.Sagas;
import io.vmsaga.functions.core.VmMapper;
import io.vmsaga.functions.core.VmMapper.VmRow;
import io.vmsaga.functions.dtm.Saga;
import io.vmsaga.functions.web.Replies;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * What resizeDisk, attachDisk and detachDisk share: the VM taken for the saga (one saga owns a VM
 * at a time; it keeps its state), the submit, and the answer (200 done, 202 under way, 409 with the
 * failing step's own reason).
 */
@Component
public class DiskSagas {
  private static final Logger log = LoggerFactory.getLogger(DiskSagas.class);
  static final List<String> STATES = List.of("running", "stopped", "paused");

  /** The answer's body for the saga's status. */
  public interface Answer {
    Object of(String gid, String status, String dtmUrl);
  }

  private final VmMapper vms;
  private final Sagas sagas;

  public DiskSagas(VmMapper vms, Sagas sagas) {
    this.vms = vms;
    this.sagas = sagas;
  }

  /** Why the VM cannot take a disk saga now, or null. */
  public Message<?> refusal(VmRow vm) {
    if (!STATES.contains(vm.state())) {
      return Replies.conflict(
          "not_ready", "a VM that is " + vm.state() + " cannot change its disks");
    }
    if (vm.ownerGid() != null && sagas.live(vm.ownerGid())) {
      return Replies.conflict("busy", "VM is owned by saga " + vm.ownerGid());
    }
    return null;
  }

  public Message<?> run(VmRow vm, Saga saga, boolean awaitResult, Answer answer) {
    String gid = saga.gid();
    if (vms.claim(vm.id(), vm.tenantId(), gid, vm.state(), vm.ownerGid()) == 0) {
      return Replies.conflict("busy", "VM was just taken by another saga");
    }
    try {
      sagas.submit(saga);
    } catch (RuntimeException e) {
      vms.settle(vm.id(), gid, vm.state(), "failed");
      log.warn("{} of {}: submit failed, nothing changed", saga.actions(), vm.id(), e);
      return Replies.unavailable("DTM did not take the saga; nothing was changed");
    }
    log.info("{} of {} submitted as saga {}", saga.actions().get(0), vm.id(), gid);
    String status = sagas.status(gid, awaitResult);
    Object response = answer.of(gid, status, sagas.adminUrl(gid));
    return Sagas.reply(
        status,
        response,
        () -> {
          var reason =
              sagas.failure(gid, new Replies.Error("disk_failed", "rolled back; see dtmUrl"));
          return Replies.status(
              409, Map.of("code", reason.code(), "message", reason.message(), "disk", response));
        });
  }
}
