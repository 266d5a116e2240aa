package io.vmsaga.agent.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    assertEquals(node.stateDir.resolve("vms/c1/cidata.iso"), path);
    String volume = run("isoinfo", "-d", "-i", path.toString());
    assertTrue(volume.contains("Volume id: cidata"), volume);
    String listing = run("isoinfo", "-J", "-f", "-i", path.toString());
    assertEquals(
        List.of("/meta-data", "/network-config", "/user-data"),
        listing.lines().sorted().toList(),
        listing);
    assertEquals(spec.userData(), run("isoinfo", "-J", "-i", path.toString(), "-x", "/user-data"));
    long modified = Files.getLastModifiedTime(path).toMillis();
    Thread.sleep(20);
    assertEquals(iso, agent.putCidata("c1", spec), "same content: nothing rebuilt");
    assertEquals(modified, Files.getLastModifiedTime(path).toMillis());

    VmConfig config = new VmConfig(null, 1, null, 64L, null, null, null, null, null);
    agent.putVm("c1", config.withCidata(true));
    AgentException missing =
        assertThrows(AgentException.class, () -> agent.putVm("c2", config.withCidata(true)));
    assertEquals(409, missing.status());
    assertFalse(Files.exists(node.stateDir.resolve("vms/c2")), "nothing defined");

    AgentException big =
        assertThrows(
            AgentException.class,
            () -> agent.putCidata("c2", new CidataSpec("x", "y".repeat(64 * 1024 + 1), null)));
    assertEquals(400, big.status());
    AgentException noMeta =
        assertThrows(
            AgentException.class, () -> agent.putCidata("c2", new CidataSpec(null, "x", null)));
    assertEquals(400, noMeta.status());

    // The console: empty before a start, then the tail of the serial log.
    assertEquals("", agent.console("c1", 100));
    Files.writeString(node.stateDir.resolve("vms/c1/serial.log"), "0123456789abcdef");
    assertEquals("cdef", agent.console("c1", 4));
    assertEquals("0123456789abcdef", agent.console("c1", 1 << 20));
    assertEquals(404, assertThrows(AgentException.class, () -> agent.console("c9", 4)).status());
    for (int bad : List.of(0, -1, (1 << 20) + 1)) {
      assertEquals(
          400, assertThrows(AgentException.class, () -> agent.console("c1", bad)).status());
    }

    agent.deleteVm("c1");
    agent.deleteCidata("c1");
    agent.putCidata("c3", spec);
    agent.deleteCidata("c3");
    agent.deleteCidata("c3");
    try (Stream<Path> vms = Files.list(node.stateDir.resolve("vms"))) {
      assertEquals(List.of(), vms.toList());
    }
  }

  @Test
  void networkLivesInItsNamespace() throws Exception {
    String id = "n" + TestNode.hex(4);
    String bridge = TestNode.name("vtb");
    NetworkInfo net = agent.putNetwork(id, new NetworkSpec(bridge, "10.79.3.1/24"));
    String ns = "vmsaga-" + id;
    try {
      assertEquals(ns, net.namespace());
      assertTrue(Files.exists(Path.of("/run/netns", ns)));
      assertTrue(Links.exists(bridge));
      assertTrue(Links.exists(net.veth()));
      assertEquals(
          bridge,
          Files.readSymbolicLink(Path.of("/sys/class/net", net.veth(), "master"))
              .getFileName()
              .toString());
      String inside = run("ip", "netns", "exec", ns, "ip", "-4", "-o", "addr");
      assertTrue(inside.contains("gw0") && inside.contains("inet 10.79.3.1/24"), inside);
      assertTrue(inside.contains("inet 127.0.0.1/8"), "loopback up: " + inside);
      for (String link : List.of(bridge, net.veth())) {
        assertEquals("", run("ip", "-4", "-o", "addr", "show", "dev", link), link);
      }
      assertEquals(net, agent.putNetwork(id, new NetworkSpec(bridge, "10.79.3.1/24")));
      assertEquals(
          409,
          assertThrows(
                  AgentException.class,
                  () -> agent.putNetwork(id, new NetworkSpec(bridge, "10.79.4.1/24")))
              .status());
      for (String cidr : List.of("10.79.3.1", "10.79.3.256/24", "10.79.3.1/31", "x;y")) {
        assertEquals(
            400,
            assertThrows(
                    AgentException.class,
                    () -> agent.putNetwork("n2", new NetworkSpec(bridge, cidr)))
                .status(),
            cidr);
      }
      assertEquals(net, agent.getNetwork(id).orElseThrow());
      assertEquals(List.of(net), agent.node().networks());
    } finally {
      agent.deleteNetwork(id);
    }
    assertFalse(Files.exists(Path.of("/run/netns", ns)));
    assertFalse(Links.exists(net.veth()));
    assertFalse(Links.exists(bridge), "the bridge it made goes with it");
    agent.deleteNetwork(id);
    assertTrue(agent.getNetwork(id).isEmpty());
  }

  private static String run(String... argv) {
    return Exec.run(Duration.ofSeconds(10), List.of(argv));
  }
}
