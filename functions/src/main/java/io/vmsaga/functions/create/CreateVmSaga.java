package io.vmsaga.functions.create;

import io.vmsaga.functions.core.VmPlan;
import io.vmsaga.functions.core.VmStep;
import io.vmsaga.functions.dtm.Saga;
import java.time.Duration;

/**
 * createVm: every step with the compensation that undoes it (docs/design.md §5). A VM made from an
 * image gets the node's cached copy of it (local pool), an overlay disk and a cidata CD-ROM; a VM
 * without one has neither cache nor cidata step, and one on the shared pool no cache step.
 */
public final class CreateVmSaga {
  private CreateVmSaga() {}

  public static Saga of(String gid, VmPlan vm, Duration timeoutToFail) {
    return Saga.named("createVm", gid)
        .timeoutToFail(timeoutToFail)
        .step("reserveResources", "releaseResources", branch -> new VmStep(branch, vm))
        .stepIf(vm.cachesImage(), "cacheImage", "uncacheImage", branch -> new VmStep(branch, vm))
        .step("createDisk", "deleteDisk", branch -> new VmStep(branch, vm))
        .step("createNic", "deleteNic", branch -> new VmStep(branch, vm))
        .stepIf(vm.bootsImage(), "writeCidata", "deleteCidata", branch -> new VmStep(branch, vm))
        .step("writeVmConfig", "deleteVmConfig", branch -> new VmStep(branch, vm))
        .step("startQemu", "stopQemu", branch -> new VmStep(branch, vm))
        .step("verifyQmp", "detachQmp", branch -> new VmStep(branch, vm))
        .step("recordVmRunning", "removeVmRecord", branch -> new VmStep(branch, vm));
  }
}
