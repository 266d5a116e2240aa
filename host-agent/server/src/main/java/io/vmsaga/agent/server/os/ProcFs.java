package io.vmsaga.agent.server.os;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** What {@code /proc} says about a process that may not be our child. */
public final class ProcFs {
  /** {@code sysconf(_SC_CLK_TCK)}: the unit of the CPU times in {@code /proc/PID/stat}. */
  private static final long TICKS_PER_SECOND = clockTicks();

  private ProcFs() {}

  /** CPU time a process (all its threads) spent in user and in kernel mode, in milliseconds. */
  public record CpuTimes(long userMs, long systemMs) {
    public long totalMs() {
      return userMs + systemMs;
    }
  }

  /**
   * The process's CPU times ({@code utime} and {@code stime} of {@code /proc/PID/stat}, fields 14
   * and 15, resolution one clock tick: 10 ms), or empty when it is gone.
   */
  public static Optional<CpuTimes> cpuTimes(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // Fields after the parenthesised command name, which may itself contain spaces or ')':
      // [0] is field 3 (state), so utime (14) is [11] and stime (15) is [12].
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Optional.of(
          new CpuTimes(
              ticksToMs(Long.parseLong(fields[11])), ticksToMs(Long.parseLong(fields[12]))));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * The process's resident set ({@code VmRSS} of {@code /proc/PID/status}: anonymous, file and
   * shared memory pages it has mapped in RAM) in bytes, or empty when it is gone.
   */
  public static Optional<Long> rssBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          // "VmRSS:     123456 kB"
          String kib = line.substring("VmRSS:".length()).strip().split("\\s+")[0];
          return Optional.of(Long.parseLong(kib) * 1024);
        }
      }
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static long ticksToMs(long ticks) {
    return ticks * 1000 / TICKS_PER_SECOND;
  }

  /** glibc's sysconf through the FFM API; 100 (x86's USER_HZ) should it answer nothing useful. */
  private static long clockTicks() {
    try {
      Linker linker = Linker.nativeLinker();
      long ticks =
          (long)
              linker
                  .downcallHandle(
                      linker.defaultLookup().find("sysconf").orElseThrow(),
                      FunctionDescriptor.of(JAVA_LONG, JAVA_INT))
                  .invokeExact(2); // _SC_CLK_TCK
      return ticks > 0 ? ticks : 100;
    } catch (Throwable e) {
      return 100;
    }
  }

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
