package io.vmsaga.functions.core;

import io.vmsaga.functions.core.MigrationRecords.MigrationRow;

/**
 * A VM's latest migration as getVm shows it: QEMU's progress while it runs, downtime and outcome at
 * the end.
 */
public record MigrationView(
    String gid,
    String kind,
    String sourceNodeId,
    String targetNodeId,
    String status,
    boolean pivoted,
    Integer percent,
    Long totalBytes,
    Long transferredBytes,
    Long remainingBytes,
    Double mbps,
    Long downtimeMs,
    Long totalTimeMs,
    String cancelReason,
    String outcome,
    String note) {

  public static MigrationView of(MigrationRow r) {
    return r == null
        ? null
        : new MigrationView(
            r.gid(),
            r.kind(),
            r.sourceNodeId(),
            r.targetNodeId(),
            r.status(),
            r.pivoted(),
            percent(r),
            r.totalBytes(),
            r.transferredBytes(),
            r.remainingBytes(),
            r.mbps(),
            r.downtimeMs(),
            r.totalTimeMs(),
            r.cancelReason(),
            r.outcome(),
            r.note());
  }

  /**
   * Of the guest's RAM, how much QEMU no longer has to send (it can grow back as the guest dirties
   * pages).
   */
  private static Integer percent(MigrationRow r) {
    if (r.pivoted()) {
      return 100;
    }
    if (r.totalBytes() == null || r.remainingBytes() == null || r.totalBytes() == 0) {
      return null;
    }
    return (int) ((r.totalBytes() - r.remainingBytes()) * 100 / r.totalBytes());
  }
}
