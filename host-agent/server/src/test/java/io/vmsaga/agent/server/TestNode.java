package io.vmsaga.agent.server;

import io.vmsaga.agent.client.AgentClient;
import io.vmsaga.agent.client.AgentException;
import io.vmsaga.agent.server.os.AtomicFiles;
import io.vmsaga.agent.server.os.Exec;
import io.vmsaga.agent.server.os.ProcFs;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A real agent for a test, in this JVM or as a child JVM, with its own temp dirs and token. {@link
 * #close} removes everything it may have made even when the test failed: QEMUs (by pidfile, checked
 * against {@code /proc}), the links the agent recorded, and the files.
 */
final class TestNode implements AutoCloseable {
  private static final SecureRandom RANDOM = new SecureRandom();

  final String nodeId;
  final Path root;
  final Path stateDir;
  final Path localPool;
  final Path sharedPool;
  final String token;
  private final long capacityGib;
  private final List<String> extraFlags;
  private AgentServer server;
  private Process process;
  private AgentClient client;

  private TestNode(String nodeId, Path sharedPool, long capacityGib, List<String> extraFlags)
      throws IOException {
    this.nodeId = nodeId;
    this.extraFlags = List.copyOf(extraFlags);
    // Short on purpose: the QMP socket path under the state dir must fit in 107 bytes.
    this.root = Files.createTempDirectory(Path.of("/tmp"), "vs");
    this.stateDir = root.resolve("s");
    this.localPool = Files.createDirectories(root.resolve("local"));
    this.sharedPool =
        sharedPool != null ? sharedPool : Files.createDirectories(root.resolve("shared"));
    this.token = "t-" + hex(16);
    this.capacityGib = capacityGib;
    Files.writeString(root.resolve("token"), token + "\n");
  }

  static TestNode inProcess(String nodeId) throws Exception {
    return inProcess(nodeId, null, 200);
  }

  static TestNode inProcess(String nodeId, Path sharedPool, long capacityGib) throws Exception {
    TestNode node = new TestNode(nodeId, sharedPool, capacityGib, List.of());
    node.server = new AgentServer(AgentConfig.parse(node.flags(0)));
    node.client = node.clientFor(node.server.address().getPort());
    return node;
  }

  /** An agent in a child JVM; {@code extraFlags} ({@code --log-format json}) follow the usual. */
  static TestNode subprocess(String nodeId, String... extraFlags) throws Exception {
    return subprocess(nodeId, null, extraFlags);
  }

  /**
   * An agent in a child JVM on {@code sharedPool} (null: a pool of its own), so that it shares the
   * pool with other agents as another process, like another node.
   */
  static TestNode subprocess(String nodeId, Path sharedPool, String... extraFlags)
      throws Exception {
    TestNode node = new TestNode(nodeId, sharedPool, 200, List.of(extraFlags));
    node.startSubprocess();
    return node;
  }

  /**
   * A fresh name such as {@code vtt1a2b3c}: never one of the dev system's ({@code vmsaga0}, {@code
   * vt…}).
   */
  static String name(String prefix) {
    return prefix + hex(3);
  }

  static String hex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  AgentClient client() {
    return client;
  }

  List<Router.Route> routes() {
    return server.routes();
  }

  URI baseUri() {
    return client.baseUri();
  }

  void startSubprocess() throws Exception {
    int port = freePort();
    List<String> argv =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                AgentServer.class.getName()));
    argv.addAll(List.of(flags(port)));
    argv.addAll(extraFlags);
    process =
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve("agent.log").toFile()))
            .redirectInput(Exec.NO_INPUT)
            .start();
    client = clientFor(port);
    await(
        Duration.ofSeconds(30),
        () -> {
          try {
            client.health();
            return true;
          } catch (AgentException e) {
            if (!process.isAlive()) {
              throw new IllegalStateException(
                  "agent exited " + process.exitValue() + "; see " + root.resolve("agent.log"));
            }
            return false;
          }
        });
  }

  long agentPid() {
    return process.pid();
  }

  /** SIGKILL to the agent JVM alone, as a crash would. */
  void killAgent() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  static void await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + timeout);
      }
      Thread.sleep(20);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /**
   * QEMU processes of this node that are alive, found in {@code /proc} by the state dir in their
   * argv.
   */
  List<Long> liveQemuPids() {
    return ProcessHandle.allProcesses().map(ProcessHandle::pid).filter(this::isOurQemu).toList();
  }

  boolean isOurQemu(long pid) {
    return ProcFs.alive(pid)
        && ProcFs.cmdline(pid)
            .map(
                argv ->
                    argv.get(0).contains("qemu")
                        && argv.stream().anyMatch(a -> a.contains(stateDir.toString())))
            .orElse(false);
  }

  @Override
  public void close() throws Exception {
    if (server != null) {
      server.close();
    }
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor();
    }
    for (long pid : liveQemuPids()) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
    Path networks = stateDir.resolve("net").resolve("networks");
    if (Files.isDirectory(networks)) {
      try (Stream<Path> files = Files.list(networks)) {
        for (Path record : files.toList()) {
          // Names as NetService derives them: namespace vmsaga-<id>; its veth dies with it.
          String ns = "vmsaga-" + record.getFileName();
          if (Files.exists(Path.of("/run/netns", ns))) {
            new ProcessBuilder("ip", "netns", "del", ns).inheritIO().start().waitFor();
          }
        }
      }
    }
    for (String kind : List.of("taps", "bridges")) {
      Path records = stateDir.resolve("net").resolve(kind);
      if (Files.isDirectory(records)) {
        try (Stream<Path> files = Files.list(records)) {
          for (Path record : files.toList()) {
            String link = record.getFileName().toString();
            if (Files.exists(Path.of("/sys/class/net", link))) {
              new ProcessBuilder("ip", "link", "del", "dev", link).inheritIO().start().waitFor();
            }
          }
        }
      }
    }
    AtomicFiles.deleteTree(root);
  }

  private String[] flags(int port) {
    return new String[] {
      "--node-id", nodeId,
      "--listen", "127.0.0.1:" + port,
      "--state-dir", stateDir.toString(),
      "--run-dir", root.resolve("r").toString(),
      "--local-pool", localPool.toString(),
      "--shared-pool", sharedPool.toString(),
      "--token-file", root.resolve("token").toString(),
      "--pool-capacity-gib", Long.toString(capacityGib)
    };
  }

  private AgentClient clientFor(int port) {
    return new AgentClient(URI.create("http://127.0.0.1:" + port), token, Duration.ofSeconds(30));
  }
}
