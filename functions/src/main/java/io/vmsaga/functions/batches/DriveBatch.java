package io.vmsaga.functions.batches;

import io.vmsaga.functions.batches.BatchPlan.BatchStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * A batch's one step: moves the batch on for a few seconds ({@link BatchDriver#drive}) and answers
 * ONGOING until it is done, so DTM calls it again after its retry interval. Nothing outlives a
 * call.
 */
@Component("driveBatch")
public class DriveBatch implements Function<Message<BatchStep>, Message<?>> {
  private final Branches branches;
  private final BatchDriver driver;

  public DriveBatch(Branches branches, BatchDriver driver) {
    this.branches = branches;
    this.driver = driver;
  }

  @Override
  public Message<?> apply(Message<BatchStep> call) {
    return branches.action(
        this,
        call,
        step ->
            driver.drive(step.batchId())
                ? Replies.ok(Map.of("batchId", step.batchId(), "state", "done"))
                : Replies.ongoing("batch " + step.batchId() + " is under way"));
  }
}
