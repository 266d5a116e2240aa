package io.vmsaga.functions.reaper;

import org.apache.ibatis.annotations.Delete;
import org.apache.ibatis.annotations.Mapper;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Keeps the barrier table bounded: a row is needed only while its saga can still call its branch,
 * and no saga runs for days (the longest timeout is a batch's two hours), so rows older than the
 * retention go, in bounded chunks so no delete holds locks for long.
 */
@Component
public class BarrierRetention {
  static final int CHUNK = 5000;

  private final Rows rows;
  private final int retentionDays;

  public BarrierRetention(
      Rows rows, @Value("${vmsaga.barrier-retention-days:7}") int retentionDays) {
    this.rows = rows;
    this.retentionDays = retentionDays;
  }

  /** Deletes the rows past the retention; answers how many. */
  public int prune() {
    int total = 0;
    for (int deleted = CHUNK; deleted == CHUNK; total += deleted) {
      deleted = rows.deleteOlderThan(retentionDays, CHUNK);
    }
    return total;
  }

  @Mapper
  public interface Rows {
    @Delete(
        "DELETE FROM dtm_barrier WHERE create_time < CURRENT_TIMESTAMP(3) - INTERVAL #{days} DAY"
            + " LIMIT #{chunk}")
    int deleteOlderThan(int days, int chunk);
  }
}
