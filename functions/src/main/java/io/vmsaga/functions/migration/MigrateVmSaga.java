package io.vmsaga.functions.migration;

import io.vmsaga.functions.dtm.Saga;
import java.time.Duration;

/**
 * Live migration over shared storage (docs/design.md §5). The pivot is QEMU's {@code completed},
 * seen by awaitMigration: the VM runs on the target and the source sits in {@code postmigrate}. The
 * steps after it have no compensation; should the saga still roll back past it (its timeout), the
 * compensations keep the VM where it runs and finish the move instead (see ReleaseMigrationTarget).
 */
public final class MigrateVmSaga {
  private MigrateVmSaga() {}

  public static Saga of(String gid, MigrationPlan move, Duration timeoutToFail) {
    return Saga.named("migrateVm", gid)
        .timeoutToFail(timeoutToFail)
        .step(
            "reserveMigrationTarget",
            "releaseMigrationTarget",
            branch -> new MigrationStep(branch, move))
        .step("verifySharedDisks", "", branch -> new MigrationStep(branch, move))
        // the source's parameters and the target's view of the disks need nothing of each other
        .alongside(
            "setMigrationParameters",
            "resetMigrationParameters",
            branch -> new MigrationStep(branch, move))
        .step("startMigration", "abortMigration", branch -> new MigrationStep(branch, move))
        // QEMU's "completed": the VM runs on the target; from here only forward
        .pivot("awaitMigration", "", branch -> new MigrationStep(branch, move))
        .step("updateVmNode", "", branch -> new MigrationStep(branch, move))
        .step("cleanUpSource", "", branch -> new MigrationStep(branch, move))
        .step("releaseSourceReservation", "", branch -> new MigrationStep(branch, move));
  }
}
