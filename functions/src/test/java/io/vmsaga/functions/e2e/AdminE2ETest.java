package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmsaga.functions.networks.CreateNetworkSaga;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Administration without SQL: tenants with their token and quota (disk included), networks made and
 * removed on every node by their sagas, refusals that change nothing.
 */
class AdminE2ETest {
  static final String ADMIN = env("VMSAGA_ADMIN_TOKEN");

  @AfterEach
  void deleteLeftovers() {
    deleteTestVms();
  }

  @Test
  void createTenantGivesATokenOnceAndRefusesWhatItCannotMake() {
    var created =
        call("createTenant", ADMIN, Map.of("name", "Acme Corp", "maxVms", 3, "maxDiskGib", 7));
    assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
    String id = created.text("tenantId");
    String token = created.text("token");
    assertThat(token).hasSize(40);
    assertThat(number("SELECT COUNT(*) FROM tenant WHERE api_key_sha256 LIKE ?", token))
        .as("the token itself is never stored")
        .isZero();

    var own = call("getTenant", token, Map.of());
    assertThat(own.status()).isEqualTo(200);
    assertThat(own.body().path("quota").path("maxVms").asInt()).isEqualTo(3);
    assertThat(own.body().path("quota").path("maxDiskGib").asInt()).isEqualTo(7);
    assertThat(own.body().path("quota").path("maxVcpus").asInt()).as("default").isEqualTo(16);

    long tenants = number("SELECT COUNT(*) FROM tenant");
    var again = call("createTenant", ADMIN, Map.of("tenantId", id, "name", "other"));
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.text("code")).isEqualTo("tenant_exists");
    assertThat(call("createTenant", token, Map.of("name", "mine")).status())
        .as("a tenant cannot make tenants")
        .isEqualTo(403);
    assertThat(call("setQuota", token, Map.of("tenantId", id, "maxVms", 99)).status())
        .isEqualTo(403);
    assertThat(call("getTenant", token, Map.of("tenantId", "admin")).status()).isEqualTo(403);
    for (var bad :
        List.<Map<String, Object>>of(
            Map.of("name", "x", "maxVms", -1),
            Map.of("name", "x", "tenantId", "../etc"),
            Map.of("name", ""),
            Map.of("name", "x", "maxDiskGib", "lots"))) {
      var refused = call("createTenant", ADMIN, bad);
      assertThat(refused.status()).as(bad.toString()).isEqualTo(400);
    }
    assertThat(call("setQuota", ADMIN, Map.of("tenantId", id)).status())
        .as("no limit given")
        .isEqualTo(400);
    assertThat(call("setQuota", ADMIN, Map.of("tenantId", "nobody", "maxVms", 1)).status())
        .isEqualTo(404);
    assertThat(number("SELECT COUNT(*) FROM tenant")).isEqualTo(tenants);
    assertThat(call("getTenant", ADMIN, Map.of("tenantId", id)).body().path("quota").toString())
        .isEqualTo(own.body().path("quota").toString());
  }

  @Test
  void diskQuotaCountsOnCreateAndSetQuotaMovesIt() {
    Tenant tenant = newTenant(5, 8, 4096, 2);

    var tooBig = call("createVm", tenant.token(), with(vm("big"), "diskGib", 3));
    assertThat(tooBig.status()).as(tooBig.body().toString()).isEqualTo(409);
    assertThat(tooBig.body().path("reason").path("code").asString()).isEqualTo("quota_exceeded");
    assertNothingLeft(tooBig.body().path("vm").path("vmId").asString(), tenant.id());

    var fits = call("createVm", tenant.token(), with(vm("fits"), "diskGib", 2));
    assertThat(fits.status()).as(fits.body().toString()).isEqualTo(200);
    var usage = call("getTenant", tenant.token(), Map.of()).body().path("usage");
    assertThat(usage.path("diskGib").asInt()).isEqualTo(2);
    assertThat(usage.path("vms").asInt()).isEqualTo(1);
    assertAccountingExact(tenant.id());

    var second = call("createVm", tenant.token(), with(vm("second"), "diskGib", 1));
    assertThat(second.body().path("reason").path("code").asString()).isEqualTo("quota_exceeded");

    var raised = call("setQuota", ADMIN, Map.of("tenantId", tenant.id(), "maxDiskGib", 3));
    assertThat(raised.status()).isEqualTo(200);
    assertThat(raised.body().path("quota").path("maxDiskGib").asInt()).isEqualTo(3);
    assertThat(raised.body().path("quota").path("maxVms").asInt()).as("kept").isEqualTo(5);
    var third = call("createVm", tenant.token(), with(vm("third"), "diskGib", 1));
    assertThat(third.status()).as(third.body().toString()).isEqualTo(200);
    assertAccountingExact(tenant.id());
  }

  @Test
  void aTenantNetworkIsMadeOnEveryNodeUsedByItsGuestsAndRemovedWhenFree() throws Exception {
    Tenant owner = newTenant(3, 4, 2048);
    Tenant other = newTenant(3, 4, 2048);
    int subnet = ThreadLocalRandom.current().nextInt(100, 250);
    String networkId = "net-t" + subnet;
    String cidr = "10.79." + subnet + ".0/24";
    var made =
        call(
            "createNetwork",
            ADMIN,
            Map.of(
                "name", networkId,
                "networkId", networkId,
                "cidr", cidr,
                "tenantId", owner.id(),
                "awaitResult", true));
    assertThat(made.status()).as(made.body().toString()).isEqualTo(200);
    for (String node : NODES) {
      assertThat(agent(node).getNetwork(networkId)).as("network on " + node).isPresent();
    }
    assertThat(namespaces()).contains(GuestProbe.namespaceOf(networkId));
    assertThat(visibleNetworks(owner)).contains(networkId, "default");
    assertThat(visibleNetworks(other)).doesNotContain(networkId).contains("default");

    var overlapping =
        call(
            "createNetwork",
            ADMIN,
            Map.of("name", "overlap-" + subnet, "cidr", "10.79." + subnet + ".128/25"));
    assertThat(overlapping.text("code")).isEqualTo("cidr_overlap");
    assertThat(call("createNetwork", ADMIN, Map.of("name", "x", "cidr", "10.0.0.0/8")).status())
        .as("too large a network")
        .isEqualTo(400);
    assertThat(call("createNetwork", owner.token(), Map.of("name", "mine")).status())
        .isEqualTo(403);
    assertThat(
            call("createVm", other.token(), with(vm("intruder"), "networkId", networkId)).status())
        .isEqualTo(404);

    var guest = new HashMap<>(vm("on-own-net", "networkId", networkId, "imageId", tinyImage()));
    guest.put("memoryMib", 256);
    var created = call("createVm", owner.token(), guest);
    assertThat(created.status()).as(created.body().toString()).isEqualTo(200);
    String vmId = created.text("vmId");
    String address =
        call("getVm", owner.token(), Map.of("vmId", vmId))
            .body()
            .path("nics")
            .get(0)
            .path("address")
            .asString();
    assertThat(address).startsWith("10.79." + subnet + ".");
    var status =
        GuestProbe.awaitReady(GuestProbe.namespaceOf(networkId), address, Duration.ofSeconds(90));
    assertThat(status.path("addresses").toString()).contains(address + "/24");

    var inUse = call("deleteNetwork", ADMIN, Map.of("networkId", networkId, "awaitResult", true));
    assertThat(inUse.status()).isEqualTo(409);
    assertThat(inUse.text("code")).isEqualTo("network_in_use");
    assertThat(agent("node-1").getNetwork(networkId)).isPresent();

    assertThat(call("deleteVm", owner.token(), Map.of("vmId", vmId, "awaitResult", true)).status())
        .isEqualTo(200);
    var deleted = call("deleteNetwork", ADMIN, Map.of("networkId", networkId, "awaitResult", true));
    assertThat(deleted.status()).as(deleted.body().toString()).isEqualTo(200);
    assertNetworkGone(networkId);
    assertNothingLeft(vmId, owner.id());
  }

  @Test
  void createNetworkFailedAtEachStepLeavesNothing() throws Exception {
    for (String step : CreateNetworkSaga.of("n", null, Duration.ofMinutes(1)).actions()) {
      String networkId = "net-f" + ThreadLocalRandom.current().nextInt(1000, 9999);
      var reply =
          call(
              "createNetwork",
              withFaults(ADMIN, Map.of(step, "fail"), null),
              "",
              Map.of(
                  "name",
                  networkId,
                  "networkId",
                  networkId,
                  "cidr",
                  "10.80." + ThreadLocalRandom.current().nextInt(1, 250) + ".0/24",
                  "awaitResult",
                  true));
      assertThat(reply.status()).as(step + ": " + reply.body()).isEqualTo(409);
      assertThat(reply.text("code")).as(step).isEqualTo("injected_failure");
      assertNetworkGone(networkId);
    }
  }

  @Test
  void deleteNetworkStoppedMidWayIsFinishedByTheNextCall() throws Exception {
    String networkId = "net-d" + ThreadLocalRandom.current().nextInt(1000, 9999);
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
                "10.81." + ThreadLocalRandom.current().nextInt(1, 250) + ".0/24",
                "awaitResult",
                true));
    assertThat(made.status()).isEqualTo(200);

    var stopped =
        call(
            "deleteNetwork",
            withFaults(ADMIN, Map.of("deleteNetworkFromNodes", "fail"), null),
            "",
            Map.of("networkId", networkId, "awaitResult", true));
    assertThat(stopped.status()).as(stopped.body().toString()).isEqualTo(409);
    assertThat(strings("SELECT state FROM network WHERE id = ?", networkId))
        .as("past its first step a delete only goes forward")
        .containsExactly("deleting");
    assertThat(
            call("createVm", newTenant(1, 1, 256).token(), with(vm("late"), "networkId", networkId))
                .text("code"))
        .isEqualTo("network_not_ready");

    var finished =
        call("deleteNetwork", ADMIN, Map.of("networkId", networkId, "awaitResult", true));
    assertThat(finished.status()).as(finished.body().toString()).isEqualTo(200);
    assertNetworkGone(networkId);
  }

  static List<String> visibleNetworks(Tenant tenant) {
    var networks = call("listNetworks", tenant.token(), Map.of()).body().path("networks");
    var ids = new java.util.ArrayList<String>();
    networks.forEach(n -> ids.add(n.path("networkId").asString()));
    return ids;
  }

  static void assertNetworkGone(String networkId) throws IOException, InterruptedException {
    assertThat(number("SELECT COUNT(*) FROM network WHERE id = ?", networkId)).isZero();
    for (String node : NODES) {
      assertThat(agent(node).getNetwork(networkId)).as("network on " + node).isEmpty();
    }
    assertThat(namespaces()).doesNotContain(GuestProbe.namespaceOf(networkId));
  }

  static List<String> namespaces() throws IOException, InterruptedException {
    Process ip = new ProcessBuilder("ip", "netns", "list").start();
    String out = new String(ip.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    ip.waitFor();
    return out.lines().map(line -> line.split(" ")[0]).toList();
  }
}
