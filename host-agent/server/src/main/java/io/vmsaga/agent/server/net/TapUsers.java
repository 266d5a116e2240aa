package io.vmsaga.agent.server.net;

/** What the network service needs to know of the VMs (implemented by the VM service). */
public interface TapUsers {
  /** True while a VM config of this agent, running or not, has a NIC on the tap. */
  boolean tapInUse(String tap);
}
