package io.vmsaga.agent.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.vmsaga.agent.api.CidataInfo;
import io.vmsaga.agent.api.CidataSpec;
import io.vmsaga.agent.api.NetworkInfo;
import io.vmsaga.agent.api.NetworkSpec;
import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.client.AgentClient;
import io.vmsaga.agent.client.AgentException;
import io.vmsaga.agent.server.net.Links;
import io.vmsaga.agent.server.os.Exec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The NoCloud ISO, the console tail and guest networks in their own namespaces. */
class CidataNetworkTest {
  private static TestNode node;
  private static AgentClient agent;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.inProcess("node-cid");
    agent = node.client();
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  @Test
  void cidataIsoHoldsTheThreeFiles() throws Exception {
    CidataSpec spec =
        new CidataSpec(
            "instance-id: i-1\nlocal-hostname: c1\n",
            "#!/bin/sh\necho hi\n",
            "version: 2\nethernets: {}\n");
    CidataInfo iso = agent.putCidata("c1", spec);
    Path path = Path.of(iso.path());
    assertThat(path).isEqualTo(node.stateDir.resolve("vms/c1/cidata.iso"));
    String volume = run("isoinfo", "-d", "-i", path.toString());
    assertThat(volume.contains("Volume id: cidata")).as(volume).isTrue();
    String listing = run("isoinfo", "-J", "-f", "-i", path.toString());
    assertThat(listing.lines().sorted().toList())
        .as(listing)
        .isEqualTo(List.of("/meta-data", "/network-config", "/user-data"));
    assertThat(run("isoinfo", "-J", "-i", path.toString(), "-x", "/user-data"))
        .isEqualTo(spec.userData());
    long modified = Files.getLastModifiedTime(path).toMillis();
    Thread.sleep(20);
    assertThat(agent.putCidata("c1", spec)).as("same content: nothing rebuilt").isEqualTo(iso);
    assertThat(Files.getLastModifiedTime(path).toMillis()).isEqualTo(modified);

    VmConfig config = new VmConfig(null, 1, null, 64L, null, null, null, null, null);
    agent.putVm("c1", config.withCidata(true));
    AgentException missing =
        assertThatExceptionOfType(AgentException.class)
            .isThrownBy(() -> agent.putVm("c2", config.withCidata(true)))
            .actual();
    assertThat(missing.status()).isEqualTo(409);
    assertThat(Files.exists(node.stateDir.resolve("vms/c2"))).as("nothing defined").isFalse();

    AgentException big =
        assertThatExceptionOfType(AgentException.class)
            .isThrownBy(
                () -> agent.putCidata("c2", new CidataSpec("x", "y".repeat(64 * 1024 + 1), null)))
            .actual();
    assertThat(big.status()).isEqualTo(400);
    AgentException noMeta =
        assertThatExceptionOfType(AgentException.class)
            .isThrownBy(() -> agent.putCidata("c2", new CidataSpec(null, "x", null)))
            .actual();
    assertThat(noMeta.status()).isEqualTo(400);

    // The console: empty before a start, then the tail of the serial log.
    assertThat(agent.console("c1", 100)).isEqualTo("");
    Files.writeString(node.stateDir.resolve("vms/c1/serial.log"), "0123456789abcdef");
    assertThat(agent.console("c1", 4)).isEqualTo("cdef");
    assertThat(agent.console("c1", 1 << 20)).isEqualTo("0123456789abcdef");
    assertThat(
            assertThatExceptionOfType(AgentException.class)
                .isThrownBy(() -> agent.console("c9", 4))
                .actual()
                .status())
        .isEqualTo(404);
    for (int bad : List.of(0, -1, (1 << 20) + 1)) {
      assertThat(
              assertThatExceptionOfType(AgentException.class)
                  .isThrownBy(() -> agent.console("c1", bad))
                  .actual()
                  .status())
          .isEqualTo(400);
    }

    agent.deleteVm("c1");
    agent.deleteCidata("c1");
    agent.putCidata("c3", spec);
    agent.deleteCidata("c3");
    agent.deleteCidata("c3");
    try (Stream<Path> vms = Files.list(node.stateDir.resolve("vms"))) {
      assertThat(vms.toList()).isEqualTo(List.of());
    }
  }

  @Test
  void networkLivesInItsNamespace() throws Exception {
    String id = "n" + TestNode.hex(4);
    String bridge = TestNode.name("vtb");
    NetworkInfo net = agent.putNetwork(id, new NetworkSpec(bridge, "10.79.3.1/24"));
    String ns = "vmsaga-" + id;
    try {
      assertThat(net.namespace()).isEqualTo(ns);
      assertThat(Files.exists(Path.of("/run/netns", ns))).isTrue();
      assertThat(Links.exists(bridge)).isTrue();
      assertThat(Links.exists(net.veth())).isTrue();
      assertThat(
              Files.readSymbolicLink(Path.of("/sys/class/net", net.veth(), "master"))
                  .getFileName()
                  .toString())
          .isEqualTo(bridge);
      String inside = run("ip", "netns", "exec", ns, "ip", "-4", "-o", "addr");
      assertThat(inside.contains("gw0") && inside.contains("inet 10.79.3.1/24"))
          .as(inside)
          .isTrue();
      assertThat(inside.contains("inet 127.0.0.1/8")).as("loopback up: " + inside).isTrue();
      for (String link : List.of(bridge, net.veth())) {
        assertThat(run("ip", "-4", "-o", "addr", "show", "dev", link)).as(link).isEqualTo("");
      }
      assertThat(agent.putNetwork(id, new NetworkSpec(bridge, "10.79.3.1/24"))).isEqualTo(net);
      assertThat(
              assertThatExceptionOfType(AgentException.class)
                  .isThrownBy(() -> agent.putNetwork(id, new NetworkSpec(bridge, "10.79.4.1/24")))
                  .actual()
                  .status())
          .isEqualTo(409);
      for (String cidr : List.of("10.79.3.1", "10.79.3.256/24", "10.79.3.1/31", "x;y")) {
        assertThat(
                assertThatExceptionOfType(AgentException.class)
                    .isThrownBy(() -> agent.putNetwork("n2", new NetworkSpec(bridge, cidr)))
                    .actual()
                    .status())
            .as(cidr)
            .isEqualTo(400);
      }
      assertThat(agent.getNetwork(id).orElseThrow()).isEqualTo(net);
      assertThat(agent.node().networks()).isEqualTo(List.of(net));
    } finally {
      agent.deleteNetwork(id);
    }
    assertThat(Files.exists(Path.of("/run/netns", ns))).isFalse();
    assertThat(Links.exists(net.veth())).isFalse();
    assertThat(Links.exists(bridge)).as("the bridge it made goes with it").isFalse();
    agent.deleteNetwork(id);
    assertThat(agent.getNetwork(id).isEmpty()).isTrue();
  }

  private static String run(String... argv) {
    return Exec.run(Duration.ofSeconds(10), List.of(argv));
  }
}
