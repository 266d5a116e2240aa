package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * VMs made from the test guest image, proven by what the guest itself sees (its status page, read
 * from inside the stack's namespace, and its serial console): first-boot configuration on each
 * pool, hot-plugged CPUs and memory, a live move that the guest does not notice, a cold move that
 * keeps what the guest wrote.
 */
class GuestE2ETest {
  static final Duration BOOT = Duration.ofSeconds(90);
  static final String USER_DATA =
      "#!/bin/sh\necho user-data-says-hello\necho kept-across-moves > /disk/data/note\n";

  @AfterEach
  void deleteLeftovers() {
    deleteTestVms();
  }

  record Booted(String vmId, String address, JsonNode status, long readyMs) {}

  static Booted boot(Tenant tenant, String name, String nodeId, boolean shared, Object... extra) {
    var request = new HashMap<String, Object>(vm(name, "nodeId", nodeId));
    request.put("imageId", tinyImage());
    request.put("hostname", name);
    request.put("userData", USER_DATA);
    request.put("sharedStorage", shared);
    request.put("maxVcpus", 2);
    request.put("maxMemoryMib", 512);
    request.put("memoryMib", 256);
    for (int i = 0; i < extra.length; i += 2) {
      request.put((String) extra[i], extra[i + 1]);
    }
    long started = System.nanoTime();
    var created = call("createVm", tenant.token(), request);
    assertThat(created.status()).as(created.body().toString()).isEqualTo(200);
    String vmId = created.text("vmId");
    String address = address(tenant, vmId);
    var status = GuestProbe.awaitReady(address, BOOT);
    long readyMs = (System.nanoTime() - started) / 1_000_000;
    System.out.printf(
        "guest %s (%s pool, %s): createVm to guest ready %d ms%n",
        vmId, shared ? "shared" : "local", nodeId, readyMs);
    return new Booted(vmId, address, status, readyMs);
  }

  static String address(Tenant tenant, String vmId) {
    var view = call("getVm", tenant.token(), Map.of("vmId", vmId));
    return view.body().path("nics").get(0).path("address").asString();
  }

  static String console(Tenant tenant, String vmId) {
    var reply = call("getConsoleLog", tenant.token(), Map.of("vmId", vmId, "tailBytes", 65536));
    assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
    return reply.text("text");
  }

  /**
   * The console once it shows {@code marker}: the guest prints its ready line just after its status
   * page first answers, so a probe can be a moment ahead of it (at most 20 reads).
   */
  static String consoleShowing(Tenant tenant, String vmId, String marker) {
    String text = console(tenant, vmId);
    for (int i = 0; i < 20 && !text.contains(marker); i++) {
      Stack.sleep(500);
      text = console(tenant, vmId);
    }
    return text;
  }

  static void delete(Tenant tenant, String vmId) {
    assertThat(call("deleteVm", tenant.token(), Map.of("vmId", vmId, "awaitResult", true)).status())
        .isEqualTo(200);
    assertNothingLeft(vmId, tenant.id());
  }

  @Test
  void theGuestBootsFromTheImageWithItsHostnameAddressAndUserDataOnEachPool() {
    var tenant = newTenant(5, 8, 4096);
    for (boolean shared : new boolean[] {false, true}) {
      String name = shared ? "guest-shared" : "guest-local";
      var guest = boot(tenant, name, shared ? "node-2" : "node-1", shared);

      assertThat(guest.status().path("hostname").asString()).isEqualTo(name);
      assertThat(guest.status().path("instanceId").asString()).isEqualTo(guest.vmId());
      assertThat(guest.status().path("addresses").get(0).asString())
          .isEqualTo(guest.address() + "/24");
      assertThat(guest.address()).startsWith("10.77.0.");
      assertThat(consoleShowing(tenant, guest.vmId(), "vmsaga-tiny ready"))
          .contains("user-data-says-hello")
          .contains("vmsaga-tiny: user-data done rc=0")
          .contains("vmsaga-tiny ready");
      assertThat(GuestProbe.get(guest.address(), "/files/note")).hasValue("kept-across-moves\n");
      delete(tenant, guest.vmId());
    }
  }

  @Test
  void theGuestSeesHotPluggedCpusAndMemory() {
    var tenant = newTenant(5, 8, 4096);
    var guest = boot(tenant, "guest-plug", "node-1", false);
    assertThat(guest.status().path("cpusOnline").asInt()).isEqualTo(1);
    long memoryBefore = guest.status().path("memTotalKib").asLong();

    var cpu = call("hotplugCpu", tenant.token(), Map.of("vmId", guest.vmId(), "vcpus", 2));
    assertThat(cpu.status()).as(cpu.body().toString()).isEqualTo(200);
    GuestProbe.awaitStatus(
        guest.address(), Duration.ofSeconds(30), s -> s.path("cpusOnline").asInt() == 2);

    var memory =
        call("hotplugMemory", tenant.token(), Map.of("vmId", guest.vmId(), "sizeMib", 384));
    assertThat(memory.status()).as(memory.body().toString()).isEqualTo(200);
    var grown =
        GuestProbe.awaitStatus(
            guest.address(),
            Duration.ofSeconds(30),
            s -> s.path("memTotalKib").asLong() >= memoryBefore + 100 * 1024);
    System.out.printf(
        "guest MemTotal %d KiB -> %d KiB after a 128 MiB DIMM%n",
        memoryBefore, grown.path("memTotalKib").asLong());
    delete(tenant, guest.vmId());
  }

  @Test
  void aLiveMoveIsNotNoticedByTheGuest() {
    var tenant = newTenant(5, 8, 4096);
    var guest = boot(tenant, "guest-live", "node-1", true);
    String bootId = guest.status().path("bootId").asString();
    long counterBefore = GuestProbe.status(guest.address()).orElseThrow().path("counter").asLong();

    var moved =
        call(
            "migrateVm",
            tenant.token(),
            Map.of("vmId", guest.vmId(), "targetNodeId", "node-2", "awaitResult", true));
    assertThat(moved.status()).as(moved.body().toString()).isEqualTo(200);

    var after = GuestProbe.awaitStatus(guest.address(), Duration.ofSeconds(20), s -> true);
    assertThat(after.path("bootId").asString()).as("same boot").isEqualTo(bootId);
    assertThat(after.path("counter").asLong()).as("kept counting").isGreaterThan(counterBefore);
    assertThat(call("getVm", tenant.token(), Map.of("vmId", guest.vmId())).text("nodeId"))
        .isEqualTo("node-2");
    System.out.printf(
        "live move: boot id %s kept, counter %d -> %d%n",
        bootId, counterBefore, after.path("counter").asLong());
    delete(tenant, guest.vmId());
  }

  @Test
  void aColdMoveKeepsWhatTheGuestWrote() {
    var tenant = newTenant(5, 8, 4096);
    var guest = boot(tenant, "guest-cold", "node-1", false);
    assertThat(GuestProbe.get(guest.address(), "/files/note")).hasValue("kept-across-moves\n");
    String bootId = guest.status().path("bootId").asString();

    var moved =
        call(
            "coldMigrateVm",
            tenant.token(),
            Map.of("vmId", guest.vmId(), "targetNodeId", "node-2", "awaitResult", true));
    assertThat(moved.status()).as(moved.body().toString()).isEqualTo(200);

    var after =
        GuestProbe.awaitStatus(
            guest.address(), BOOT, s -> !s.path("bootId").asString().equals(bootId));
    assertThat(after.path("hostname").asString()).isEqualTo("guest-cold");
    assertThat(GuestProbe.get(guest.address(), "/files/note")).hasValue("kept-across-moves\n");
    String console = consoleShowing(tenant, guest.vmId(), "vmsaga-tiny ready");
    assertThat(console).contains("vmsaga-tiny ready").doesNotContain("user-data-says-hello");
    delete(tenant, guest.vmId());
  }
}
