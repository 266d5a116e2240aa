package io.vmsaga.agent.server.os;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** Runs one program from an argv list, never through a shell, and bounds it with a timeout. */
public final class Exec {
  private Exec() {}

  /** Children read nothing: a program that asks for input gets EOF instead of hanging. */
  public static final ProcessBuilder.Redirect NO_INPUT =
      ProcessBuilder.Redirect.from(new File("/dev/null"));

  /**
   * Drains children's output. Not the common pool: on 2 cores it has one thread, and stdout waiting
   * there for EOF while the child blocks on a full stderr pipe would stall until the timeout.
   */
  private static final ExecutorService DRAINERS =
      Executors.newCachedThreadPool(
          r -> {
            Thread thread = new Thread(r, "exec-drain");
            thread.setDaemon(true);
            return thread;
          });

  /**
   * Runs {@code argv} and returns its stdout; throws {@link ExecException} when it fails to start,
   * times out or exits non-zero.
   */
  public static String run(Duration timeout, List<String> argv) {
    return run(timeout, argv, null);
  }

  /** As {@link #run(Duration, List)}, with {@code input} (if not null) as the child's stdin. */
  public static String run(Duration timeout, List<String> argv, String input) {
    Process process;
    try {
      ProcessBuilder builder = new ProcessBuilder(argv);
      process = (input == null ? builder.redirectInput(NO_INPUT) : builder).start();
      if (input != null) {
        try (var stdin = process.getOutputStream()) {
          stdin.write(input.getBytes(StandardCharsets.UTF_8));
        }
      }
    } catch (IOException e) {
      throw new ExecException("cannot run " + argv.get(0) + ": " + e.getMessage());
    }
    CompletableFuture<String> stdout =
        CompletableFuture.supplyAsync(() -> drain(process.getInputStream()), DRAINERS);
    CompletableFuture<String> stderr =
        CompletableFuture.supplyAsync(() -> drain(process.getErrorStream()), DRAINERS);
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new ExecException(argv.get(0) + " timed out after " + timeout.toMillis() + " ms");
      }
      if (process.exitValue() != 0) {
        throw new ExecException(
            argv.get(0) + " exited " + process.exitValue() + ": " + firstLine(stderr.join()));
      }
      return stdout.join();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new ExecException(argv.get(0) + " interrupted");
    }
  }

  private static String drain(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String firstLine(String text) {
    String line = text.strip().lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 200) : line;
  }
}
