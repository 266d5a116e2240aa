package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmsaga.functions.assign.AssignVmSaga;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * assignVm against Apache CloudStack's #10854 (a failure at the network step left VMs in the new
 * account): failed at each step, and at the network step by a crash, the VM keeps its owner, NIC,
 * address and both tenants their usage, field by field; a successful assign moves all of them.
 */
class AssignE2ETest {
  static final String ADMIN = env("VMSAGA_ADMIN_TOKEN");

  @AfterEach
  void deleteLeftovers() {
    deleteTestVms();
  }

  @Test
  void aFailedAssignChangesNothingAndASuccessfulOneMovesEverything() {
    Tenant from = newTenant(2, 2, 768, 10);
    Tenant to = newTenant(2, 2, 768, 10);
    int subnet = ThreadLocalRandom.current().nextInt(1, 250);
    String networkId = "net-a" + subnet;
    var made =
        call(
            "createNetwork",
            ADMIN,
            Map.of(
                "name",
                networkId,
                "networkId",
                networkId,
                "cidr",
                "10.82." + subnet + ".0/24",
                "tenantId",
                to.id(),
                "awaitResult",
                true));
    assertThat(made.status()).as(made.body().toString()).isEqualTo(200);
    var guest = new java.util.HashMap<>(vm("moving", "nodeId", "node-1", "imageId", tinyImage()));
    guest.put("memoryMib", 256);
    var created = call("createVm", from.token(), guest);
    assertThat(created.status()).as(created.body().toString()).isEqualTo(200);
    String vmId = created.text("vmId");
    assertThat(call("stopVm", from.token(), Map.of("vmId", vmId, "timeoutSeconds", 10)).status())
        .isEqualTo(200);
    Map<String, Object> assign =
        Map.of("vmId", vmId, "toTenantId", to.id(), "networkId", networkId, "awaitResult", true);

    var running = call("createVm", from.token(), vm("still-running"));
    var refused =
        call(
            "assignVm",
            ADMIN,
            Map.of("vmId", running.text("vmId"), "toTenantId", to.id(), "networkId", networkId));
    assertThat(refused.text("code")).isEqualTo("not_stopped");
    assertThat(call("assignVm", from.token(), assign).status()).as("admins only").isEqualTo(403);
    call("deleteVm", from.token(), Map.of("vmId", running.text("vmId"), "awaitResult", true));

    String oldAddress = strings("SELECT address FROM address WHERE vm_id = ?", vmId).get(0);
    List<String> before = snapshot(vmId, from, to, networkId);
    for (String step : AssignVmSaga.of("n", null, Duration.ofMinutes(1)).actions()) {
      var reply = call("assignVm", withFaults(ADMIN, Map.of(step, "fail"), null), "", assign);
      assertThat(reply.status()).as(step + ": " + reply.body()).isEqualTo(409);
      assertThat(snapshot(vmId, from, to, networkId))
          .as("after a failure at " + step)
          .isEqualTo(before);
    }
    // the network step dying after its effect, again and again, until the saga's timeout
    var crashed =
        call("assignVm", withFaults(ADMIN, Map.of("createTargetNic", "crash"), 5), "", assign);
    assertThat(crashed.status()).as(crashed.body().toString()).isEqualTo(409);
    assertThat(snapshot(vmId, from, to, networkId))
        .as("after the network step crashed")
        .isEqualTo(before);

    var moved = call("assignVm", ADMIN, assign);
    assertThat(moved.status()).as(moved.body().toString()).isEqualTo(200);
    String newNic = moved.text("nicId");
    assertThat(strings("SELECT tenant_id FROM vm WHERE id = ?", vmId)).containsExactly(to.id());
    assertThat(strings("SELECT CONCAT(id, ' ', network_id) FROM nic WHERE vm_id = ?", vmId))
        .containsExactly(newNic + " " + networkId);
    assertThat(strings("SELECT address FROM address WHERE vm_id = ?", vmId))
        .singleElement()
        .asString()
        .startsWith("10.82." + subnet + ".");
    assertThat(usage(from)).isEqualTo("0 0 0 0");
    assertThat(usage(to)).isEqualTo("1 1 256 1");
    String newTap = strings("SELECT tap FROM nic WHERE vm_id = ?", vmId).get(0);
    assertThat(agent("node-1").vmNics(vmId))
        .singleElement()
        .satisfies(n -> assertThat(n.tap()).isEqualTo(newTap));
    assertThat(call("getVm", from.token(), Map.of("vmId", vmId)).status()).isEqualTo(404);
    assertThat(call("getVm", to.token(), Map.of("vmId", vmId)).text("state")).isEqualTo("stopped");
    assertAccountingExact(from.id());
    assertAccountingExact(to.id());

    // the guest itself: it boots on the new network, at the new address, from the new namespace
    String newAddress = strings("SELECT address FROM address WHERE vm_id = ?", vmId).get(0);
    assertThat(call("startVm", to.token(), Map.of("vmId", vmId)).status()).isEqualTo(200);
    var status =
        GuestProbe.awaitReady(
            GuestProbe.namespaceOf(networkId), newAddress, Duration.ofSeconds(90));
    assertThat(status.path("addresses").toString()).contains(newAddress + "/24");
    assertThat(GuestProbe.status(oldAddress)).as("not on the old network").isEmpty();
    assertThat(call("deleteVm", to.token(), Map.of("vmId", vmId, "awaitResult", true)).status())
        .isEqualTo(200);
    assertNothingLeft(vmId, to.id());
    assertThat(
            call("deleteNetwork", ADMIN, Map.of("networkId", networkId, "awaitResult", true))
                .status())
        .isEqualTo(200);
  }

  /** Everything an assignment touches, field by field, in both databases' and the node's words. */
  static List<String> snapshot(String vmId, Tenant from, Tenant to, String networkId) {
    List<String> facts = new ArrayList<>();
    facts.add("owner " + strings("SELECT tenant_id FROM vm WHERE id = ?", vmId));
    facts.add(
        "saga owner " + strings("SELECT COALESCE(owner_gid, '-') FROM vm WHERE id = ?", vmId));
    facts.add("state " + strings("SELECT state FROM vm WHERE id = ?", vmId));
    facts.add(
        "nics "
            + strings(
                "SELECT CONCAT_WS(' ', id, network_id, mac, tap) FROM nic WHERE vm_id = ?", vmId));
    facts.add(
        "addresses "
            + strings(
                "SELECT CONCAT(network_id, ' ', address) FROM address WHERE vm_id = ?", vmId));
    facts.add(
        "first-boot network "
            + strings("SELECT network_config FROM vm_cidata WHERE vm_id = ?", vmId));
    facts.add("from usage " + usage(from));
    facts.add("to usage " + usage(to));
    facts.add(
        "reservations "
            + strings(
                "SELECT CONCAT_WS(' ', tenant_id, state, vcpus, memory_mib, disk_gib, vm_count)"
                    + " FROM reservation WHERE vm_id = ? ORDER BY id",
                vmId));
    var nics = agent("node-1").vmNics(vmId);
    facts.add(
        "node nics "
            + nics.stream()
                .map(n -> n.nicId() + " " + n.tap() + " " + n.mac() + " " + n.slot())
                .toList());
    String oldTap = strings("SELECT tap FROM nic WHERE vm_id = ?", vmId).get(0);
    facts.add("old tap " + agent("node-1").getTap(oldTap).isPresent());
    facts.add(
        "taps on node "
            + strings("SELECT tap FROM nic WHERE vm_id = ?", vmId).stream()
                .map(t -> t + "=" + linkExists(t))
                .toList());
    String bridge = strings("SELECT bridge FROM network WHERE id = ?", networkId).get(0);
    facts.add("ports of the new network's bridge " + ports(bridge));
    assertAccountingExact(from.id());
    assertAccountingExact(to.id());
    return facts;
  }

  /** The interfaces plugged into a bridge (a new NIC's tap would be one). */
  static List<String> ports(String bridge) {
    try {
      Process ip = new ProcessBuilder("ip", "-o", "link", "show", "master", bridge).start();
      String out = new String(ip.getInputStream().readAllBytes());
      ip.waitFor();
      return out.lines().map(l -> l.split(":")[1].trim().split("@")[0]).sorted().toList();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String usage(Tenant tenant) {
    return strings(
            "SELECT CONCAT_WS(' ', used_vms, used_vcpus, used_memory_mib, used_disk_gib) FROM tenant"
                + " WHERE id = ?",
            tenant.id())
        .get(0);
  }
}
