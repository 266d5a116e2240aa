package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The functions app is SIGKILLed in the middle of a create and started again: DTM finishes the saga. */
class FunctionsCrashE2ETest {
    @org.junit.jupiter.api.AfterEach
    void deleteLeftovers() {
        deleteTestVms();
    }


    @Test
    void sagaCompletesAfterTheFunctionsAppIsKilledMidCreate() throws Exception {
        var tenant = newTenant(5, 8, 4096);
        var request = vm("phoenix", "nodeId", "node-2");
        request.put("awaitResult", false);
        // writeVmConfig pauses 2 s before its effect: the window in which the app dies
        request.put("faults", Map.of("writeVmConfig", "slow"));

        var created = call("createVm", tenant.token(), request);
        String gid = created.text("gid");
        String vmId = created.text("vmId");
        awaitBranch(gid, "03");
        Stack.sleep(500);

        Path pidfile = Path.of(env("VMSAGA_HOME"), "run", "functions.pid");
        long pid = Long.parseLong(Files.readString(pidfile).trim());
        new ProcessBuilder("kill", "-KILL", Long.toString(pid)).start().waitFor();
        assertThat(saga(gid).status()).as("the saga is still running when the app dies").isEqualTo("submitted");

        var up = new ProcessBuilder(Path.of(env("VMSAGA_HOME")).getParent().resolve("scripts/dev").toString(), "up")
                .redirectErrorStream(true).start();
        String output = new String(up.getInputStream().readAllBytes());
        assertThat(up.waitFor()).as(output).isZero();

        var saga = awaitSaga(gid, Duration.ofSeconds(60));
        assertThat(saga.status()).isEqualTo("succeed");
        assertThat(saga.count("action", "succeed")).isEqualTo(7);
        assertThat(processesMentioning(vmId)).hasSize(1);
        assertThat(call("getVm", tenant.token(), Map.of("vmId", vmId)).text("state")).isEqualTo("running");

        assertThat(call("deleteVm", tenant.token(), Map.of("vmId", vmId, "awaitResult", true)).status()).isEqualTo(200);
        assertNothingLeft(vmId, tenant.id());
    }

    private static void awaitBranch(String gid, String branchId) {
        for (int i = 0; i < 200; i++) {
            var t = DTM.query(gid);
            if (t.isPresent() && t.get().branches().stream()
                    .anyMatch(b -> b.branchId().equals(branchId) && b.op().equals("action") && b.status().equals("succeed"))) {
                return;
            }
            Stack.sleep(25);
        }
        throw new AssertionError("branch " + branchId + " of " + gid + " never succeeded");
    }
}
