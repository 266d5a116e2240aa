package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmsaga.functions.disks.AttachDiskSaga;
import io.vmsaga.functions.disks.DetachDiskSaga;
import io.vmsaga.functions.disks.ResizeDiskSaga;
import java.time.Duration;
import java.util.List;
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

    var stopped = call("stopVm", tenant.token(), Map.of("vmId", guest.vmId()));
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

  @Test
  void dataDisksComeWithTheVmArePluggedInAndOutAndMoveWithIt() {
    Tenant tenant = newTenant(2, 4, 1024, 20);
    var guest =
        GuestE2ETest.boot(
            tenant, "data", "node-1", false, "dataDisks", List.of(Map.of("sizeGib", 1)));
    assertThat(guestDisks(guest.address())).containsEntry("vdb", GIB);
    String kept = onlyDataDisk(tenant, guest.vmId());

    var attached = attach(tenant, guest.vmId(), Map.of("sizeGib", 2));
    assertThat(attached.status()).as(attached.body().toString()).isEqualTo(200);
    String added = attached.text("diskId");
    GuestProbe.awaitStatus(guest.address(), SEEN, s -> disksOf(s).containsValue(2 * GIB));
    assertThat(usedDiskGib(tenant)).isEqualTo(4);

    var deleted = detach(tenant, guest.vmId(), added, true);
    assertThat(deleted.status()).as(deleted.body().toString()).isEqualTo(200);
    GuestProbe.awaitStatus(guest.address(), SEEN, s -> !disksOf(s).containsValue(2 * GIB));
    assertThat(agent("node-1").getDisk("local", added)).as("deleted").isEmpty();
    assertThat(usedDiskGib(tenant)).isEqualTo(2);

    var keptDetached = detach(tenant, guest.vmId(), kept, false);
    assertThat(keptDetached.status()).as(keptDetached.body().toString()).isEqualTo(200);
    GuestProbe.awaitStatus(guest.address(), SEEN, s -> disksOf(s).size() == 1);
    assertThat(agent("node-1").getDisk("local", kept)).as("kept").isPresent();
    assertThat(usedDiskGib(tenant)).as("a kept disk still counts").isEqualTo(2);
    assertThat(detach(tenant, guest.vmId(), guest.vmId() + "-disk0", true).text("code"))
        .isEqualTo("root_disk");

    var back = attach(tenant, guest.vmId(), Map.of("diskId", kept));
    assertThat(back.status()).as(back.body().toString()).isEqualTo(200);
    GuestProbe.awaitStatus(guest.address(), SEEN, s -> disksOf(s).containsValue(GIB));

    var moved =
        call(
            "coldMigrateVm",
            tenant.token(),
            Map.of("vmId", guest.vmId(), "targetNodeId", "node-2", "awaitResult", true));
    assertThat(moved.status()).as(moved.body().toString()).isEqualTo(200);
    var after = GuestProbe.awaitStatus(guest.address(), SEEN, s -> disksOf(s).size() == 2);
    assertThat(disksOf(after)).containsValue(GIB);
    assertThat(agent("node-2").getDisk("local", kept)).as("moved with the VM").isPresent();
    assertThat(agent("node-1").getDisk("local", kept)).as("gone from the source").isEmpty();
    assertAccountingExact(tenant.id());

    assertThat(
            call("deleteVm", tenant.token(), Map.of("vmId", guest.vmId(), "awaitResult", true))
                .status())
        .isEqualTo(200);
    assertNothingLeft(guest.vmId(), tenant.id());
    assertThat(usedDiskGib(tenant)).isZero();
  }

  @Test
  void aLiveMoveCarriesAHotPluggedSharedDiskWithoutTheGuestNoticing() {
    Tenant tenant = newTenant(2, 4, 1024, 20);
    var guest = GuestE2ETest.boot(tenant, "live-data", "node-1", true);
    var attached = attach(tenant, guest.vmId(), Map.of("sizeGib", 2, "pool", "shared"));
    assertThat(attached.status()).as(attached.body().toString()).isEqualTo(200);
    var before = GuestProbe.awaitStatus(guest.address(), SEEN, s -> disksOf(s).size() == 2);

    var moved =
        call(
            "migrateVm",
            tenant.token(),
            Map.of("vmId", guest.vmId(), "targetNodeId", "node-2", "awaitResult", true));
    assertThat(moved.status()).as(moved.body().toString()).isEqualTo(200);

    var after = GuestProbe.awaitStatus(guest.address(), SEEN, s -> true);
    assertThat(after.path("bootId").asString())
        .as("same boot")
        .isEqualTo(before.path("bootId").asString());
    assertThat(disksOf(after)).isEqualTo(disksOf(before)).containsValue(2 * GIB);
    assertThat(agent("node-2").vmDisks(guest.vmId())).hasSize(2).allMatch(d -> d.live());
    assertAccountingExact(tenant.id());
  }

  @Test
  void attachAndDetachFailedAtEachStepLeaveTheGuestsDisksAsTheyWere() {
    Tenant tenant = newTenant(2, 4, 1024, 20);
    var guest = GuestE2ETest.boot(tenant, "disk-faults", "node-2", false);
    var before = disksOf(guest.status());
    for (String action : AttachDiskSaga.of("n", null, Duration.ofMinutes(1)).actions()) {
      var reply =
          call(
              "attachDisk",
              withFaults(tenant.token(), Map.of(action, "fail"), null),
              "",
              Map.of("vmId", guest.vmId(), "sizeGib", 1, "awaitResult", true));
      assertThat(reply.status()).as(action + ": " + reply.body()).isEqualTo(409);
      GuestProbe.awaitStatus(guest.address(), SEEN, s -> disksOf(s).equals(before));
      assertThat(number("SELECT COUNT(*) FROM disk WHERE vm_id = ?", guest.vmId())).isEqualTo(1);
      assertThat(agent("node-2").vmDisks(guest.vmId())).as(action).hasSize(1);
      assertThat(usedDiskGib(tenant)).as(action).isEqualTo(1);
      assertAccountingExact(tenant.id());
    }
    var attached = attach(tenant, guest.vmId(), Map.of("sizeGib", 1));
    String diskId = attached.text("diskId");
    var withDisk = GuestProbe.awaitStatus(guest.address(), SEEN, s -> disksOf(s).size() == 2);
    var saga = DetachDiskSaga.of("n", null, Duration.ofMinutes(1));
    for (int step = 0; step < saga.actions().size(); step++) {
      String action = saga.actions().get(step);
      var reply =
          call(
              "detachDisk",
              withFaults(tenant.token(), Map.of(action, "fail"), null),
              "",
              Map.of("vmId", guest.vmId(), "diskId", diskId, "awaitResult", true));
      assertThat(reply.status()).as(action + ": " + reply.body()).isEqualTo(409);
      if (step < Integer.parseInt(saga.pivotBranchId())) {
        // before the pivot: rolled back, the disk plugged in again
        GuestProbe.awaitStatus(guest.address(), SEEN, s -> disksOf(s).equals(disksOf(withDisk)));
        assertThat(agent("node-2").getDisk("local", diskId)).as(action).isPresent();
        assertThat(usedDiskGib(tenant)).as(action).isEqualTo(2);
      } else {
        // past it: the detach was finished
        GuestProbe.awaitStatus(guest.address(), SEEN, s -> disksOf(s).equals(before));
        assertThat(agent("node-2").getDisk("local", diskId)).as(action).isEmpty();
        assertThat(number("SELECT COUNT(*) FROM disk WHERE id = ?", diskId)).isZero();
        assertThat(usedDiskGib(tenant)).as(action).isEqualTo(1);
      }
      var view = call("getVm", tenant.token(), Map.of("vmId", guest.vmId())).body();
      assertThat(view.path("ownerGid").isNull() || view.path("ownerGid").isMissingNode())
          .as(action + " leaves the VM owned by no saga: " + view)
          .isTrue();
      assertAccountingExact(tenant.id());
    }
  }

  static Stack.Reply attach(Tenant tenant, String vmId, Map<String, Object> disk) {
    var body = new java.util.HashMap<String, Object>(disk);
    body.put("vmId", vmId);
    body.put("awaitResult", true);
    return call("attachDisk", tenant.token(), body);
  }

  static Stack.Reply detach(Tenant tenant, String vmId, String diskId, boolean delete) {
    return call(
        "detachDisk",
        tenant.token(),
        Map.of("vmId", vmId, "diskId", diskId, "delete", delete, "awaitResult", true));
  }

  static String onlyDataDisk(Tenant tenant, String vmId) {
    return strings("SELECT id FROM disk WHERE vm_id = ? AND id <> ?", vmId, vmId + "-disk0").get(0);
  }

  static int usedDiskGib(Tenant tenant) {
    return call("getTenant", tenant.token(), Map.of()).body().path("usage").path("diskGib").asInt();
  }

  static Map<String, Long> guestDisks(String address) {
    return disksOf(GuestProbe.status(address).orElseThrow());
  }

  /** The guest's own view: block device name to bytes. */
  static Map<String, Long> disksOf(tools.jackson.databind.JsonNode status) {
    var disks = new java.util.TreeMap<String, Long>();
    status.path("disks").properties().forEach(e -> disks.put(e.getKey(), e.getValue().asLong()));
    return disks;
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
