package io.vmsaga.functions.migration;

import io.vmsaga.functions.core.TapClaims;
import io.vmsaga.functions.core.VmPlan;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * A VM held by a saga may be moving, live or cold: its tap on this node as a target, or as the
 * source once the record names the target's tap (the first move's source has the create's name).
 */
@Component
class MigrationTapClaims implements TapClaims {
  @Override
  public Set<String> taps(String nodeId, String vmId, String ownerGid) {
    return Set.of(MigrationPlan.tapOn(vmId, nodeId), VmPlan.nicFor(vmId, "", "").tap());
  }
}
