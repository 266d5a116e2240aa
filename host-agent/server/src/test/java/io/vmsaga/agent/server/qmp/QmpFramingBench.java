package io.vmsaga.agent.server.qmp;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * JMH: one QMP command through the agent's client — frame, write, the reader thread's parse and id
 * match, the caller woken, the result mapped — against a peer on a unix socket that answers each
 * line at once, so what is measured is the client's framing, not QEMU. Run by `scripts/dev bench`.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class QmpFramingBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Path dir;
  private AFUNIXServerSocket server;
  private Thread peer;
  private QmpConnection qmp;

  @Setup(Level.Trial)
  public void connect() throws Exception {
    dir = Files.createTempDirectory(Path.of("/tmp"), "qmpbench");
    Path socket = dir.resolve("q.sock");
    server = AFUNIXServerSocket.newInstance();
    server.bind(AFUNIXSocketAddress.of(socket.toFile()));
    peer = Thread.ofPlatform().daemon().start(this::answerEveryLine);
    qmp = QmpConnection.open(socket, Duration.ofSeconds(5), event -> {}, () -> {});
  }

  private void answerEveryLine() {
    try (var client = server.accept()) {
      var in =
          new BufferedReader(
              new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
      OutputStream out = client.getOutputStream();
      out.write("{\"QMP\": {\"version\": {}, \"capabilities\": []}}\n".getBytes());
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        JsonNode command = JSON.readTree(line);
        String reply =
            "qmp_capabilities".equals(command.path("execute").asString())
                ? "{\"return\": {}, \"id\": " + command.get("id") + "}\n"
                : "{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true},"
                    + " \"id\": "
                    + command.get("id")
                    + "}\n";
        out.write(reply.getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    } catch (Exception e) {
      // the trial ended: the connection closed
    }
  }

  @TearDown(Level.Trial)
  public void close() throws Exception {
    qmp.close();
    server.close();
    peer.join(1000);
    Files.deleteIfExists(dir.resolve("q.sock"));
    Files.deleteIfExists(dir);
  }

  @Benchmark
  public Qmp.StatusInfo roundTrip() {
    return qmp.call(Qmp.queryStatus(), Duration.ofSeconds(5));
  }
}
