package io.vmsaga.functions.dtm;

/**
 * Which saga branch a step payload belongs to. Decided by the saga definition before submit and
 * carried inside the payload, because on Lambda DTM's query parameters do not reach the function.
 */
public record BranchRef(String gid, String branchId) {}
