package io.vmsaga.agent.server.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Network interfaces as {@code /sys/class/net} shows them: cheaper than parsing {@code ip} output.
 */
public final class Links {
  private static final Path SYS = Path.of("/sys/class/net");

  private Links() {}

  public static boolean exists(String name) {
    return Files.exists(SYS.resolve(name));
  }

  static boolean isBridge(String name) {
    return Files.isDirectory(SYS.resolve(name).resolve("bridge"));
  }

  public static boolean isTap(String name) {
    return Files.exists(SYS.resolve(name).resolve("tun_flags"));
  }

  /** Administratively up ({@code IFF_UP} in its flags), whether or not it has a carrier. */
  public static boolean isUp(String name) {
    try {
      return (Long.decode(Files.readString(SYS.resolve(name).resolve("flags")).strip()) & 1) != 0;
    } catch (IOException | NumberFormatException e) {
      return false;
    }
  }

  static boolean hasPorts(String bridge) {
    try (Stream<Path> ports = Files.list(SYS.resolve(bridge).resolve("brif"))) {
      return ports.findAny().isPresent();
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The interface's own counters ({@code statistics/rx_bytes} …: what the kernel received on it and
   * sent out of it), or empty when it is gone.
   */
  public static Optional<Counters> counters(String name) {
    Path stats = SYS.resolve(name).resolve("statistics");
    try {
      return Optional.of(
          new Counters(
              read(stats, "rx_bytes"),
              read(stats, "tx_bytes"),
              read(stats, "rx_packets"),
              read(stats, "tx_packets")));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** An interface's counters since it was created, from the kernel's side of it. */
  public record Counters(long rxBytes, long txBytes, long rxPackets, long txPackets) {}

  private static long read(Path stats, String counter) throws IOException {
    return Long.parseLong(Files.readString(stats.resolve(counter)).strip());
  }

  /** The bridge (or other master) the interface is a port of. */
  public static Optional<String> master(String name) {
    try {
      return Optional.of(
          Files.readSymbolicLink(SYS.resolve(name).resolve("master")).getFileName().toString());
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
