package io.vmsaga.functions.disks;

import io.vmsaga.functions.disks.ResizePlan.ResizeStep;
import io.vmsaga.functions.dtm.Saga;
import java.time.Duration;

/**
 * resizeDisk: the growth held against the tenant's disk quota ↔ released (or, if the disk did grow,
 * recorded: a disk cannot shrink back); PIVOT the disk grown by its agent — QMP block_resize on a
 * running VM, qemu-img resize on a stopped one — ↔ nothing to undo, but a late grow is barred; the
 * new size recorded and the VM released. The pool's free space is checked by the agent under its
 * pool lock, at the pivot itself.
 */
public final class ResizeDiskSaga {
  private ResizeDiskSaga() {}

  public static Saga of(String gid, ResizePlan disk, Duration timeoutToFail) {
    return Saga.named("resizeDisk", gid)
        .timeoutToFail(timeoutToFail)
        .step("reserveDiskGrowth", "releaseDiskGrowth", branch -> new ResizeStep(branch, disk))
        .pivot("growDisk", "keepDiskSize", branch -> new ResizeStep(branch, disk))
        .step("recordDiskSize", "", branch -> new ResizeStep(branch, disk));
  }
}
