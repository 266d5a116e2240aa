package io.vmsaga.functions.batches;

import io.vmsaga.functions.batches.BatchRecords.BatchRow;
import io.vmsaga.functions.core.Sagas;
import io.vmsaga.functions.core.Sha256;
import io.vmsaga.functions.core.Tenants;
import io.vmsaga.functions.create.CreateVm;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Check;
import io.vmsaga.functions.web.Replies;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.ObjectMapper;

/**
 * {@code POST /batchCreateVms} {@code {vms: [createVm bodies], concurrency?, failFast?,
 * idempotencyKey?}} → 202 {@code {batchId}} at once. Every body is checked first (a bad one is 400
 * naming its index, and nothing is made); then the batch and its items are recorded and its
 * driveBatch saga submitted. Each VM is its own createVm saga, named by the batch and its index, at
 * most {@code concurrency} at a time; a batch over {@value #SUB_BATCH} is split into sub-batches
 * run one after the other. {@code getBatch} shows the progress.
 */
@Component("batchCreateVms")
public class BatchCreateVms implements Function<Message<BatchCreateVms.Request>, Message<?>> {
  static final int SUB_BATCH = 100;
  static final int MAX_VMS = 1000;
  static final int DEFAULT_CONCURRENCY = 5;
  static final int MAX_CONCURRENCY = 20;
  private static final Logger log = LoggerFactory.getLogger(BatchCreateVms.class);

  public record Request(
      List<CreateVm.Request> vms, Integer concurrency, boolean failFast, String idempotencyKey) {}

  public record Response(
      String batchId, int size, List<String> subBatches, String status, String dtmUrl) {}

  private final Tenants tenants;
  private final CreateVm createVm;
  private final BatchRecords batches;
  private final Sagas sagas;
  private final ObjectMapper json;
  private final TransactionTemplate transaction;

  public BatchCreateVms(
      Tenants tenants,
      CreateVm createVm,
      BatchRecords batches,
      Sagas sagas,
      ObjectMapper json,
      TransactionTemplate transaction) {
    this.tenants = tenants;
    this.createVm = createVm;
    this.batches = batches;
    this.sagas = sagas;
    this.json = json;
    this.transaction = transaction;
  }

  @Override
  public Message<?> apply(Message<Request> message) {
    return tenants.serve(message, Request.class, this::create);
  }

  private Message<?> create(Tenants.Tenant caller, Request r) {
    Check check =
        new Check()
            .require(r.vms() != null && !r.vms().isEmpty(), "vms: at least one createVm body")
            .require(r.vms() == null || r.vms().size() <= MAX_VMS, "vms: at most " + MAX_VMS)
            .matches(r.idempotencyKey(), Check.KEY, "idempotencyKey", false);
    if (r.concurrency() != null) {
      check.range(r.concurrency(), 1, MAX_CONCURRENCY, "concurrency");
    }
    if (check.failed()) {
      return check.reply();
    }
    for (int i = 0; i < r.vms().size(); i++) {
      var vm = r.vms().get(i);
      Message<?> invalid =
          vm == null ? Replies.invalid("not a createVm body") : createVm.invalid(vm);
      if (invalid == null && vm.tenantId() != null && !vm.tenantId().equals(caller.id())) {
        invalid = caller.isAdmin() ? null : Replies.forbidden();
      }
      if (invalid != null) {
        return Replies.status(
            Branches.status(invalid),
            new Replies.Error("invalid_item", "vms[" + i + "]: " + messageOf(invalid)));
      }
    }
    String batchId =
        "batch-"
            + Sha256.hex(
                    r.idempotencyKey() == null
                        ? sagas.newGid()
                        : caller.id() + "\n" + r.idempotencyKey())
                .substring(0, 16);
    BatchRow existing = batches.find(batchId);
    List<BatchRow> drivers = existing == null ? record(caller, r, batchId) : leaves(existing);
    for (BatchRow driver : drivers) {
      // submitted again after a crash or for a repeated key: DTM starts no second saga per gid
      if (sagas.find(driver.driverGid()).isEmpty()) {
        sagas.submit(BatchPlan.of(driver.id()));
      }
    }
    log.info("batch {} of {} VMs: {} driver saga(s)", batchId, r.vms().size(), drivers.size());
    return Replies.status(
        202,
        new Response(
            batchId,
            r.vms().size(),
            drivers.size() > 1 ? drivers.stream().map(BatchRow::id).toList() : List.of(),
            "running",
            sagas.adminUrl(drivers.get(0).driverGid())));
  }

  /** The batch, its sub-batches and every item, in one transaction; answers the driven batches. */
  private List<BatchRow> record(Tenants.Tenant caller, Request r, String batchId) {
    int concurrency = r.concurrency() == null ? DEFAULT_CONCURRENCY : r.concurrency();
    int size = r.vms().size();
    return transaction.execute(
        tx -> {
          List<BatchRow> leaves = new ArrayList<>();
          boolean split = size > SUB_BATCH;
          BatchRow top =
              new BatchRow(
                  batchId,
                  caller.id(),
                  null,
                  0,
                  0,
                  r.idempotencyKey(),
                  concurrency,
                  r.failFast(),
                  split ? null : batchId,
                  "running",
                  null,
                  null);
          batches.insert(top);
          if (!split) {
            leaves.add(top);
          } else {
            for (int first = 0, position = 0; first < size; first += SUB_BATCH, position++) {
              String id = batchId + "-" + position;
              var sub =
                  new BatchRow(
                      id,
                      caller.id(),
                      batchId,
                      position,
                      first,
                      null,
                      concurrency,
                      r.failFast(),
                      id,
                      "running",
                      null,
                      null);
              batches.insert(sub);
              leaves.add(sub);
            }
          }
          for (BatchRow leaf : leaves) {
            int end = split ? Math.min(size, leaf.firstIndex() + SUB_BATCH) : size;
            for (int i = leaf.firstIndex(); i < end; i++) {
              // the item's saga is named by the batch and its index: started twice, it is one saga
              var item = r.vms().get(i).submittedAs(batchId + ":" + i);
              batches.insertItem(leaf.id(), i, json.writeValueAsString(item));
            }
          }
          return leaves;
        });
  }

  private List<BatchRow> leaves(BatchRow batch) {
    var subs = batches.subBatches(batch.id());
    return subs.isEmpty() ? List.of(batch) : subs;
  }

  private String messageOf(Message<?> reply) {
    return json.valueToTree(reply.getPayload()).path("message").asString("refused");
  }
}
