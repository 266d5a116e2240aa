package io.vmsaga.functions.assign;

import io.vmsaga.functions.assign.AssignPlan.AssignStep;
import io.vmsaga.functions.dtm.Saga;
import java.time.Duration;

/**
 * assignVm, the operation CloudStack's #10854 got wrong (a network failure left VMs in the new
 * account): the new tenant's quota held ↔ released (and the VM given back); the new NIC's tap and
 * address on the new tenant's network ↔ removed; the new NIC plugged into the (stopped) VM ↔
 * unplugged; the old NIC unplugged ↔ plugged in again; the VM's first-boot network configuration
 * made for the new NIC ↔ the old one again; the owner and NIC records changed ↔ changed back; last,
 * forward only, the old tenant's quota released and the old tap and address removed. Whatever step
 * fails, the VM keeps its owner, NIC, address, and both tenants their usage.
 */
public final class AssignVmSaga {
  private AssignVmSaga() {}

  public static Saga of(String gid, AssignPlan vm, Duration timeoutToFail) {
    return Saga.named("assignVm", gid)
        .timeoutToFail(timeoutToFail)
        .step("reserveTargetQuota", "releaseTargetQuota", branch -> new AssignStep(branch, vm))
        .step("createTargetNic", "deleteTargetNic", branch -> new AssignStep(branch, vm))
        .step("plugTargetNic", "unplugTargetNic", branch -> new AssignStep(branch, vm))
        .step("unplugSourceNic", "replugSourceNic", branch -> new AssignStep(branch, vm))
        .step("rewriteCidata", "restoreCidata", branch -> new AssignStep(branch, vm))
        .step("changeOwner", "restoreOwner", branch -> new AssignStep(branch, vm))
        .step("releaseSourceQuota", "", branch -> new AssignStep(branch, vm));
  }
}
