package io.vmsaga.functions.vm;

/** The input of a function that acts on one VM names it. */
public interface ForVm {
  String vmId();
}
