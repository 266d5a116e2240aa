package io.vmsaga.functions.assign;

import io.vmsaga.functions.core.TapClaims;
import java.util.Set;
import org.springframework.stereotype.Component;

/** A VM held by a saga may be being assigned: the new NIC's tap, named by the VM and the gid. */
@Component
class AssignTapClaims implements TapClaims {
  @Override
  public Set<String> taps(String nodeId, String vmId, String ownerGid) {
    return Set.of(AssignPlan.newNicFor(vmId, ownerGid, "", "").tap());
  }
}
