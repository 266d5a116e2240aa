package io.vmsaga.functions.ops;

import io.vmsaga.functions.core.Sagas;
import io.vmsaga.functions.core.Tenants;
import io.vmsaga.functions.core.VmPlan;
import io.vmsaga.functions.dtm.DtmClient.DtmException;
import io.vmsaga.functions.dtm.Transaction;
import io.vmsaga.functions.web.Check;
import io.vmsaga.functions.web.Replies;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Select;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /getSaga {gid}}: a saga's steps as DTM records them, for callers who cannot reach DTM
 * (it has no authentication and only the functions talk to it). Each step is named by the function
 * DTM calls (the last segment of the branch's URL); a failed saga carries the failing step's own
 * code and message.
 *
 * <p>An administrator sees any saga. A tenant sees a saga while one of its records names it: a VM
 * of its own that the saga owns or settled last, or that the saga created; a migration of its VM; a
 * reservation the saga holds for it; a batch of its own that the saga drives or one of whose items
 * it creates. A saga whose traces are gone for the tenant (a create rolled back, a VM deleted) is
 * 404 like a foreign or unknown one, so nothing leaks.
 */
@Component("getSaga")
public class GetSaga implements Function<Message<GetSaga.Request>, Message<?>> {
  /** DTM's own gids, ours ({@code create-<hex>}) and a batch's items'. */
  static final Pattern GID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

  public record Request(String gid) {}

  /** One branch: {@code index} is the step's position from 1, {@code op} action or compensate. */
  public record Step(int index, String name, String op, String status) {}

  public record View(
      String gid,
      String status,
      List<Step> steps,
      int stepCount,
      Replies.Error reason,
      String dtmUrl) {}

  private final Tenants tenants;
  private final Sagas sagas;
  private final Traces traces;

  public GetSaga(Tenants tenants, Sagas sagas, Traces traces) {
    this.tenants = tenants;
    this.sagas = sagas;
    this.traces = traces;
  }

  @Override
  public Message<?> apply(Message<Request> message) {
    return tenants.serve(
        message,
        Request.class,
        (caller, request) -> {
          Check check = new Check().matches(request.gid(), GID, "gid", true);
          if (check.failed()) {
            return check.reply();
          }
          String gid = request.gid();
          if (!caller.isAdmin() && traces.count(caller.id(), gid, VmPlan.vmIdFor(gid)) == 0) {
            return Replies.notFound("saga");
          }
          try {
            return sagas
                .withSteps(gid)
                .<Message<?>>map(t -> Replies.ok(view(t)))
                .orElseGet(() -> Replies.notFound("saga"));
          } catch (DtmException e) {
            return Replies.unavailable("DTM does not answer");
          }
        });
  }

  private View view(Transaction t) {
    List<Step> steps =
        t.branches().stream()
            .filter(b -> b.url() != null && !b.url().isEmpty())
            .map(b -> new Step(Integer.parseInt(b.branchId()), name(b.url()), b.op(), b.status()))
            .sorted(Comparator.comparing(Step::index).thenComparing(s -> !s.op().equals("action")))
            .toList();
    int stepCount = (int) steps.stream().filter(s -> s.op().equals("action")).count();
    Replies.Error reason =
        "failed".equals(t.status())
            ? sagas.failure(
                t.gid(),
                new Replies.Error(
                    "saga_failed",
                    t.rollbackReason().isEmpty() ? "see dtmUrl" : t.rollbackReason()))
            : null;
    return new View(t.gid(), t.status(), steps, stepCount, reason, sagas.adminUrl(t.gid()));
  }

  /** The function a branch calls: the last segment of its URL's path. */
  static String name(String url) {
    String path = url.replaceFirst("[?#].*$", "");
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /** The records by which a tenant may know a saga (see the class comment). */
  @Mapper
  public interface Traces {
    @Select(
        "SELECT (SELECT COUNT(*) FROM vm WHERE tenant_id = #{tenantId}"
            + "    AND (owner_gid = #{gid} OR last_gid = #{gid} OR id = #{createdVmId}))"
            + " + (SELECT COUNT(*) FROM migration m JOIN vm v ON v.id = m.vm_id"
            + "    WHERE m.gid = #{gid} AND v.tenant_id = #{tenantId})"
            + " + (SELECT COUNT(*) FROM reservation WHERE gid = #{gid} AND tenant_id = #{tenantId})"
            + " + (SELECT COUNT(*) FROM batch WHERE driver_gid = #{gid} AND tenant_id = #{tenantId})"
            + " + (SELECT COUNT(*) FROM batch_item i JOIN batch b ON b.id = i.batch_id"
            + "    WHERE i.gid = #{gid} AND b.tenant_id = #{tenantId})")
    long count(String tenantId, String gid, String createdVmId);
  }
}
