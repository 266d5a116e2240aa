package io.vmsaga.functions.core;

/**
 * Periodic repair work that a capability owns (the reaper's holds, stuck VMs): the web app runs
 * every sweeper on a timer, Lambda's scheduled housekeeping function once per invocation.
 */
public interface Sweeper {
  /** A short name for the sweep's report. */
  String name();

  /** Sweeps once; answers what it did, for the report. */
  Object sweep();
}
