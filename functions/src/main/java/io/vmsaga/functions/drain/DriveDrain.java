package io.vmsaga.functions.drain;

import io.vmsaga.functions.drain.DrainPlan.DrainStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Moves the drain on for a few seconds ({@link DrainDriver#drive}) and answers ONGOING until no
 * move is left to start or wait for, so DTM calls it again after its retry interval.
 */
@Component("driveDrain")
public class DriveDrain implements Function<Message<DrainStep>, Message<?>> {
  private final Branches branches;
  private final DrainDriver driver;

  public DriveDrain(Branches branches, DrainDriver driver) {
    this.branches = branches;
    this.driver = driver;
  }

  @Override
  public Message<?> apply(Message<DrainStep> call) {
    return branches.action(
        this,
        call,
        step ->
            driver.drive(step.branch().gid())
                ? Replies.ok(Map.of("nodeId", step.nodeId(), "moves", "done"))
                : Replies.ongoing("draining node " + step.nodeId()));
  }
}
