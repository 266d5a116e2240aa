package io.vmsaga.agent.server.os;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs one program from an argv list, never through a shell, and bounds it with a timeout. */
public final class Exec {
  private Exec() {}

  public record Result(List<String> argv, int exitCode, String stdout, String stderr) {}

  /** Runs {@code argv}; throws {@link ExecException} when it fails to start, times out or exits non-zero. */
  public static Result run(Duration timeout, List<String> argv) {
    Result result = attempt(timeout, argv);
    if (result.exitCode() != 0) {
      throw new ExecException(argv.get(0) + " exited " + result.exitCode() + ": " + firstLine(result.stderr()));
    }
    return result;
  }

  /** Runs {@code argv} and returns whatever exit code it has; throws only when it cannot start or times out. */
  public static Result attempt(Duration timeout, List<String> argv) {
    Process process;
    try {
      process = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    } catch (IOException e) {
      throw new ExecException("cannot run " + argv.get(0) + ": " + e.getMessage());
    }
    CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> drain(process.getInputStream()));
    CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> drain(process.getErrorStream()));
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new ExecException(argv.get(0) + " timed out after " + timeout.toMillis() + " ms");
      }
      return new Result(argv, process.exitValue(), stdout.join(), stderr.join());
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

  static String firstLine(String text) {
    String line = text.strip().lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 200) : line;
  }
}
