package io.vmsaga.agent.server.disk;

/** What the disk service needs to know of running VMs (implemented by the VM service). */
public interface DiskUsers {
  /** True while a running VM of this agent has the disk open. */
  boolean inUse(String pool, String diskId);

  /** Grows the disk through the QMP of the running VM that uses it; false when none does. */
  boolean resizeOnline(String pool, String diskId, long sizeBytes);
}
