package io.vmsaga.agent.server;

import static io.vmsaga.agent.server.LifecycleTest.assertConflict;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.vmsaga.agent.api.TapSpec;
import io.vmsaga.agent.api.VmAction;
import io.vmsaga.agent.api.VmAction.Action;
import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.api.VmDisk;
import io.vmsaga.agent.api.VmDiskStats;
import io.vmsaga.agent.api.VmNic;
import io.vmsaga.agent.api.VmNicStats;
import io.vmsaga.agent.api.VmStats;
import io.vmsaga.agent.client.AgentClient;
import io.vmsaga.agent.client.AgentException;
import io.vmsaga.agent.server.net.Links;
import io.vmsaga.agent.server.os.AtomicFiles;
import io.vmsaga.agent.server.os.Exec;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Resource monitoring ({@code GET /v1/vms/{vm_id}/stats}) and {@code /metrics} against real QEMU
 * (TCG). The VM has no OS: its disk holds a 19-byte boot sector that writes itself to sector 2
 * through the BIOS (int 13h) and then spins ({@code jmp $}), so its CPU time grows and its disk has
 * been read and written; its NIC sits on a real tap of a bridge.
 */
class VmStatsTest {
  /**
   * xor ax,ax; mov es,ax; mov bx,0x7c00; mov ax,0x0301 (write 1 sector); mov cx,0x0002 (cylinder 0,
   * sector 2); mov dh,0 (head 0; dl is the boot drive); int 0x13; jmp $.
   */
  private static final byte[] SPINNER = {
    0x31,
    (byte) 0xc0,
    (byte) 0x8e,
    (byte) 0xc0,
    (byte) 0xbb,
    0x00,
    0x7c,
    (byte) 0xb8,
    0x01,
    0x03,
    (byte) 0xb9,
    0x02,
    0x00,
    (byte) 0xb6,
    0x00,
    (byte) 0xcd,
    0x13,
    (byte) 0xeb,
    (byte) 0xfe
  };

  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static TestNode node;
  private static AgentClient agent;
  private static String vm;
  private static String disk;
  private static String bridge;
  private static String tap;

  @BeforeAll
  static void startSpinningVm() throws Exception {
    node = TestNode.inProcess("node-stats");
    agent = node.client().withGid("gid-stats");
    vm = "vm-" + TestNode.hex(3);
    disk = "spin-" + TestNode.hex(3);
    bridge = TestNode.name("vbt");
    tap = TestNode.name("vtt");
    importSpinnerDisk(disk);
    agent.putBridge(bridge);
    agent.putTap(tap, new TapSpec(bridge));
    agent.putVm(vm, config(disk, tap));
    agent.action(vm, VmAction.of(Action.START, 30_000));
    // The boot sector has run once its write is counted.
    TestNode.await(
        Duration.ofSeconds(30),
        () -> agent.vmStats(vm).disks().stream().anyMatch(d -> d.writeOps() >= 1));
  }

  @AfterAll
  static void cleanUp() throws Exception {
    try {
      agent.action(vm, VmAction.of(Action.STOP, 2_000));
      agent.deleteVm(vm);
      agent.deleteTap(tap);
      agent.deleteBridge(bridge);
      agent.deleteDisk("local", disk);
      assertThat(node.liveQemuPids()).isEqualTo(List.of());
    } finally {
      node.close();
    }
  }

  @Test
  void statsOfARunningVm() throws Exception {
    long pid = agent.getVm(vm).orElseThrow().pid();
    agent.vmStats(vm);
    // Right after another call: too close to its sample, so the agent samples 250 ms itself.
    Links.Counters tapBefore = Links.counters(tap).orElseThrow();
    long firstStarted = System.nanoTime();
    VmStats first = agent.vmStats(vm);
    long firstMs = (System.nanoTime() - firstStarted) / 1_000_000;
    Links.Counters tapAfter = Links.counters(tap).orElseThrow();

    assertThat(first.vmId()).isEqualTo(vm);
    assertThat(first.pid()).isEqualTo(pid);
    assertThat(first.cpuTimeMs()).isEqualTo(first.cpuUserMs() + first.cpuSystemMs());
    assertThat(first.cpuTimeMs()).isPositive();
    assertThat(first.cpuWindowMs()).isBetween(250L, 1_000L);
    assertThat(firstMs).isGreaterThanOrEqualTo(250);
    assertThat(first.rssBytes()).isPositive();
    assertThat(first.guestMemoryBytes()).as("no balloon device").isNull();

    assertThat(first.disks()).hasSize(1);
    VmDiskStats io = first.disks().get(0);
    assertThat(io.pool()).isEqualTo("local");
    assertThat(io.diskId()).isEqualTo(disk);
    assertThat(io.deviceId()).isEqualTo("virtio-disk0");
    assertThat(io.readOps()).as("the firmware read the boot sector").isPositive();
    assertThat(io.readBytes()).isGreaterThanOrEqualTo(512);
    assertThat(io.writeOps()).as("the boot sector wrote itself once").isEqualTo(1);
    assertThat(io.writeBytes()).isEqualTo(512);

    assertThat(first.nics()).hasSize(1);
    VmNicStats nic = first.nics().get(0);
    assertThat(nic.nicId()).isEqualTo("nic0");
    assertThat(nic.tap()).isEqualTo(tap);
    // The guest's side: what it received is what the tap sent.
    assertThat(nic.rxBytes()).isBetween(tapBefore.txBytes(), tapAfter.txBytes());
    assertThat(nic.rxPackets()).isBetween(tapBefore.txPackets(), tapAfter.txPackets());
    assertThat(nic.txBytes()).isBetween(tapBefore.rxBytes(), tapAfter.rxBytes());
    assertThat(nic.txPackets()).isBetween(tapBefore.rxPackets(), tapAfter.rxPackets());

    // A second call a second later measures since the first, without a sample of its own.
    Thread.sleep(1_000);
    long secondStarted = System.nanoTime();
    VmStats second = agent.vmStats(vm);
    long secondMs = (System.nanoTime() - secondStarted) / 1_000_000;
    assertThat(second.cpuTimeMs()).as("the guest spins").isGreaterThan(first.cpuTimeMs());
    assertThat(second.cpuWindowMs()).isBetween(1_000L, 5_000L);
    // A spinning TCG vCPU took 30-55 % of a host CPU on this 2-core machine; an idle QEMU ~1 %.
    assertThat(second.cpuPercent()).as("a spinning TCG vCPU").isGreaterThan(10.0);
    assertThat(second.sampledAtMs()).isGreaterThan(first.sampledAtMs());
    assertThat(second.disks().get(0).readOps()).isGreaterThanOrEqualTo(io.readOps());

    System.out.println(
        "VmStatsTest: stats took "
            + firstMs
            + " ms with a fresh 250 ms CPU sample ("
            + first.cpuPercent()
            + " % over "
            + first.cpuWindowMs()
            + " ms), "
            + secondMs
            + " ms with the previous sample ("
            + second.cpuPercent()
            + " % over "
            + second.cpuWindowMs()
            + " ms); rss "
            + (second.rssBytes() >> 20)
            + " MiB, disk "
            + io);
  }

  @Test
  void unknownVmIsNotFoundAndStoppedVmIsConflict() throws Exception {
    AgentException unknown =
        assertThatExceptionOfType(AgentException.class)
            .isThrownBy(() -> agent.vmStats("nope"))
            .actual();
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.code()).isEqualTo("not_found");

    // A second VM: in the per-VM series while it runs, 409 and out of them once stopped.
    String other = "vm-" + TestNode.hex(3);
    agent.putVm(other, new VmConfig(null, 1, null, 64L, null, null, null, null, null));
    assertConflict(() -> agent.vmStats(other));
    agent.action(other, VmAction.of(Action.START, 30_000));
    assertThat(agent.vmStats(other).disks()).isEmpty();
    assertThat(scrape()).contains("vm_id=\"" + other + "\"");
    agent.action(other, VmAction.of(Action.STOP, 2_000));
    assertConflict(() -> agent.vmStats(other));
    assertThat(scrape()).doesNotContain("vm_id=\"" + other + "\"");
    agent.deleteVm(other);
  }

  @Test
  void metricsAfterSomeRequests() throws Exception {
    agent.getVm(vm);
    agent.status(vm);
    agent.vmStats(vm);
    agent.getTap(tap);
    assertThat(send("/v1/nothing/" + vm, "Bearer " + node.token).statusCode()).isEqualTo(404);
    HttpResponse<String> brewed =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(node.baseUri() + "/v1/health"))
                .method("BREW", HttpRequest.BodyPublishers.noBody())
                .header("Authorization", "Bearer " + node.token)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(brewed.statusCode()).isEqualTo(404);

    long started = System.nanoTime();
    HttpResponse<String> response = send("/metrics", "Bearer " + node.token);
    long scrapeMs = (System.nanoTime() - started) / 1_000_000;
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .contains("text/plain; version=0.0.4; charset=utf-8");
    String body = response.body();

    Map<String, String> ofNode = Map.of("node_id", "node-stats");
    assertThat(
            value(
                body,
                "vmsaga_agent_requests_seconds_count",
                Map.of("route", "/v1/vms/{vm_id}/status", "method", "GET", "status", "200")))
        .isGreaterThanOrEqualTo(1);
    assertThat(
            value(
                body,
                "vmsaga_agent_requests_seconds_bucket",
                Map.of("route", "/v1/vms/{vm_id}/stats", "status", "200", "le", "+Inf")))
        .isGreaterThanOrEqualTo(1);
    assertThat(
            value(
                body,
                "vmsaga_agent_requests_seconds_count",
                Map.of("route", "unmatched", "method", "GET", "status", "404")))
        .isGreaterThanOrEqualTo(1);
    assertThat(
            value(
                body,
                "vmsaga_agent_requests_seconds_count",
                Map.of("route", "unmatched", "method", "other", "status", "404")))
        .as("a method no route has")
        .isEqualTo(1);
    assertThat(body).doesNotContain("BREW");
    assertThat(body).as("no raw path is a label").doesNotContain("route=\"/v1/vms/" + vm);
    assertThat(body).doesNotContain("/v1/nothing");
    assertThat(value(body, "vmsaga_agent_qemu_processes", ofNode)).isEqualTo(1);
    assertThat(
            value(
                body,
                "vmsaga_agent_qmp_seconds_count",
                Map.of("command", "query-status", "outcome", "ok")))
        .isGreaterThanOrEqualTo(1);
    assertThat(
            value(
                body,
                "vmsaga_agent_qmp_seconds_count",
                Map.of("command", "query-blockstats", "outcome", "ok")))
        .isGreaterThanOrEqualTo(1);

    Map<String, String> ofVm = Map.of("vm_id", vm, "node_id", "node-stats");
    Map<String, String> ofDisk = Map.of("vm_id", vm, "pool", "local", "disk_id", disk);
    Map<String, String> ofNic = Map.of("vm_id", vm, "nic_id", "nic0");
    assertThat(value(body, "vmsaga_vm_cpu_seconds_total", ofVm)).isPositive();
    assertThat(value(body, "vmsaga_vm_memory_rss_bytes", ofVm)).isPositive();
    assertThat(value(body, "vmsaga_vm_disk_write_bytes_total", ofDisk)).isEqualTo(512);
    assertThat(value(body, "vmsaga_vm_disk_write_ops_total", ofDisk)).isEqualTo(1);
    assertThat(value(body, "vmsaga_vm_disk_read_bytes_total", ofDisk)).isPositive();
    assertThat(value(body, "vmsaga_vm_disk_read_ops_total", ofDisk)).isPositive();
    for (String series :
        List.of(
            "vmsaga_vm_nic_rx_bytes_total",
            "vmsaga_vm_nic_tx_bytes_total",
            "vmsaga_vm_nic_rx_packets_total",
            "vmsaga_vm_nic_tx_packets_total")) {
      assertThat(value(body, series, ofNic)).as(series).isGreaterThanOrEqualTo(0);
    }
    assertThat(body).contains("# TYPE vmsaga_vm_cpu_seconds_total counter");
    assertThat(body).contains("# TYPE vmsaga_vm_memory_rss_bytes gauge");

    assertThat(send("/metrics", null).statusCode()).as("the token is required").isEqualTo(401);
    System.out.println(
        "VmStatsTest: /metrics answered in "
            + scrapeMs
            + " ms, "
            + body.length()
            + " characters, "
            + body.lines().filter(l -> !l.startsWith("#")).count()
            + " samples");
  }

  /**
   * The value of the one sample of {@code name} whose labels include {@code labels}; fails when
   * there is none.
   */
  private static double value(String body, String name, Map<String, String> labels) {
    Pattern sample = Pattern.compile("^" + Pattern.quote(name) + "\\{(.*)\\} (\\S+)$");
    for (String line : body.lines().toList()) {
      Matcher m = sample.matcher(line);
      if (m.matches()
          && labels.entrySet().stream()
              .allMatch(e -> m.group(1).contains(e.getKey() + "=\"" + e.getValue() + "\""))) {
        return Double.parseDouble(m.group(2));
      }
    }
    throw new AssertionError("no sample " + name + " " + labels + " in\n" + body);
  }

  private static String scrape() throws Exception {
    HttpResponse<String> response = send("/metrics", "Bearer " + node.token);
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  private static HttpResponse<String> send(String path, String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.baseUri() + path)).GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static VmConfig config(String disk, String tap) {
    return new VmConfig(
        "spinner",
        1,
        null,
        64L,
        null,
        null,
        List.of(new VmDisk("local", disk)),
        List.of(new VmNic(tap, "52:54:00:" + LifecycleTest.mac3())),
        null);
  }

  /** A 1 MiB disk whose first sector is {@link #SPINNER}, imported as qcow2. */
  private static void importSpinnerDisk(String diskId) throws Exception {
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "vsspin");
    try {
      ByteBuffer sector = ByteBuffer.allocate(1 << 20);
      sector.put(SPINNER);
      sector.put(510, (byte) 0x55).put(511, (byte) 0xaa);
      Path raw = Files.write(dir.resolve("spin.raw"), sector.array());
      Path qcow2 = dir.resolve("spin.qcow2");
      Exec.run(
          Duration.ofSeconds(30),
          List.of(
              "qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw.toString(), qcow2.toString()));
      try (InputStream in = Files.newInputStream(qcow2)) {
        agent.importDisk("local", diskId, in, ImagesTest.sha256(qcow2));
      }
    } finally {
      AtomicFiles.deleteTree(dir);
    }
  }
}
