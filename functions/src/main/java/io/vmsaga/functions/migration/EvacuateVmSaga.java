package io.vmsaga.functions.migration;

import io.vmsaga.functions.dtm.Saga;
import java.time.Duration;

/**
 * Rebuilding a VM of a dead node on another one from its shared disks (evacuateNode): new QEMU,
 * same disks, same NIC identity and address. The target takes the VM's lease first, so the dead
 * node, should it come back, fences its copy instead of running it. The pivot is rebuildVm: the VM
 * runs on the target; from there only forward. There is no source step: the source is down.
 */
public final class EvacuateVmSaga {
  private EvacuateVmSaga() {}

  static final Duration TIMEOUT_TO_FAIL = Duration.ofMinutes(10);

  public static Saga of(String gid, MigrationPlan move, Duration timeoutToFail) {
    return Saga.named("evacuateVm", gid)
        .timeoutToFail(timeoutToFail)
        .step(
            "reserveMigrationTarget",
            "releaseMigrationTarget",
            branch -> new MigrationStep(branch, move))
        .step("takeVmLease", "releaseVmLease", branch -> new MigrationStep(branch, move))
        // the VM runs on the target; from here only forward
        .pivot("rebuildVm", "removeTargetVm", branch -> new MigrationStep(branch, move))
        .step("updateVmNode", "", branch -> new MigrationStep(branch, move))
        .step("releaseSourceReservation", "", branch -> new MigrationStep(branch, move));
  }
}
