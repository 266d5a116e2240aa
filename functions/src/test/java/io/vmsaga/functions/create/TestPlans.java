package io.vmsaga.functions.create;

import io.vmsaga.functions.core.VmPlan;
import java.util.List;

/** Plans for tests that read the createVm saga's table, which depends on the VM. */
public final class TestPlans {
  private TestPlans() {}

  /** A VM that boots nothing, as {@code Stack.vm} asks for: neither cache nor cidata step. */
  public static VmPlan blank() {
    return plan(null, "local");
  }

  /** A VM from an image on its node's local pool: every step the table has. */
  public static VmPlan fromLocalImage() {
    return plan("img-0123456789abcdef", "local");
  }

  /** A VM from an image on the shared pool: cidata, but no cached copy on the node. */
  public static VmPlan fromSharedImage() {
    return plan("img-0123456789abcdef", "shared");
  }

  private static VmPlan plan(String imageId, String pool) {
    return new VmPlan(
        "vm-0123456789abcdef",
        "tenant-1",
        "plan",
        "node-1",
        1,
        1,
        128,
        128,
        0,
        new VmPlan.Disk("vm-0123456789abcdef-disk0", pool, 1),
        new VmPlan.Nic(
            "nic-0123456789abcdef", "default", "vmsaga0", "vt0123456789ab", "52:54:00:00:00:01"),
        imageId == null ? null : new VmPlan.Guest(imageId, "plan", List.of(), null));
  }
}
