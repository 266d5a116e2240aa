package io.vmsaga.functions.reaper;

import io.vmsaga.functions.core.CapacityMapper;
import io.vmsaga.functions.core.Sagas;
import io.vmsaga.functions.core.Sweeper;
import io.vmsaga.functions.core.VmMapper;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Reclaims holds whose saga died: a reservation still held after its expiry, whose saga DTM no
 * longer runs (finished without compensating it, or unknown to DTM). A create's hold gives its
 * quota and capacity back and takes the {@code creating} record with it; a migration target's hold
 * gives back the target node's capacity (it never moved the tenant's quota). A live saga's hold is
 * left alone.
 */
@Component
public class ReservationReaper implements Sweeper {
  private static final Logger log = LoggerFactory.getLogger(ReservationReaper.class);
  private static final java.util.Set<String> HOLDS =
      java.util.Set.of("placing", "held", "migrating", "assigning");

  private final CapacityMapper capacity;
  private final VmMapper vms;
  private final Sagas sagas;
  private final TransactionTemplate transaction;

  public ReservationReaper(
      CapacityMapper capacity, VmMapper vms, Sagas sagas, TransactionTemplate transaction) {
    this.capacity = capacity;
    this.vms = vms;
    this.sagas = sagas;
    this.transaction = transaction;
  }

  @Override
  public String name() {
    return "reclaimed";
  }

  @Override
  public List<String> sweep() {
    return reclaim();
  }

  /** Answers the ids of the reservations it reclaimed. */
  public List<String> reclaim() {
    List<String> reclaimed = new ArrayList<>();
    for (var hold : capacity.expiredHolds()) {
      if (sagas.live(hold.gid())) {
        continue;
      }
      Boolean done =
          transaction.execute(
              tx -> {
                var held =
                    capacity.release(
                        hold.vmId(), r -> r.id().equals(hold.id()) && HOLDS.contains(r.state()));
                vms.deleteCreating(hold.vmId(), hold.gid());
                return !held.isEmpty();
              });
      if (Boolean.TRUE.equals(done)) {
        log.warn(
            "reclaimed reservation {} of VM {}: its saga {} is no longer running",
            hold.id(),
            hold.vmId(),
            hold.gid());
        reclaimed.add(hold.id());
      }
    }
    return reclaimed;
  }
}
