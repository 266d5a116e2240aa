package io.vmsaga.agent.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.vmsaga.agent.api.DiskInfo;
import io.vmsaga.agent.api.DiskSpec;
import io.vmsaga.agent.client.AgentException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Disk pools with real qemu-img: offline grow, and the streamed export/import used by cold
 * migration.
 */
class DiskTransferTest {
  private static TestNode a;
  private static TestNode b;

  @BeforeAll
  static void startAgents() throws Exception {
    a = TestNode.inProcess("node-da");
    b = TestNode.inProcess("node-db");
  }

  @AfterAll
  static void cleanUp() throws Exception {
    try {
      a.close();
    } finally {
      b.close();
    }
  }

  @Test
  void growOfflineAndRefuseShrink() {
    a.client().putDisk("local", "g1", DiskSpec.ofMib(16));
    assertThat(a.client().resizeDisk("local", "g1", DiskSpec.ofMib(48)).sizeMib()).isEqualTo(48);
    assertThat(a.client().resizeDisk("local", "g1", DiskSpec.ofMib(48)).sizeMib())
        .as("same size is success")
        .isEqualTo(48);
    AgentException shrink =
        assertThatExceptionOfType(AgentException.class)
            .isThrownBy(() -> a.client().resizeDisk("local", "g1", DiskSpec.ofMib(16)))
            .actual();
    assertThat(shrink.code()).isEqualTo("invalid");
    assertThat(shrink.isRetryable()).isFalse();
    a.client().deleteDisk("local", "g1");
  }

  @Test
  void exportImportAndCopyBetweenAgents() throws Exception {
    // Real content: qemu-img writes a pattern into the image so the copy is more than a header.
    a.client().putDisk("local", "src", DiskSpec.ofMib(8));
    Path file = a.localPool.resolve("src.qcow2");
    new ProcessBuilder("qemu-io", "-f", "qcow2", "-c", "write -P 0xab 0 1M", file.toString())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start()
        .waitFor();

    ByteArrayOutputStream exported = new ByteArrayOutputStream();
    String sha = a.client().exportDisk("local", "src", exported);
    assertThat(sha).isEqualTo(sha256(Files.readAllBytes(file)));
    assertThat(exported.toByteArray()).isEqualTo(Files.readAllBytes(file));

    DiskInfo imported =
        a.client()
            .importDisk("shared", "copy", new ByteArrayInputStream(exported.toByteArray()), sha);
    assertThat(imported.sizeMib()).isEqualTo(8);
    assertThat(Files.readAllBytes(a.sharedPool.resolve("copy.qcow2")))
        .isEqualTo(exported.toByteArray());
    assertThat(
            a.client()
                .importDisk("shared", "copy", new ByteArrayInputStream(exported.toByteArray()), sha)
                .path())
        .as("the same content again is success")
        .isEqualTo(imported.path());

    DiskInfo copied = b.client().copyDiskFrom(a.client(), "local", "src", "local");
    assertThat(copied.sizeMib()).isEqualTo(8);
    assertThat(Files.readAllBytes(b.localPool.resolve("src.qcow2")))
        .isEqualTo(Files.readAllBytes(file));

    a.client().deleteDisk("local", "src");
    a.client().deleteDisk("shared", "copy");
    b.client().deleteDisk("local", "src");
  }

  @Test
  void damagedOrDangerousImportsLeaveNothing() throws Exception {
    a.client().putDisk("local", "good", DiskSpec.ofMib(4));
    byte[] good = Files.readAllBytes(a.localPool.resolve("good.qcow2"));
    a.client().deleteDisk("local", "good");

    AgentException mismatch =
        assertThatExceptionOfType(AgentException.class)
            .isThrownBy(
                () ->
                    a.client()
                        .importDisk(
                            "local",
                            "bad",
                            new ByteArrayInputStream(good),
                            sha256("something else".getBytes())))
            .actual();
    assertThat(mismatch.status()).isEqualTo(400);

    byte[] notQcow2 = "plain bytes, not an image".getBytes();
    AgentException raw =
        assertThatExceptionOfType(AgentException.class)
            .isThrownBy(
                () ->
                    a.client()
                        .importDisk(
                            "local", "bad", new ByteArrayInputStream(notQcow2), sha256(notQcow2)))
            .actual();
    assertThat(raw.status()).isEqualTo(400);

    // A backing file would let a guest read any host file through its disk.
    Path backed = a.root.resolve("backed.qcow2");
    new ProcessBuilder(
            "qemu-img",
            "create",
            "-q",
            "-f",
            "qcow2",
            "-b",
            "/etc/hostname",
            "-F",
            "raw",
            backed.toString(),
            "4M")
        .inheritIO()
        .start()
        .waitFor();
    byte[] backedBytes = Files.readAllBytes(backed);
    AgentException backing =
        assertThatExceptionOfType(AgentException.class)
            .isThrownBy(
                () ->
                    a.client()
                        .importDisk(
                            "local",
                            "bad",
                            new ByteArrayInputStream(backedBytes),
                            sha256(backedBytes)))
            .actual();
    assertThat(backing.status()).isEqualTo(400);

    try (Stream<Path> files = Files.list(a.localPool)) {
      assertThat(files.toList()).as("no disk and no temp file left").isEqualTo(List.of());
    }
    assertThat(a.client().getDisk("local", "bad").isEmpty()).isTrue();
  }

  static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
