package io.vmsaga.functions.create;

import io.vmsaga.functions.core.VmPlan;
import io.vmsaga.functions.core.VmStep;
import io.vmsaga.functions.dtm.Saga;
import java.time.Duration;

/** createVm: seven steps, each with the compensation that undoes it (docs/design.md §5). */
public final class CreateVmSaga {
  private CreateVmSaga() {}

  public static Saga of(String gid, VmPlan vm, Duration timeoutToFail) {
    return Saga.withGid(gid)
        .timeoutToFail(timeoutToFail)
        .step("reserveResources", "releaseResources", branch -> new VmStep(branch, vm))
        .step("createDisk", "deleteDisk", branch -> new VmStep(branch, vm))
        .step("createNic", "deleteNic", branch -> new VmStep(branch, vm))
        .step("writeVmConfig", "deleteVmConfig", branch -> new VmStep(branch, vm))
        .step("startQemu", "stopQemu", branch -> new VmStep(branch, vm))
        .step("verifyQmp", "detachQmp", branch -> new VmStep(branch, vm))
        .step("recordVmRunning", "removeVmRecord", branch -> new VmStep(branch, vm));
  }
}
