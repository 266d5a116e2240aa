package io.vmsaga.functions.migration;

import io.vmsaga.functions.dtm.BranchRef;
import io.vmsaga.functions.saga.Step;

/** The payload of every migration step: which branch, and the move it works on. */
public record MigrationStep(BranchRef branch, MigrationPlan move) implements Step {}
