package io.vmsaga.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the API is and who calls it. Each setting comes from the first place that has it: the
 * command line, the environment ({@code VMSAGA_URL}, {@code VMSAGA_TOKEN}, {@code
 * VMSAGA_ADMIN_TOKEN}), the {@code .vmsaga/env} of the repository the current directory is in (what
 * {@code scripts/dev up} writes), then {@code ~/.config/vmsaga/config} ({@code key=value}; {@code
 * url}, {@code token}, {@code admin_token} or the variable names).
 */
public record Config(String url, String token, String adminToken) {
  static final String URL = "VMSAGA_URL";
  static final String TOKEN = "VMSAGA_TOKEN";
  static final String ADMIN_TOKEN = "VMSAGA_ADMIN_TOKEN";

  public static Config resolve(
      String urlFlag, String tokenFlag, Map<String, String> env, Path cwd, Path home) {
    List<Map<String, String>> sources = new ArrayList<>();
    sources.add(env);
    Path repoEnv = repoEnv(cwd);
    if (repoEnv != null) {
      sources.add(read(repoEnv));
    }
    Path user = home.resolve(".config/vmsaga/config");
    if (Files.isRegularFile(user)) {
      sources.add(read(user));
    }
    String url = urlFlag != null ? urlFlag : first(sources, URL);
    // an explicit --token is the caller's choice for every command, admin ones included
    String token = tokenFlag != null ? tokenFlag : first(sources, TOKEN);
    String admin = tokenFlag != null ? tokenFlag : first(sources, ADMIN_TOKEN);
    return new Config(url == null ? null : url.replaceAll("/+$", ""), token, admin);
  }

  /** The nearest {@code .vmsaga/env} at or above {@code dir}, or null. */
  static Path repoEnv(Path dir) {
    for (Path d = dir.toAbsolutePath(); d != null; d = d.getParent()) {
      Path env = d.resolve(".vmsaga/env");
      if (Files.isRegularFile(env)) {
        return env;
      }
    }
    return null;
  }

  /**
   * {@code KEY=value} lines, {@code export} and quotes allowed, {@code #} comments; the short names
   * of the user config map to the variables.
   */
  static Map<String, String> read(Path file) {
    Map<String, String> values = new HashMap<>();
    try {
      for (String line : Files.readAllLines(file)) {
        String l = line.strip().replaceFirst("^export\\s+", "");
        int eq = l.indexOf('=');
        if (l.startsWith("#") || eq < 1) {
          continue;
        }
        String key = l.substring(0, eq).strip();
        String value = l.substring(eq + 1).strip().replaceAll("^([\"'])(.*)\\1$", "$2");
        values.put(
            switch (key) {
              case "url" -> URL;
              case "token" -> TOKEN;
              case "admin_token" -> ADMIN_TOKEN;
              default -> key;
            },
            value);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return values;
  }

  private static String first(List<Map<String, String>> sources, String key) {
    return sources.stream()
        .map(s -> s.get(key))
        .filter(v -> v != null && !v.isBlank())
        .findFirst()
        .orElse(null);
  }
}
