package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every listener of the dev stack is reachable from this machine only: the functions app, the
 * agents and MariaDB bind loopback; DTM, which cannot, has each of its ports behind the stack's
 * nftables guard (traffic that does not arrive on {@code lo} is dropped).
 */
class ListenersE2ETest {
  static final Pattern LISTEN =
      Pattern.compile("^\\S+\\s+\\d+\\s+\\d+\\s+(\\S+):(\\d+)\\s.*pid=(\\d+)");

  record Listener(String address, int port, long pid) {
    boolean loopback() {
      return address.equals("127.0.0.1")
          || address.equals("[::1]")
          || address.equals("[::ffff:127.0.0.1]");
    }
  }

  @Test
  void onlyThisMachineReachesTheStack() throws Exception {
    List<Listener> listeners = listeners();
    for (String component : List.of("functions", "agent-node-1", "agent-node-2", "mariadb")) {
      long pid = pidOf(component);
      var own = listeners.stream().filter(l -> l.pid() == pid).toList();
      assertThat(own).as(component + " listens").isNotEmpty();
      assertThat(own).as(component + " binds loopback only").allMatch(Listener::loopback);
    }
    String guard = run("nft", "list", "table", "inet", "vmsaga_dtm_guard");
    assertThat(guard).contains("iifname != \"lo\"").contains("drop");
    for (String server : List.of("dtm", "dtm-2")) {
      long dtm = pidOf(server);
      var dtmPorts = listeners.stream().filter(l -> l.pid() == dtm).toList();
      assertThat(dtmPorts).as(server + " listens").isNotEmpty();
      for (Listener port : dtmPorts) {
        assertThat(port.loopback() || guard.contains(Integer.toString(port.port())))
            .as(server + "'s port " + port.port() + " is loopback or guarded: " + guard)
            .isTrue();
      }
    }
  }

  static long pidOf(String component) throws IOException {
    return Long.parseLong(
        Files.readString(Path.of(env("VMSAGA_HOME"), "run", component + ".pid")).trim());
  }

  static List<Listener> listeners() throws Exception {
    List<Listener> found = new ArrayList<>();
    for (String line : run("ss", "-ltnpH").lines().toList()) {
      Matcher m = LISTEN.matcher(line);
      while (m.find()) {
        found.add(
            new Listener(m.group(1), Integer.parseInt(m.group(2)), Long.parseLong(m.group(3))));
      }
    }
    return found;
  }
}
