package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmsaga.agent.api.DiskSpec;
import io.vmsaga.agent.api.TapSpec;
import io.vmsaga.agent.api.VmConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * auditNode finds what a node holds that no record explains, and records the node does not back.
 */
class AuditE2ETest {
  @org.junit.jupiter.api.AfterEach
  void deleteLeftovers() {
    deleteTestVms();
  }

  @Test
  void orphansOnTheNodeAndVmsMissingFromItAreReported() {
    var agent = agent("node-1");
    String orphan = "vm-orphan" + Long.toHexString(System.nanoTime()).substring(0, 7);
    String tap = "vtorph" + Long.toHexString(System.nanoTime()).substring(0, 6);
    var tenant = newTenant(5, 8, 4096);
    var live = call("createVm", tenant.token(), vm("audited", "nodeId", "node-1")).text("vmId");
    try {
      agent.putDisk("local", orphan + "-disk0", DiskSpec.ofMib(64));
      agent.putTap(tap, new TapSpec(BRIDGE));
      agent.putVm(orphan, new VmConfig("orphan", 1, 1, 128L, 128L, 0, List.of(), List.of(), null));
      execute(
          "INSERT INTO vm (id, tenant_id, node_id, name, state, vcpus, max_vcpus, memory_mib, max_memory_mib) "
              + "VALUES ('vm-missing0000000', ?, 'node-1', 'ghost', 'running', 1, 1, 128, 128)",
          tenant.id());

      var report = call("auditNode", env("VMSAGA_ADMIN_TOKEN"), Map.of("nodeId", "node-1"));

      assertThat(report.status()).isEqualTo(200);
      assertThat(report.body().path("clean").asBoolean()).isFalse();
      assertThat(report.body().path("orphanVms").toString()).contains(orphan).doesNotContain(live);
      assertThat(report.body().path("orphanDisks").toString())
          .contains(orphan + "-disk0")
          .doesNotContain(live);
      assertThat(report.body().path("orphanTaps").toString()).contains(tap);
      assertThat(report.body().path("missingVms").toString())
          .contains("vm-missing0000000")
          .doesNotContain(live);
    } finally {
      execute("DELETE FROM vm WHERE id = 'vm-missing0000000'");
      agent.deleteVm(orphan);
      agent.deleteTap(tap);
      agent.deleteDisk("local", orphan + "-disk0");
    }
    assertThat(
            call("auditNode", env("VMSAGA_ADMIN_TOKEN"), Map.of("nodeId", "node-1"))
                .body()
                .path("orphanVms")
                .toString())
        .doesNotContain(orphan);
  }

  @Test
  void auditIsForAdministratorsAndKnownNodes() {
    var tenant = newTenant(1, 1, 128);
    assertThat(call("auditNode", tenant.token(), Map.of("nodeId", "node-1")).status())
        .isEqualTo(403);
    assertThat(call("auditNode", null, Map.of("nodeId", "node-1")).status()).isEqualTo(401);
    assertThat(call("auditNode", env("VMSAGA_ADMIN_TOKEN"), Map.of("nodeId", "node-99")).status())
        .isEqualTo(404);
    assertThat(call("auditNode", env("VMSAGA_ADMIN_TOKEN"), Map.of("nodeId", "../x")).status())
        .isEqualTo(400);
  }
}
