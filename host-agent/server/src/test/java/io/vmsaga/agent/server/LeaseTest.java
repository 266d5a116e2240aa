package io.vmsaga.agent.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.vmsaga.agent.api.AgentJson;
import io.vmsaga.agent.api.DiskSpec;
import io.vmsaga.agent.api.DiskSummary;
import io.vmsaga.agent.api.ErrorBody;
import io.vmsaga.agent.api.LeaseInfo;
import io.vmsaga.agent.client.AgentClient;
import io.vmsaga.agent.client.AgentException;
import io.vmsaga.agent.server.os.AtomicFiles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.ObjectMapper;

/**
 * VM leases on the shared pool between two agents sharing it: one in this JVM, one in a child JVM,
 * so the file lock is tried across processes. No QEMU here (FencingTest starts VMs).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LeaseTest {
  private static final ObjectMapper JSON = AgentJson.lenient();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static Path shared;
  private static TestNode nodeA;
  private static TestNode nodeB;

  @BeforeAll
  static void startAgents() throws Exception {
    shared = Files.createTempDirectory(Path.of("/tmp"), "vs-shared");
    nodeA = TestNode.inProcess("node-lease-a", shared, 200);
    nodeB = TestNode.subprocess("node-lease-b", shared);
  }

  @AfterAll
  static void cleanUp() throws Exception {
    try {
      nodeA.close();
    } finally {
      nodeB.close();
      AtomicFiles.deleteTree(shared);
    }
  }

  @Test
  void putGetIdempotentNewerAndDeleteOnlyOwn() throws Exception {
    AgentClient a = nodeA.client();
    AgentClient b = nodeB.client();
    String vm = "vm-" + TestNode.hex(3);
    assertThat(a.getLease(vm)).isEmpty();

    LeaseInfo first = new LeaseInfo(vm, "node-lease-a", 1);
    assertThat(a.putLease(vm, 1)).as("no VM definition needed").isEqualTo(first);
    assertThat(a.putLease(vm, 1)).as("same node, same generation again").isEqualTo(first);
    assertThat(b.getLease(vm)).as("the other node reads the same file").contains(first);
    assertThat(JSON.readValue(shared.resolve("leases").resolve(vm + ".json").toFile(), Map.class))
        .isEqualTo(Map.of("vm_id", vm, "node_id", "node-lease-a", "generation", 1));

    assertLeaseNewer(() -> b.putLease(vm, 1), "same generation, another node");
    LeaseInfo moved = new LeaseInfo(vm, "node-lease-b", 2);
    assertThat(b.putLease(vm, 2)).isEqualTo(moved);
    assertLeaseNewer(() -> a.putLease(vm, 1), "older generation");
    assertLeaseNewer(() -> a.putLease(vm, 2), "same generation, another node");
    assertThat(a.getLease(vm)).contains(moved);

    a.deleteLease(vm, 2);
    assertThat(b.getLease(vm)).as("not the holder: nothing happens").contains(moved);
    b.deleteLease(vm, 1);
    assertThat(b.getLease(vm)).as("another generation: nothing happens").contains(moved);
    b.deleteLease(vm, 2);
    assertThat(a.getLease(vm)).isEmpty();
    b.deleteLease(vm, 2);
    assertThat(send("DELETE", "/v1/vms/" + vm + "/lease", null).status())
        .as("without a generation, gone already")
        .isEqualTo(204);

    assertThat(a.putLease(vm, 3)).isEqualTo(new LeaseInfo(vm, "node-lease-a", 3));
    assertThat(send("DELETE", "/v1/vms/" + vm + "/lease", null).status()).isEqualTo(204);
    assertThat(a.getLease(vm)).as("without a generation, at whatever generation").isEmpty();
  }

  @Test
  void deletingAVmGivesUpItsLeaseOnlyWhenThisNodeHoldsIt() {
    AgentClient a = nodeA.client();
    AgentClient b = nodeB.client();
    String ownVm = "vm-" + TestNode.hex(3);
    String otherVm = "vm-" + TestNode.hex(3);
    a.putLease(ownVm, 4);
    b.putLease(otherVm, 4);
    a.deleteVm(ownVm);
    a.deleteVm(otherVm);
    assertThat(b.getLease(ownVm)).isEmpty();
    assertThat(a.getLease(otherVm)).contains(new LeaseInfo(otherVm, "node-lease-b", 4));
    b.deleteLease(otherVm, 4);
  }

  @Test
  void badRequestsAreRefusedAndChangeNothing() throws Exception {
    String vm = "vm-" + TestNode.hex(3);
    String lease = "/v1/vms/" + vm + "/lease";
    nodeA.client().putLease(vm, 5);
    record Case(String method, String path, String body, int status, String code) {}
    List<Case> cases =
        List.of(
            new Case("PUT", lease, null, 400, "invalid"),
            new Case("PUT", lease, "{}", 400, "invalid"),
            new Case("PUT", lease, "{\"generation\":0}", 400, "invalid"),
            new Case("PUT", lease, "{\"generation\":-6}", 400, "invalid"),
            new Case("PUT", lease, "{\"generation\":\"6\"}", 400, "invalid"),
            new Case("PUT", lease, "{\"generation\":6.5}", 400, "invalid"),
            new Case("PUT", lease, "{\"generation\":6,\"node_id\":\"node-x\"}", 400, "invalid"),
            new Case("PUT", "/v1/vms/Bad_Id/lease", "{\"generation\":6}", 400, "invalid"),
            new Case("PUT", lease, "{\"generation\":4}", 409, "lease_newer"),
            new Case("DELETE", lease + "?generation=abc", null, 400, "invalid"),
            new Case("DELETE", lease + "?generation=0", null, 400, "invalid"),
            new Case("DELETE", lease + "?generation=-5", null, 400, "invalid"),
            new Case("GET", "/v1/vms/vm-none/lease", null, 404, "not_found"));
    for (Case c : cases) {
      Answer answer = send(c.method(), c.path(), c.body());
      assertThat(answer.status()).as(c + " -> " + answer.body()).isEqualTo(c.status());
      assertThat(answer.error().code()).as(c.toString()).isEqualTo(c.code());
      assertThat(nodeB.client().getLease(vm)).contains(new LeaseInfo(vm, "node-lease-a", 5));
    }
    nodeA.client().deleteLease(vm, 5);
  }

  /** Two agents, two processes, asking at once for each next generation: one wins every time. */
  @Test
  void racingAgentsNeverBothWinAGeneration() throws Exception {
    String vm = "vm-" + TestNode.hex(3);
    List<TestNode> nodes = List.of(nodeA, nodeB);
    try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
      for (long generation = 1; generation <= 40; generation++) {
        long g = generation;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> answers = new ArrayList<>();
        for (TestNode node : nodes) {
          answers.add(
              pool.submit(
                  () -> {
                    go.await();
                    try {
                      return node.client().putLease(vm, g).nodeId();
                    } catch (AgentException e) {
                      assertThat(e.code()).as(e.toString()).isEqualTo("lease_newer");
                      return null;
                    }
                  }));
        }
        go.countDown();
        List<String> winners = new ArrayList<>();
        for (Future<String> answer : answers) {
          String winner = answer.get(30, TimeUnit.SECONDS);
          if (winner != null) {
            winners.add(winner);
          }
        }
        assertThat(winners).as("generation " + g).hasSize(1);
        assertThat(nodeA.client().getLease(vm))
            .as("the file names the winner")
            .contains(new LeaseInfo(vm, winners.get(0), g));
      }
    }
    nodeA.client().deleteLease(vm, 40);
    nodeB.client().deleteLease(vm, 40);
    assertThat(nodeA.client().getLease(vm)).isEmpty();
  }

  /**
   * One agent, 32 generations asked at once in shuffled order: no lower one overwrites a greater.
   */
  @Test
  void concurrentPutsOnOneAgentEndAtTheGreatestGeneration() throws Exception {
    String vm = "vm-" + TestNode.hex(3);
    List<Long> generations =
        new ArrayList<>(IntStream.rangeClosed(1, 32).mapToObj(i -> (long) i).toList());
    Collections.shuffle(generations);
    CountDownLatch go = new CountDownLatch(1);
    try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
      List<Future<?>> puts = new ArrayList<>();
      for (long g : generations) {
        puts.add(
            pool.submit(
                () -> {
                  go.await();
                  try {
                    nodeA.client().putLease(vm, g);
                  } catch (AgentException e) {
                    assertThat(e.code()).as(e.toString()).isEqualTo("lease_newer");
                  }
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> put : puts) {
        put.get(30, TimeUnit.SECONDS);
      }
    }
    assertThat(nodeA.client().getLease(vm)).contains(new LeaseInfo(vm, "node-lease-a", 32));
    nodeA.client().deleteLease(vm, 32);
  }

  /** The leases folder sits in the shared pool but is no disk: not listed, not addressable. */
  @Test
  void theLeasesFolderIsNoDisk() throws Exception {
    AgentClient a = nodeA.client();
    String vm = "vm-" + TestNode.hex(3);
    String disk = "d-" + TestNode.hex(3);
    a.putLease(vm, 1);
    a.putDisk("shared", disk, DiskSpec.ofMib(16));
    assertThat(Files.isDirectory(shared.resolve("leases"))).isTrue();

    for (AgentClient agent : List.of(a, nodeB.client())) {
      List<DiskSummary> sharedDisks =
          agent.node().disks().stream().filter(d -> d.pool().equals("shared")).toList();
      assertThat(sharedDisks).containsExactly(new DiskSummary("shared", disk, 16));
      assertThat(agent.getDisk("shared", "leases")).isEmpty();
    }
    assertThat(a.node().pools().stream().filter(p -> p.name().equals("shared")).findFirst())
        .hasValueSatisfying(p -> assertThat(p.usedGib()).isEqualTo(16 / 1024.0));

    a.deleteDisk("shared", disk);
    a.deleteLease(vm, 1);
    assertThat(Files.isDirectory(shared.resolve("leases"))).isTrue();
    assertThat(a.node().disks().stream().filter(d -> d.pool().equals("shared"))).isEmpty();
  }

  private static void assertLeaseNewer(ThrowingCallable call, String why) {
    AgentException e = assertThatExceptionOfType(AgentException.class).isThrownBy(call).actual();
    assertThat(e.status()).as(why + ": " + e).isEqualTo(409);
    assertThat(e.code()).as(why).isEqualTo("lease_newer");
  }

  record Answer(int status, ErrorBody error, String body) {}

  private static Answer send(String method, String path, String body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(nodeA.baseUri() + path))
            .header("Authorization", "Bearer " + nodeA.token)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build();
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    ErrorBody error =
        response.statusCode() >= 400 ? JSON.readValue(response.body(), ErrorBody.class) : null;
    return new Answer(response.statusCode(), error, response.body());
  }
}
