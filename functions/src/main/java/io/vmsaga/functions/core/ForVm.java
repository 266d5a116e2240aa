package io.vmsaga.functions.core;

/** The input of a function that acts on one VM names it. */
public interface ForVm {
  String vmId();
}
