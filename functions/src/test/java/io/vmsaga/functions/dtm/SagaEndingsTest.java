package io.vmsaga.functions.dtm;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmsaga.functions.core.VmStep;
import io.vmsaga.functions.create.CreateVmSaga;
import io.vmsaga.functions.create.TestPlans;
import io.vmsaga.functions.delete.DeleteVmSaga;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which function ends a saga, as the step payloads carry it for the metrics: by function, since
 * deleteVm runs create's compensations as its actions.
 */
class SagaEndingsTest {
  @Test
  void theLastActionSucceedsASagaAndTheFirstUndoFailsIt() {
    List<BranchRef> create =
        refs(CreateVmSaga.of("g", TestPlans.fromLocalImage(), Duration.ofMinutes(1)));
    assertThat(create.getLast().endsSagaAs("recordVmRunning")).isEqualTo("succeed");
    assertThat(create.getFirst().endsSagaAs("releaseResources")).isEqualTo("failed");
    assertThat(create.getFirst().endsSagaAs("reserveResources")).isNull();
    assertThat(create.get(3).endsSagaAs("createNic")).isNull();
    assertThat(create.getFirst().saga()).isEqualTo("createVm");
  }

  @Test
  void aForwardOnlySagaEndsOnlyBySucceeding() {
    List<BranchRef> delete =
        refs(DeleteVmSaga.of("g", TestPlans.fromLocalImage(), Duration.ofMinutes(1)));
    assertThat(delete.getFirst().endsSagaAs("stopQemu"))
        .as("create's undo, delete's action")
        .isNull();
    assertThat(delete.getLast().endsSagaAs("removeVmRecord")).isEqualTo("succeed");
  }

  private static List<BranchRef> refs(Saga saga) {
    return saga.payloads().stream().map(p -> ((VmStep) p).branch()).toList();
  }
}
