package io.vmsaga.agent.server;

import io.vmsaga.agent.server.log.LogFormat;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** The agent's settings, all from command-line flags (see host-agent/README.md). */
public record AgentConfig(
    String nodeId,
    InetSocketAddress listen,
    Path stateDir,
    Path runDir,
    Path localPool,
    Path sharedPool,
    Path imagePool,
    String token,
    String accelerator,
    long poolCapacityGib,
    int cpus,
    long memoryMib,
    LogFormat logFormat) {

  private static final Set<String> FLAGS =
      Set.of(
          "--node-id",
          "--listen",
          "--state-dir",
          "--run-dir",
          "--local-pool",
          "--shared-pool",
          "--image-pool",
          "--token-file",
          "--accelerator",
          "--pool-capacity-gib",
          "--cpus",
          "--memory-mib",
          "--log-format");

  /**
   * The state dir appears in QEMU's -qmp/-serial options, whose syntax has no escaping for ',' or
   * ':'.
   */
  private static final Pattern SAFE_PATH = Pattern.compile("/[A-Za-z0-9/._-]*");

  public static AgentConfig parse(String... args) throws IOException {
    Map<String, String> flags = new HashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      if (!FLAGS.contains(args[i]) || i + 1 >= args.length) {
        throw new IllegalArgumentException(
            "unknown flag or missing value: " + args[i] + " (flags: " + FLAGS + ")");
      }
      flags.put(args[i], args[i + 1]);
    }
    String nodeId = Ids.id("node id", flags.getOrDefault("--node-id", "node-1"));
    String[] hostPort = flags.getOrDefault("--listen", "127.0.0.1:7701").split(":", 2);
    Path stateDir = safe("--state-dir", absolute(required(flags, "--state-dir")));
    // QMP sockets live here: short, because a unix socket path must fit in 107 bytes.
    Path runDir =
        safe("--run-dir", absolute(flags.getOrDefault("--run-dir", "/run/vmsaga/" + nodeId)));
    String token =
        Files.readString(absolute(required(flags, "--token-file")), StandardCharsets.UTF_8).strip();
    String accelerator = flags.getOrDefault("--accelerator", "tcg");
    Path sharedPool = absolute(required(flags, "--shared-pool"));
    // Image paths end up in qcow2 headers and QEMU options: the same safe characters as the state.
    Path imagePool =
        safe(
            "--image-pool",
            flags.containsKey("--image-pool")
                ? absolute(flags.get("--image-pool"))
                : sharedPool.resolve("images"));
    if (!List.of("tcg", "kvm").contains(accelerator)) {
      throw new IllegalArgumentException("--accelerator must be tcg or kvm");
    }
    return new AgentConfig(
        nodeId,
        new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])),
        stateDir,
        runDir,
        absolute(required(flags, "--local-pool")),
        sharedPool,
        imagePool,
        token,
        accelerator,
        Long.parseLong(flags.getOrDefault("--pool-capacity-gib", "200")),
        Integer.parseInt(
            flags.getOrDefault(
                "--cpus", Integer.toString(Runtime.getRuntime().availableProcessors()))),
        Long.parseLong(flags.getOrDefault("--memory-mib", Long.toString(hostMemoryMib()))),
        LogFormat.parse(flags.getOrDefault("--log-format", "text")));
  }

  private static Path safe(String flag, Path path) {
    if (!SAFE_PATH.matcher(path.toString()).matches()) {
      throw new IllegalArgumentException(flag + " may only contain letters, digits and / . _ -");
    }
    return path;
  }

  private static String required(Map<String, String> flags, String name) {
    String value = flags.get(name);
    if (value == null) {
      throw new IllegalArgumentException(name + " is required");
    }
    return value;
  }

  private static Path absolute(String path) {
    return Path.of(path).toAbsolutePath().normalize();
  }

  private static long hostMemoryMib() {
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return os.getTotalMemorySize() >> 20;
  }
}
