package io.vmsaga.functions.batches;

import java.sql.Timestamp;
import java.util.List;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/** Batches and their items: all a batch's progress, read and moved by its driver. */
@Mapper
public interface BatchRecords {
  record BatchRow(
      String id,
      String tenantId,
      String parentId,
      int position,
      int firstIndex,
      String idempotencyKey,
      int concurrency,
      boolean failFast,
      String driverGid,
      String state,
      Timestamp createdAt,
      Timestamp finishedAt) {
    public boolean done() {
      return "done".equals(state);
    }
  }

  record ItemRow(
      String batchId,
      int itemIndex,
      String request,
      String status,
      String gid,
      String vmId,
      String errorCode,
      String errorMessage,
      Timestamp startedAt,
      Timestamp finishedAt) {}

  String BATCH =
      "SELECT id, tenant_id, parent_id, position, first_index, idempotency_key, concurrency,"
          + " fail_fast, driver_gid, state, created_at, finished_at FROM batch";

  String ITEM =
      "SELECT batch_id, item_index, request, status, gid, vm_id, error_code, error_message,"
          + " started_at, finished_at FROM batch_item";

  @Insert(
      "INSERT INTO batch (id, tenant_id, parent_id, position, first_index, idempotency_key,"
          + " concurrency, fail_fast, driver_gid) VALUES (#{id}, #{tenantId}, #{parentId},"
          + " #{position}, #{firstIndex}, #{idempotencyKey}, #{concurrency}, #{failFast},"
          + " #{driverGid})")
  void insert(BatchRow batch);

  @Insert(
      "INSERT INTO batch_item (batch_id, item_index, request) VALUES (#{batchId}, #{index},"
          + " #{request})")
  void insertItem(
      @Param("batchId") String batchId,
      @Param("index") int index,
      @Param("request") String request);

  @Select(BATCH + " WHERE id = #{id}")
  BatchRow find(String id);

  @Select(BATCH + " WHERE id = #{id} FOR UPDATE")
  BatchRow lock(String id);

  @Select(BATCH + " WHERE tenant_id = #{tenantId} AND idempotency_key = #{key}")
  BatchRow byKey(@Param("tenantId") String tenantId, @Param("key") String key);

  @Select(BATCH + " WHERE parent_id = #{id} ORDER BY position")
  List<BatchRow> subBatches(String id);

  @Select(ITEM + " WHERE batch_id = #{id} ORDER BY item_index")
  List<ItemRow> items(String id);

  @Update(
      "UPDATE batch_item SET status = 'running', gid = #{gid}, vm_id = #{vmId},"
          + " started_at = CURRENT_TIMESTAMP(3) WHERE batch_id = #{batchId}"
          + " AND item_index = #{index} AND status = 'pending'")
  int started(
      @Param("batchId") String batchId,
      @Param("index") int index,
      @Param("gid") String gid,
      @Param("vmId") String vmId);

  /**
   * A created VM's end is when its saga settled it (the row's last change, to the millisecond); the
   * driver, which looks only now and then, sees it later.
   */
  @Update(
      "UPDATE batch_item i SET status = 'succeeded', finished_at = COALESCE((SELECT v.updated_at"
          + " FROM vm v WHERE v.id = i.vm_id AND v.last_gid = i.gid), CURRENT_TIMESTAMP(3))"
          + " WHERE batch_id = #{batchId} AND item_index = #{index} AND status = 'running'")
  int succeeded(@Param("batchId") String batchId, @Param("index") int index);

  /** A failure before its saga started (no started_at) or of the saga. */
  @Update(
      "UPDATE batch_item SET status = 'failed', error_code = #{code}, error_message = #{message},"
          + " finished_at = CURRENT_TIMESTAMP(3) WHERE batch_id = #{batchId}"
          + " AND item_index = #{index} AND status IN ('pending', 'running')")
  int failed(
      @Param("batchId") String batchId,
      @Param("index") int index,
      @Param("code") String code,
      @Param("message") String message);

  @Update(
      "UPDATE batch_item SET status = 'skipped' WHERE batch_id = #{batchId} AND status = 'pending'")
  int skipPending(String batchId);

  @Update(
      "UPDATE batch SET state = 'done', finished_at = CURRENT_TIMESTAMP(3) WHERE id = #{id}"
          + " AND state = 'running'")
  int finish(String id);

  /** Failures anywhere in the whole batch this one belongs to: failFast stops them all. */
  @Select(
      "SELECT COUNT(*) FROM batch_item i JOIN batch b ON b.id = i.batch_id"
          + " WHERE i.status = 'failed' AND (b.id = #{root} OR b.parent_id = #{root})")
  int failuresUnder(String root);
}
