package io.vmsaga.functions.core;

import io.vmsaga.functions.core.VmMapper.VmRow;
import io.vmsaga.functions.dtm.Saga;
import io.vmsaga.functions.web.Replies;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * What a trigger does to run a saga on a VM it does not create: refuse while a live saga owns the
 * VM, take it for the new saga (one saga owns a VM at a time; it keeps its state), submit (giving
 * the VM back if DTM did not take it), and answer: 200 done, 202 under way, 409 with the failing
 * step's own reason.
 */
@Component
public class VmSagas {
  private static final Logger log = LoggerFactory.getLogger(VmSagas.class);

  /** The answer's body for the saga's status. */
  public interface Answer {
    Object of(String gid, String status, String dtmUrl);
  }

  private final VmMapper vms;
  private final Sagas sagas;

  public VmSagas(VmMapper vms, Sagas sagas) {
    this.vms = vms;
    this.sagas = sagas;
  }

  /** 409 {@code busy} while a live saga owns the VM, else null. */
  public Message<?> busy(VmRow vm) {
    return vm.ownerGid() != null && sagas.live(vm.ownerGid())
        ? Replies.conflict("busy", "VM is owned by saga " + vm.ownerGid())
        : null;
  }

  /**
   * Takes the VM for {@code saga}, submits it and answers; on failure the body carries the answer
   * under {@code key} and the failing step's reason, else {@code otherwise}.
   */
  public Message<?> run(
      VmRow vm,
      Saga saga,
      boolean awaitResult,
      Answer answer,
      String key,
      Replies.Error otherwise) {
    String gid = saga.gid();
    if (vms.claim(vm.id(), vm.tenantId(), gid, vm.state(), vm.ownerGid()) == 0) {
      return Replies.conflict("busy", "VM was just taken by another saga");
    }
    try {
      sagas.submit(saga);
    } catch (RuntimeException e) {
      vms.settle(vm.id(), gid, vm.state(), "failed");
      log.warn("{} of {}: submit failed, nothing changed", saga.actions().get(0), vm.id(), e);
      return Replies.unavailable("DTM did not take the saga; nothing was changed");
    }
    log.info("{} of {} submitted as saga {}", saga.actions().get(0), vm.id(), gid);
    String status = sagas.status(gid, awaitResult);
    Object response = answer.of(gid, status, sagas.adminUrl(gid));
    return Sagas.reply(status, response, () -> sagas.failed(gid, otherwise, key, response));
  }
}
