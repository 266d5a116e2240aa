package io.vmsaga.functions.migration;

import io.vmsaga.agent.api.MigrationInfo;

/**
 * What the source's QEMU says of the migration out of it. QEMU's {@code query-migrate} also reports
 * how a QEMU arrived: one that came by an earlier migration and never sent one says {@code
 * completed}, without RAM figures, which a completed outgoing migration always has. Taking that for
 * the pivot would remove the only running copy of the VM, so it reads as "none" here, whichever
 * agent version reports it.
 */
final class OutgoingMigration {
  private OutgoingMigration() {}

  static String status(MigrationInfo info) {
    boolean arrived = "completed".equals(info.status()) && info.totalBytes() == null;
    return info.status() == null || arrived ? "none" : info.status();
  }
}
