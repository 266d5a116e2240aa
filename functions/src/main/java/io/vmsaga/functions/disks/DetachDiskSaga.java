package io.vmsaga.functions.disks;

import io.vmsaga.functions.disks.DataDiskPlan.DataDiskStep;
import io.vmsaga.functions.dtm.Saga;
import java.time.Duration;

/**
 * detachDisk: the disk unplugged from the VM (the guest releases it) ↔ plugged in again (and the VM
 * given back); PIVOT the disk's file deleted, unless the VM keeps it; the disk's record removed and
 * its GiB released, or marked detached.
 */
public final class DetachDiskSaga {
  private DetachDiskSaga() {}

  public static Saga of(String gid, DataDiskPlan disk, Duration timeoutToFail) {
    return Saga.named("detachDisk", gid)
        .timeoutToFail(timeoutToFail)
        .step("detachDataDisk", "reattachDataDisk", branch -> new DataDiskStep(branch, disk))
        .pivot("deleteDetachedDisk", "", branch -> new DataDiskStep(branch, disk))
        .step("recordDiskDetached", "", branch -> new DataDiskStep(branch, disk));
  }
}
