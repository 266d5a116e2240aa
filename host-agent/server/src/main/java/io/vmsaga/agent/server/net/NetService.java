package io.vmsaga.agent.server.net;

import io.vmsaga.agent.api.AgentJson;
import io.vmsaga.agent.api.BridgeInfo;
import io.vmsaga.agent.api.NetworkInfo;
import io.vmsaga.agent.api.NetworkSpec;
import io.vmsaga.agent.api.TapInfo;
import io.vmsaga.agent.api.TapSpec;
import io.vmsaga.agent.server.ApiException;
import io.vmsaga.agent.server.Ids;
import io.vmsaga.agent.server.Outcome;
import io.vmsaga.agent.server.os.AtomicFiles;
import io.vmsaga.agent.server.os.Exec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;

/**
 * Bridges and taps, made with {@code ip}. The agent records every link it creates in its state dir
 * and only ever deletes links it recorded, so it cannot take down an interface it does not own;
 * deleting one it does not own succeeds without touching it, so a compensation never fails on it.
 */
public final class NetService {
  private static final Duration IP_TIMEOUT = Duration.ofSeconds(10);

  private static final Pattern CIDR =
      Pattern.compile(
          "((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])/([0-9]{1,2})");

  /** The namespace end of a network's veth pair, the guests' gateway. */
  static final String GATEWAY_INTERFACE = "gw0";

  private static final ObjectMapper JSON = AgentJson.lenient();

  private final Path bridges;
  private final Path taps;
  private final Path networks;
  private final TapUsers users;
  private final Object lock = new Object();

  public NetService(Path stateDir, TapUsers users) throws IOException {
    this.bridges = Files.createDirectories(stateDir.resolve("net/bridges"));
    this.taps = Files.createDirectories(stateDir.resolve("net/taps"));
    this.networks = Files.createDirectories(stateDir.resolve("net/networks"));
    this.users = users;
  }

  /** Creates a bridge; an existing bridge is success but stays its creator's to delete. */
  public Outcome<BridgeInfo> putBridge(String name) {
    synchronized (lock) {
      BridgeInfo info = new BridgeInfo(name);
      if (Links.exists(name)) {
        if (!Links.isBridge(name)) {
          throw ApiException.conflict("a non-bridge interface has this name");
        }
        ip("link", "set", "dev", name, "up");
        return Outcome.existing(info);
      }
      record(bridges.resolve(name), "");
      ip("link", "add", "name", name, "type", "bridge");
      ip("link", "set", "dev", name, "up");
      return Outcome.created(info);
    }
  }

  /**
   * Deletes a bridge this agent created; one it did not create is left alone (and the call
   * succeeds).
   */
  public void deleteBridge(String name) {
    synchronized (lock) {
      Path record = bridges.resolve(name);
      if (!Files.exists(record)) {
        return;
      }
      if (Links.exists(name)) {
        if (Links.hasPorts(name)) {
          throw ApiException.conflict("bridge still has ports");
        }
        ip("link", "del", "dev", name);
      }
      forget(record);
    }
  }

  /** Creates a tap on a bridge, or moves an existing tap of this agent to the requested bridge. */
  public Outcome<TapInfo> putTap(String name, TapSpec spec) {
    String bridge = Ids.ifname("bridge", spec.bridge());
    synchronized (lock) {
      if (!Links.isBridge(bridge)) {
        throw ApiException.conflict("bridge does not exist");
      }
      TapInfo info = new TapInfo(name, bridge);
      if (Links.exists(name)) {
        if (!Links.isTap(name) || !Files.exists(taps.resolve(name))) {
          throw ApiException.conflict(
              "an interface of this name exists that this agent did not create");
        }
        if (!Links.master(name).orElse("").equals(bridge)) {
          ip("link", "set", "dev", name, "master", bridge);
        }
        ip("link", "set", "dev", name, "up");
        record(taps.resolve(name), bridge);
        return Outcome.existing(info);
      }
      record(taps.resolve(name), bridge);
      // one ip process for the three changes (each process costs a fork and exec, ~5 ms here);
      // without -force, ip stops at the first that fails and exits non-zero
      ipBatch(
          "tuntap add dev " + name + " mode tap",
          "link set dev " + name + " master " + bridge,
          "link set dev " + name + " up");
      return Outcome.created(info);
    }
  }

  /**
   * The bridge this agent put a tap of its own on (recorded at PUT, kept while the link is gone).
   */
  public Optional<String> tapBridge(String name) {
    try {
      return Optional.of(Files.readString(taps.resolve(name)).strip()).filter(b -> !b.isEmpty());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  public TapInfo getTap(String name) {
    if (!Links.exists(name) || !Links.isTap(name)) {
      throw ApiException.notFound("no such tap");
    }
    return new TapInfo(name, Links.master(name).orElse(null));
  }

  /**
   * Deletes a tap this agent created; one it did not create is left alone (and the call succeeds).
   */
  public void deleteTap(String name) {
    synchronized (lock) {
      Path record = taps.resolve(name);
      if (!Files.exists(record)) {
        return;
      }
      if (Links.exists(name)) {
        if (users.tapInUse(name)) {
          throw ApiException.conflict("tap is used by a NIC of a VM on this node");
        }
        ip("link", "del", "dev", name);
      }
      forget(record);
    }
  }

  /**
   * A guest network: the bridge (made if missing, never given an address), a namespace {@code
   * vmsaga-<network_id>} and a veth pair whose bridge end is a port of the bridge and whose other
   * end ({@code gw0}) lives in the namespace with {@code gateway_cidr}. Every step is repeated
   * safely, so a PUT also repairs a half-made network; another bridge or gateway is a conflict.
   */
  public Outcome<NetworkInfo> putNetwork(String networkId, NetworkSpec spec) {
    String bridge = Ids.ifname("bridge", spec.bridge());
    String cidr = cidr(spec.gatewayCidr());
    NetworkInfo info = network(networkId, bridge, cidr);
    synchronized (lock) {
      Path record = networks.resolve(networkId);
      Optional<NetworkInfo> existing = readNetwork(networkId);
      if (existing.isPresent() && !existing.get().equals(info)) {
        throw ApiException.conflict("network exists with another bridge or gateway");
      }
      // names derive from the network id alone, so an agent sharing the host with another node's
      // (as the dev stack's two nodes do) finds the same network made already: it takes it as is
      try {
        AtomicFiles.write(record, JSON.writeValueAsBytes(info));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      putBridge(bridge);
      String ns = info.namespace();
      if (!namespaceExists(ns)) {
        ip("netns", "add", ns);
      }
      if (!Links.exists(info.veth())) {
        ip(
            "link",
            "add",
            "name",
            info.veth(),
            "type",
            "veth",
            "peer",
            "name",
            GATEWAY_INTERFACE,
            "netns",
            ns);
      }
      ip("link", "set", "dev", info.veth(), "master", bridge, "up");
      ip("-n", ns, "addr", "replace", cidr, "dev", GATEWAY_INTERFACE);
      ip("-n", ns, "link", "set", "dev", GATEWAY_INTERFACE, "up");
      ip("-n", ns, "link", "set", "dev", "lo", "up");
      return new Outcome<>(info, existing.isEmpty());
    }
  }

  public NetworkInfo getNetwork(String networkId) {
    return readNetwork(networkId).orElseThrow(() -> ApiException.notFound("no such network"));
  }

  /**
   * Removes namespace and veth, then the bridge if this agent made it and nothing else is plugged
   * into it; an unknown network is success.
   */
  public void deleteNetwork(String networkId) {
    synchronized (lock) {
      Optional<NetworkInfo> info = readNetwork(networkId);
      if (info.isEmpty()) {
        return;
      }
      if (Links.exists(info.get().veth())) {
        ip("link", "del", "dev", info.get().veth());
      }
      if (namespaceExists(info.get().namespace())) {
        ip("netns", "del", info.get().namespace());
      }
      String bridge = info.get().bridge();
      boolean sharedBridge =
          networks().stream()
              .anyMatch(n -> !n.networkId().equals(networkId) && n.bridge().equals(bridge));
      if (!sharedBridge && Links.isBridge(bridge) && !Links.hasPorts(bridge)) {
        deleteBridge(bridge);
      }
      forget(networks.resolve(networkId));
    }
  }

  public List<NetworkInfo> networks() {
    return owned(networks).stream().map(this::readNetwork).flatMap(Optional::stream).toList();
  }

  /**
   * Names derived from the id: the namespace keeps it whole ({@code vmsaga-} + at most 63), the
   * veth (15 bytes at most) carries a hash of it.
   */
  static NetworkInfo network(String networkId, String bridge, String cidr) {
    String hash;
    try {
      hash =
          HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-256")
                      .digest(networkId.getBytes(StandardCharsets.UTF_8)))
              .substring(0, 10);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return new NetworkInfo(
        networkId, bridge, cidr, "vmsaga-" + networkId, "vn" + hash, GATEWAY_INTERFACE);
  }

  private Optional<NetworkInfo> readNetwork(String networkId) {
    Path record = networks.resolve(networkId);
    if (!Files.exists(record)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(record.toFile(), NetworkInfo.class));
    } catch (JacksonException e) {
      return Optional.empty();
    }
  }

  private static boolean namespaceExists(String ns) {
    return Files.exists(Path.of("/run/netns", ns));
  }

  /** An IPv4 address with a prefix of 8..30 bits, e.g. {@code 10.77.0.1/24}. */
  static String cidr(String value) {
    if (value == null) {
      throw ApiException.invalid("gateway_cidr is required");
    }
    var m = CIDR.matcher(value);
    if (!m.matches()) {
      throw ApiException.invalid("gateway_cidr must be an IPv4 address/prefix");
    }
    int prefix = Integer.parseInt(m.group(4));
    if (prefix < 8 || prefix > 30) {
      throw ApiException.invalid("gateway_cidr prefix must be 8..30");
    }
    return value;
  }

  /** The taps this agent created that still exist. */
  public List<TapInfo> taps() {
    return owned(taps).stream().filter(Links::exists).map(this::getTap).toList();
  }

  /** The bridges this agent created that still exist. */
  public List<BridgeInfo> bridges() {
    return owned(bridges).stream().filter(Links::isBridge).map(BridgeInfo::new).toList();
  }

  private static List<String> owned(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(n -> !n.endsWith(".tmp"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Written before the link is made, so a crash in between leaves a record the next call can finish
   * or delete.
   */
  /**
   * Records what this agent made; not synced to disk: the links it describes live in the kernel and
   * are gone after a power loss anyway, and an agent that crashes finds the file in the page cache.
   */
  private static void record(Path record, String content) {
    try {
      AtomicFiles.writeUnsynced(record, content.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void forget(Path record) {
    try {
      Files.deleteIfExists(record);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** ip commands in one process ({@code ip -batch -}); names are checked ifnames, never spaces. */
  private static void ipBatch(String... commands) {
    Exec.run(IP_TIMEOUT, List.of("ip", "-batch", "-"), String.join("\n", commands) + "\n");
  }

  private static void ip(String... args) {
    List<String> argv = Stream.concat(Stream.of("ip"), Stream.of(args)).toList();
    Exec.run(IP_TIMEOUT, argv);
  }
}
