package io.vmsaga.agent.server.net;

/** What the network service needs to know of running VMs (implemented by the VM service). */
public interface TapUsers {
  /** True while a running VM of this agent has the tap open. */
  boolean tapInUse(String tap);
}
