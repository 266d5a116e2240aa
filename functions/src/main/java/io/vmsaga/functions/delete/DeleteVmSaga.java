package io.vmsaga.functions.delete;

import io.vmsaga.functions.core.VmPlan;
import io.vmsaga.functions.core.VmStep;
import io.vmsaga.functions.dtm.Saga;
import java.time.Duration;

/**
 * deleteVm: the create saga's compensations, run forward. Nothing is compensated (the empty
 * compensation is DTM's "nothing to undo"): once QEMU is stopped the only way is on. If the saga
 * times out, the VM stays {@code deleting} and a new deleteVm takes it over, since its owner has
 * finished. The node's cached image is let go only by a VM that used it (a root disk on a local
 * pool made from an image).
 */
public final class DeleteVmSaga {
  private DeleteVmSaga() {}

  public static Saga of(String gid, VmPlan vm, Duration timeoutToFail) {
    return Saga.named("deleteVm", gid)
        .timeoutToFail(timeoutToFail)
        .step("stopQemu", "", branch -> new VmStep(branch, vm))
        .step("detachQmp", "", branch -> new VmStep(branch, vm))
        .step("deleteVmConfig", "", branch -> new VmStep(branch, vm))
        .step("deleteCidata", "", branch -> new VmStep(branch, vm))
        .step("deleteNic", "", branch -> new VmStep(branch, vm))
        .step("deleteDisk", "", branch -> new VmStep(branch, vm))
        .stepIf(vm.cachesImage(), "uncacheImage", "", branch -> new VmStep(branch, vm))
        .step("releaseResources", "", branch -> new VmStep(branch, vm))
        .step("removeVmRecord", "", branch -> new VmStep(branch, vm));
  }
}
