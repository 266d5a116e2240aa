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
