package io.vmsaga.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * The command run against the stack `scripts/dev up` started, whose env `scripts/dev test` exports:
 * in this JVM (fast), or as its own process on a pseudo-terminal.
 */
final class Cli {
  private Cli() {}

  /** What one command line did. */
  record Run(int code, String out, String err) {
    JsonNode json() {
      return Api.JSON.readTree(out);
    }
  }

  static String env(String name) {
    String value = System.getenv(name);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          name
              + " is not set: run the tests with `scripts/dev test`"
              + " (or `scripts/dev up` and `source .vmsaga/env` first)");
    }
    return value;
  }

  /** The command as {@code token}, against VMSAGA_URL. */
  static Run as(String token, String... args) {
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    List<String> argv = new ArrayList<>(List.of(args));
    argv.addAll(List.of("--url", env("VMSAGA_URL"), "--token", token));
    int code =
        Vmsaga.run(
            Map.of(),
            Path.of("/"),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            false,
            argv.toArray(String[]::new));
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static Run admin(String... args) {
    return as(env("VMSAGA_ADMIN_TOKEN"), args);
  }

  /** A fresh tenant with room for two small VMs; answers its token. */
  static String newTenant() {
    var created =
        admin(
            "tenant",
            "create",
            "--name",
            "cli test",
            "--max-vms",
            "2",
            "--max-vcpus",
            "2",
            "--max-memory",
            "512",
            "--max-disk",
            "10",
            "-o",
            "json");
    assertThat(created.code()).as(created.err()).isZero();
    return created.json().path("token").asString();
  }

  /** Output bytes of a process, with when each chunk came (ms since start): a recording. */
  record Chunk(long atMillis, String text) {}

  /**
   * The command in its own JVM on a pseudo-terminal ({@code script} of util-linux): what a person
   * at a terminal sees, byte for byte and in time.
   */
  static List<Chunk> onTerminal(String token, long timeoutSeconds, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Vmsaga.class.getName()));
    command.addAll(List.of(args));
    command.addAll(List.of("--url", env("VMSAGA_URL"), "--token", token));
    String line = String.join(" ", command.stream().map(Cli::quote).toList());
    Process script =
        new ProcessBuilder("script", "-qfec", line, "/dev/null")
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .redirectErrorStream(true)
            .start();
    long start = System.nanoTime();
    List<Chunk> chunks = new ArrayList<>();
    InputStream in = script.getInputStream();
    byte[] buffer = new byte[8192];
    for (int n; (n = in.read(buffer)) > 0; ) {
      chunks.add(
          new Chunk(
              (System.nanoTime() - start) / 1_000_000,
              new String(buffer, 0, n, StandardCharsets.UTF_8)));
    }
    assertThat(script.waitFor(timeoutSeconds, TimeUnit.SECONDS)).isTrue();
    script.getOutputStream().close();
    return chunks;
  }

  private static String quote(String word) {
    return "'" + word.replace("'", "'\\''") + "'";
  }
}
