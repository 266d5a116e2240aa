package io.vmsaga.functions.saga;

import io.vmsaga.functions.dtm.BranchRef;

/** A saga step payload: it names the branch it belongs to. */
public interface Step {
  BranchRef branch();
}
