package io.vmsaga.agent.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpMethod;
import io.vmsaga.agent.api.AgentJson;
import io.vmsaga.agent.api.DiskSpec;
import io.vmsaga.agent.api.ErrorBody;
import io.vmsaga.agent.api.VmAction;
import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.api.VmInfo;
import io.vmsaga.agent.api.VmNic;
import io.vmsaga.agent.server.net.Links;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.ObjectMapper;

/**
 * Hostile or sloppy requests: each gets a clear 4xx with the right code, and nothing is created.
 */
class BadInputTest {
  private static final ObjectMapper JSON = AgentJson.lenient();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final String LONG = "a".repeat(300);
  private static final String CONFIG = "{\"vcpus\":1,\"memory_mib\":64}";
  private static final String NIC = "{\"tap\":\"vttnone\",\"mac\":\"52:54:00:00:00:01\"}";
  private static TestNode node;

  record Answer(int status, ErrorBody error, String body) {}

  @BeforeAll
  static void startAgent() throws Exception {
    node = TestNode.inProcess("node-bad", null, 1);
  }

  @AfterAll
  static void cleanUp() throws Exception {
    try {
      assertThat(node.liveQemuPids()).isEqualTo(List.of());
    } finally {
      node.close();
    }
  }

  /**
   * After every case: no disk file, no VM folder (so no pidfile), no link with a name used here.
   */
  @AfterEach
  void nothingWasCreated() throws IOException {
    assertThat(list(node.localPool)).isEqualTo(List.of());
    assertThat(list(node.sharedPool)).isEqualTo(List.of());
    assertThat(list(node.stateDir.resolve("vms"))).isEqualTo(List.of());
    for (String link : List.of("vttnone", "vtt0", "abcdefghijklmnop")) {
      assertThat(Links.exists(link)).as(link).isFalse();
    }
  }

  @Test
  void everyRouteRefusesMissingOrWrongToken() throws Exception {
    List<String> headers =
        new ArrayList<>(
            List.of(
                "Bearer wrong",
                "Bearer " + node.token + "x",
                "Basic " + node.token,
                "bearer " + node.token,
                "Bearer",
                "Bearer " + node.token.substring(1)));
    headers.add(null);
    assertThat(node.routes().size()).as("every route of the table is covered").isEqualTo(58);
    for (Router.Route route : node.routes()) {
      String path =
          route
              .template()
              .replace("{pool}", "local")
              .replace("{disk_id}", "d1")
              .replace("{nic_id}", "n1")
              .replace("{vm_id}", "vm1")
              .replace("{device_id}", "x1")
              .replace("{name}", "vttnone")
              .replace("{image_id}", "i1")
              .replace("{network_id}", "n1");
      boolean head = route.method().equals(HttpMethod.HEAD);
      String body =
          head || route.method().equals(HttpMethod.GET) || route.method().equals(HttpMethod.DELETE)
              ? null
              : "{}";
      for (String authorization : headers) {
        Answer answer = send(route.method().name(), path, body, authorization);
        assertThat(answer.status()).as(route + " with " + authorization).isEqualTo(401);
        if (head) {
          assertThat(answer.body()).as("HEAD answers without a body").isEmpty();
        } else {
          assertThat(answer.error().code()).isEqualTo("unauthorized");
        }
      }
    }
  }

  static List<String> badIds() {
    return List.of(
        "../x",
        "..",
        "a;rm -rf /",
        "$(reboot)",
        "A",
        "-x",
        "x_y",
        "x.y",
        " x",
        "x\u00e9",
        "",
        LONG);
  }

  @ParameterizedTest
  @MethodSource("badIds")
  void badIdsAreInvalid(String id) throws Exception {
    String seg = URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    List<String[]> calls =
        List.of(
            new String[] {"PUT", "/v1/pools/local/disks/" + seg, "{\"size_mib\":1}"},
            new String[] {"GET", "/v1/pools/local/disks/" + seg, null},
            new String[] {"DELETE", "/v1/pools/shared/disks/" + seg, null},
            new String[] {"PUT", "/v1/pools/local/disks/" + seg + "/content", "x"},
            new String[] {"PUT", "/v1/pools/" + seg + "/disks/d1", "{\"size_mib\":1}"},
            new String[] {"PUT", "/v1/vms/" + seg, CONFIG},
            new String[] {"PUT", "/v1/vms/" + seg + "/actions", "{\"action\":\"start\"}"},
            new String[] {"DELETE", "/v1/vms/" + seg, null},
            new String[] {"PUT", "/v1/vms/vm1/cpus/" + seg, null},
            new String[] {"PUT", "/v1/vms/vm1/memory/" + seg, "{\"size_mib\":128}"},
            new String[] {"PUT", "/v1/vms/vm1/disks/" + seg, "{\"pool\":\"local\"}"},
            new String[] {"PUT", "/v1/vms/" + seg + "/disks/d1", "{\"pool\":\"local\"}"},
            new String[] {"DELETE", "/v1/vms/vm1/disks/" + seg, null},
            new String[] {"GET", "/v1/vms/" + seg + "/disks", null},
            new String[] {"PUT", "/v1/vms/vm1/nics/" + seg, NIC},
            new String[] {"PUT", "/v1/vms/" + seg + "/nics/n1", NIC},
            new String[] {"DELETE", "/v1/vms/vm1/nics/" + seg, null},
            new String[] {"GET", "/v1/vms/" + seg + "/nics", null},
            new String[] {"GET", "/v1/vms/" + seg + "/stats", null},
            new String[] {"PUT", "/v1/vms/vm1/nics/" + seg + "/tap", null},
            new String[] {"PUT", "/v1/vms/" + seg + "/nics/n1/tap", null},
            new String[] {"PUT", "/v1/bridges/" + seg, null},
            new String[] {"PUT", "/v1/taps/" + seg, "{\"bridge\":\"vbtnone\"}"},
            new String[] {"DELETE", "/v1/taps/" + seg, null});
    for (String[] call : calls) {
      Answer answer = send(call[0], call[1], call[2], bearer());
      assertThat(answer.status())
          .as(call[0] + " " + call[1] + " -> " + answer.body())
          .isEqualTo(400);
      assertThat(answer.error().code()).isEqualTo("invalid");
      assertThat(
              answer.body().contains("rm -rf")
                  || answer.body().contains("reboot")
                  || answer.body().contains(LONG))
          .as("the request text is not echoed: " + answer.body())
          .isFalse();
    }
  }

  /**
   * HEAD says whether a disk is there with a status and never a body, errors included: a body would
   * be read as the start of the next answer on a keep-alive connection.
   */
  @Test
  void headTellsWhetherADiskIsThereWithoutABody() throws Exception {
    Answer bad = send("HEAD", "/v1/pools/local/disks/..%2Fx", null, bearer());
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.body()).isEmpty();
    Answer missing = send("HEAD", "/v1/pools/local/disks/d1", null, bearer());
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.body()).isEmpty();

    var client = node.client();
    assertThat(client.hasDisk("local", "d1")).isFalse();
    client.putDisk("local", "d1", DiskSpec.ofMib(1));
    try {
      assertThat(client.hasDisk("local", "d1")).isTrue();
      assertThat(send("HEAD", "/v1/pools/local/disks/d1", null, bearer()).body()).isEmpty();
      // the same keep-alive connection still reads the next answer right
      assertThat(client.getDisk("local", "d1").orElseThrow().sizeMib()).isEqualTo(1);
      assertThat(client.hasDisk("shared", "d1")).isFalse();
    } finally {
      client.deleteDisk("local", "d1");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "-1", "5001", "99999999999"})
  void badWaitsAreInvalid(String waitMs) throws Exception {
    Answer answer = send("GET", "/v1/vms/vm1/migration?wait_ms=" + waitMs, null, bearer());
    assertThat(answer.status()).as(answer.body()).isEqualTo(400);
    assertThat(answer.error().code()).isEqualTo("invalid");
    assertThat(answer.error().message()).contains("wait_ms");
  }

  @Test
  void unencodedTraversalFindsNoRoute() throws Exception {
    for (String path :
        List.of(
            "/v1/vms/../x",
            "/v1/pools/local/disks/../../etc/passwd",
            "/v1/../v1/health",
            "/v2/health")) {
      Answer answer = send("GET", path, null, bearer());
      assertThat(answer.status() == 404 || answer.status() == 400)
          .as(path + " -> " + answer.status())
          .isTrue();
    }
  }

  @Test
  void badInterfaceNames() throws Exception {
    for (String name : List.of("abcdefghijklmnop", "0tap", "vtt;ls", "Vtt0")) {
      assertThat(send("PUT", "/v1/bridges/" + name, null, bearer()).status())
          .as(name)
          .isEqualTo(400);
      assertThat(send("PUT", "/v1/taps/" + name, "{\"bridge\":\"vbtnone\"}", bearer()).status())
          .as(name)
          .isEqualTo(400);
    }
    Answer badBridge = send("PUT", "/v1/taps/vtt0", "{\"bridge\":\"x;rm -rf /\"}", bearer());
    assertThat(badBridge.status()).isEqualTo(400);
    Answer missingBridge = send("PUT", "/v1/taps/vtt0", "{\"bridge\":\"vbtnone\"}", bearer());
    assertThat(missingBridge.status()).isEqualTo(409);
    assertThat(missingBridge.error().code()).isEqualTo("conflict");
  }

  @Test
  void badSizes() throws Exception {
    for (String size :
        List.of(
            "0",
            "-1",
            "-9223372036854775808",
            "1099511627776",
            "1025",
            "\"64\"",
            "1.5e3",
            "null")) {
      Answer answer =
          send("PUT", "/v1/pools/local/disks/d1", "{\"size_mib\":" + size + "}", bearer());
      assertThat(answer.status()).as(size + " -> " + answer.body()).isEqualTo(400);
      assertThat(answer.error().code()).isEqualTo("invalid");
    }
    node.client().putDisk("local", "d1", DiskSpec.ofMib(800));
    Answer full = send("PUT", "/v1/pools/local/disks/d2", "{\"size_mib\":300}", bearer());
    assertThat(full.status()).isEqualTo(413);
    assertThat(full.error().code()).isEqualTo("too_large");
    assertThat(send("PATCH", "/v1/pools/local/disks/d1", "{\"size_mib\":1000}", bearer()).status())
        .as("grow within capacity")
        .isEqualTo(200);
    assertThat(send("PATCH", "/v1/pools/local/disks/d1", "{\"size_mib\":64}", bearer()).status())
        .as("no shrinking")
        .isEqualTo(400);
    node.client().deleteDisk("local", "d1");
  }

  @Test
  void unknownVmsAreNotFound() throws Exception {
    for (String[] call :
        List.of(
            new String[] {"GET", "/v1/vms/nope", null},
            new String[] {"PUT", "/v1/vms/nope/actions", "{\"action\":\"start\"}"},
            new String[] {"GET", "/v1/vms/nope/status", null},
            new String[] {"GET", "/v1/vms/nope/stats", null},
            new String[] {"GET", "/v1/vms/nope/events", null},
            new String[] {"PUT", "/v1/vms/nope/cpus/c1", null},
            new String[] {"GET", "/v1/vms/nope/memory", null},
            new String[] {"PUT", "/v1/vms/nope/disks/d1", "{\"pool\":\"local\"}"},
            new String[] {"GET", "/v1/vms/nope/disks", null},
            new String[] {"PUT", "/v1/vms/nope/nics/n1", NIC},
            new String[] {"GET", "/v1/vms/nope/nics", null},
            new String[] {"PUT", "/v1/vms/nope/nics/n1/tap", null},
            new String[] {"PUT", "/v1/vms/nope/incoming", "{\"host\":\"127.0.0.1\",\"port\":4444}"},
            new String[] {"GET", "/v1/vms/nope/migration", null},
            new String[] {"DELETE", "/v1/vms/nope/migration", null},
            new String[] {"GET", "/v1/pools/local/disks/nope", null},
            new String[] {"GET", "/v1/taps/vttnone", null})) {
      Answer answer = send(call[0], call[1], call[2], bearer());
      assertThat(answer.status()).as(call[0] + " " + call[1]).isEqualTo(404);
      assertThat(answer.error().code()).isEqualTo("not_found");
    }
    for (String path :
        List.of(
            "/v1/vms/nope",
            "/v1/vms/nope/disks/d1",
            "/v1/vms/nope/nics/n1",
            "/v1/pools/local/disks/nope",
            "/v1/taps/vttnone",
            "/v1/bridges/vbtnone")) {
      assertThat(send("DELETE", path, null, bearer()).status())
          .as("DELETE of a missing " + path + " is success")
          .isEqualTo(204);
    }
  }

  /** Like a DELETE of something missing: a compensation can always stop. */
  @Test
  void stopOfAnUnknownVmIsSuccess() throws Exception {
    for (String body :
        List.of("{\"action\":\"stop\"}", "{\"action\":\"stop\",\"timeout_ms\":500}")) {
      Answer answer = send("PUT", "/v1/vms/nope/actions", body, bearer());
      assertThat(answer.status()).as(answer.body()).isEqualTo(200);
      assertThat(JSON.readTree(answer.body()))
          .isEqualTo(
              JSON.readTree("{\"vm_id\":\"nope\",\"state\":\"absent\",\"qmp_connected\":false}"));
    }
    VmInfo stopped = node.client().action("nope", VmAction.of(VmAction.Action.STOP, 500));
    assertThat(stopped).isEqualTo(VmInfo.absent("nope"));
    assertThat(node.client().getVm("nope").isEmpty()).as("a stop defines nothing").isTrue();
    assertThat(
            send("PUT", "/v1/vms/nope/actions", "{\"action\":\"stop\",\"timeout_ms\":-1}", bearer())
                .status())
        .as("the timeout is still checked")
        .isEqualTo(400);
    for (String action : List.of("pause", "resume", "reset", "powerdown")) {
      Answer answer =
          send("PUT", "/v1/vms/nope/actions", "{\"action\":\"" + action + "\"}", bearer());
      assertThat(answer.status()).as(action + " of an unknown VM").isEqualTo(404);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ff:ff:ff:ff:ff:ff",
        "01:00:5e:00:00:01",
        "52:54:00:zz:00:01",
        "52-54-00-00-00-01",
        "52:54:00:00:00:01;reboot",
        "52:54:00:00:00:1",
        "52:54:00:00:00:01:02",
        "52:54:00:AB:00:01",
        ""
      })
  void badMacsAreInvalid(String mac) throws Exception {
    VmConfig config =
        new VmConfig(null, 1, 1, 64L, null, null, null, List.of(new VmNic("vtt0", mac)), null);
    Answer answer = send("PUT", "/v1/vms/vm1", JSON.writeValueAsString(config), bearer());
    assertThat(answer.status()).as(mac).isEqualTo(400);
    assertThat(answer.error().code()).isEqualTo("invalid");
    Answer attach =
        send(
            "PUT",
            "/v1/vms/vm1/nics/n1",
            "{\"tap\":\"vtt0\",\"mac\":" + JSON.writeValueAsString(mac) + "}",
            bearer());
    assertThat(attach.status()).as(mac).isEqualTo(400);
    assertThat(attach.error().code()).isEqualTo("invalid");
  }

  /** A NIC attachment that is not well formed: 400, and the VM's config is as it was. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"tap\":\"vtt0\"}",
        "{\"mac\":\"52:54:00:00:00:01\"}",
        "{\"tap\":\"Vtt0\",\"mac\":\"52:54:00:00:00:01\"}",
        "{\"tap\":\"vtt;reboot\",\"mac\":\"52:54:00:00:00:01\"}",
        "{\"tap\":\"abcdefghijklmnop\",\"mac\":\"52:54:00:00:00:01\"}",
        "{\"tap\":7,\"mac\":\"52:54:00:00:00:01\"}",
        "{\"tap\":\"vtt0\",\"mac\":\"52:54:00:00:00:01\",\"slot\":99}",
        "{\"tap\":\"vtt0\",\"mac\":\"52:54:00:00:00:01\",\"nic_id\":\"n2\"}",
        "{\"tap\":null,\"mac\":\"52:54:00:00:00:01\"}",
        "{}",
        "[]",
        "null",
        ""
      })
  void badNicAttachmentsAreInvalidAndChangeNothing(String body) throws Exception {
    String config =
        "{\"vcpus\":1,\"memory_mib\":64,\"nics\":[{\"tap\":\"vttnone\",\"mac\":\"52:54:00:00:00:09\"}]}";
    assertThat(send("PUT", "/v1/vms/vm1", config, bearer()).status()).isEqualTo(201);
    try {
      VmConfig before = node.client().getVm("vm1").orElseThrow().config();
      Answer answer = send("PUT", "/v1/vms/vm1/nics/n1", body, bearer());
      assertThat(answer.status()).as(body + " -> " + answer.body()).isEqualTo(400);
      assertThat(answer.error().code()).isEqualTo("invalid");
      assertThat(answer.body()).doesNotContain("reboot");
      assertThat(node.client().getVm("vm1").orElseThrow().config()).isEqualTo(before);
    } finally {
      assertThat(send("DELETE", "/v1/vms/vm1", null, bearer()).status()).isEqualTo(204);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"vcpus\":0,\"memory_mib\":64}",
        "{\"vcpus\":3,\"max_vcpus\":2,\"memory_mib\":64}",
        "{\"vcpus\":1,\"memory_mib\":-1}",
        "{\"vcpus\":1,\"memory_mib\":1099511627776}",
        "{\"vcpus\":1,\"memory_mib\":64,\"max_memory_mib\":128}",
        "{\"vcpus\":1,\"memory_mib\":64,\"disks\":[{\"pool\":\"tmp\",\"disk_id\":\"d1\"}]}",
        "{\"vcpus\":1,\"memory_mib\":64,\"disks\":[{\"pool\":\"local\",\"disk_id\":\"d1\"},{\"pool\":\"local\",\"disk_id\":\"d1\"}]}",
        "{\"vcpus\":1,\"memory_mib\":64,\"hotplugged\":{\"cpus\":[{\"device_id\":\"c1\",\"driver\":\"x;y\",\"props\":{}}]}}",
        "{\"vcpus\":1,\"memory_mib\":64,\"name\":\"a\\nb\"}",
        "{\"vcpus\":1,\"memory_mib\":64,\"surprise\":true}",
        "{\"vcpus\":1,",
        "[]",
        "null",
        ""
      })
  void badVmConfigsAreInvalid(String body) throws Exception {
    Answer answer = send("PUT", "/v1/vms/vm1", body, bearer());
    assertThat(answer.status()).as(body + " -> " + answer.body()).isEqualTo(400);
    assertThat(answer.error().code()).isEqualTo("invalid");
  }

  @Test
  void badActionsAndMigrationRequests() throws Exception {
    assertThat(send("PUT", "/v1/vms/vm1", CONFIG, bearer()).status()).isEqualTo(201);
    try {
      for (String[] call :
          List.of(
              new String[] {"PUT", "/v1/vms/vm1/actions", "{\"action\":\"explode\"}"},
              new String[] {
                "PUT", "/v1/vms/vm1/actions", "{\"action\":\"stop\",\"timeout_ms\":-1}"
              },
              new String[] {"PUT", "/v1/vms/vm1/actions", "{}"},
              new String[] {"PUT", "/v1/vms/vm1/migration", "{\"uri\":\"exec:rm -rf /\"}"},
              new String[] {"PUT", "/v1/vms/vm1/migration", "{\"uri\":\"tcp:127.0.0.1:99999\"}"},
              new String[] {"PUT", "/v1/vms/vm1/migration", "{\"uri\":\"unix:/tmp/x\"}"},
              new String[] {"PUT", "/v1/vms/vm1/incoming", "{\"host\":\"a b\",\"port\":4444}"},
              new String[] {"PUT", "/v1/vms/vm1/incoming", "{\"host\":\"127.0.0.1\",\"port\":0}"},
              new String[] {"PUT", "/v1/vms/vm1/migration-parameters", "{\"max_bandwidth_mib\":0}"},
              new String[] {"PUT", "/v1/vms/vm1/memory/m1", "{\"size_mib\":-5}"},
              new String[] {"GET", "/v1/vms/vm1/events?after=-1", null},
              new String[] {"GET", "/v1/vms/vm1/events?after=abc", null})) {
        Answer answer = send(call[0], call[1], call[2], bearer());
        assertThat(answer.status())
            .as(call[1] + " " + call[2] + " -> " + answer.body())
            .isEqualTo(400);
        assertThat(answer.body().contains("rm -rf")).isFalse();
      }
      for (String[] call :
          List.of(
              new String[] {"GET", "/v1/vms/vm1/status", null},
              new String[] {"GET", "/v1/vms/vm1/stats", null},
              new String[] {"PUT", "/v1/vms/vm1/actions", "{\"action\":\"pause\"}"},
              new String[] {"PUT", "/v1/vms/vm1/cpus/c1", null},
              new String[] {"GET", "/v1/vms/vm1/migration", null})) {
        Answer answer = send(call[0], call[1], call[2], bearer());
        assertThat(answer.status()).as(call[1] + " on a VM that does not run").isEqualTo(409);
        assertThat(answer.error().code()).isEqualTo("conflict");
      }
      Answer start = send("PUT", "/v1/vms/vm1/actions", "{\"action\":\"start\"}", bearer());
      assertThat(start.status())
          .as("a VM without disks or NICs boots to the firmware: " + start.body())
          .isEqualTo(200);
      assertThat(
              send(
                      "PUT",
                      "/v1/vms/vm1/actions",
                      "{\"action\":\"stop\",\"timeout_ms\":500}",
                      bearer())
                  .status())
          .isEqualTo(200);
    } finally {
      assertThat(send("DELETE", "/v1/vms/vm1", null, bearer()).status()).isEqualTo(204);
    }
  }

  @Test
  void tooLargeAndMalformedBodies() throws Exception {
    Answer big = send("PUT", "/v1/vms/vm1", "{\"name\":\"" + "x".repeat(300_000) + "\"}", bearer());
    assertThat(big.status()).isEqualTo(413);
    assertThat(big.error().code()).isEqualTo("too_large");
    Answer noSha = send("PUT", "/v1/pools/local/disks/d1/content", "QFI", bearer());
    assertThat(noSha.status()).isEqualTo(400);
  }

  private static String bearer() {
    return "Bearer " + node.token;
  }

  private static Answer send(String method, String path, String body, String authorization)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(node.baseUri() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    HttpResponse<String> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    ErrorBody error =
        response.statusCode() >= 400 && !method.equals("HEAD")
            ? JSON.readValue(response.body(), ErrorBody.class)
            : null;
    return new Answer(response.statusCode(), error, response.body());
  }

  private static List<String> list(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).toList();
    }
  }
}
