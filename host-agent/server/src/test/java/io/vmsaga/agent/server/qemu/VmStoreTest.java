package io.vmsaga.agent.server.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.api.VmNic;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store keeps parsed configs: every read must still give what the file holds. */
class VmStoreTest {
  @TempDir Path dir;

  private static VmConfig config(String tap) {
    return new VmConfig(
        "vm",
        1,
        1,
        128L,
        null,
        null,
        List.of(),
        List.of(new VmNic(tap, "52:54:00:00:00:01")),
        null);
  }

  @Test
  void aReadAfterAWriteOrADeleteSeesIt() throws Exception {
    VmStore store = new VmStore(dir.resolve("state"), dir.resolve("run"));
    assertThat(store.read("vm-1")).isEmpty();

    store.write("vm-1", config("vtta"));
    assertThat(store.read("vm-1").orElseThrow().nics().getFirst().tap()).isEqualTo("vtta");

    store.write("vm-1", config("vttb"));
    assertThat(store.read("vm-1").orElseThrow().nics().getFirst().tap()).isEqualTo("vttb");

    store.delete("vm-1");
    assertThat(store.read("vm-1")).isEmpty();
    assertThat(store.ids()).isEmpty();
  }

  @Test
  void aConfigThatAppearsAfterAMissIsRead() throws Exception {
    VmStore store = new VmStore(dir.resolve("state"), dir.resolve("run"));
    assertThat(store.read("vm-2")).isEmpty();
    // as an older agent left it: written by no store of this process
    new VmStore(dir.resolve("state"), dir.resolve("run")).write("vm-2", config("vttc"));
    assertThat(store.read("vm-2").orElseThrow().nics().getFirst().tap()).isEqualTo("vttc");
    assertThat(Files.exists(store.dir("vm-2").resolve("config.json"))).isTrue();
  }

  @Test
  void theSharedParsedConfigCannotBeChangedByOneReader() throws Exception {
    VmStore store = new VmStore(dir.resolve("state"), dir.resolve("run"));
    store.write("vm-3", config("vttd"));
    VmConfig read = store.read("vm-3").orElseThrow();
    assertThatExceptionOfType(UnsupportedOperationException.class)
        .isThrownBy(() -> read.nics().add(new VmNic("vtte", "52:54:00:00:00:02")));
    assertThat(store.read("vm-3").orElseThrow().nics()).hasSize(1);
  }
}
