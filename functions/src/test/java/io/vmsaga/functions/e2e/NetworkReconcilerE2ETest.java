package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The network reconciler on the real stack. A running guest's tap deleted by hand cuts it off; the
 * functions app's own schedule (every 30 s) mends it within one period, the same QEMU and the same
 * boot answer again. A NIC that cannot be mended (a link of the tap's name that is not a tap) flags
 * the VM degraded until it can.
 */
class NetworkReconcilerE2ETest {
  static final String ADMIN = env("VMSAGA_ADMIN_TOKEN");

  @AfterEach
  void deleteLeftovers() {
    deleteTestVms();
  }

  @Test
  void aTapDeletedByHandIsMendedWithinOnePeriodAndTheGuestAnswersAgain() throws Exception {
    var tenant = newTenant(2, 2, 1024);
    var guest = GuestE2ETest.boot(tenant, "reconciled", "node-1", false);
    String tap = tapOf(tenant, guest.vmId());
    long pid = processesMentioning(guest.vmId()).getFirst();
    String bootId = guest.status().path("bootId").asString();

    run("ip", "link", "del", "dev", tap);
    long deleted = System.nanoTime();
    // the link itself, not a probe of the guest: a probe waits long enough for the reconciler's
    // period to come round and mend it, which is what the test measures next
    assertThat(linkExists(tap)).as("cut off").isFalse();

    // no call here: the app's schedule finds and mends it (a period is 30 s, plus the sweep)
    var status = GuestProbe.awaitReady(guest.address(), Duration.ofSeconds(45));
    long mendedMs = (System.nanoTime() - deleted) / 1_000_000;
    System.out.printf("tap deleted by hand: the guest answered again %d ms later%n", mendedMs);

    assertThat(status.path("bootId").asString()).as("the same boot").isEqualTo(bootId);
    assertThat(processesMentioning(guest.vmId())).as("the same QEMU").containsExactly(pid);
    assertThat(
            strings(
                "SELECT CONCAT(found, ' ', outcome) FROM network_repair WHERE vm_id = ?",
                guest.vmId()))
        .containsExactly("missing repaired");
    assertThat(call("getVm", tenant.token(), Map.of("vmId", guest.vmId())).text("networkState"))
        .isEqualTo("ok");
    GuestE2ETest.delete(tenant, guest.vmId());
  }

  @Test
  void aNicThatCannotBeMendedFlagsTheVmDegradedUntilItIsWhole() throws Exception {
    var tenant = newTenant(2, 2, 1024);
    var created = call("createVm", tenant.token(), vm("degraded", "nodeId", "node-2"));
    assertThat(created.status()).as(created.body().toString()).isEqualTo(200);
    String vmId = created.text("vmId");
    String tap = tapOf(tenant, vmId);

    // a link of the tap's name that is not a tap (one end of a veth pair, no address): QEMU's
    // file cannot be attached to it
    run(
        "sh",
        "-c",
        "ip link del dev "
            + tap
            + " && ip link add "
            + tap
            + " type veth peer name vp"
            + tap.substring(2));
    try {
      var broken = call("reconcileNetworks", ADMIN, Map.of());
      assertThat(broken.status()).as(broken.body().toString()).isEqualTo(200);
      assertThat(broken.body().path("repairs").toString()).contains(vmId, "failed");
      assertThat(call("getVm", tenant.token(), Map.of("vmId", vmId)).text("networkState"))
          .isEqualTo("degraded");
    } finally {
      run("ip", "link", "del", "dev", tap);
    }

    var mended = call("reconcileNetworks", ADMIN, Map.of());
    assertThat(mended.body().path("repairs").toString()).contains(vmId, "repaired");
    assertThat(call("getVm", tenant.token(), Map.of("vmId", vmId)).text("networkState"))
        .isEqualTo("ok");
    assertThat(linkExists(tap)).isTrue();
    assertThat(agent("node-2").vmNics(vmId).getFirst().tapState()).isEqualTo("ok");
  }

  @Test
  void reconcilingIsForAdministrators() {
    var tenant = newTenant(1, 1, 128);
    assertThat(call("reconcileNetworks", tenant.token(), Map.of()).status()).isEqualTo(403);
    assertThat(call("reconcileNetworks", null, Map.of()).status()).isEqualTo(401);
  }

  static String tapOf(Tenant tenant, String vmId) {
    return call("getVm", tenant.token(), Map.of("vmId", vmId))
        .body()
        .path("nics")
        .get(0)
        .path("tap")
        .asString();
  }
}
