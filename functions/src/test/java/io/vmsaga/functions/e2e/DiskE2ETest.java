package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmsaga.functions.disks.ResizeDiskSaga;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Disks grow through the resizeDisk saga, online or offline, as the guest itself sees; the disk
 * quota holds; a failed step leaves the disk, its record and the quota as they were, or (past the
 * pivot) all three at the new size.
 */
class DiskE2ETest {
  static final long GIB = 1024L * 1024 * 1024;
  static final Duration SEEN = Duration.ofSeconds(60);

  @AfterEach
  void deleteLeftovers() {
    deleteTestVms();
  }

  @Test
  void theGuestSeesItsDiskGrowRunningAndStopped() {
    Tenant tenant = newTenant(2, 4, 1024, 10);
    var guest = GuestE2ETest.boot(tenant, "grows", "node-1", false);
    assertThat(guest.status().path("disks").path("vda").asLong()).isEqualTo(GIB);
    String disk = guest.vmId() + "-disk0";

    var online = resize(tenant, guest.vmId(), 2);
    assertThat(online.status()).as(online.body().toString()).isEqualTo(200);
    GuestProbe.awaitStatus(
        guest.address(), SEEN, s -> s.path("disks").path("vda").asLong() == 2 * GIB);
    assertThat(diskGib(disk)).isEqualTo(2);

    var shrink = resize(tenant, guest.vmId(), 1);
    assertThat(shrink.status()).isEqualTo(400);
    assertThat(shrink.text("code")).isEqualTo("disk_shrink");
    assertThat(diskGib(disk)).isEqualTo(2);

    var stopped = call("stopVm", tenant.token(), Map.of("vmId", guest.vmId(), "mode", "shutdown"));
    assertThat(stopped.status()).as(stopped.body().toString()).isEqualTo(200);
    var offline = resize(tenant, guest.vmId(), 3);
    assertThat(offline.status()).as(offline.body().toString()).isEqualTo(200);
    assertThat(agent("node-1").getDisk("local", disk).orElseThrow().sizeMib()).isEqualTo(3072);
    assertThat(call("getVm", tenant.token(), Map.of("vmId", guest.vmId())).text("state"))
        .as("the VM keeps its state")
        .isEqualTo("stopped");
    assertThat(call("startVm", tenant.token(), Map.of("vmId", guest.vmId())).status())
        .isEqualTo(200);
    GuestProbe.awaitStatus(
        guest.address(), SEEN, s -> s.path("disks").path("vda").asLong() == 3 * GIB);

    var usage = call("getTenant", tenant.token(), Map.of()).body().path("usage");
    assertThat(usage.path("diskGib").asInt()).isEqualTo(3);
    assertAccountingExact(tenant.id());
  }

  @Test
  void growthBeyondTheDiskQuotaIsRefusedAndChangesNothing() {
    Tenant tenant = newTenant(2, 4, 1024, 2);
    String vmId = created(tenant, "quota");

    var refused = resize(tenant, vmId, 3);
    assertThat(refused.status()).as(refused.body().toString()).isEqualTo(409);
    assertThat(refused.text("code")).isEqualTo("quota_exceeded");
    assertUnchanged(tenant, vmId, 1);
  }

  @Test
  void aResizeFailedAtEachStepEndsWhollyBeforeOrWhollyAfter() {
    Tenant tenant = newTenant(2, 4, 1024, 20);
    String vmId = created(tenant, "faults");
    int size = 1;
    var saga = ResizeDiskSaga.of("n", null, Duration.ofMinutes(1));
    for (int step = 0; step < saga.actions().size(); step++) {
      String action = saga.actions().get(step);
      boolean pastPivot = step >= Integer.parseInt(saga.pivotBranchId());
      var reply =
          call(
              "resizeDisk",
              withFaults(tenant.token(), Map.of(action, "fail"), null),
              "",
              Map.of("vmId", vmId, "sizeGib", size + 1, "awaitResult", true));
      assertThat(reply.status()).as(action + ": " + reply.body()).isEqualTo(409);
      if (pastPivot) {
        size++;
      }
      assertUnchanged(tenant, vmId, size);
    }
  }

  static Stack.Reply resize(Tenant tenant, String vmId, int sizeGib) {
    return call(
        "resizeDisk",
        tenant.token(),
        Map.of("vmId", vmId, "sizeGib", sizeGib, "awaitResult", true));
  }

  static String created(Tenant tenant, String name) {
    var created = call("createVm", tenant.token(), with(vm(name), "nodeId", "node-2"));
    assertThat(created.status()).as(created.body().toString()).isEqualTo(200);
    return created.text("vmId");
  }

  static long diskGib(String diskId) {
    return number("SELECT size_gib FROM disk WHERE id = ?", diskId);
  }

  /** Disk file, record and quota all at {@code sizeGib}; the VM running and owned by no saga. */
  static void assertUnchanged(Tenant tenant, String vmId, int sizeGib) {
    String disk = vmId + "-disk0";
    assertThat(diskGib(disk)).as("recorded size").isEqualTo(sizeGib);
    assertThat(agent("node-2").getDisk("local", disk).orElseThrow().sizeMib())
        .as("the disk's size")
        .isEqualTo(sizeGib * 1024L);
    var view = call("getVm", tenant.token(), Map.of("vmId", vmId)).body();
    assertThat(view.path("state").asString()).isEqualTo("running");
    assertThat(view.path("ownerGid").isNull() || view.path("ownerGid").isMissingNode())
        .as("owned by no saga: " + view)
        .isTrue();
    assertThat(
            call("getTenant", tenant.token(), Map.of())
                .body()
                .path("usage")
                .path("diskGib")
                .asInt())
        .isEqualTo(sizeGib);
    assertAccountingExact(tenant.id());
  }
}
