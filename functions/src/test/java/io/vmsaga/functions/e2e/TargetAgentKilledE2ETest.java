package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Migrating.*;
import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmsaga.agent.client.AgentClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The target's agent dies (SIGKILL) in the middle of a live migration. The shared node-2 agent is
 * not ours to kill, so this test runs a third node, node-9, with its own agent on the same shared
 * pool and the same bridge, registered in the node table only for the test. The saga must end
 * compensated: the VM runs on its source, and the target's QEMU is gone although no agent was there
 * to stop it.
 */
class TargetAgentKilledE2ETest {
  static final String NODE = "node-9";
  static final String URL = "http://127.0.0.1:7709";
  static final Path HOME = Path.of("/tmp/n9");

  private Process agentProcess;

  @BeforeEach
  void startNode() throws Exception {
    deleteTree(HOME);
    Path vmsaga = Path.of(env("VMSAGA_HOME"));
    agentProcess =
        new ProcessBuilder(
                "java",
                "-Xmx128m",
                "-jar",
                vmsaga.resolve("lib/vmsaga-host-agent.jar").toString(),
                "--node-id",
                NODE,
                "--listen",
                "127.0.0.1:7709",
                "--state-dir",
                HOME.resolve("state").toString(),
                "--run-dir",
                HOME.resolve("run").toString(),
                "--local-pool",
                HOME.resolve("pool").toString(),
                "--shared-pool",
                vmsaga.resolve("shared-pool").toString(),
                "--token-file",
                vmsaga.resolve("secrets/agent-token").toString())
            .redirectErrorStream(true)
            .redirectOutput(Files.createDirectories(HOME).resolve("agent.log").toFile())
            .start();
    await(
        Duration.ofSeconds(60),
        () -> {
          try {
            return node9().health() != null;
          } catch (RuntimeException notYet) {
            return false;
          }
        });
    // little memory, so the scheduler of other tests' createVm never picks this node
    execute("INSERT INTO node (id, agent_url, cpus, memory_mib) VALUES (?, ?, 2, 1024)", NODE, URL);
  }

  @AfterEach
  void removeNode() throws Exception {
    agentProcess.destroyForcibly().waitFor();
    // only if the test failed: a QEMU of this node that its saga did not end (its paths are under
    // HOME)
    for (long pid : processesMentioning(HOME + "/")) {
      run("kill", "-KILL", Long.toString(pid));
    }
    // what the dead node keeps for its reconciliation: the taps it made
    Path taps = HOME.resolve("state/net/taps");
    if (Files.isDirectory(taps)) {
      try (Stream<Path> recorded = Files.list(taps)) {
        for (Path tap : recorded.toList()) {
          if (linkExists(tap.getFileName().toString())) {
            run("ip", "link", "del", "dev", tap.getFileName().toString());
          }
        }
      }
    }
    execute(
        "DELETE FROM node WHERE id = ? AND committed_vcpus = 0 AND committed_memory_mib = 0", NODE);
    deleteTree(HOME);
  }

  @Test
  void theSagaCompensatesAndTheVmKeepsRunningOnItsSource() throws Exception {
    var tenant = newTenant(5, 8, 4096);
    String vmId = MigrationE2ETest.create(tenant, "orphan-1", 256);
    keepMemoryDirty(vmId, "node-1");
    long sourcePid = onlyQemuOn(agent("node-1"), vmId);

    var submitted =
        call(
            "migrateVm",
            tenant.token(),
            Map.of(
                "vmId",
                vmId,
                "targetNodeId",
                NODE,
                "maxBandwidthMibps",
                1,
                "maxDowntimeMs",
                10,
                "autoConverge",
                false));
    assertThat(submitted.status()).as(submitted.body().toString()).isEqualTo(202);
    long started = System.nanoTime();
    awaitMigrating(tenant.token(), vmId);
    List<Long> qemus = processesMentioning(vmId);
    assertThat(qemus).as("source and incoming target QEMU").hasSize(2).contains(sourcePid);
    assertThat(node9().getVm(vmId).orElseThrow().state()).isEqualTo("inmigrate");

    agentProcess.destroyForcibly().waitFor(); // SIGKILL: the target QEMU outlives its agent

    var saga = awaitSaga(submitted.text("gid"), Duration.ofSeconds(90));
    assertThat(saga.status()).isEqualTo("failed");
    assertThat(saga.count("compensate", "failed")).isZero();
    await(Duration.ofSeconds(20), () -> processesMentioning(vmId).size() == 1);
    assertThat(processesMentioning(vmId))
        .as("the target QEMU exited without its agent")
        .containsExactly(sourcePid);
    assertThat(agent("node-1").status(vmId).status()).isEqualTo("running");
    var view = call("getVm", tenant.token(), Map.of("vmId", vmId));
    assertThat(view.text("nodeId")).isEqualTo("node-1");
    assertThat(view.text("state")).isEqualTo("running");
    assertThat(view.body().path("ownerGid").isNull()).isTrue();
    var migration = view.body().path("migration");
    report(
        "live migration whose target agent was killed",
        migration,
        (System.nanoTime() - started) / 1_000_000);
    assertThat(migration.path("cancelReason").asString()).isEqualTo("target_unreachable");
    assertThat(migration.path("note").asString()).contains("unreachable");
    assertThat(committedFor(vmId, NODE)).isEqualTo(List.of(0L, 0L));
    assertThat(committedOn(NODE)).isEqualTo(List.of(0L, 0L));
    assertThat(committedFor(vmId, "node-1")).isEqualTo(List.of(1L, 256L));
    assertAccountingExact(tenant.id());

    MigrationE2ETest.delete(tenant, vmId);
  }

  private static AgentClient node9() {
    return new AgentClient(URI.create(URL), env("VMSAGA_AGENT_TOKEN"), Duration.ofSeconds(5));
  }

  private static void deleteTree(Path root) throws IOException {
    if (Files.exists(root)) {
      try (Stream<Path> paths = Files.walk(root)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(path);
        }
      }
    }
  }
}
