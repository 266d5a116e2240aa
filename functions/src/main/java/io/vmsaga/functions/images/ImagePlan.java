package io.vmsaga.functions.images;

import io.vmsaga.functions.dtm.BranchRef;
import io.vmsaga.functions.saga.Step;

/**
 * What an import fetches, from where, and which node's agent writes it into the shared image pool.
 */
public record ImagePlan(
    String imageId,
    String name,
    String url,
    String sha256,
    String osType,
    Long maxSizeMib,
    String storeNodeId) {

  /** The payload of every importImage step. */
  public record ImageStep(BranchRef branch, ImagePlan image) implements Step {}
}
