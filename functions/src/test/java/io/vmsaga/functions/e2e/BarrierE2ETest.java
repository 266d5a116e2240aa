package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmsaga.agent.api.DiskSpec;
import io.vmsaga.functions.core.VmPlan;
import io.vmsaga.functions.core.VmStep;
import io.vmsaga.functions.dtm.BranchRef;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The barrier, seen from DTM's side: step functions called the way DTM calls them (query params,
 * branch token header, step payload), twice, or compensation first.
 */
class BarrierE2ETest {
  @org.junit.jupiter.api.AfterEach
  void deleteLeftovers() {
    deleteTestVms();
  }

  @Test
  void anActionCalledTwiceActsOnce() throws Exception {
    var tenant = newTenant(5, 8, 4096);
    var step = step(tenant);

    assertThat(branch("reserveResources", "action", step)).isEqualTo(200);
    assertThat(branch("reserveResources", "action", step)).isEqualTo(200);
    assertThat(number("SELECT used_vms FROM tenant WHERE id = ?", tenant.id())).isEqualTo(1);

    assertThat(branch("createDisk", "action", step)).isEqualTo(200);
    var agent = agent("node-1");
    String disk = step.vm().disk().diskId();
    agent.deleteDisk("local", disk);
    // a second call of a finished action must not act again: the disk stays gone
    assertThat(branch("createDisk", "action", step)).isEqualTo(200);
    assertThat(agent.getDisk("local", disk)).isEmpty();

    assertThat(branch("releaseResources", "compensate", step)).isEqualTo(200);
    assertThat(branch("releaseResources", "compensate", step)).isEqualTo(200);
    assertNothingLeft(step.vm().vmId(), tenant.id());
  }

  @Test
  void aCompensationBeforeItsActionLeavesNothingWhenTheActionArrivesLate() throws Exception {
    var tenant = newTenant(5, 8, 4096);
    var step = step(tenant);

    assertThat(branch("releaseResources", "compensate", step)).isEqualTo(200);
    assertThat(branch("deleteDisk", "compensate", step)).isEqualTo(200);
    assertThat(branch("reserveResources", "action", step)).isEqualTo(200);
    assertThat(branch("createDisk", "action", step)).isEqualTo(200);

    assertThat(agent("node-1").getDisk("local", step.vm().disk().diskId())).isEmpty();
    assertNothingLeft(step.vm().vmId(), tenant.id());
  }

  @Test
  void aCompensationUndoesAnEffectWhoseActionDiedBeforeRecordingIt() throws Exception {
    var tenant = newTenant(5, 8, 4096);
    var step = step(tenant);
    // the agent did the work, but the action's barrier row never committed (the function died)
    agent("node-1").putDisk("local", step.vm().disk().diskId(), DiskSpec.ofMib(1024));

    assertThat(branch("deleteDisk", "compensate", step)).isEqualTo(200);

    assertThat(agent("node-1").getDisk("local", step.vm().disk().diskId())).isEmpty();
  }

  /** One step payload on branch 01 of a fresh saga id: a VM on node-1 that no trigger planned. */
  private static VmStep step(Tenant tenant) {
    String gid = "barrier-" + UUID.randomUUID();
    String vmId = VmPlan.vmIdFor(gid);
    var plan =
        new VmPlan(
            vmId,
            tenant.id(),
            "barrier",
            "node-1",
            1,
            1,
            128,
            128,
            0,
            VmPlan.diskFor(vmId, false, 1),
            VmPlan.nicFor(vmId, "default", BRIDGE));
    return new VmStep(new BranchRef(gid, "01"), plan);
  }

  /** Calls a step function as DTM does; answers the HTTP status. */
  private static int branch(String function, String op, VmStep step) throws Exception {
    String query = "?gid=" + step.branch().gid() + "&trans_type=saga&branch_id=01&op=" + op;
    var request =
        HttpRequest.newBuilder(URI.create(env("VMSAGA_URL") + "/" + function + query))
            .header("Content-Type", "application/json")
            .header("x-vmsaga-branch", env("VMSAGA_BRANCH_TOKEN"))
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(step)))
            .build();
    return HttpClient.newHttpClient()
        .send(request, HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }
}
