package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A part of the stack is SIGKILLed in the middle of a create and started again (`scripts/dev up`):
 * the functions app, DTM, MariaDB, or the host agent of the VM's node. The saga must finish — here
 * it completes, since nothing failed for good — and a delete afterwards must leave nothing.
 */
class ComponentCrashE2ETest {
  @org.junit.jupiter.api.AfterEach
  void deleteLeftovers() {
    deleteTestVms();
  }

  @ParameterizedTest(name = "{0} killed mid-create")
  @ValueSource(strings = {"functions", "dtm", "mariadb", "agent-node-2"})
  void sagaCompletesAfterAComponentIsKilledMidCreate(String component) throws Exception {
    var tenant = newTenant(5, 8, 4096);
    var request = vm("phoenix", "nodeId", "node-2");
    request.put("awaitResult", false);
    // writeVmConfig pauses 2 s before its effect: the window in which the component dies

    var created =
        call(
            "createVm",
            withFaults(tenant.token(), Map.of("writeVmConfig", "slow"), null),
            "",
            request);
    String gid = created.text("gid");
    String vmId = created.text("vmId");
    // the step before writeVmConfig has succeeded: the slow step is next
    awaitBranch(gid, String.format("%02d", CREATE_ACTIONS.indexOf("writeVmConfig")));
    Stack.sleep(500);

    kill(component);
    restartStack();

    var saga = awaitSaga(gid, Duration.ofSeconds(90));
    assertThat(saga.status()).isEqualTo("succeed");
    assertThat(saga.count("action", "succeed")).isEqualTo(CREATE_STEPS);
    assertThat(processesMentioning(vmId)).hasSize(1);
    assertThat(call("getVm", tenant.token(), Map.of("vmId", vmId)).text("state"))
        .isEqualTo("running");
    assertAccountingExact(tenant.id());

    assertThat(call("deleteVm", tenant.token(), Map.of("vmId", vmId, "awaitResult", true)).status())
        .isEqualTo(200);
    assertNothingLeft(vmId, tenant.id());
  }
}
