package io.vmsaga.agent.server.os;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** What {@code /proc} says about a process that may not be our child. */
public final class ProcFs {
  private ProcFs() {}

  /**
   * Alive means present and not a zombie: an exited QEMU whose parent has not reaped it yet is
   * dead.
   */
  public static boolean alive(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The state follows the parenthesised command name, which may itself contain spaces or ')'.
      int end = stat.lastIndexOf(')');
      char state = stat.charAt(end + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** The argv of a process, or empty when it is gone. */
  public static Optional<List<String>> cmdline(long pid) {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
      String text = new String(raw, StandardCharsets.UTF_8);
      return Optional.of(Arrays.asList(text.split("\0")));
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
