package io.vmsaga.functions.migration;

import io.vmsaga.agent.api.MigrationInfo;
import io.vmsaga.functions.core.MigrationRecords.MigrationRow;
import io.vmsaga.functions.saga.Pivots;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The migration row's facts and flags, each read or written in its own short transaction, outside
 * the branch's: a polling step that answers ONGOING rolls its branch transaction back, yet the
 * progress it read from QEMU, a cancel it started or the pivot it saw are facts that must stay
 * recorded.
 */
@Component
public class Migrations implements Pivots {
  private final MigrationMapper rows;
  private final TransactionTemplate own;

  public Migrations(MigrationMapper rows, PlatformTransactionManager transactions) {
    this.rows = rows;
    this.own = new TransactionTemplate(transactions);
    own.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
  }

  public MigrationRow find(String gid) {
    return own.execute(tx -> rows.find(gid));
  }

  @Override
  public boolean passed(String gid) {
    return pivoted(gid);
  }

  public boolean pivoted(String gid) {
    MigrationRow row = find(gid);
    return row != null && row.pivoted();
  }

  public String cancelReason(String gid) {
    MigrationRow row = find(gid);
    return row == null ? null : row.cancelReason();
  }

  public void record(String gid, MigrationInfo info) {
    own.executeWithoutResult(
        tx ->
            rows.progress(
                gid,
                OutgoingMigration.status(info),
                info.totalBytes(),
                info.transferredBytes(),
                info.remainingBytes(),
                info.mbps(),
                info.downtimeMs(),
                info.totalTimeMs()));
  }

  public void status(String gid, String status) {
    own.executeWithoutResult(tx -> rows.status(gid, status));
  }

  /**
   * True when the cancel was taken (or had been already); false once the pivot passed or the move
   * ended.
   */
  public boolean requestCancel(String gid, String reason) {
    return Boolean.TRUE.equals(own.execute(tx -> rows.requestCancel(gid, reason) == 1));
  }

  public void markPivoted(String gid) {
    own.executeWithoutResult(tx -> rows.markPivoted(gid));
  }

  public void note(String gid, String note) {
    own.executeWithoutResult(tx -> rows.addNote(gid, note));
  }
}
