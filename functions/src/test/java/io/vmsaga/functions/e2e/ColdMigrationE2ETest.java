package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Migrating.*;
import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmsaga.agent.api.VmAction;
import io.vmsaga.agent.client.AgentClient;
import io.vmsaga.functions.core.VmPlan;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * coldMigrateVm on the real stack: a VM with a local disk holding data written before the move runs
 * on the target afterwards with the same data; a move that fails before the switch leaves it on its
 * source, running again, and nothing on the target.
 */
class ColdMigrationE2ETest {

  @Test
  void aVmWithALocalDiskMovesWithItsData() throws Exception {
    var tenant = newTenant(5, 8, 4096);
    String vmId = createWithData(tenant, "cold-1");
    long sourcePid = onlyQemuOn(agent("node-1"), vmId);

    long started = System.nanoTime();
    var moved =
        call(
            "coldMigrateVm",
            tenant.token(),
            Map.of("vmId", vmId, "targetNodeId", "node-2", "awaitResult", true));
    long wallMs = (System.nanoTime() - started) / 1_000_000;

    assertThat(moved.status()).as(moved.body().toString()).isEqualTo(200);
    System.out.printf(
        "cold migration of %s (1 GiB local disk, 1 MiB of data): %d ms%n", vmId, wallMs);
    assertThat(saga(moved.text("gid")).count("action", "succeed")).isEqualTo(7);
    assertThat(onlyQemuOn(agent("node-2"), vmId)).isNotEqualTo(sourcePid);
    nothingLeftOfItOn("node-1", vmId);
    assertThat(linkExists(VmPlan.nicFor(vmId, "", "").tap()))
        .as("the tap it had on node-1")
        .isFalse();
    assertThat(dataOn("node-2", vmId)).contains("read 1048576/1048576 bytes");
    var view = call("getVm", tenant.token(), Map.of("vmId", vmId));
    assertThat(view.text("nodeId")).isEqualTo("node-2");
    assertThat(view.text("state")).isEqualTo("running");
    assertThat(view.body().path("disks").get(0).path("nodeId").asString()).isEqualTo("node-2");
    assertThat(view.body().path("migration").path("kind").asString()).isEqualTo("cold");
    assertThat(committedFor(vmId, "node-1")).isEqualTo(List.of(0L, 0L));
    assertThat(committedFor(vmId, "node-2")).isEqualTo(List.of(1L, 128L));
    assertAccountingExact(tenant.id());

    MigrationE2ETest.delete(tenant, vmId);
    assertThat(agent("node-2").getDisk("local", vmId + "-disk0")).isEmpty();
  }

  @Test
  void aFailureBeforeTheSwitchLeavesTheVmRunningOnItsSource() throws Exception {
    var tenant = newTenant(5, 8, 4096);
    String vmId = createWithData(tenant, "cold-2");

    var failed =
        call(
            "coldMigrateVm",
            withFaults(tenant.token(), Map.of("startTargetVm", "fail"), null),
            "",
            Map.of("vmId", vmId, "targetNodeId", "node-2", "awaitResult", true));

    assertThat(failed.status()).as(failed.body().toString()).isEqualTo(409);
    var saga = awaitSaga(failed.body().path("vm").path("gid").asString(), Duration.ofSeconds(60));
    assertThat(saga.status()).isEqualTo("failed");
    assertThat(saga.count("compensate", "failed")).isZero();
    onlyQemuOn(agent("node-1"), vmId);
    assertThat(dataOn("node-1", vmId)).contains("read 1048576/1048576 bytes");
    nothingLeftOfItOn("node-2", vmId);
    var view = call("getVm", tenant.token(), Map.of("vmId", vmId));
    assertThat(view.text("nodeId")).isEqualTo("node-1");
    assertThat(view.text("state")).isEqualTo("running");
    assertThat(committedFor(vmId, "node-2")).isEqualTo(List.of(0L, 0L));
    assertAccountingExact(tenant.id());

    MigrationE2ETest.delete(tenant, vmId);
  }

  /**
   * A running VM on node-1 whose local disk holds 1 MiB of 0xab at offset 0, written while it was
   * stopped.
   */
  private static String createWithData(Stack.Tenant tenant, String name) throws Exception {
    String vmId = MigrationE2ETest.create(tenant, name, 128, "sharedStorage", false);
    AgentClient node1 = agent("node-1");
    node1.action(vmId, VmAction.of(VmAction.Action.STOP, 4000));
    run("qemu-io", "-f", "qcow2", "-c", "write -P 0xab 0 1M", diskPath("node-1", vmId));
    node1.action(vmId, VmAction.of(VmAction.Action.START));
    return vmId;
  }

  /**
   * qemu-io's check of the pattern, read-only and shared with the running QEMU that holds the disk.
   */
  private static String dataOn(String node, String vmId) throws Exception {
    String output =
        run("qemu-io", "-r", "-U", "-f", "qcow2", "-c", "read -P 0xab 0 1M", diskPath(node, vmId));
    assertThat(output).doesNotContain("Pattern verification failed");
    return output;
  }

  private static String diskPath(String node, String vmId) {
    return agent(node).getDisk("local", vmId + "-disk0").orElseThrow().path();
  }

  private static void nothingLeftOfItOn(String node, String vmId) {
    nothingOn(agent(node), node, vmId);
    assertThat(agent(node).getDisk("local", vmId + "-disk0")).as("local disk on " + node).isEmpty();
  }
}
