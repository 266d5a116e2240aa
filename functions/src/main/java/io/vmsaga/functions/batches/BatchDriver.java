package io.vmsaga.functions.batches;

import io.vmsaga.functions.batches.BatchRecords.BatchRow;
import io.vmsaga.functions.batches.BatchRecords.ItemRow;
import io.vmsaga.functions.core.Pause;
import io.vmsaga.functions.core.Sagas;
import io.vmsaga.functions.core.Tenants;
import io.vmsaga.functions.create.CreateVm;
import io.vmsaga.functions.dtm.SagaStatus;
import io.vmsaga.functions.web.Replies;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.ObjectMapper;

/**
 * One step of a batch's progress, all of it in the database: settle the items whose createVm saga
 * ended, stop on the first failure under failFast, start pending items up to the concurrency. Runs
 * in its own transaction with the batch row locked, so its progress stays even while its branch
 * answers ONGOING (which rolls the branch's transaction back), and two calls never interleave.
 * Starting an item again after a crash names the same saga (its key derives from the batch's), so
 * no VM is created twice.
 */
@Component
public class BatchDriver {
  private static final Logger log = LoggerFactory.getLogger(BatchDriver.class);

  private final BatchRecords batches;
  private final CreateVm createVm;
  private final Tenants tenants;
  private final Sagas sagas;
  private final ObjectMapper json;
  private final TransactionTemplate own;

  public BatchDriver(
      BatchRecords batches,
      CreateVm createVm,
      Tenants tenants,
      Sagas sagas,
      ObjectMapper json,
      PlatformTransactionManager transactions) {
    this.batches = batches;
    this.createVm = createVm;
    this.tenants = tenants;
    this.sagas = sagas;
    this.json = json;
    this.own = new TransactionTemplate(transactions);
    own.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
  }

  /**
   * Between DTM's calls of driveBatch a second or two passes (its retry interval and cron), so one
   * call keeps moving the batch for this long, looking every {@link #LOOK_EVERY}, within the
   * branch's request timeout.
   */
  static final Duration DRIVE_FOR = Duration.ofSeconds(4);

  static final Duration LOOK_EVERY = Duration.ofMillis(100);

  /** Moves the batch on for at most {@link #DRIVE_FOR}; true once it is done. */
  public boolean drive(String batchId) {
    long end = System.nanoTime() + DRIVE_FOR.toNanos();
    while (!tick(batchId)) {
      if (System.nanoTime() > end) {
        return false;
      }
      Pause.millis(LOOK_EVERY.toMillis());
    }
    return true;
  }

  /** Moves the batch on one step; true once it is done. */
  public boolean tick(String batchId) {
    return Boolean.TRUE.equals(own.execute(tx -> step(batchId)));
  }

  private boolean step(String batchId) {
    BatchRow batch = batches.lock(batchId);
    if (batch == null || batch.done()) {
      return true;
    }
    // one read of the items: settling changes only running ones, starting only pending ones
    var items = batches.items(batchId);
    long running = 0;
    long pending = 0;
    for (ItemRow item : items) {
      if (item.status().equals("running") && !settled(item)) {
        running++;
      } else if (item.status().equals("pending")) {
        pending++;
      }
    }
    String root = batch.parentId() == null ? batch.id() : batch.parentId();
    boolean stopped = batch.failFast() && batches.failuresUnder(root) > 0;
    if (!stopped && earlierSubBatchesDone(batch)) {
      var tenant = tenants.byId(batch.tenantId()).orElse(null);
      for (ItemRow item : items) {
        if (running >= batch.concurrency() || stopped) {
          break;
        }
        if (!item.status().equals("pending")) {
          continue;
        }
        pending--;
        if (start(batch, item, tenant)) {
          running++;
        } else {
          stopped = batch.failFast();
        }
      }
    }
    if (stopped) {
      batches.skipPending(batchId);
      pending = 0;
    }
    if (running > 0 || pending > 0) {
      return false;
    }
    batches.finish(batchId);
    if (batch.parentId() != null
        && batches.subBatches(batch.parentId()).stream().allMatch(BatchRow::done)) {
      batches.finish(batch.parentId());
    }
    log.info("batch {} done", batchId);
    return true;
  }

  /** Records the end of an item's saga if it ended; false while it runs. */
  private boolean settled(ItemRow item) {
    SagaStatus saga = sagas.find(item.gid()).orElse(null);
    if (saga == null || !saga.finished()) {
      return false;
    }
    if (saga.status().equals("succeed")) {
      batches.succeeded(item.batchId(), item.itemIndex());
    } else {
      var reason =
          sagas.failure(
              item.gid(),
              new Replies.Error("create_failed", "the create saga failed; see its dtmUrl"));
      batches.failed(item.batchId(), item.itemIndex(), reason.code(), trim(reason.message()));
    }
    return true;
  }

  /** Submits the item's create; false when it was refused, which fails the item with the reason. */
  private boolean start(BatchRow batch, ItemRow item, Tenants.Tenant tenant) {
    if (tenant == null) {
      batches.failed(batch.id(), item.itemIndex(), "not_found", "the batch's tenant is gone");
      return false;
    }
    var request = json.readValue(item.request(), CreateVm.Request.class);
    switch (createVm.submit(tenant, request)) {
      case CreateVm.Submitted s -> {
        batches.started(batch.id(), item.itemIndex(), s.gid(), s.vmId());
        return true;
      }
      case CreateVm.Refused r -> {
        var error = errorOf(r.reply());
        batches.failed(batch.id(), item.itemIndex(), error.code(), trim(error.message()));
        return false;
      }
    }
  }

  private boolean earlierSubBatchesDone(BatchRow batch) {
    return batch.parentId() == null
        || batches.subBatches(batch.parentId()).stream()
            .filter(b -> b.position() < batch.position())
            .allMatch(BatchRow::done);
  }

  private Replies.Error errorOf(Message<?> reply) {
    if (reply.getPayload() instanceof Replies.Error error) {
      return error;
    }
    var body = json.valueToTree(reply.getPayload());
    return new Replies.Error(
        body.path("code").asString("refused"), body.path("message").asString("refused"));
  }

  private static String trim(String message) {
    return message == null || message.length() <= 255 ? message : message.substring(0, 255);
  }
}
