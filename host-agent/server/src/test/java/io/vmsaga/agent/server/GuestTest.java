package io.vmsaga.agent.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.vmsaga.agent.api.AgentJson;
import io.vmsaga.agent.api.CidataSpec;
import io.vmsaga.agent.api.DiskSpec;
import io.vmsaga.agent.api.ImageInfo;
import io.vmsaga.agent.api.ImageSpec;
import io.vmsaga.agent.api.NetworkInfo;
import io.vmsaga.agent.api.NetworkSpec;
import io.vmsaga.agent.api.TapSpec;
import io.vmsaga.agent.api.VmAction;
import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.api.VmDisk;
import io.vmsaga.agent.api.VmDiskInfo;
import io.vmsaga.agent.api.VmNic;
import io.vmsaga.agent.api.VmNicInfo;
import io.vmsaga.agent.client.AgentClient;
import io.vmsaga.agent.server.os.AtomicFiles;
import io.vmsaga.agent.server.os.Exec;
import io.vmsaga.agent.server.os.ExecException;
import io.vmsaga.agent.server.os.TunFds;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * End to end on one node: the vmsaga-tiny image served over loopback HTTP, imported, cached,
 * overlaid; a guest network in its own namespace; cidata with a hostname, a static address and a
 * user-data script; the guest boots and answers {@code /status} inside the namespace. Then a data
 * disk is hot-plugged, the boot disk grown online and the data disk hot-unplugged, each checked in
 * the guest's own list of disks. Last a second NIC is hot-plugged on the guest's network: a
 * user-data watcher in the guest brings every new interface up with a second address and reports it
 * on the console; the test reaches that address from the namespace, then detaches the NIC and the
 * guest releases it.
 */
class GuestTest {
  private static final Path CACHE = Path.of("/root/.cache/vmsaga/guest");
  private static final Duration READY_WITHIN = Duration.ofSeconds(60);

  @Test
  void tinyGuestBootsFromAnImageWithCidataOnANamespacedNetwork() throws Exception {
    Path image = tinyImage();
    HttpServer files = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    files.createContext(
        "/tiny.qcow2",
        exchange -> {
          exchange.sendResponseHeaders(200, Files.size(image));
          try (OutputStream out = exchange.getResponseBody()) {
            Files.copy(image, out);
          }
        });
    files.start();
    String suffix = TestNode.hex(3);
    String imageId = "tiny-" + suffix;
    String networkId = "g" + suffix;
    String bridge = TestNode.name("vtb");
    String tap = TestNode.name("vtt");
    int subnet = ThreadLocalRandom.current().nextInt(1, 250);
    String gateway = "10.78." + subnet + ".1";
    String address = "10.78." + subnet + ".5";
    String mac = "52:54:00:" + suffix.replaceAll("(..)(..)(..)", "$1:$2:$3");
    String marker = "marker-" + TestNode.hex(4);
    String secondAddress = "10.78." + subnet + ".6";
    String secondTap = TestNode.name("vtt");
    String secondMac = "52:54:00:" + LifecycleTest.mac3();
    try (TestNode node = TestNode.inProcess("node-guest")) {
      AgentClient agent = node.client();
      agent.putImage(
          imageId,
          new ImageSpec(
              "http://127.0.0.1:" + files.getAddress().getPort() + "/tiny.qcow2",
              ImagesTest.sha256(image),
              null));
      ImageInfo imported = awaitActive(agent, imageId);
      agent.cacheImage(imageId);
      agent.putDisk("local", "root", DiskSpec.fromImage(imageId, imported.virtualSizeMib() + 64));

      NetworkInfo net = agent.putNetwork(networkId, new NetworkSpec(bridge, gateway + "/24"));
      agent.putTap(tap, new TapSpec(bridge));
      agent.putCidata(
          "g1",
          new CidataSpec(
              "instance-id: i-" + suffix + "\nlocal-hostname: guest-" + suffix + "\n",
              "#!/bin/sh\necho \"" + marker + " from $(hostname)\"\n" + nicWatcher(secondAddress),
              String.join(
                  "\n",
                  "version: 2",
                  "ethernets:",
                  "  eth0:",
                  "    match:",
                  "      macaddress: \"" + mac + "\"",
                  "    set-name: eth0",
                  "    addresses:",
                  "      - " + address + "/24",
                  "    routes:",
                  "      - to: 0.0.0.0/0",
                  "        via: " + gateway,
                  "")));
      agent.putVm(
          "g1",
          new VmConfig(
                  "g1",
                  1,
                  null,
                  256L,
                  null,
                  null,
                  List.of(new VmDisk("local", "root")),
                  List.of(new VmNic(tap, mac)),
                  null)
              .withCidata(true));

      long started = System.nanoTime();
      agent.action("g1", new VmAction(VmAction.Action.START, null));
      JsonNode status = null;
      int probes = 0;
      while (status == null && System.nanoTime() - started < READY_WITHIN.toNanos()) {
        probes++;
        status = probe(net.namespace(), address).orElse(null);
        if (status == null) {
          Thread.sleep(500);
        }
      }
      long readyMs = (System.nanoTime() - started) / 1_000_000;
      String console = agent.console("g1", 64 * 1024);
      assertThat(status != null)
          .as("no /status within " + READY_WITHIN + "; console:\n" + console)
          .isTrue();
      System.out.println(
          "GuestTest: vmsaga-tiny answered /status "
              + readyMs
              + " ms after start ("
              + probes
              + " probes)");
      assertThat(status.path("hostname").asString())
          .as(status.toString())
          .isEqualTo("guest-" + suffix);
      assertThat(status.path("addresses").toString().contains(address + "/24"))
          .as(status.toString())
          .isTrue();
      assertThat(console.contains(marker + " from guest-" + suffix)).as(console).isTrue();
      // the guest prints its ready line just after its status page first answers: a probe can be
      // a moment ahead of the console (at most 20 more reads)
      for (int i = 0; i < 20 && !console.contains("vmsaga-tiny ready"); i++) {
        Thread.sleep(250);
        console = agent.console("g1", 64 * 1024);
      }
      assertThat(console.contains("vmsaga-tiny ready")).as(console).isTrue();

      // A data disk hot-plugged, the boot disk grown online, the data disk hot-unplugged: as the
      // guest's kernel sees them (/status re-reads /sys/block on every request).
      long rootBytes = (imported.virtualSizeMib() + 64) << 20;
      assertThat(status.path("disks").path("vda").asLong()).isEqualTo(rootBytes);
      assertThat(status.path("disks").has("vdb")).isFalse();
      agent.putDisk("local", "data", DiskSpec.ofMib(32));
      long plugStarted = System.nanoTime();
      assertThat(agent.attachDisk("g1", "data", "local"))
          .isEqualTo(new VmDiskInfo("local", "data", 1, "virtio-disk1", true));
      JsonNode plugged =
          awaitStatus(net.namespace(), address, s -> s.path("disks").has("vdb"), console(agent));
      long plugMs = (System.nanoTime() - plugStarted) / 1_000_000;
      assertThat(plugged.path("disks").path("vdb").asLong())
          .as(plugged.toString())
          .isEqualTo(32L << 20);

      long grownBytes = rootBytes + (64L << 20);
      agent.resizeDisk("local", "root", DiskSpec.ofMib(grownBytes >> 20));
      JsonNode grown =
          awaitStatus(
              net.namespace(),
              address,
              s -> s.path("disks").path("vda").asLong() != rootBytes,
              console(agent));
      assertThat(grown.path("disks").path("vda").asLong())
          .as(grown.toString())
          .isEqualTo(grownBytes);

      long unplugStarted = System.nanoTime();
      agent.detachDisk("g1", "data");
      long unplugMs = (System.nanoTime() - unplugStarted) / 1_000_000;
      JsonNode unplugged =
          awaitStatus(net.namespace(), address, s -> !s.path("disks").has("vdb"), console(agent));
      assertThat(unplugged.path("disks").path("vda").asLong()).isEqualTo(grownBytes);
      assertThat(agent.vmDisks("g1")).extracting(VmDiskInfo::diskId).containsExactly("root");
      agent.deleteDisk("local", "data");
      System.out.println(
          "GuestTest: the guest saw vdb="
              + plugged.path("disks").path("vdb").asLong()
              + " bytes "
              + plugMs
              + " ms after the attach; vda "
              + rootBytes
              + " -> "
              + grown.path("disks").path("vda").asLong()
              + " bytes online; the detach (device_del to DEVICE_DELETED, blockdev-del) took "
              + unplugMs
              + " ms, then the guest listed "
              + unplugged.path("disks"));

      // A second NIC on the guest's network, hot-plugged, seen by the guest, hot-unplugged.
      agent.putTap(secondTap, new TapSpec(bridge));
      long nicStarted = System.nanoTime();
      assertThat(agent.attachNic("g1", "second", secondTap, secondMac))
          .isEqualTo(
              new VmNicInfo("second", secondTap, secondMac, 1, "nic1", true, "00:12.0/00.0", "ok"));
      JsonNode withNic =
          awaitStatus(
              net.namespace(),
              address,
              s -> s.path("addresses").toString().contains(secondAddress + "/24"),
              console(agent));
      long nicMs = (System.nanoTime() - nicStarted) / 1_000_000;
      String added = "nic-watch: eth1 " + secondMac + " added";
      assertThat(agent.console("g1", 64 * 1024)).contains(added);
      Optional<JsonNode> viaSecond = probe(net.namespace(), secondAddress);
      assertThat(viaSecond.map(j -> j.path("hostname").asString()))
          .as("the guest answers on the hot-plugged NIC's address")
          .contains("guest-" + suffix);
      // arp_ignore=1 in the guest: only the interface holding the address answers ARP for it.
      String neighbour =
          Exec.run(
              Duration.ofSeconds(5),
              List.of(
                  "ip", "netns", "exec", net.namespace(), "ip", "neigh", "show", secondAddress));
      assertThat(neighbour).as("the gateway reached it at the new NIC's MAC").contains(secondMac);
      String fdb =
          Exec.run(Duration.ofSeconds(5), List.of("bridge", "fdb", "show", "dev", secondTap));
      assertThat(fdb).as("the bridge learnt the new NIC's MAC on its tap").contains(secondMac);
      long guestPid = agent.getVm("g1").orElseThrow().pid();
      assertThat(NicAttachTest.tapsHeld(guestPid)).containsExactlyInAnyOrder(tap, secondTap);

      // Both taps deleted by hand cut the guest off; the repair attaches QEMU's own tap files to
      // taps of the same names on the bridge, and the same QEMU answers on both NICs again.
      TunFds.TapFile bootFile = NicRepairTest.tapFile(guestPid, tap);
      TunFds.TapFile secondFile = NicRepairTest.tapFile(guestPid, secondTap);
      assertThat(bootFile.vnetHdrBytes()).as("a virtio 1 driver: 12-byte headers").isEqualTo(12);
      Exec.run(Duration.ofSeconds(5), List.of("ip", "link", "del", "dev", tap));
      Exec.run(Duration.ofSeconds(5), List.of("ip", "link", "del", "dev", secondTap));
      assertThat(agent.vmNics("g1"))
          .extracting(VmNicInfo::tapState)
          .containsExactly(VmNicInfo.TAP_MISSING, VmNicInfo.TAP_MISSING);
      assertThat(probe(net.namespace(), address)).as("cut off").isEmpty();
      assertThat(probe(net.namespace(), secondAddress)).as("cut off").isEmpty();
      long repairStarted = System.nanoTime();
      assertThat(agent.repairNicTap("g1", "nic0").tapState()).isEqualTo(VmNicInfo.TAP_OK);
      assertThat(agent.repairNicTap("g1", "second").tapState()).isEqualTo(VmNicInfo.TAP_OK);
      long repairMs = (System.nanoTime() - repairStarted) / 1_000_000;
      JsonNode again = awaitStatus(net.namespace(), address, s -> true, console(agent));
      long answeredMs = (System.nanoTime() - repairStarted) / 1_000_000;
      assertThat(again.path("hostname").asString()).isEqualTo("guest-" + suffix);
      assertThat(probe(net.namespace(), secondAddress).map(j -> j.path("hostname").asString()))
          .contains("guest-" + suffix);
      assertThat(agent.getVm("g1").orElseThrow().pid()).as("the same QEMU").isEqualTo(guestPid);
      assertThat(NicRepairTest.tapFile(guestPid, tap)).isEqualTo(bootFile);
      assertThat(NicRepairTest.tapFile(guestPid, secondTap)).isEqualTo(secondFile);
      assertThat(agent.console("g1", 64 * 1024)).doesNotContain("nic-watch: eth1 removed");
      System.out.println(
          "GuestTest: both taps deleted by hand, the guest unreachable; the two repairs took "
              + repairMs
              + " ms, the guest answered /status again "
              + answeredMs
              + " ms after the first (same QEMU "
              + guestPid
              + ", vnet header "
              + bootFile.vnetHdrBytes()
              + " bytes, flags 0x"
              + Integer.toHexString(bootFile.flags())
              + ")");

      long nicUnplugStarted = System.nanoTime();
      agent.detachNic("g1", "second", Duration.ofSeconds(20));
      long nicUnplugMs = (System.nanoTime() - nicUnplugStarted) / 1_000_000;
      assertThat(agent.vmNics("g1")).extracting(VmNicInfo::nicId).containsExactly("nic0");
      assertThat(NicAttachTest.tapsHeld(guestPid)).containsExactlyInAnyOrder(tap);
      JsonNode withoutNic =
          awaitStatus(
              net.namespace(),
              address,
              s -> !s.path("addresses").toString().contains(secondAddress),
              console(agent));
      TestNode.await(
          Duration.ofSeconds(10),
          () -> agent.console("g1", 64 * 1024).contains("nic-watch: eth1 removed"));
      agent.deleteTap(secondTap);
      System.out.println(
          "GuestTest: the guest brought up the hot-plugged NIC as eth1 ("
              + secondMac
              + ") and answered on "
              + secondAddress
              + " "
              + nicMs
              + " ms after the attach (addresses "
              + withNic.path("addresses")
              + "); the NIC detach (device_del to DEVICE_DELETED, netdev_del) took "
              + nicUnplugMs
              + " ms, then the guest listed "
              + withoutNic.path("addresses"));

      agent.action("g1", new VmAction(VmAction.Action.STOP, 20_000L));
      agent.deleteVm("g1");
      agent.deleteCidata("g1");
      agent.deleteTap(tap);
      agent.deleteNetwork(networkId);
      agent.deleteDisk("local", "root");
      agent.deleteCachedImage(imageId);
      agent.deleteImage(imageId);
      assertThat(node.liveQemuPids()).isEqualTo(List.of());
      assertThat(!Files.exists(Path.of("/run/netns", net.namespace()))).isTrue();
    } finally {
      files.stop(0);
    }
  }

  /**
   * A user-data snippet that starts a watcher in the guest: every interface that appears after boot
   * is brought up with {@code address}/24 and reported on the console as {@code nic-watch: NAME MAC
   * added} ({@code removed} when it goes). ARP is answered only by the interface that holds the
   * address asked for.
   */
  private static String nicWatcher(String address) {
    return String.join(
        "\n",
        "echo 1 >/proc/sys/net/ipv4/conf/all/arp_ignore",
        "(",
        "  known=\" $(ls /sys/class/net | tr '\\n' ' ')\"",
        "  while :; do",
        "    now=\" $(ls /sys/class/net | tr '\\n' ' ')\"",
        "    for n in $now; do",
        "      case \"$known\" in *\" $n \"*) continue ;; esac",
        "      read -r mac </sys/class/net/$n/address",
        "      ip link set \"$n\" up && ip addr add " + address + "/24 dev \"$n\"",
        "      echo \"nic-watch: $n $mac added\"",
        "    done",
        "    for n in $known; do",
        "      case \"$now\" in *\" $n \"*) continue ;; esac",
        "      echo \"nic-watch: $n removed\"",
        "    done",
        "    known=$now",
        "    usleep 200000",
        "  done",
        ") </dev/null >/dev/console 2>&1 &",
        "");
  }

  /** Probes /status until {@code until} holds (at most 30 s); the last answer. */
  private static JsonNode awaitStatus(
      String namespace, String address, Predicate<JsonNode> until, Supplier<String> console)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      Optional<JsonNode> status = probe(namespace, address);
      if (status.isPresent()) {
        last = status.get();
        if (until.test(last)) {
          return last;
        }
      }
      Thread.sleep(300);
    }
    throw new AssertionError("guest status never matched; last " + last + "\n" + console.get());
  }

  private static Supplier<String> console(AgentClient agent) {
    return () -> agent.console("g1", 16 * 1024);
  }

  /** One bounded probe from inside the namespace: curl with a 2 s limit. */
  private static Optional<JsonNode> probe(String namespace, String address) {
    try {
      String body =
          Exec.run(
              Duration.ofSeconds(5),
              List.of(
                  "ip",
                  "netns",
                  "exec",
                  namespace,
                  "curl",
                  "-s",
                  "--max-time",
                  "2",
                  "http://" + address + "/status"));
      return body.isBlank() ? Optional.empty() : Optional.of(AgentJson.lenient().readTree(body));
    } catch (ExecException | tools.jackson.core.JacksonException e) {
      return Optional.empty();
    }
  }

  private static ImageInfo awaitActive(AgentClient agent, String imageId) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      ImageInfo info = agent.getImage(imageId).orElseThrow();
      if (!info.state().equals(ImageInfo.IMPORTING)) {
        assertThat(info.state()).as(String.valueOf(info.error())).isEqualTo(ImageInfo.ACTIVE);
        return info;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("import did not end");
  }

  /** The cached vmsaga-tiny image, built with scripts/guest/build-tiny when there is none. */
  private static Path tinyImage() throws Exception {
    if (Files.isDirectory(CACHE)) {
      try (Stream<Path> files = Files.list(CACHE)) {
        Optional<Path> cached =
            files
                .filter(p -> p.getFileName().toString().matches("vmsaga-tiny-[0-9a-f]+\\.qcow2"))
                .findFirst();
        if (cached.isPresent()) {
          return cached.get();
        }
      }
    }
    Path script = repoRoot().resolve("scripts/guest/build-tiny");
    Path out = Files.createTempDirectory(Path.of("/tmp"), "vstiny");
    Path image = out.resolve("vmsaga-tiny.qcow2");
    try {
      Exec.run(Duration.ofMinutes(10), List.of(script.toString(), image.toString()));
    } catch (RuntimeException e) {
      AtomicFiles.deleteTree(out);
      throw e;
    }
    return image;
  }

  private static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("scripts/guest/build-tiny"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("scripts/guest/build-tiny not found above the build dir");
    }
    return dir;
  }
}
