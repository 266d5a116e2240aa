package io.vmsaga.agent.server.bench;

import io.vmsaga.agent.api.DiskSpec;
import io.vmsaga.agent.api.TapSpec;
import io.vmsaga.agent.api.VmAction;
import io.vmsaga.agent.api.VmAction.Action;
import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.client.AgentClient;
import io.vmsaga.agent.client.AgentException;
import io.vmsaga.agent.server.AgentConfig;
import io.vmsaga.agent.server.AgentServer;
import io.vmsaga.agent.server.os.AtomicFiles;
import io.vmsaga.agent.server.os.Exec;
import io.vmsaga.agent.server.os.ProcFs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * Agent-side latency of the node operations a saga step waits for, next to the same operation done
 * directly (qemu-img / ip / QEMU spawned by ProcessBuilder, QMP on a raw socket), N runs each; the
 * ratio of the medians is the agent's overhead (HTTP, JSON, validation, bookkeeping).
 *
 * <p>{@code java -cp vmsaga-host-agent.jar io.vmsaga.agent.server.bench.AgentBench [N]} as root.
 */
public final class AgentBench {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private static final int QMP_WARMUPS = 3000;
  private static final int HTTP_WARMUPS = 1000;

  private final int runs;
  private final Path root;
  private final AgentClient agent;
  private final String suffix =
      HexFormat.of().formatHex(new byte[] {(byte) ThreadLocalRandom.current().nextInt()});

  private AgentBench(int runs, Path root, AgentClient agent) {
    this.runs = runs;
    this.root = root;
    this.agent = agent;
  }

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    Path root = Files.createTempDirectory(Path.of("/tmp"), "vsb");
    String token = "bench-" + System.nanoTime();
    Files.writeString(root.resolve("token"), token);
    AgentServer server =
        new AgentServer(
            AgentConfig.parse(
                "--node-id",
                "bench",
                "--listen",
                "127.0.0.1:0",
                "--state-dir",
                root.resolve("s").toString(),
                "--run-dir",
                root.resolve("r").toString(),
                "--local-pool",
                root.resolve("local").toString(),
                "--shared-pool",
                root.resolve("shared").toString(),
                "--token-file",
                root.resolve("token").toString()));
    try {
      AgentClient agent =
          new AgentClient(
              URI.create("http://127.0.0.1:" + server.address().getPort()), token, TIMEOUT);
      new AgentBench(runs, root, agent).run();
    } finally {
      server.close();
      AtomicFiles.deleteTree(root);
    }
  }

  private void run() throws Exception {
    System.out.printf(
        "vmsaga host agent bench: N=%d per operation, %s%n",
        runs, Runtime.getRuntime().availableProcessors() + " cpus");
    System.out.printf(
        "%-26s %10s %10s %10s %10s %8s%n",
        "operation", "agent p50", "agent p95", "direct p50", "direct p95", "ratio");
    warmUpHttp();
    report("disk create (qcow2 64M)", "disk", alternate(diskViaAgent(), diskDirect(), 1, runs));
    String bridge = "vbb" + suffix;
    agent.putBridge(bridge);
    try {
      report(
          "tap create (+master, up)",
          "tap",
          alternate(tapViaAgent(bridge), tapDirect(bridge), 1, runs));
    } finally {
      agent.deleteBridge(bridge);
    }
    agent.putVm("bench", new VmConfig("bench", 1, 1, 128L, null, null, null, null, null));
    try {
      List<String> argv = agentArgv();
      report(
          "QEMU start to QMP ready",
          "start",
          alternate(startViaAgent(), startDirect(argv), 1, runs));
      agent.action("bench", VmAction.of(Action.START, TIMEOUT.toMillis()));
      reportStatus();
      agent.action("bench", VmAction.of(Action.PAUSE));
      agent.action("bench", VmAction.of(Action.STOP, 2_000));
    } finally {
      agent.deleteVm("bench");
    }
  }

  /**
   * The agent and its callers are long-running: their HTTP paths (client, Netty pipeline, router,
   * JSON) have long been compiled. Calls of the shapes the rows make (GET, PUT with a body,
   * DELETE), answered without touching the node, so that the rows time the operations, not the
   * interpreter.
   */
  private void warmUpHttp() {
    for (int i = 0; i < HTTP_WARMUPS; i++) {
      agent.health();
      try {
        agent.putDisk("local", "warm", new DiskSpec(0L));
      } catch (AgentException refused) {
        // 400: the size is below the minimum, checked before anything happens
      }
      agent.deleteDisk("local", "warm");
    }
  }

  private Side diskViaAgent() {
    return new Side(
        i -> agent.putDisk("local", "a" + i, DiskSpec.ofMib(64)),
        i -> agent.deleteDisk("local", "a" + i));
  }

  private Side diskDirect() {
    Path dir = root.resolve("direct");
    return new Side(
        i -> {
          Files.createDirectories(dir);
          Exec.run(
              TIMEOUT,
              List.of(
                  "qemu-img",
                  "create",
                  "-q",
                  "-f",
                  "qcow2",
                  dir.resolve("d" + i + ".qcow2").toString(),
                  "64M"));
        },
        i -> Files.delete(dir.resolve("d" + i + ".qcow2")));
  }

  private Side tapViaAgent(String bridge) {
    return new Side(i -> agent.putTap(tap(i), new TapSpec(bridge)), i -> agent.deleteTap(tap(i)));
  }

  private Side tapDirect(String bridge) {
    return new Side(
        i -> {
          Exec.run(TIMEOUT, List.of("ip", "tuntap", "add", "dev", tap(i), "mode", "tap"));
          Exec.run(TIMEOUT, List.of("ip", "link", "set", "dev", tap(i), "master", bridge));
          Exec.run(TIMEOUT, List.of("ip", "link", "set", "dev", tap(i), "up"));
        },
        i -> Exec.run(TIMEOUT, List.of("ip", "link", "del", "dev", tap(i))));
  }

  private String tap(int i) {
    return "vtb" + suffix + "-" + i;
  }

  private Side startViaAgent() {
    return new Side(
        i -> agent.action("bench", VmAction.of(Action.START, TIMEOUT.toMillis())),
        i -> {
          agent.action("bench", VmAction.of(Action.PAUSE));
          agent.action("bench", VmAction.of(Action.STOP, 2_000));
        });
  }

  /**
   * The command line the agent starts the bench VM with (its machine: root ports for hot-plug,
   * pidfile, serial file), read from /proc, with the QMP socket, pidfile and serial log moved to
   * the direct run's own files: the direct start is the same QEMU work, without the agent.
   */
  private List<String> agentArgv() throws Exception {
    long pid = agent.action("bench", VmAction.of(Action.START, TIMEOUT.toMillis())).pid();
    List<String> argv = new java.util.ArrayList<>(ProcFs.cmdline(pid).orElseThrow());
    agent.action("bench", VmAction.of(Action.PAUSE));
    agent.action("bench", VmAction.of(Action.STOP, 2_000));
    Path socket = root.resolve("direct.sock");
    for (int i = 0; i + 1 < argv.size(); i++) {
      switch (argv.get(i)) {
        case "-qmp" -> argv.set(i + 1, "unix:" + socket + ",server=on,wait=off");
        case "-pidfile" -> argv.set(i + 1, root.resolve("direct.pid").toString());
        case "-serial" -> argv.set(i + 1, "file:" + root.resolve("direct.serial"));
        default -> {}
      }
    }
    return argv;
  }

  /** The same machine as the agent's VM, spawned and greeted by hand. */
  private Side startDirect(List<String> argv) {
    Path socket = root.resolve("direct.sock");
    Process[] qemu = new Process[1];
    return new Side(
        i -> {
          Files.deleteIfExists(socket);
          qemu[0] = spawn(argv);
          connectQmp(socket).close();
        },
        i -> {
          qemu[0].destroyForcibly();
          qemu[0].waitFor();
        });
  }

  /**
   * The agent's VM answers through the agent, a QEMU of the same machine on a raw socket; each call
   * is a millisecond or less, so both sides run {@link #QMP_WARMUPS} untimed calls first and are
   * timed 10N times (see {@link #alternate}).
   */
  private void reportStatus() throws Exception {
    Path socket = root.resolve("direct.sock");
    Process qemu = spawnQemu(socket);
    try (RawQmp qmp = connectQmp(socket)) {
      Side direct = new Side(i -> qmp.call("query-status"), i -> {});
      Side viaAgent = new Side(i -> agent.status("bench"), i -> {});
      report("QMP query-status", "qmp", alternate(viaAgent, direct, QMP_WARMUPS, 10 * runs));
    } finally {
      qemu.destroyForcibly();
      qemu.waitFor();
    }
  }

  private static Process spawn(List<String> argv) throws IOException {
    return new ProcessBuilder(argv)
        .redirectInput(Exec.NO_INPUT)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectErrorStream(true)
        .start();
  }

  private static Process spawnQemu(Path socket) throws IOException {
    Files.deleteIfExists(socket);
    return new ProcessBuilder(
            "qemu-system-x86_64",
            "-nodefaults",
            "-no-user-config",
            "-display",
            "none",
            "-machine",
            "q35,accel=tcg",
            "-cpu",
            "max",
            "-smp",
            "1,maxcpus=1",
            "-m",
            "128M",
            "-qmp",
            "unix:" + socket + ",server=on,wait=off")
        .redirectInput(Exec.NO_INPUT)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectErrorStream(true)
        .start();
  }

  /**
   * Polls until QEMU listens, then reads the greeting and leaves negotiation mode, as the agent
   * does.
   */
  private static RawQmp connectQmp(Path socket) throws Exception {
    while (true) {
      AFUNIXSocket connection = null;
      try {
        connection = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(socket.toFile()));
        RawQmp qmp =
            new RawQmp(
                connection,
                new BufferedReader(
                    new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8)));
        qmp.in().readLine();
        qmp.call("qmp_capabilities");
        return qmp;
      } catch (IOException notYet) {
        if (connection != null) {
          connection.close();
        }
        Thread.sleep(5);
      }
    }
  }

  private record RawQmp(AFUNIXSocket socket, BufferedReader in) implements AutoCloseable {
    String call(String command) throws IOException {
      OutputStream out = socket.getOutputStream();
      out.write(("{\"execute\":\"" + command + "\"}\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      return in.readLine();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  interface Step {
    void run(int i) throws Exception;
  }

  /** One side of a row: the timed operation, and its untimed undo. */
  private record Side(Step step, Step undo) {}

  /**
   * Times a row's two sides in turns, agent then direct in one round and direct then agent in the
   * next, after {@code warmups} untimed rounds: this machine's load drifts (steal time, the stack
   * beside it), and timed one side after the other the drift landed on one side only, moving a
   * ratio by a third between runs. Returns the agent's times, then the direct ones.
   *
   * <p>The JIT matters for calls of a millisecond or less: the long-running agent and its clients
   * have long been compiled, and 20 cold calls measure the interpreter (6 ms p50 for a QMP call,
   * against 1 ms after warm-up).
   */
  private static double[][] alternate(Side agent, Side direct, int warmups, int runs) {
    Side[] sides = {agent, direct};
    double[][] millis = {new double[runs], new double[runs]};
    try {
      for (int i = -warmups; i < runs; i++) {
        for (int turn = 0; turn < 2; turn++) {
          int side = (i & 1) == 0 ? turn : 1 - turn;
          long start = System.nanoTime();
          sides[side].step().run(i + 1_000);
          long elapsed = System.nanoTime() - start;
          sides[side].undo().run(i + 1_000);
          if (i >= 0) {
            millis[side][i] = elapsed / 1e6;
          }
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return millis;
  }

  private static void report(String name, String key, double[][] agentThenDirect)
      throws IOException {
    double[] viaAgent = agentThenDirect[0];
    double[] direct = agentThenDirect[1];
    double agentP50 = percentile(viaAgent, 50);
    double directP50 = percentile(direct, 50);
    record("agent." + key + ".p50", agentP50);
    record("direct." + key + ".p50", directP50);
    System.out.printf(
        "%-26s %8.2fms %8.2fms %8.2fms %8.2fms %7.2fx%n",
        name,
        agentP50,
        percentile(viaAgent, 95),
        directP50,
        percentile(direct, 95),
        agentP50 / directP50);
  }

  /**
   * Appends {@code key=value} to the file {@code VMSAGA_BENCH_VALUES} names, if set: `scripts/dev
   * bench` puts every part's measurements in one table (the functions' BenchReport reads them).
   */
  private static void record(String key, double value) throws IOException {
    String file = System.getenv("VMSAGA_BENCH_VALUES");
    if (file != null) {
      Files.writeString(
          Path.of(file),
          String.format(java.util.Locale.ROOT, "%s=%.3f%n", key, value),
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
    }
  }

  private static double percentile(double[] values, int p) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }
}
