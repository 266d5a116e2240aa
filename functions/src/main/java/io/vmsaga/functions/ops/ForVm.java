package io.vmsaga.functions.ops;

/** A direct operation's input names its VM. */
public interface ForVm {
    String vmId();
}
