package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad input gets a clear 4xx with a stable code and changes nothing. */
class BadInputE2ETest {
  @org.junit.jupiter.api.AfterEach
  void deleteLeftovers() {
    deleteTestVms();
  }

  static Tenant tenant;

  @BeforeAll
  static void tenant() {
    tenant = newTenant(5, 8, 4096);
  }

  static Stream<Arguments> badCreates() {
    return Stream.of(
        Arguments.of("name with path trick", vm("../x"), 400, "invalid"),
        Arguments.of("name with shell", vm("a;rm -rf /"), 400, "invalid"),
        Arguments.of("300-character name", vm("n".repeat(300)), 400, "invalid"),
        Arguments.of("zero vcpus", with(vm("z"), "vcpus", 0), 400, "invalid"),
        Arguments.of("negative memory", with(vm("z"), "memoryMib", -1), 400, "invalid"),
        Arguments.of("absurd disk", with(vm("z"), "diskGib", 1_000_000_000), 400, "invalid"),
        Arguments.of(
            "max below vcpus", with(with(vm("z"), "vcpus", 2), "maxVcpus", 1), 400, "invalid"),
        Arguments.of("unknown network", with(vm("z"), "networkId", "nope"), 404, "not_found"),
        Arguments.of("path trick network", with(vm("z"), "networkId", "../etc"), 400, "invalid"),
        Arguments.of("unknown node", with(vm("z"), "nodeId", "node-99"), 404, "not_found"),
        Arguments.of("another tenant", with(vm("z"), "tenantId", "admin"), 403, "forbidden"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badCreates")
  void createRefusesAndChangesNothing(
      String what, Map<String, Object> body, int status, String code) {
    var reply = call("createVm", tenant.token(), body);

    assertThat(reply.status()).as(reply.body().toString()).isEqualTo(status);
    assertThat(reply.text("code")).isEqualTo(code);
    assertThat(reply.body().toString()).doesNotContain("rm -rf").doesNotContain("../");
    assertNothingChanged();
  }

  @Test
  void malformedJsonIsRefused() {
    var reply = call("createVm", tenant.token(), "{\"name\": ");

    assertThat(reply.status()).isBetween(400, 499);
    assertNothingChanged();
  }

  @Test
  void callsWithoutAValidTokenAreRefused() {
    for (String function : new String[] {"createVm", "deleteVm", "getVm", "listVms", "listNodes"}) {
      assertThat(call(function, null, vm("x")).status()).as(function).isEqualTo(401);
      assertThat(call(function, "wrong", vm("x")).status()).as(function).isEqualTo(401);
    }
    assertNothingChanged();
  }

  @Test
  void unknownAndMalformedVmIds() {
    assertThat(call("getVm", tenant.token(), Map.of("vmId", "vm-0000000000000000")).text("code"))
        .isEqualTo("not_found");
    assertThat(call("deleteVm", tenant.token(), Map.of("vmId", "vm-0000000000000000")).status())
        .isEqualTo(404);
    assertThat(call("deleteVm", tenant.token(), Map.of("vmId", "../../x")).status()).isEqualTo(400);
    assertThat(call("getVm", tenant.token(), Map.of()).status()).isEqualTo(400);
  }

  @Test
  void listNodesIsForAdministrators() {
    assertThat(call("listNodes", tenant.token(), Map.of()).status()).isEqualTo(403);
    var nodes = call("listNodes", env("VMSAGA_ADMIN_TOKEN"), Map.of());
    assertThat(nodes.status()).isEqualTo(200);
    assertThat(nodes.body().path("nodes").findValuesAsString("id")).contains("node-1", "node-2");
  }

  @Test
  void stepFunctionsRefuseCallsWithoutTheBranchToken() {
    var reply =
        call(
            "reserveResources",
            null,
            "{\"branch\":{\"gid\":\"g\",\"branchId\":\"01\"},\"vm\":null}");

    assertThat(reply.status()).isEqualTo(401);
    assertNothingChanged();
  }

  private static void assertNothingChanged() {
    assertThat(number("SELECT COUNT(*) FROM vm WHERE tenant_id = ?", tenant.id())).isZero();
    assertThat(number("SELECT COUNT(*) FROM reservation WHERE tenant_id = ?", tenant.id()))
        .isZero();
    assertThat(number("SELECT used_vms FROM tenant WHERE id = ?", tenant.id())).isZero();
  }
}
