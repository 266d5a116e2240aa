package io.vmsaga.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each setting from the first place that has it: flag, environment, .vmsaga/env, user config. */
class ConfigTest {
  @TempDir Path dir;

  @Test
  void flagsThenEnvironmentThenTheCheckoutThenTheUserConfig() throws Exception {
    Path repo = Files.createDirectories(dir.resolve("repo/.vmsaga"));
    Files.writeString(
        repo.resolve("env"),
        "# written by scripts/dev up\nexport VMSAGA_URL=http://repo:8080\n"
            + "export VMSAGA_TOKEN='repo-token'\n");
    Path cwd = Files.createDirectories(dir.resolve("repo/functions/src"));
    Path home = Files.createDirectories(dir.resolve("home/.config/vmsaga")).getParent().getParent();
    Files.writeString(
        home.resolve(".config/vmsaga/config"), "url=http://user:8080/\nadmin_token=user-admin\n");

    assertThat(Config.resolve(null, null, Map.of(), cwd, home))
        .isEqualTo(new Config("http://repo:8080", "repo-token", "user-admin"));
    assertThat(Config.resolve(null, null, Map.of("VMSAGA_TOKEN", "env-token"), cwd, home).token())
        .isEqualTo("env-token");
    assertThat(Config.resolve("http://flag", "flag-token", Map.of(), cwd, home))
        .isEqualTo(new Config("http://flag", "flag-token", "flag-token"));
    assertThat(Config.resolve(null, null, Map.of(), dir, home))
        .isEqualTo(new Config("http://user:8080", null, "user-admin"));
  }

  @Test
  void withoutAUrlTheCommandSaysWhereToPutOne() {
    var err = new java.io.ByteArrayOutputStream();
    int code =
        Vmsaga.run(
            Map.of(),
            dir,
            new java.io.PrintStream(new java.io.ByteArrayOutputStream()),
            new java.io.PrintStream(err),
            false,
            "vm",
            "list");
    assertThat(code).isEqualTo(Exit.USAGE);
    assertThat(err.toString()).contains("VMSAGA_URL");
    assertThat(Vmsaga.run(Map.of(), dir, System.out, System.err, false, "vm", "nope"))
        .isEqualTo(Exit.USAGE);
  }
}
