package io.vmsaga.functions.disks;

import io.vmsaga.functions.core.VmMapper.VmRow;
import io.vmsaga.functions.core.VmSagas;
import io.vmsaga.functions.dtm.Saga;
import io.vmsaga.functions.web.Replies;
import java.util.List;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** What resizeDisk, attachDisk and detachDisk share: the states a VM's disks change in, the run. */
@Component
public class DiskSagas {
  static final List<String> STATES = List.of("running", "stopped", "paused");

  private final VmSagas vmSagas;

  public DiskSagas(VmSagas vmSagas) {
    this.vmSagas = vmSagas;
  }

  /** Why the VM cannot take a disk saga now, or null. */
  public Message<?> refusal(VmRow vm) {
    if (!STATES.contains(vm.state())) {
      return Replies.conflict(
          "not_ready", "a VM that is " + vm.state() + " cannot change its disks");
    }
    return vmSagas.busy(vm);
  }

  public Message<?> run(VmRow vm, Saga saga, boolean awaitResult, VmSagas.Answer answer) {
    return vmSagas.run(
        vm,
        saga,
        awaitResult,
        answer,
        "disk",
        new Replies.Error("disk_failed", "rolled back; see dtmUrl"));
  }
}
