package io.vmsaga.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The CLI against the running stack, as a script and a person use it: create, list, show, migrate
 * (on a pseudo-terminal, recorded), delete, each {@code --wait}ing; the exit codes of a refusal and
 * of a rolled-back saga. Every VM it makes it deletes.
 */
class VmCommandsE2ETest {
  private static String token;
  private static final List<String> made = new ArrayList<>();

  @BeforeAll
  static void tenant() {
    token = Cli.newTenant();
  }

  @AfterAll
  static void deleteWhatIsLeft() {
    for (String vmId : made) {
      Cli.as(token, "vm", "delete", vmId, "--wait", "--timeout", "60");
    }
  }

  @Test
  void createListShowMigrateOnATerminalDelete() throws Exception {
    var created =
        Cli.as(
            token,
            "vm",
            "create",
            "--name",
            "cli-1",
            "--memory",
            "128",
            "--shared",
            "--wait",
            "--timeout",
            "90",
            "-o",
            "json");
    assertThat(created.code()).as(created.err()).isZero();
    JsonNode vm = created.json();
    String vmId = vm.path("vmId").asString();
    made.add(vmId);
    assertThat(vm.path("status").asString()).isEqualTo("succeed");
    // JSON on stdout stays parseable: the progress went to stderr, one plain line per change
    assertThat(created.err()).contains(" done").doesNotContain("\r");

    var listed = Cli.as(token, "vm", "list", "-o", "json");
    assertThat(listed.code()).isZero();
    assertThat(listed.json().path("vms").findValuesAsString("id")).contains(vmId);
    var table = Cli.as(token, "vm", "list");
    assertThat(table.out()).startsWith("ID").contains(vmId).contains("running");

    var shown = Cli.as(token, "vm", "show", vmId, "-o", "json");
    assertThat(shown.code()).isZero();
    assertThat(shown.json().path("state").asString()).isEqualTo("running");
    String from = shown.json().path("nodeId").asString();
    String to = from.equals("node-1") ? "node-2" : "node-1";

    // what it uses; pause and resume as the API has them
    var stats = Cli.as(token, "vm", "stats", vmId, "-o", "json");
    assertThat(stats.code()).as(stats.err()).isZero();
    assertThat(stats.json().path("cpu").path("timeMs").asLong()).isPositive();
    assertThat(VmCommands.statsLine(stats.json())).startsWith("cpu ").contains("rss ");
    assertThat(Cli.as(token, "vm", "pause", vmId, "-o", "json").json().path("state").asString())
        .isEqualTo("paused");
    assertThat(Cli.as(token, "vm", "resume", vmId, "-o", "json").json().path("state").asString())
        .isEqualTo("running");

    // a person's terminal: the progress redrawn in place, step after step, then the end
    var chunks = Cli.onTerminal(token, 120, "vm", "migrate", vmId, "--node", to, "--wait");
    String screen = String.join("", chunks.stream().map(Cli.Chunk::text).toList());
    assertThat(screen).contains("\r\033[2K");
    assertThat(progressStates(screen)).as(screen).hasSizeGreaterThanOrEqualTo(3);
    String last = screen.substring(screen.lastIndexOf("\r\033[2K"));
    assertThat(last).contains(" done").contains("nodeId");
    Recording.write(chunks, vmId, to);
    assertThat(Cli.as(token, "vm", "show", vmId, "-o", "json").json().path("nodeId").asString())
        .isEqualTo(to);

    var deleted = Cli.as(token, "vm", "delete", vmId, "--wait", "--timeout", "90");
    assertThat(deleted.code()).as(deleted.err()).isZero();
    made.remove(vmId);
    var gone = Cli.as(token, "vm", "show", vmId);
    assertThat(gone.code()).isEqualTo(Exit.REFUSED);
    assertThat(gone.err()).contains("not_found");
  }

  @Test
  void aRefusalIsThreeWithTheApisCode() {
    var unknownNetwork =
        Cli.as(token, "vm", "create", "--name", "cli-x", "--network", "no-such-net", "--wait");
    assertThat(unknownNetwork.code()).isEqualTo(Exit.REFUSED);
    assertThat(unknownNetwork.err()).startsWith("vmsaga: not_found: network not found");
    var tooBig = Cli.as(token, "vm", "create", "--name", "cli-x", "--memory", "1048576", "--wait");
    assertThat(tooBig.code()).isEqualTo(Exit.REFUSED);
    assertThat(tooBig.err()).contains("no_capacity");
  }

  @Test
  void aRolledBackSagaIsOneWithItsReasonAndLink() {
    var failed =
        Cli.as(
            token,
            "--inject-fault",
            "writeVmConfig=fail",
            "vm",
            "create",
            "--name",
            "cli-doomed",
            "--memory",
            "128",
            "--wait",
            "--timeout",
            "90");
    assertThat(failed.code()).as(failed.out() + failed.err()).isEqualTo(Exit.FAILED);
    assertThat(failed.err())
        .contains("injected_failure")
        .contains("fault injected into writeVmConfig")
        .contains("/admin/global-transactions/detail/");
    // the steps were followed while the tenant could see the saga; once the rollback removed the
    // VM's records the failing step may not have been seen (getSaga's 404), the answer names it
    // a VM without an image: its create saga has 7 steps
    assertThat(failed.out()).containsPattern("\\d/7 \\w+ ");
    assertThat(Cli.as(token, "vm", "list", "-o", "json").json().path("vms").size()).isZero();
  }

  /** The distinct states a redrawn line went through: each text between two redraws. */
  private static Set<String> progressStates(String screen) {
    Set<String> states = new LinkedHashSet<>();
    Matcher m = Pattern.compile("\r\033\\[2K([^\r\n]*?)  \\(\\d+\\.\\d s\\)").matcher(screen);
    while (m.find()) {
      states.add(m.group(1));
    }
    return states;
  }

  /** The terminal session as an asciicast v2 file, target/vm-migrate.cast (README: docs/). */
  static final class Recording {
    static void write(List<Cli.Chunk> chunks, String vmId, String to) throws Exception {
      StringBuilder cast = new StringBuilder();
      cast.append(
          Api.JSON.writeValueAsString(
              Api.body(
                  "version", 2,
                  "width", 110,
                  "height", 24,
                  "timestamp", System.currentTimeMillis() / 1000,
                  "command", "bin/vmsaga vm migrate " + vmId + " --node " + to + " --wait")));
      cast.append('\n');
      for (Cli.Chunk chunk : chunks) {
        cast.append(
                Api.JSON.writeValueAsString(List.of(chunk.atMillis() / 1000.0, "o", chunk.text())))
            .append('\n');
      }
      Files.writeString(Path.of("target", "vm-migrate.cast"), cast);
    }
  }
}
