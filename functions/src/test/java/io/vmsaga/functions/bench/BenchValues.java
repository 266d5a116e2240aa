package io.vmsaga.functions.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The measurements of one `scripts/dev bench` run: each part appends {@code key=value} lines to the
 * file {@code VMSAGA_BENCH_VALUES} names (the agent's bench and the shell write the same format),
 * and {@link BenchReport} turns them into issue 15's table. Nothing is recorded when it is unset,
 * so a part run alone prints its own lines only.
 */
final class BenchValues {
  private BenchValues() {}

  static void put(String key, double value) {
    String file = System.getenv("VMSAGA_BENCH_VALUES");
    if (file == null) {
      return;
    }
    try {
      Files.writeString(
          Path.of(file),
          String.format(Locale.ROOT, "%s=%.3f%n", key, value),
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every value of the file, the last one written for a key winning. */
  static Map<String, Double> read(Path file) throws IOException {
    Map<String, Double> values = new LinkedHashMap<>();
    for (String line : Files.readAllLines(file)) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        values.put(line.substring(0, eq).trim(), Double.parseDouble(line.substring(eq + 1).trim()));
      }
    }
    return values;
  }
}
