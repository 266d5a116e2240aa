package io.vmsaga.functions.core;

/** The input of triggers that act on one VM by id. */
public record VmRequest(String vmId, boolean awaitResult) implements ForVm {}
