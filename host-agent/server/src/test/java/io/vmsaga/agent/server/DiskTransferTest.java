package io.vmsaga.agent.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    assertEquals(48, a.client().resizeDisk("local", "g1", DiskSpec.ofMib(48)).sizeMib());
    assertEquals(
        48,
        a.client().resizeDisk("local", "g1", DiskSpec.ofMib(48)).sizeMib(),
        "same size is success");
    AgentException shrink =
        assertThrows(
            AgentException.class, () -> a.client().resizeDisk("local", "g1", DiskSpec.ofMib(16)));
    assertEquals("invalid", shrink.code());
    assertEquals(false, shrink.isRetryable());
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
    assertEquals(sha256(Files.readAllBytes(file)), sha);
    assertArrayEquals(Files.readAllBytes(file), exported.toByteArray());

    DiskInfo imported =
        a.client()
            .importDisk("shared", "copy", new ByteArrayInputStream(exported.toByteArray()), sha);
    assertEquals(8, imported.sizeMib());
    assertArrayEquals(
        exported.toByteArray(), Files.readAllBytes(a.sharedPool.resolve("copy.qcow2")));
    assertEquals(
        imported.path(),
        a.client()
            .importDisk("shared", "copy", new ByteArrayInputStream(exported.toByteArray()), sha)
            .path(),
        "the same content again is success");

    DiskInfo copied = b.client().copyDiskFrom(a.client(), "local", "src", "local");
    assertEquals(8, copied.sizeMib());
    assertArrayEquals(
        Files.readAllBytes(file), Files.readAllBytes(b.localPool.resolve("src.qcow2")));

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
        assertThrows(
            AgentException.class,
            () ->
                a.client()
                    .importDisk(
                        "local",
                        "bad",
                        new ByteArrayInputStream(good),
                        sha256("something else".getBytes())));
    assertEquals(400, mismatch.status());

    byte[] notQcow2 = "plain bytes, not an image".getBytes();
    AgentException raw =
        assertThrows(
            AgentException.class,
            () ->
                a.client()
                    .importDisk(
                        "local", "bad", new ByteArrayInputStream(notQcow2), sha256(notQcow2)));
    assertEquals(400, raw.status());

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
        assertThrows(
            AgentException.class,
            () ->
                a.client()
                    .importDisk(
                        "local",
                        "bad",
                        new ByteArrayInputStream(backedBytes),
                        sha256(backedBytes)));
    assertEquals(400, backing.status());

    try (Stream<Path> files = Files.list(a.localPool)) {
      assertEquals(List.of(), files.toList(), "no disk and no temp file left");
    }
    assertTrue(a.client().getDisk("local", "bad").isEmpty());
  }

  static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
