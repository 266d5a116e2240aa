package io.vmsaga.functions.disks;

import io.vmsaga.functions.disks.DataDiskPlan.DataDiskStep;
import io.vmsaga.functions.dtm.Saga;
import java.time.Duration;

/**
 * attachDisk: the disk's GiB held against the tenant's quota ↔ released (and the VM given back);
 * the disk made in its pool ↔ deleted; plugged into the VM (QMP blockdev-add + device_add on a
 * running VM, its definition otherwise) ↔ unplugged; recorded. A disk the VM kept detached is
 * neither held nor made again: only plugged and recorded.
 */
public final class AttachDiskSaga {
  private AttachDiskSaga() {}

  public static Saga of(String gid, DataDiskPlan disk, Duration timeoutToFail) {
    return Saga.named("attachDisk", gid)
        .timeoutToFail(timeoutToFail)
        .step("reserveDataDisk", "releaseDataDisk", branch -> new DataDiskStep(branch, disk))
        .step("createDataDisk", "deleteDataDisk", branch -> new DataDiskStep(branch, disk))
        .step("plugDisk", "unplugDisk", branch -> new DataDiskStep(branch, disk))
        .step("recordDataDisk", "", branch -> new DataDiskStep(branch, disk));
  }
}
