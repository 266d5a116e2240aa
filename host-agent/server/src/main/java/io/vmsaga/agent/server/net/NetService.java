package io.vmsaga.agent.server.net;

import io.vmsaga.agent.api.BridgeInfo;
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
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * Bridges and taps, made with {@code ip}. The agent records every link it creates in its state dir
 * and only ever deletes links it recorded, so it cannot take down an interface it does not own;
 * deleting one it does not own succeeds without touching it, so a compensation never fails on it.
 */
public final class NetService {
  private static final Duration IP_TIMEOUT = Duration.ofSeconds(10);

  private final Path bridges;
  private final Path taps;
  private final TapUsers users;
  private final Object lock = new Object();

  public NetService(Path stateDir, TapUsers users) throws IOException {
    this.bridges = Files.createDirectories(stateDir.resolve("net/bridges"));
    this.taps = Files.createDirectories(stateDir.resolve("net/taps"));
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
      ip("tuntap", "add", "dev", name, "mode", "tap");
      ip("link", "set", "dev", name, "master", bridge);
      ip("link", "set", "dev", name, "up");
      return Outcome.created(info);
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
          throw ApiException.conflict("tap is in use by a running VM");
        }
        ip("link", "del", "dev", name);
      }
      forget(record);
    }
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
  private static void record(Path record, String content) {
    try {
      AtomicFiles.write(record, content.getBytes(StandardCharsets.UTF_8));
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

  private static void ip(String... args) {
    List<String> argv = Stream.concat(Stream.of("ip"), Stream.of(args)).toList();
    Exec.run(IP_TIMEOUT, argv);
  }
}
