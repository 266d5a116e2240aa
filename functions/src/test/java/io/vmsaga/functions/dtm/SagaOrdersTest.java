package io.vmsaga.functions.dtm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import io.vmsaga.functions.create.CreateVmSaga;
import io.vmsaga.functions.create.TestPlans;
import io.vmsaga.functions.delete.DeleteVmSaga;
import io.vmsaga.functions.migration.MigrateVmSaga;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * What DTM is told about the order of a saga's steps: nothing for a plain sequence, and for steps
 * side by side every step's predecessors, since DTM runs a step it finds in no order at once.
 */
class SagaOrdersTest {
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  @Test
  void aSequenceIsSubmittedAsItWas() {
    Saga create = CreateVmSaga.of("g", TestPlans.fromLocalImage(), Duration.ofMinutes(1));
    assertThat(customData(create)).isEmpty();
    assertThat(customData(DeleteVmSaga.of("g", TestPlans.fromLocalImage(), Duration.ofMinutes(1))))
        .isEmpty();
    assertThat(create.startedWith("createNic"))
        .as("in a sequence, the steps up to the one that fails")
        .containsExactly("reserveResources", "cacheImage", "createDisk", "createNic");
  }

  @Test
  void migrateVmChecksTheDisksAndSetsTheParametersSideBySide() {
    Saga saga = MigrateVmSaga.of("g", null, Duration.ofMinutes(1));
    assertThat(saga.actions().subList(0, 4))
        .containsExactly(
            "reserveMigrationTarget",
            "verifySharedDisks",
            "setMigrationParameters",
            "startMigration");
    JsonNode custom = JSON.readTree(customData(saga));
    assertThat(custom.path("concurrent").asBoolean()).isTrue();
    JsonNode orders = custom.path("orders");
    assertThat(orders.has("0")).as("the first step runs at once").isFalse();
    assertThat(orders.path("1").toString()).isEqualTo("[0]");
    assertThat(orders.path("2").toString()).as("alongside verifySharedDisks").isEqualTo("[0]");
    assertThat(orders.path("3").toString()).as("after both").isEqualTo("[1,2]");
    assertThat(saga.startedWith("verifySharedDisks"))
        .as("a failed check: the step beside it has started too")
        .containsExactly("reserveMigrationTarget", "verifySharedDisks", "setMigrationParameters");
    for (int step = 4; step < saga.actions().size(); step++) {
      assertThat(orders.path(Integer.toString(step)).toString()).isEqualTo("[" + (step - 1) + "]");
    }
  }

  @Test
  void theFirstStepThePivotAndTheLastRunAlone() {
    assertThatIllegalStateException()
        .isThrownBy(() -> Saga.named("t", "g").step("a", "", b -> b).alongside("b", "", b -> b));
    assertThatIllegalStateException()
        .isThrownBy(
            () ->
                Saga.named("t", "g")
                    .step("a", "", b -> b)
                    .pivot("b", "", b -> b)
                    .alongside("c", "", b -> b));
    Saga lastAlongside =
        Saga.named("t", "g").step("a", "", b -> b).step("b", "", b -> b).alongside("c", "", b -> b);
    assertThatIllegalStateException().isThrownBy(lastAlongside::payloads);
  }

  private static String customData(Saga saga) {
    return saga.toRequest("http://f", Map.of(), JSON).customData();
  }
}
