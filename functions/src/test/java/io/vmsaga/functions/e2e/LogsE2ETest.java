package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Structured logs: the functions app writes JSON lines (Boot's structured logging, ECS), and every
 * line a saga step writes carries the saga's gid, the branch, the VM and its node as fields.
 */
class LogsE2ETest {
  @AfterEach
  void deleteLeftovers() {
    deleteTestVms();
  }

  @Test
  void aCreatesStepsLogJsonLinesWithGidBranchVmAndNode() throws Exception {
    var tenant = newTenant(1, 1, 256);
    var created = call("createVm", tenant.token(), vm("logged", "nodeId", "node-1"));
    assertThat(created.status()).as(created.body().toString()).isEqualTo(200);
    String gid = created.text("gid");
    String vmId = created.text("vmId");

    List<JsonNode> lines =
        Files.readAllLines(Path.of(env("VMSAGA_HOME"), "logs", "functions.log")).stream()
            .filter(l -> l.startsWith("{") && l.contains(gid))
            .map(JSON::readTree)
            .toList();

    assertThat(lines).as("JSON lines of saga " + gid).isNotEmpty();
    var steps = lines.stream().filter(l -> l.has("branchId")).toList();
    assertThat(steps).hasSizeGreaterThanOrEqualTo(CREATE_STEPS);
    for (JsonNode line : steps) {
      assertThat(line.path("gid").asString()).isEqualTo(gid);
      assertThat(line.path("vmId").asString()).isEqualTo(vmId);
      assertThat(line.path("nodeId").asString()).isEqualTo("node-1");
      assertThat(line.path("log").path("level").asString()).isNotEmpty();
    }
    assertThat(steps.stream().map(l -> l.path("branchId").asString()))
        .contains("01", String.format("%02d", CREATE_STEPS));
    call("deleteVm", tenant.token(), Map.of("vmId", vmId, "awaitResult", true));
  }
}
