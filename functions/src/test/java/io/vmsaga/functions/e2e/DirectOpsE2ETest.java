package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Direct operations (no saga) through QMP, with the refused cases and the record kept true. */
class DirectOpsE2ETest {
  @org.junit.jupiter.api.AfterEach
  void deleteLeftovers() {
    deleteTestVms();
  }

  @Test
  void everyOperationInEveryAllowedStateAndTheRefusals() {
    var tenant = newTenant(5, 8, 4096);
    var request = vm("ops", "nodeId", "node-1");
    request.putAll(Map.of("maxVcpus", 2, "memoryMib", 256, "maxMemoryMib", 512));
    var created = call("createVm", tenant.token(), request);
    assertThat(created.status()).isEqualTo(200);
    String vmId = created.text("vmId");
    var agent = agent("node-1");
    var id = Map.of("vmId", vmId);

    // pause (QMP stop), idempotently
    assertThat(call("pauseVm", tenant.token(), id).text("state")).isEqualTo("paused");
    assertThat(agent.status(vmId).status()).isEqualTo("paused");
    assertThat(call("pauseVm", tenant.token(), id).status()).isEqualTo(200);
    assertThat(recordedState(vmId)).isEqualTo("paused");
    assertThat(call("rebootVm", tenant.token(), id).text("code")).isEqualTo("wrong_state");

    // resume (QMP cont), idempotently; startVm resumes a paused VM too
    assertThat(call("resumeVm", tenant.token(), id).text("state")).isEqualTo("running");
    assertThat(agent.status(vmId).running()).isTrue();
    assertThat(call("resumeVm", tenant.token(), id).status()).isEqualTo(200);
    assertThat(call("pauseVm", tenant.token(), id).status()).isEqualTo(200);
    assertThat(call("startVm", tenant.token(), id).text("state")).isEqualTo("running");
    assertThat(call("startVm", tenant.token(), id).status()).isEqualTo(200);

    // reset: one host-requested RESET (the firmware may add guest-initiated ones of its own)
    long before = hostResets(agent, vmId);
    assertThat(call("rebootVm", tenant.token(), id).status()).isEqualTo(200);
    assertThat(hostResets(agent, vmId)).isEqualTo(before + 1);

    // CPU hot-plug, once, within headroom, accounted
    assertThat(call("hotplugCpu", tenant.token(), Map.of("vmId", vmId, "vcpus", 2)).status())
        .isEqualTo(200);
    assertThat(call("hotplugCpu", tenant.token(), Map.of("vmId", vmId, "vcpus", 2)).status())
        .isEqualTo(200);
    assertThat(agent.cpus(vmId)).hasSize(2);
    assertThat(call("hotplugCpu", tenant.token(), Map.of("vmId", vmId, "vcpus", 3)).text("code"))
        .isEqualTo("beyond_headroom");
    assertThat(agent.cpus(vmId)).hasSize(2);
    assertThat(number("SELECT vcpus FROM vm WHERE id = ?", vmId)).isEqualTo(2);
    assertThat(number("SELECT used_vcpus FROM tenant WHERE id = ?", tenant.id())).isEqualTo(2);

    // memory hot-plug, once, accounted
    var memory = Map.of("vmId", vmId, "sizeMib", 384);
    assertThat(call("hotplugMemory", tenant.token(), memory).status()).isEqualTo(200);
    assertThat(call("hotplugMemory", tenant.token(), memory).status()).isEqualTo(200);
    assertThat(agent.memoryDevices(vmId)).hasSize(1);
    assertThat(number("SELECT memory_mib FROM vm WHERE id = ?", vmId)).isEqualTo(384);
    assertThat(
            call("hotplugMemory", tenant.token(), Map.of("vmId", vmId, "sizeMib", 640))
                .text("code"))
        .isEqualTo("beyond_headroom");
    assertThat(call("hotplugMemory", tenant.token(), Map.of("vmId", vmId, "sizeMib", 400)).status())
        .isEqualTo(400);
    assertAccountingExact(tenant.id());

    // power off (no guest OS here answers ACPI: forced after half the timeout); refused
    // operations while stopped; boot again with the hot-plugged devices replayed
    assertThat(call("stopVm", tenant.token(), Map.of("vmId", vmId, "timeoutSeconds", 0)).status())
        .isEqualTo(400);
    assertThat(
            call("stopVm", tenant.token(), Map.of("vmId", vmId, "timeoutSeconds", 2)).text("state"))
        .isEqualTo("stopped");
    assertThat(processesMentioning(vmId)).isEmpty();
    var refused = call("rebootVm", tenant.token(), id);
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.text("state")).isEqualTo("stopped");
    assertThat(call("hotplugCpu", tenant.token(), Map.of("vmId", vmId, "vcpus", 2)).text("code"))
        .isEqualTo("wrong_state");
    assertThat(call("pauseVm", tenant.token(), id).text("code"))
        .as("pause of a stopped VM")
        .isEqualTo("wrong_state");
    assertThat(call("resumeVm", tenant.token(), id).text("code"))
        .as("resume of a stopped VM: startVm boots it")
        .isEqualTo("wrong_state");
    assertThat(call("stopVm", tenant.token(), id).status()).as("stopped already").isEqualTo(200);
    assertThat(call("startVm", tenant.token(), id).text("state")).isEqualTo("running");
    assertThat(processesMentioning(vmId)).hasSize(1);
    assertThat(agent.cpus(vmId)).hasSize(2);
    assertThat(agent.memoryDevices(vmId)).hasSize(1);

    // someone else's tenant and an unknown VM
    var stranger = newTenant(5, 8, 4096);
    for (String op :
        new String[] {
          "startVm",
          "stopVm",
          "pauseVm",
          "resumeVm",
          "rebootVm",
          "getVmStatus",
          "getVmStats",
          "hotplugCpu",
          "hotplugMemory"
        }) {
      assertThat(
              call(op, stranger.token(), Map.of("vmId", vmId, "vcpus", 2, "sizeMib", 512)).status())
          .as(op)
          .isEqualTo(404);
      assertThat(call(op, tenant.token(), Map.of("vmId", "vm-0000000000000000")).status())
          .as(op)
          .isEqualTo(404);
      assertThat(call(op, null, id).status()).as(op).isEqualTo(401);
    }
    assertThat(agent.status(vmId).running()).isTrue();

    assertThat(call("deleteVm", tenant.token(), Map.of("vmId", vmId, "awaitResult", true)).status())
        .isEqualTo(200);
    assertNothingLeft(vmId, tenant.id());
  }

  @Test
  void theGuestSeesPauseResumeAndAPowerOffAndItsStatsAreRead() {
    var tenant = newTenant(2, 2, 1024);
    var guest = GuestE2ETest.boot(tenant, "power", "node-2", false);
    var id = Map.of("vmId", guest.vmId());
    String bootId = guest.status().path("bootId").asString();

    // what it uses, as its node reads it: the guest booted from its disk and answered probes
    var stats = call("getVmStats", tenant.token(), id);
    assertThat(stats.status()).as(stats.body().toString()).isEqualTo(200);
    var body = stats.body();
    assertThat(body.path("cpu").path("timeMs").asLong()).isPositive();
    assertThat(body.path("cpu").path("percent").isNumber()).isTrue();
    assertThat(body.path("memory").path("rssBytes").asLong()).isGreaterThan(16L << 20);
    assertThat(body.path("disks").get(0).path("readBytes").asLong()).isPositive();
    assertThat(body.path("nics").get(0).path("rxPackets").asLong()).isPositive();
    assertThat(body.path("nics").get(0).path("txPackets").asLong()).isPositive();
    long cpuBefore = body.path("cpu").path("timeMs").asLong();
    sleep(500);
    assertThat(call("getVmStats", tenant.token(), id).body().path("cpu").path("timeMs").asLong())
        .as("a running guest's QEMU keeps using CPU")
        .isGreaterThan(cpuBefore);

    assertThat(call("pauseVm", tenant.token(), id).text("state")).isEqualTo("paused");
    assertThat(GuestProbe.status(guest.address())).as("a paused guest does not answer").isEmpty();
    assertThat(call("resumeVm", tenant.token(), id).text("state")).isEqualTo("running");
    var resumed = GuestProbe.awaitReady(guest.address(), java.time.Duration.ofSeconds(20));
    assertThat(resumed.path("bootId").asString()).as("the same boot goes on").isEqualTo(bootId);

    long started = System.nanoTime();
    assertThat(call("stopVm", tenant.token(), id).text("state")).isEqualTo("stopped");
    long stopMs = (System.nanoTime() - started) / 1_000_000;
    System.out.printf("stopVm of a guest that answers ACPI: %d ms%n", stopMs);
    assertThat(stopMs).as("clean, not forced after half the 30 s").isLessThan(15_000);
    assertThat(GuestE2ETest.consoleShowing(tenant, guest.vmId(), "vmsaga-tiny: shutdown"))
        .as("the guest shut itself down on the ACPI power button")
        .contains("vmsaga-tiny: shutdown");
    assertThat(processesMentioning(guest.vmId())).isEmpty();
    assertThat(call("getVmStats", tenant.token(), id).text("code")).isEqualTo("wrong_state");

    assertThat(call("startVm", tenant.token(), id).text("state")).isEqualTo("running");
    var booted = GuestProbe.awaitReady(guest.address(), GuestE2ETest.BOOT);
    assertThat(booted.path("bootId").asString()).as("a new boot").isNotEqualTo(bootId);
    GuestE2ETest.delete(tenant, guest.vmId());
  }

  @Test
  void hotplugBeyondTheTenantsQuotaIsRefusedAndChangesNothing() {
    var tenant = newTenant(2, 1, 4096);
    var request = vm("tight");
    request.put("maxVcpus", 2);
    var created = call("createVm", tenant.token(), request);
    String vmId = created.text("vmId");

    var refused = call("hotplugCpu", tenant.token(), Map.of("vmId", vmId, "vcpus", 2));

    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.text("code")).isEqualTo("quota_exceeded");
    assertThat(agent(created.text("nodeId")).cpus(vmId)).hasSize(1);
    assertThat(number("SELECT vcpus FROM vm WHERE id = ?", vmId)).isEqualTo(1);
    assertAccountingExact(tenant.id());
    call("deleteVm", tenant.token(), Map.of("vmId", vmId, "awaitResult", true));
    assertNothingLeft(vmId, tenant.id());
  }

  @Test
  void qemuKilledBehindVmsagasBackIsReportedAndStartedAgain() throws Exception {
    var tenant = newTenant(5, 8, 4096);
    var created = call("createVm", tenant.token(), vm("victim"));
    String vmId = created.text("vmId");
    var pids = processesMentioning(vmId);
    assertThat(pids).hasSize(1);

    new ProcessBuilder("kill", "-KILL", Long.toString(pids.get(0))).start().waitFor();
    for (int i = 0; i < 50 && !processesMentioning(vmId).isEmpty(); i++) {
      sleep(50);
    }

    var status = call("getVmStatus", tenant.token(), Map.of("vmId", vmId));
    assertThat(status.text("state")).isEqualTo("stopped");
    assertThat(status.text("recordedState")).isEqualTo("running");
    assertThat(status.body().path("corrected").asBoolean()).isTrue();
    assertThat(recordedState(vmId)).isEqualTo("stopped");
    assertThat(call("getVm", tenant.token(), Map.of("vmId", vmId)).text("state"))
        .isEqualTo("stopped");

    assertThat(call("startVm", tenant.token(), Map.of("vmId", vmId)).text("state"))
        .isEqualTo("running");
    assertThat(processesMentioning(vmId)).hasSize(1);
    assertThat(agent(created.text("nodeId")).status(vmId).running()).isTrue();
    assertThat(
            call("getVmStatus", tenant.token(), Map.of("vmId", vmId))
                .body()
                .path("corrected")
                .asBoolean())
        .isFalse();

    call("deleteVm", tenant.token(), Map.of("vmId", vmId, "awaitResult", true));
    assertNothingLeft(vmId, tenant.id());
  }

  private static long hostResets(io.vmsaga.agent.client.AgentClient agent, String vmId) {
    return agent.events(vmId, 0).stream()
        .filter(e -> e.event().equals("RESET") && !e.data().path("guest").asBoolean(true))
        .count();
  }

  private static String recordedState(String vmId) {
    try (var c = db();
        var s = c.prepareStatement("SELECT state FROM vm WHERE id = ?")) {
      s.setString(1, vmId);
      try (var rows = s.executeQuery()) {
        rows.next();
        return rows.getString(1);
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
