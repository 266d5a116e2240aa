package io.vmsaga.functions.migration;

import io.vmsaga.agent.api.MigrationParameters;
import io.vmsaga.functions.core.ForVm;
import io.vmsaga.functions.core.VmLookup;
import io.vmsaga.functions.web.Check;
import java.time.Duration;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /migrateVm}: moves a running VM whose disks are all in the shared pool to another
 * node while it runs. A VM with a local disk is refused (409 {@code local_disk}): coldMigrateVm
 * moves those.
 */
@Component("migrateVm")
public class MigrateVm implements Function<Message<MigrateVm.Request>, Message<?>> {
  /**
   * Past this DTM rolls back a migration stuck before its pivot (the compensations keep one past
   * it).
   */
  static final Duration TIMEOUT_TO_FAIL = Duration.ofMinutes(10);

  public record Request(
      String vmId,
      String targetNodeId,
      Integer maxDowntimeMs,
      Integer maxBandwidthMibps,
      Boolean autoConverge,
      Boolean xbzrle,
      boolean awaitResult)
      implements ForVm {}

  private final VmLookup lookup;
  private final Moves moves;

  public MigrateVm(VmLookup lookup, Moves moves) {
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
          if (r.maxDowntimeMs() != null) {
            check.range(r.maxDowntimeMs(), 1, 60_000, "maxDowntimeMs");
          }
          if (r.maxBandwidthMibps() != null) {
            check.range(r.maxBandwidthMibps(), 1, 1 << 20, "maxBandwidthMibps");
          }
          if (check.failed()) {
            return check.reply();
          }
          var parameters =
              new MigrationParameters(
                  r.xbzrle(),
                  r.autoConverge(),
                  r.maxDowntimeMs() == null ? null : r.maxDowntimeMs().longValue(),
                  r.maxBandwidthMibps() == null ? null : r.maxBandwidthMibps().longValue());
          return moves.start(
              vm,
              new Moves.Order(
                  r.targetNodeId(),
                  MigrationPlan.LIVE,
                  parameters,
                  r.awaitResult(),
                  TIMEOUT_TO_FAIL),
              MigrateVmSaga::of);
        });
  }
}
