package io.vmsaga.agent.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import com.sun.net.httpserver.HttpServer;
import io.vmsaga.agent.api.AgentJson;
import io.vmsaga.agent.api.CachedImageInfo;
import io.vmsaga.agent.api.DiskInfo;
import io.vmsaga.agent.api.DiskSpec;
import io.vmsaga.agent.api.ImageInfo;
import io.vmsaga.agent.api.ImageSpec;
import io.vmsaga.agent.client.AgentClient;
import io.vmsaga.agent.client.AgentException;
import io.vmsaga.agent.server.os.AtomicFiles;
import io.vmsaga.agent.server.os.Exec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Images imported over HTTP from a server in this test (loopback only), cached copies, overlay
 * disks on them and their flattened export.
 */
class ImagesTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static TestNode node;
  private static AgentClient agent;
  private static HttpServer files;
  private static Path served;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.inProcess("node-img");
    agent = node.client();
    served = Files.createTempDirectory(Path.of("/tmp"), "vsimg");
    qemuImg("create", "-q", "-f", "qcow2", served.resolve("small.qcow2").toString(), "32M");
    qemuImg("create", "-q", "-f", "raw", served.resolve("small.raw").toString(), "16M");
    qemuImg("create", "-q", "-f", "qcow2", served.resolve("base.qcow2").toString(), "8M");
    qemuImg(
        "create",
        "-q",
        "-f",
        "qcow2",
        "-F",
        "qcow2",
        "-b",
        served.resolve("base.qcow2").toString(),
        served.resolve("overlay.qcow2").toString(),
        "8M");
    Files.write(served.resolve("two-mib.raw"), new byte[2 << 20]);
    files = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    files.createContext(
        "/files/",
        exchange -> {
          Path file = served.resolve(exchange.getRequestURI().getPath().substring(7));
          if (!Files.isRegularFile(file)) {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
            return;
          }
          exchange.sendResponseHeaders(200, Files.size(file));
          try (OutputStream out = exchange.getResponseBody()) {
            Files.copy(file, out);
          }
        });
    files.createContext(
        "/to-file",
        exchange -> {
          exchange.getResponseHeaders().set("Location", "file:///etc/passwd");
          exchange.sendResponseHeaders(302, -1);
          exchange.close();
        });
    files.createContext(
        "/to-small",
        exchange -> {
          exchange.getResponseHeaders().set("Location", "/files/small.qcow2");
          exchange.sendResponseHeaders(302, -1);
          exchange.close();
        });
    files.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    files.start();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      files.stop(0);
      AtomicFiles.deleteTree(served);
    } finally {
      node.close();
    }
  }

  @Test
  void importsQcow2AndRawAndRefusesWhatIsUnsafe() throws Exception {
    ImageInfo started = agent.putImage("q1", new ImageSpec(url("small.qcow2"), null, null));
    assertThat(started.state()).isEqualTo(ImageInfo.IMPORTING);
    ImageInfo q1 = awaitImport("q1");
    assertThat(q1.state()).as("" + q1.error()).isEqualTo(ImageInfo.ACTIVE);
    assertThat(q1.format()).isEqualTo("qcow2");
    assertThat(q1.virtualSizeMib()).isEqualTo(32);
    assertThat(q1.sha256()).isEqualTo(sha256(served.resolve("small.qcow2")));
    assertThat(status("PUT", "/v1/images/q1", "{\"url\":\"" + url("small.qcow2") + "\"}"))
        .isEqualTo(200);
    assertThat(status("PUT", "/v1/images/q1", "{\"url\":\"" + url("small.raw") + "\"}"))
        .as("another url for an active image")
        .isEqualTo(409);

    agent.putImage(
        "r1", new ImageSpec(url("small.raw"), sha256(served.resolve("small.raw")), null));
    ImageInfo r1 = awaitImport("r1");
    assertThat(r1.state()).as("" + r1.error()).isEqualTo(ImageInfo.ACTIVE);
    assertThat(r1.virtualSizeMib()).isEqualTo(16);
    assertThat(info(Path.of(r1.path())).path("format").asString())
        .as("raw converted")
        .isEqualTo("qcow2");

    agent.putImage("x1", new ImageSpec(url("small.qcow2"), "0".repeat(64), null));
    assertFailed("x1", "checksum_mismatch");
    agent.putImage("x2", new ImageSpec(url("overlay.qcow2"), null, null));
    assertFailed("x2", "unsafe_image");
    agent.putImage("x3", new ImageSpec(url("two-mib.raw"), null, 1L));
    assertFailed("x3", "too_large");
    agent.putImage("x4", new ImageSpec(baseUrl() + "/to-file", null, null));
    assertFailed("x4", "invalid");
    agent.putImage("x5", new ImageSpec(baseUrl() + "/files/missing", null, null));
    assertFailed("x5", "unavailable");
    agent.putImage("v1", new ImageSpec(baseUrl() + "/to-small", null, null));
    assertThat(awaitImport("v1").state())
        .as("an http redirect is followed")
        .isEqualTo(ImageInfo.ACTIVE);

    for (String url : List.of("file:///etc/passwd", "ftp://127.0.0.1/x", "not a url", "http:x")) {
      AgentException e =
          assertThatExceptionOfType(AgentException.class)
              .isThrownBy(() -> agent.putImage("x6", new ImageSpec(url, null, null)))
              .actual();
      assertThat(e.status()).as(url).isEqualTo(400);
      assertThat(e.code()).as(url).isEqualTo("invalid");
    }
    assertThat(agent.getImage("x6").isEmpty()).isTrue();
    try (Stream<Path> left = Files.list(node.sharedPool.resolve("images"))) {
      assertThat(left.map(p -> p.getFileName().toString()).sorted().toList())
          .as("failed imports leave nothing")
          .isEqualTo(List.of("q1.json", "q1.qcow2", "r1.json", "r1.qcow2", "v1.json", "v1.qcow2"));
    }
    assertThat(agent.images().stream().map(ImageInfo::imageId).sorted().toList())
        .isEqualTo(List.of("q1", "r1", "v1", "x1", "x2", "x3", "x4", "x5"));
    for (String id : List.of("x1", "x2", "x3", "x4", "x5", "v1")) {
      agent.deleteImage(id);
    }

    // A shared disk backed by the image holds it; a smaller disk than the image is refused.
    AgentException small =
        assertThatExceptionOfType(AgentException.class)
            .isThrownBy(() -> agent.putDisk("shared", "s1", DiskSpec.fromImage("q1", 16)))
            .actual();
    assertThat(small.code()).isEqualTo("disk_too_small");
    assertThat(small.status()).isEqualTo(400);
    DiskInfo shared = agent.putDisk("shared", "s1", DiskSpec.fromImage("q1", 64));
    assertThat(shared.backingImageId()).isEqualTo("q1");
    assertThat(shared.sizeMib()).isEqualTo(64);
    assertThat(info(Path.of(shared.path())).path("full-backing-filename").asString())
        .isEqualTo(q1.path());
    assertThat(agent.putDisk("shared", "s1", DiskSpec.fromImage("q1", 64)).backingImageId())
        .isEqualTo("q1");
    assertThat(
            assertThatExceptionOfType(AgentException.class)
                .isThrownBy(() -> agent.putDisk("shared", "s1", DiskSpec.ofMib(64)))
                .actual()
                .status())
        .as("same disk without the image")
        .isEqualTo(409);
    AgentException inUse =
        assertThatExceptionOfType(AgentException.class)
            .isThrownBy(() -> agent.deleteImage("q1"))
            .actual();
    assertThat(inUse.code()).isEqualTo("in_use");
    assertThat(inUse.status()).isEqualTo(409);
    agent.deleteDisk("shared", "s1");
    agent.deleteImage("q1");
    agent.deleteImage("q1");
    assertThat(agent.getImage("q1").isEmpty()).isTrue();
  }

  @Test
  void cachedCopiesAndLocalOverlaysAndFlattenedExport() throws Exception {
    agent.putImage("c1", new ImageSpec(url("small.qcow2"), null, null));
    assertThat(awaitImport("c1").state()).isEqualTo(ImageInfo.ACTIVE);

    AgentException notCached =
        assertThatExceptionOfType(AgentException.class)
            .isThrownBy(() -> agent.putDisk("local", "l1", DiskSpec.fromImage("c1", 64)))
            .actual();
    assertThat(notCached.code()).isEqualTo("image_not_cached");
    assertThat(notCached.status()).isEqualTo(409);

    // Two callers at once: one copy, both succeed.
    var first = CompletableFuture.supplyAsync(() -> agent.cacheImage("c1"));
    var second = CompletableFuture.supplyAsync(() -> agent.cacheImage("c1"));
    CachedImageInfo a = first.join();
    CachedImageInfo b = second.join();
    assertThat(b.path()).isEqualTo(a.path());
    assertThat(a.path()).isEqualTo(node.localPool.resolve("images/c1.qcow2").toString());
    try (Stream<Path> cache = Files.list(node.localPool.resolve("images"))) {
      assertThat(cache.map(p -> p.getFileName().toString()).sorted().toList())
          .isEqualTo(List.of("c1.json", "c1.qcow2"));
    }

    DiskInfo local = agent.putDisk("local", "l1", DiskSpec.fromImage("c1", 40));
    assertThat(local.backingImageId()).isEqualTo("c1");
    assertThat(info(Path.of(local.path())).path("full-backing-filename").asString())
        .isEqualTo(a.path());
    assertThat(agent.getCachedImage("c1").orElseThrow().inUse()).isTrue();
    AgentException inUse =
        assertThatExceptionOfType(AgentException.class)
            .isThrownBy(() -> agent.deleteCachedImage("c1"))
            .actual();
    assertThat(inUse.code()).isEqualTo("in_use");

    // Export flattens: the copy is a standalone qcow2 another node can import.
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String sha = agent.exportDisk("local", "l1", out);
    Path exported = served.resolve("exported.qcow2");
    Files.write(exported, out.toByteArray());
    JsonNode flat = info(exported);
    assertThat(flat.has("backing-filename")).as(flat.toString()).isFalse();
    assertThat(flat.path("virtual-size").asLong()).isEqualTo(40L << 20);
    DiskInfo imported =
        agent.importDisk("local", "l2", new ByteArrayInputStream(out.toByteArray()), sha);
    assertThat(imported.backingImageId()).isNull();
    try (Stream<Path> pool = Files.list(node.localPool)) {
      assertThat(pool.map(p -> p.getFileName().toString()).sorted().toList())
          .as("no temp file of the export is left")
          .isEqualTo(List.of("images", "l1.qcow2", "l2.qcow2"));
    }

    agent.deleteDisk("local", "l1");
    agent.deleteDisk("local", "l2");
    agent.deleteCachedImage("c1");
    agent.deleteCachedImage("c1");
    assertThat(agent.getCachedImage("c1").isEmpty()).isTrue();
    AgentException gone =
        assertThatExceptionOfType(AgentException.class)
            .isThrownBy(() -> agent.cacheImage("nope"))
            .actual();
    assertThat(gone.status()).isEqualTo(404);
    agent.deleteImage("c1");
  }

  private static ImageInfo awaitImport(String imageId) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      ImageInfo info = agent.getImage(imageId).orElseThrow();
      if (!info.state().equals(ImageInfo.IMPORTING) || System.nanoTime() > deadline) {
        return info;
      }
      Thread.sleep(50);
    }
  }

  private static void assertFailed(String imageId, String code) throws InterruptedException {
    ImageInfo info = awaitImport(imageId);
    assertThat(info.state()).as(imageId).isEqualTo(ImageInfo.FAILED);
    assertThat(info.error().code()).as(imageId + ": " + info.error().message()).isEqualTo(code);
  }

  private static String baseUrl() {
    return "http://127.0.0.1:" + files.getAddress().getPort();
  }

  private static String url(String file) {
    return baseUrl() + "/files/" + file;
  }

  private static int status(String method, String path, String body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(node.baseUri().resolve(path))
            .header("Authorization", "Bearer " + node.token)
            .method(method, HttpRequest.BodyPublishers.ofString(body))
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static JsonNode info(Path file) {
    return AgentJson.lenient()
        .readTree(
            Exec.run(
                Duration.ofSeconds(30),
                List.of("qemu-img", "info", "-U", "--output=json", file.toString())));
  }

  private static void qemuImg(String... args) {
    Exec.run(
        Duration.ofSeconds(30), Stream.concat(Stream.of("qemu-img"), Stream.of(args)).toList());
  }

  static String sha256(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
