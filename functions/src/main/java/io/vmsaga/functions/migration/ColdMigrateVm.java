package io.vmsaga.functions.migration;

import io.vmsaga.functions.core.ForVm;
import io.vmsaga.functions.core.VmLookup;
import io.vmsaga.functions.web.Check;
import java.time.Duration;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /coldMigrateVm}: moves a VM with its local disks to another node — stopped, copied,
 * started there (if it ran). Until it runs on the target a failure leaves it on its source as it
 * was.
 */
@Component("coldMigrateVm")
public class ColdMigrateVm implements Function<Message<ColdMigrateVm.Request>, Message<?>> {
  /** Disk copies take as long as the disks are large. */
  static final Duration TIMEOUT_TO_FAIL = Duration.ofMinutes(30);

  public record Request(String vmId, String targetNodeId, boolean awaitResult) implements ForVm {}

  private final VmLookup lookup;
  private final Moves moves;

  public ColdMigrateVm(VmLookup lookup, Moves moves) {
    this.lookup = lookup;
    this.moves = moves;
  }

  @Override
  public Message<?> apply(Message<Request> message) {
    return lookup.on(
        message,
        Request.class,
        (r, caller, vm) -> {
          var check = new Check().matches(r.targetNodeId(), Check.ID, "targetNodeId", true);
          if (check.failed()) {
            return check.reply();
          }
          return moves.start(
              vm,
              new Moves.Order(
                  r.targetNodeId(), MigrationPlan.COLD, null, r.awaitResult(), TIMEOUT_TO_FAIL),
              ColdMigrateVmSaga::of);
        });
  }
}
