package io.vmsaga.agent.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmsaga.agent.api.AgentJson;
import io.vmsaga.agent.api.VmAction;
import io.vmsaga.agent.api.VmAction.Action;
import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.client.AgentClient;
import java.nio.file.Files;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * {@code --log-format json} in a real agent process: every line it writes is one JSON object; the
 * request line carries the request's fields, and a line a service logs while serving a request
 * (QEMU started) carries the caller's gid and the VM's id without the service passing them.
 */
class JsonLogTest {
  private static final ObjectMapper JSON = AgentJson.lenient();

  @Test
  void linesAreJsonWithTheRequestsFields() throws Exception {
    String vm = "vm-" + TestNode.hex(3);
    String gid = "gid-" + TestNode.hex(4);
    try (TestNode node = TestNode.subprocess("node-json", "--log-format", "json")) {
      AgentClient agent = node.client().withGid(gid);
      agent.putVm(vm, new VmConfig(null, 1, null, 64L, null, null, null, null, null));
      agent.action(vm, VmAction.of(Action.START, 30_000));
      agent.action(vm, VmAction.of(Action.STOP, 2_000));
      agent.deleteVm(vm);
      node.client().health();

      List<String> text = Files.readAllLines(node.root.resolve("agent.log"));
      List<JsonNode> lines = text.stream().map(JSON::readTree).toList();
      assertThat(lines).allSatisfy(line -> assertThat(line.isObject()).isTrue());
      for (JsonNode line : lines) {
        for (String field : List.of("time", "level", "logger", "message")) {
          assertThat(line.path(field).isString()).as(field + " in " + line).isTrue();
        }
        assertThat(line.path("node_id").asString()).isEqualTo("node-json");
      }

      // The start's line: the first of the two actions.
      JsonNode start =
          first(
              lines,
              l ->
                  l.path("logger").asString().equals("vmsaga.agent.access")
                      && l.path("route").asString().equals("/v1/vms/{vm_id}/actions")
                      && l.path("message").asString().contains(" 200 "));
      assertThat(start.path("gid").asString()).isEqualTo(gid);
      assertThat(start.path("vm_id").asString()).isEqualTo(vm);
      assertThat(start.path("method").asString()).isEqualTo("PUT");
      assertThat(start.path("path").asString()).isEqualTo("/v1/vms/" + vm + "/actions");
      assertThat(start.path("status").asInt()).isEqualTo(200);
      assertThat(start.path("ms").isIntegralNumber()).isTrue();
      assertThat(start.path("level").asString()).isEqualTo("INFO");

      JsonNode started =
          one(lines, l -> l.path("message").asString().startsWith("started VM " + vm));
      assertThat(started.path("logger").asString()).endsWith("VmSupervisor");
      assertThat(started.path("gid").asString()).as(started.toString()).isEqualTo(gid);
      assertThat(started.path("vm_id").asString()).isEqualTo(vm);
      assertThat(started.path("path").asString()).isEqualTo("/v1/vms/" + vm + "/actions");
      assertThat(started.has("status")).as("only the request line has the status").isFalse();

      List<JsonNode> health =
          lines.stream().filter(l -> l.path("route").asString().equals("/v1/health")).toList();
      assertThat(health).isNotEmpty();
      assertThat(health)
          .as("sent without X-Dtm-Gid, naming no VM")
          .allSatisfy(l -> assertThat(l.has("gid") || l.has("vm_id")).isFalse());
      System.out.println(
          "JsonLogTest: " + lines.size() + " JSON lines, e.g.\n" + start + "\n" + started);
    }
  }

  private static JsonNode first(List<JsonNode> lines, Predicate<JsonNode> which) {
    return lines.stream()
        .filter(which)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no such line in " + lines));
  }

  private static JsonNode one(List<JsonNode> lines, Predicate<JsonNode> which) {
    List<JsonNode> found = lines.stream().filter(which).toList();
    assertThat(found).as("lines: " + lines).hasSize(1);
    return found.get(0);
  }
}
