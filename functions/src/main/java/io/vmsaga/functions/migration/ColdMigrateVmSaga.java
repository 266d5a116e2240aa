package io.vmsaga.functions.migration;

import io.vmsaga.functions.dtm.Saga;
import java.time.Duration;

/**
 * Cold migration, for VMs with local disks: stop, copy the disks agent to agent, define and start
 * on the target. The pivot is startTargetVm; any failure before it leaves the VM on its source as
 * it was (running again if it ran), the steps after it only go forward.
 */
public final class ColdMigrateVmSaga {
  private ColdMigrateVmSaga() {}

  public static Saga of(String gid, MigrationPlan move, Duration timeoutToFail) {
    return Saga.named("coldMigrateVm", gid)
        .timeoutToFail(timeoutToFail)
        .step(
            "reserveMigrationTarget",
            "releaseMigrationTarget",
            branch -> new MigrationStep(branch, move))
        .step("stopSourceVm", "restartSourceVm", branch -> new MigrationStep(branch, move))
        .step("copyDisks", "deleteTargetDisks", branch -> new MigrationStep(branch, move))
        // the VM runs on the target; from here only forward
        .pivot("startTargetVm", "removeTargetVm", branch -> new MigrationStep(branch, move))
        .step("updateVmNode", "", branch -> new MigrationStep(branch, move))
        .step("cleanUpSource", "", branch -> new MigrationStep(branch, move))
        .step("releaseSourceReservation", "", branch -> new MigrationStep(branch, move));
  }
}
