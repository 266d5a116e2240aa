package io.vmsaga.functions.saga;

import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Mapper;

@Mapper
public interface BarrierMapper {
  /** 1 when the row is new, 0 when it was there: the whole barrier rests on this answer. */
  @Insert(
      "INSERT IGNORE INTO dtm_barrier (trans_type, gid, branch_id, op, barrier_id, reason) "
          + "VALUES ('saga', #{gid}, #{branchId}, #{op}, '01', #{reason})")
  int insert(String gid, String branchId, String op, String reason);
}
