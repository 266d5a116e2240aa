package io.vmsaga.functions.core;

import io.vmsaga.agent.client.AgentClient;
import io.vmsaga.agent.client.AgentException;
import org.springframework.stereotype.Component;

/**
 * A node's cached copy of an image goes when the last VM that needs it there is gone: no disk on
 * the node is backed by it (the agent refuses with {@code in_use} then) and no other create is on
 * its way to it. Used by a create's rollback, a delete and the source side of a cold move.
 */
@Component
public class ImageCache {
  private final VmMapper vms;

  public ImageCache(VmMapper vms) {
    this.vms = vms;
  }

  /** True when the copy was removed (or was not there), false when something still needs it. */
  public boolean release(AgentClient node, String nodeId, String imageId, String leavingVmId) {
    if (vms.createsNeedingCachedImage(imageId, nodeId, leavingVmId) > 0) {
      return false;
    }
    try {
      node.deleteCachedImage(imageId);
      return true;
    } catch (AgentException e) {
      if ("in_use".equals(e.code())) {
        return false;
      }
      throw e;
    }
  }
}
