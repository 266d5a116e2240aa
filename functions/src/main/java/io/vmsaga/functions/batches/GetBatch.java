package io.vmsaga.functions.batches;

import io.vmsaga.functions.batches.BatchRecords.BatchRow;
import io.vmsaga.functions.batches.BatchRecords.ItemRow;
import io.vmsaga.functions.core.Sagas;
import io.vmsaga.functions.core.Tenants;
import io.vmsaga.functions.web.Check;
import io.vmsaga.functions.web.Replies;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /getBatch} {@code {batchId}}: the batch's counts ({@code pending, running, succeeded,
 * failed, skipped}) and each VM's index, id, status, error, duration and saga link; a split batch
 * shows all its sub-batches' items. Its owner's, or any for an administrator.
 */
@Component("getBatch")
public class GetBatch implements Function<Message<GetBatch.Request>, Message<?>> {
  static final Pattern BATCH_ID = Pattern.compile("batch-[0-9a-f]{16}(-[0-9]{1,3})?");
  static final List<String> STATUSES =
      List.of("pending", "running", "succeeded", "failed", "skipped");

  public record Request(String batchId) {}

  public record Item(
      int index, String vmId, String status, Replies.Error error, Long durationMs, String dtmUrl) {}

  public record View(
      String batchId,
      String state,
      int size,
      int concurrency,
      boolean failFast,
      Map<String, Integer> counts,
      List<String> subBatches,
      Long durationMs,
      String dtmUrl,
      List<Item> items) {}

  private final Tenants tenants;
  private final BatchRecords batches;
  private final Sagas sagas;

  public GetBatch(Tenants tenants, BatchRecords batches, Sagas sagas) {
    this.tenants = tenants;
    this.batches = batches;
    this.sagas = sagas;
  }

  @Override
  public Message<?> apply(Message<Request> message) {
    return tenants.serve(
        message,
        Request.class,
        (caller, request) -> {
          Check check = new Check().matches(request.batchId(), BATCH_ID, "batchId", true);
          if (check.failed()) {
            return check.reply();
          }
          BatchRow batch = batches.find(request.batchId());
          if (batch == null || !(batch.tenantId().equals(caller.id()) || caller.isAdmin())) {
            return Replies.notFound("batch");
          }
          return Replies.ok(view(batch));
        });
  }

  private View view(BatchRow batch) {
    var subs = batches.subBatches(batch.id());
    List<ItemRow> rows = new ArrayList<>();
    for (BatchRow leaf : subs.isEmpty() ? List.of(batch) : subs) {
      rows.addAll(batches.items(leaf.id()));
    }
    Map<String, Integer> counts = new LinkedHashMap<>();
    STATUSES.forEach(s -> counts.put(s, 0));
    List<Item> items = new ArrayList<>();
    for (ItemRow row : rows) {
      counts.merge(row.status(), 1, Integer::sum);
      items.add(
          new Item(
              row.itemIndex(),
              row.vmId(),
              row.status(),
              row.errorCode() == null
                  ? null
                  : new Replies.Error(row.errorCode(), row.errorMessage()),
              row.startedAt() == null || row.finishedAt() == null
                  ? null
                  : row.finishedAt().getTime() - row.startedAt().getTime(),
              row.gid() == null ? null : sagas.adminUrl(row.gid())));
    }
    return new View(
        batch.id(),
        batch.state(),
        rows.size(),
        batch.concurrency(),
        batch.failFast(),
        counts,
        subs.stream().map(BatchRow::id).toList(),
        batch.finishedAt() == null
            ? null
            : batch.finishedAt().getTime() - batch.createdAt().getTime(),
        batch.driverGid() == null ? null : sagas.adminUrl(batch.driverGid()),
        items);
  }
}
