package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Migrating.onlyQemuOn;
import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmsaga.functions.dtm.DtmClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The DTM HA pair (docs/design.md §10): DTM #1 is SIGKILLed while a create and a live migration it
 * runs are in flight. Both sagas finish through DTM #2, whose cron claims them from the shared
 * store, and the functions keep submitting and asking through DTM #2. DTM #1 comes back and both
 * serve.
 */
class DtmFailoverE2ETest {
  @AfterEach
  void deleteLeftovers() throws Exception {
    restartStack(); // DTM #1 back, whatever happened
    deleteTestVms();
  }

  @Test
  void sagasInFlightFinishThroughTheOtherDtmServer() throws Exception {
    var tenant = newTenant(5, 8, 4096);
    String moving = MigrationE2ETest.create(tenant, "ha-move", 256);

    // each saga's next step pauses 2 s before its effect: the window in which DTM #1 dies
    var request = vm("ha-new", "nodeId", "node-2");
    request.put("awaitResult", false);
    var created =
        call(
            "createVm",
            withFaults(tenant.token(), Map.of("writeVmConfig", "slow"), null),
            "",
            request);
    var migrated =
        call(
            "migrateVm",
            withFaults(tenant.token(), Map.of("startMigration", "slow"), null),
            "",
            Map.of("vmId", moving, "targetNodeId", "node-2"));
    assertThat(created.status()).as(created.body().toString()).isEqualTo(202);
    assertThat(migrated.status()).as(migrated.body().toString()).isEqualTo(202);
    String createGid = created.text("gid");
    String migrateGid = migrated.text("gid");
    awaitBranch(createGid, "01");
    awaitBranch(migrateGid, "01");

    kill("dtm");
    long killed = System.nanoTime();
    var create = awaitSaga(createGid, Duration.ofSeconds(90));
    long createMs = (System.nanoTime() - killed) / 1_000_000;
    var migrate = awaitSaga(migrateGid, Duration.ofSeconds(90));
    long migrateMs = (System.nanoTime() - killed) / 1_000_000;
    System.out.printf(
        "DTM #1 SIGKILLed: the create finished %d ms later, the live migration %d ms later,"
            + " through DTM #2%n",
        createMs, migrateMs);

    assertThat(create.status()).isEqualTo("succeed");
    assertThat(create.count("action", "succeed")).isEqualTo(CREATE_STEPS);
    assertThat(migrate.status()).isEqualTo("succeed");
    String dtm2Log = Files.readString(Path.of(env("VMSAGA_HOME"), "logs", "dtm-2.log"));
    assertThat(dtm2Log).as("DTM #2 claimed both sagas").contains(createGid).contains(migrateGid);

    String newVm = created.text("vmId");
    onlyQemuOn(agent("node-2"), newVm);
    onlyQemuOn(agent("node-2"), moving);
    assertThat(agent("node-1").getVm(moving)).as("nothing left on the source").isEmpty();
    for (String vmId : List.of(newVm, moving)) {
      var view = call("getVm", tenant.token(), Map.of("vmId", vmId));
      assertThat(view.text("state")).isEqualTo("running");
      assertThat(view.text("nodeId")).isEqualTo("node-2");
    }
    assertAccountingExact(tenant.id());

    // the functions submit through DTM #2 while DTM #1 is down
    var deleted = call("deleteVm", tenant.token(), Map.of("vmId", newVm, "awaitResult", true));
    assertThat(deleted.status()).as(deleted.body().toString()).isEqualTo(200);
    assertThat(deleted.text("dtmUrl")).startsWith("http://127.0.0.1:36889/");
    assertNothingLeft(newVm, tenant.id());

    // DTM #1 back: both servers serve, and see the same sagas
    restartStack();
    var again = call("deleteVm", tenant.token(), Map.of("vmId", moving, "awaitResult", true));
    assertThat(again.status()).as(again.body().toString()).isEqualTo(200);
    for (var server : DtmClient.servers(env("DTM_URLS"))) {
      var one = new DtmClient(List.of(server), JSON);
      assertThat(one.newGid()).as(server + " answers").isNotBlank();
      assertThat(one.query(again.text("gid")).orElseThrow().status()).isEqualTo("succeed");
      assertThat(one.query(createGid).orElseThrow().status()).isEqualTo("succeed");
    }
    assertNothingLeft(moving, tenant.id());
  }
}
