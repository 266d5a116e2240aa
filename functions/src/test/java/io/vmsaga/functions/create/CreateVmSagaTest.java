package io.vmsaga.functions.create;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmsaga.functions.delete.DeleteVmSaga;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The create and delete sagas have a step only where it has something to do for the VM. */
class CreateVmSagaTest {
  private static final Duration TIMEOUT = Duration.ofMinutes(1);

  @Test
  void aVmFromAnImageOnTheLocalPoolTakesEveryStep() {
    assertThat(CreateVmSaga.of("g", TestPlans.fromLocalImage(), TIMEOUT).actions())
        .containsExactly(
            "reserveResources",
            "cacheImage",
            "createDisk",
            "createNic",
            "writeCidata",
            "writeVmConfig",
            "startQemu",
            "verifyQmp",
            "recordVmRunning");
  }

  @Test
  void aVmOnTheSharedPoolNeedsNoCachedCopy() {
    assertThat(CreateVmSaga.of("g", TestPlans.fromSharedImage(), TIMEOUT).actions())
        .doesNotContain("cacheImage")
        .contains("writeCidata")
        .hasSize(8);
  }

  @Test
  void aVmThatBootsNothingHasNeitherCacheNorCidataStep() {
    var saga = CreateVmSaga.of("g", TestPlans.blank(), TIMEOUT);
    assertThat(saga.actions())
        .containsExactly(
            "reserveResources",
            "createDisk",
            "createNic",
            "writeVmConfig",
            "startQemu",
            "verifyQmp",
            "recordVmRunning");
    assertThat(saga.functions()).doesNotContain("uncacheImage", "deleteCidata");
  }

  @Test
  void onlyAVmThatUsedTheCachedImageLetsItGoWhenDeleted() {
    assertThat(DeleteVmSaga.of("g", TestPlans.fromLocalImage(), TIMEOUT).actions())
        .contains("uncacheImage")
        .hasSize(9);
    assertThat(DeleteVmSaga.of("g", TestPlans.fromSharedImage(), TIMEOUT).actions())
        .doesNotContain("uncacheImage")
        .hasSize(8);
    assertThat(DeleteVmSaga.of("g", TestPlans.blank(), TIMEOUT).actions())
        .doesNotContain("uncacheImage")
        .hasSize(8);
  }
}
