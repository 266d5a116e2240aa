package io.vmsaga.agent.server.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Framing and id matching against a scripted QMP peer: replies out of order, an event between a
 * command and its reply, an error, a silent peer. Real QEMU covers the same client in the lifecycle
 * tests.
 */
class QmpConnectionTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private Path dir;
  private Path socket;
  private AFUNIXServerSocket server;
  private final List<QmpEvent> events = new CopyOnWriteArrayList<>();
  // the peer and the callers each block on the socket: a thread each, never a shared pool's worker
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

  @BeforeEach
  void listen() throws Exception {
    dir = Files.createTempDirectory(Path.of("/tmp"), "qmp");
    socket = dir.resolve("q.sock");
    server = AFUNIXServerSocket.newInstance();
    server.bind(AFUNIXSocketAddress.of(socket.toFile()));
  }

  @AfterEach
  void close() throws Exception {
    server.close();
    Files.deleteIfExists(socket);
    Files.deleteIfExists(dir);
  }

  /** A peer that greets, accepts qmp_capabilities, then runs {@code script} on the next lines. */
  private CompletableFuture<Void> peer(PeerScript script) {
    return CompletableFuture.runAsync(
        () -> {
          try (var client = server.accept()) {
            BufferedReader in =
                new BufferedReader(
                    new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = client.getOutputStream();
            send(out, "{\"QMP\": {\"version\": {}, \"capabilities\": []}}");
            JsonNode caps = JSON.readTree(in.readLine());
            assertThat(caps.get("execute").asString()).isEqualTo("qmp_capabilities");
            send(out, "{\"return\": {}, \"id\": " + caps.get("id") + "}");
            script.run(in, out);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        },
        threads);
  }

  interface PeerScript {
    void run(BufferedReader in, OutputStream out) throws Exception;
  }

  private static void send(OutputStream out, String line) throws Exception {
    out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  @Test
  void matchesRepliesByIdAndKeepsEventsInBetween() throws Exception {
    CountDownLatch bothSent = new CountDownLatch(1);
    CompletableFuture<Void> peer =
        peer(
            (in, out) -> {
              JsonNode first = JSON.readTree(in.readLine());
              JsonNode second = JSON.readTree(in.readLine());
              bothSent.countDown();
              send(
                  out,
                  "{\"timestamp\": {\"seconds\": 2, \"microseconds\": 500000}, \"event\": \"STOP\"}");
              JsonNode status =
                  first.get("execute").asString().equals("query-status") ? first : second;
              JsonNode cpus = status == first ? second : first;
              send(out, "{\"return\": [], \"id\": " + cpus.get("id") + "}");
              send(
                  out,
                  "{\"return\": {\"status\": \"paused\", \"running\": false, \"singlestep\": false}, \"id\": "
                      + status.get("id")
                      + "}");
              in.readLine();
            });
    try (QmpConnection qmp = QmpConnection.open(socket, TIMEOUT, events::add, () -> {})) {
      CompletableFuture<Qmp.StatusInfo> status =
          CompletableFuture.supplyAsync(() -> qmp.call(Qmp.queryStatus(), TIMEOUT), threads);
      CompletableFuture<List<Qmp.CpuFast>> cpus =
          CompletableFuture.supplyAsync(() -> qmp.call(Qmp.queryCpusFast(), TIMEOUT), threads);
      assertThat(bothSent.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(status.get(5, TimeUnit.SECONDS).status()).isEqualTo("paused");
      assertThat(cpus.get(5, TimeUnit.SECONDS)).isEqualTo(List.of());
      assertThat(events).isEqualTo(List.of(new QmpEvent("STOP", JSON.missingNode(), 2500)));
    }
    peer.get(5, TimeUnit.SECONDS);
  }

  @Test
  void errorCarriesClassAndDescription() throws Exception {
    CompletableFuture<Void> peer =
        peer(
            (in, out) -> {
              JsonNode call = JSON.readTree(in.readLine());
              assertThat(call.get("arguments").get("id").asString()).isEqualTo("cpu-x");
              send(
                  out,
                  "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Duplicate device ID\"}, \"id\": "
                      + call.get("id")
                      + "}");
              in.readLine();
            });
    try (QmpConnection qmp = QmpConnection.open(socket, TIMEOUT, events::add, () -> {})) {
      QmpError error =
          assertThatExceptionOfType(QmpError.class)
              .isThrownBy(
                  () -> qmp.call(Qmp.deviceAdd(Map.of("driver", "x", "id", "cpu-x")), TIMEOUT))
              .actual();
      assertThat(error.errorClass()).isEqualTo("GenericError");
      assertThat(error.getMessage().contains("Duplicate device ID")).isTrue();
    }
    peer.get(5, TimeUnit.SECONDS);
  }

  @Test
  void silentPeerTimesOutAndClosedPeerFailsPendingCalls() throws Exception {
    CountDownLatch closedSeen = new CountDownLatch(1);
    CompletableFuture<Void> peer =
        peer(
            (in, out) -> {
              in.readLine(); // never answered: the caller times out
              in.readLine(); // then the peer hangs up with this one pending
            });
    try (QmpConnection qmp =
        QmpConnection.open(socket, TIMEOUT, events::add, closedSeen::countDown)) {
      assertThatThrownBy(() -> qmp.call(Qmp.queryStatus(), Duration.ofMillis(200)))
          .isInstanceOf(QmpUnavailable.class);
      assertThatThrownBy(() -> qmp.call(Qmp.queryStatus(), TIMEOUT))
          .isInstanceOf(QmpUnavailable.class);
      assertThat(closedSeen.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(qmp.isOpen()).isFalse();
      assertThatThrownBy(() -> qmp.call(Qmp.queryStatus(), TIMEOUT))
          .isInstanceOf(QmpUnavailable.class);
    }
    peer.get(5, TimeUnit.SECONDS);
  }

  @Test
  void noGreetingIsUnavailable() throws Exception {
    CompletableFuture<Void> peer =
        CompletableFuture.runAsync(
            () -> {
              try (var client = server.accept()) {
                client.getOutputStream().write("not qmp\n".getBytes(StandardCharsets.UTF_8));
                client.getInputStream().read();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    assertThatThrownBy(
            () -> QmpConnection.open(socket, Duration.ofSeconds(1), events::add, () -> {}))
        .isInstanceOf(QmpUnavailable.class);
    peer.get(5, TimeUnit.SECONDS);
  }
}
