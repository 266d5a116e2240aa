package io.vmsaga.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

/** The progress lines: a saga's steps forward and back, a migration's bytes, redrawing. */
class WatchTest {
  private static final String STEPS =
      """
      [{"index":1,"name":"reserveResources","op":"action","status":"succeed"},
       {"index":1,"name":"releaseResources","op":"compensate","status":"%s"},
       {"index":2,"name":"createDisk","op":"action","status":"succeed"},
       {"index":2,"name":"deleteDisk","op":"compensate","status":"%s"},
       {"index":3,"name":"writeVmConfig","op":"action","status":"%s"},
       {"index":3,"name":"deleteVmConfig","op":"compensate","status":"%s"}]""";

  private static tools.jackson.databind.JsonNode saga(String status, String... branches) {
    return Api.JSON.readTree(
        "{\"status\":\"%s\",\"stepCount\":3,\"steps\":%s}"
            .formatted(status, STEPS.formatted((Object[]) branches)));
  }

  @Test
  void stepsForwardThenTheRollback() {
    assertThat(Watch.steps(saga("submitted", "prepared", "prepared", "prepared", "prepared")))
        .isEqualTo("2/3 createDisk ✓");
    assertThat(Watch.steps(saga("succeed", "prepared", "prepared", "succeed", "prepared")))
        .isEqualTo("3/3 writeVmConfig ✓ done");
    assertThat(Watch.steps(saga("aborting", "prepared", "succeed", "failed", "succeed")))
        .isEqualTo("2/3 writeVmConfig ✗, rolling back: 2 undone deleteDisk ↺");
    assertThat(Watch.steps(saga("failed", "succeed", "succeed", "failed", "succeed")))
        .isEqualTo("2/3 writeVmConfig ✗, rolled back: 3 undone releaseResources ↺");
  }

  @Test
  void aMigrationsBytesAndSpeed() {
    var migration =
        Api.JSON.readTree(
            "{\"status\":\"active\",\"percent\":45,\"transferredBytes\":125829120,"
                + "\"totalBytes\":268435456,\"remainingBytes\":146800640,\"mbps\":812.4}");
    assertThat(Watch.migration(migration))
        .isEqualTo("45% · 120.0 MiB of 256.0 MiB sent · 140.0 MiB left · 812 Mbit/s");
  }

  @Test
  void aTerminalRedrawsOneLineAPipeGetsALinePerChange() {
    var tty = new ByteArrayOutputStream();
    var live = new Progress(new PrintStream(tty, true), true);
    live.show("1/3 a ✓");
    live.show("1/3 a ✓");
    live.done("3/3 c ✓ done");
    assertThat(tty.toString()).startsWith("\r\033[2K1/3 a ✓").contains("\r\033[2K3/3 c ✓ done");
    assertThat(tty.toString().chars().filter(c -> c == '\n').count()).isEqualTo(1);

    var pipe = new ByteArrayOutputStream();
    var plain = new Progress(new PrintStream(pipe, true), false);
    plain.show("1/3 a ✓");
    plain.show("1/3 a ✓");
    plain.done("3/3 c ✓ done");
    assertThat(pipe.toString()).isEqualTo("1/3 a ✓\n3/3 c ✓ done\n");
  }
}
