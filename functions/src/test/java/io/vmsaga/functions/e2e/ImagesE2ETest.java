package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * importImage, getImage, deleteImage and createVm from an image, on the real stack, with image
 * files served by this test on loopback: refusals (scheme, checksum, backing file, importing, disk
 * too small, unknown image, oversized userData) leave nothing; an image in use is not deleted;
 * concurrent creates on one node share one cached copy, which goes with the last VM.
 */
class ImagesE2ETest {
  @TempDir static Path files;
  static HttpServer server;
  static final List<String> imported = new ArrayList<>();

  @BeforeAll
  static void serve() throws Exception {
    Path tiny = Path.of(agent("node-1").getImage(tinyImage()).orElseThrow().path());
    Files.copy(tiny, files.resolve("tiny.qcow2"));
    qemuImg("create", "-q", "-f", "qcow2", files.resolve("big.qcow2").toString(), "3G");
    qemuImg(
        "create",
        "-q",
        "-f",
        "qcow2",
        "-F",
        "qcow2",
        "-b",
        tiny.toString(),
        files.resolve("backed.qcow2").toString());
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext(
        "/",
        exchange -> {
          String name = exchange.getRequestURI().getPath().replaceAll(".*/", "");
          if (exchange.getRequestURI().getPath().startsWith("/slow/")) {
            Stack.sleep(6000); // an import that stays "importing" for a while
          }
          Path file = files.resolve(name);
          if (!Files.isRegularFile(file)) {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
            return;
          }
          exchange.sendResponseHeaders(200, Files.size(file));
          try (var out = exchange.getResponseBody()) {
            Files.copy(file, out);
          }
        });
    server.start();
  }

  @AfterAll
  static void stop() {
    for (String id : imported) {
      // an import still running finishes first (the slow one takes six seconds)
      for (int i = 0;
          i < 60
              && "importing"
                  .equals(
                      call("getImage", env("VMSAGA_ADMIN_TOKEN"), Map.of("imageId", id))
                          .text("state"));
          i++) {
        Stack.sleep(500);
      }
      call("deleteImage", env("VMSAGA_ADMIN_TOKEN"), Map.of("imageId", id));
    }
    server.stop(0);
  }

  @AfterEach
  void deleteLeftovers() {
    deleteTestVms();
  }

  static void qemuImg(String... args) throws Exception {
    var argv = new ArrayList<>(List.of("qemu-img"));
    argv.addAll(List.of(args));
    assertThat(new ProcessBuilder(argv).inheritIO().start().waitFor()).isZero();
  }

  static String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + path;
  }

  static String sha256(String name) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(files.resolve(name))));
  }

  static Reply importImage(String name, String url, String sha256, boolean await) {
    var body = new HashMap<String, Object>(Map.of("name", name, "url", url, "awaitResult", await));
    if (sha256 != null) {
      body.put("sha256", sha256);
    }
    var reply = call("importImage", env("VMSAGA_ADMIN_TOKEN"), body);
    if (reply.text("imageId") != null) {
      imported.add(reply.text("imageId"));
    } else if (reply.body().path("image").path("imageId").isString()) {
      imported.add(reply.body().path("image").path("imageId").asString());
    }
    return reply;
  }

  static void assertNoImage(String name) {
    assertThat(number("SELECT COUNT(*) FROM image WHERE name = ?", name)).as(name).isZero();
    try (var pool = Files.list(Path.of(env("VMSAGA_HOME"), "shared-pool", "images"))) {
      assertThat(pool.map(p -> p.getFileName().toString()).filter(n -> n.contains(".tmp")).toList())
          .as("partial downloads in the image pool")
          .isEmpty();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void badImportsAreRefusedWithAStableCodeAndLeaveNothing() throws Exception {
    for (String bad :
        List.of("file:///etc/passwd", "ftp://127.0.0.1/x.qcow2", "http:///nohost", "not a url")) {
      var reply = importImage("bad-url", bad, null, true);
      assertThat(reply.status()).as(bad).isEqualTo(400);
      assertThat(reply.text("code")).isEqualTo("invalid_url");
    }
    assertNoImage("bad-url");

    var mismatch = importImage("bad-sum", url("tiny.qcow2"), "0".repeat(64), true);
    assertThat(mismatch.status()).as(mismatch.body().toString()).isEqualTo(409);
    assertThat(mismatch.text("code")).isEqualTo("checksum_mismatch");
    assertNoImage("bad-sum");

    var backed = importImage("bad-backing", url("backed.qcow2"), null, true);
    assertThat(backed.status()).as(backed.body().toString()).isEqualTo(409);
    assertThat(backed.text("code")).isEqualTo("unsafe_image");
    assertNoImage("bad-backing");
  }

  @Test
  void aVmFromAnImageThatIsNotThereOrNotReadyOrTooBigIsRefused() throws Exception {
    var tenant = newTenant(5, 8, 4096);
    var unknown = call("createVm", tenant.token(), with(vm("x"), "imageId", "img-nope"));
    assertThat(unknown.status()).isEqualTo(404);

    var slow = importImage("slow-one", url("slow/tiny.qcow2"), null, false);
    assertThat(slow.status()).as(slow.body().toString()).isEqualTo(202);
    // the record appears with the saga's first step, which DTM runs right after the answer
    for (int i = 0;
        i < 40
            && call("getImage", tenant.token(), Map.of("imageId", slow.text("imageId"))).status()
                != 200;
        i++) {
      Stack.sleep(100);
    }
    var notReady = call("createVm", tenant.token(), with(vm("x"), "imageId", slow.text("imageId")));
    assertThat(notReady.status()).isEqualTo(409);
    assertThat(notReady.text("code")).isEqualTo("image_not_ready");

    var big = importImage("big-one", url("big.qcow2"), sha256("big.qcow2"), true);
    assertThat(big.status()).as(big.body().toString()).isEqualTo(200);
    var tooSmall = call("createVm", tenant.token(), with(vm("x"), "imageId", big.text("imageId")));
    assertThat(tooSmall.status()).isEqualTo(400);
    assertThat(tooSmall.text("code")).isEqualTo("disk_too_small");

    var oversized =
        call(
            "createVm",
            tenant.token(),
            with(
                with(vm("x"), "imageId", tinyImage()),
                "userData",
                "#!/bin/sh\n" + "x".repeat(20000)));
    assertThat(oversized.status()).isEqualTo(400);
    assertThat(oversized.text("code")).isEqualTo("user_data_too_large");
    assertThat(number("SELECT COUNT(*) FROM vm WHERE tenant_id = ?", tenant.id())).isZero();
    assertAccountingExact(tenant.id());
  }

  @Test
  void anImageInUseIsKeptAndConcurrentCreatesShareOneCachedCopy() throws Exception {
    var tenant = newTenant(5, 8, 4096);
    var copy = importImage("tiny-copy", url("tiny.qcow2"), sha256("tiny.qcow2"), true);
    assertThat(copy.status()).as(copy.body().toString()).isEqualTo(200);
    String imageId = copy.text("imageId");
    var again = importImage("tiny-copy", url("tiny.qcow2"), null, true);
    assertThat(again.status()).as("the same import again").isEqualTo(200);

    var creates = new ArrayList<CompletableFuture<Reply>>();
    for (String name : List.of("cache-a", "cache-b")) {
      var request = with(with(vm(name, "nodeId", "node-1"), "imageId", imageId), "diskGib", 1);
      creates.add(CompletableFuture.supplyAsync(() -> call("createVm", tenant.token(), request)));
    }
    var vmIds = new ArrayList<String>();
    for (var create : creates) {
      var reply = create.join();
      assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
      vmIds.add(reply.text("vmId"));
    }
    var cached = agent("node-1").getCachedImage(imageId);
    assertThat(cached).as("one cached copy on node-1").isPresent();
    assertThat(cached.get().inUse()).isTrue();

    var refused = call("deleteImage", env("VMSAGA_ADMIN_TOKEN"), Map.of("imageId", imageId));
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.text("code")).isEqualTo("in_use");

    for (String vmId : vmIds) {
      assertThat(
              call("deleteVm", tenant.token(), Map.of("vmId", vmId, "awaitResult", true)).status())
          .isEqualTo(200);
      assertNothingLeft(vmId, tenant.id());
    }
    assertThat(agent("node-1").getCachedImage(imageId))
        .as("cached copy gone with the last VM")
        .isEmpty();
    var deleted = call("deleteImage", env("VMSAGA_ADMIN_TOKEN"), Map.of("imageId", imageId));
    assertThat(deleted.status()).isEqualTo(200);
    assertThat(call("getImage", tenant.token(), Map.of("imageId", imageId)).status())
        .isEqualTo(404);
    assertThat(agent("node-1").getImage(imageId)).isEmpty();
  }
}
