package io.vmsaga.functions.core;

import java.util.Set;

/**
 * Taps a capability's sagas in flight may hold on a node before any NIC row names them (a
 * migration's target tap, an assignment's new tap): the orphan sweeper never touches them. A VM a
 * saga holds has its {@code owner_gid}; tap names are derived from the VM, the node and the gid.
 */
public interface TapClaims {
  Set<String> taps(String nodeId, String vmId, String ownerGid);
}
