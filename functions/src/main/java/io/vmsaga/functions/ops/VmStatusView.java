package io.vmsaga.functions.ops;

/** What a direct operation answers: the VM's state after it, and its size. */
public record VmStatusView(String vmId, String state, int vcpus, int memoryMib) {}
