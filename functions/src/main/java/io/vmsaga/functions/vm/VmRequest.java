package io.vmsaga.functions.vm;

/** The input of triggers that act on one VM by id. */
public record VmRequest(String vmId, boolean awaitResult) implements ForVm {}
