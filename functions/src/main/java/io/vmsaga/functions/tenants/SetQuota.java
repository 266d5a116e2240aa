package io.vmsaga.functions.tenants;

import io.vmsaga.functions.core.Tenants;
import io.vmsaga.functions.tenants.TenantRecords.Quota;
import io.vmsaga.functions.web.Check;
import io.vmsaga.functions.web.Replies;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /setQuota} {@code {tenantId, maxVms?, maxVcpus?, maxMemoryMib?, maxDiskGib?}}
 * (administrators): sets the limits given and answers the tenant with its usage. A limit below what
 * is used is allowed, as in Nova and CloudStack: what exists stays, and nothing more fits until
 * usage falls under it.
 */
@Component("setQuota")
public class SetQuota implements Function<Message<SetQuota.Request>, Message<?>> {
  public record Request(
      String tenantId,
      Integer maxVms,
      Integer maxVcpus,
      Integer maxMemoryMib,
      Integer maxDiskGib) {}

  private final Tenants tenants;
  private final TenantRecords records;

  public SetQuota(Tenants tenants, TenantRecords records) {
    this.tenants = tenants;
    this.records = records;
  }

  @Override
  public Message<?> apply(Message<Request> message) {
    return tenants.serve(
        message,
        Request.class,
        (caller, request) -> caller.isAdmin() ? set(request) : Replies.forbidden());
  }

  private Message<?> set(Request r) {
    Quota quota = new Quota(r.maxVms(), r.maxVcpus(), r.maxMemoryMib(), r.maxDiskGib());
    Check check =
        limits(new Check(), quota)
            .matches(r.tenantId(), Check.ID, "tenantId", true)
            .require(
                r.maxVms() != null
                    || r.maxVcpus() != null
                    || r.maxMemoryMib() != null
                    || r.maxDiskGib() != null,
                "give at least one of maxVms, maxVcpus, maxMemoryMib, maxDiskGib");
    if (check.failed()) {
      return check.reply();
    }
    if (records.setQuota(r.tenantId(), quota) == 0) {
      return Replies.notFound("tenant");
    }
    return Replies.ok(records.find(r.tenantId()).view());
  }

  /** The bounds of every limit, where given. */
  static Check limits(Check check, Quota q) {
    if (q.maxVms() != null) {
      check.range(q.maxVms(), 0, 100_000, "maxVms");
    }
    if (q.maxVcpus() != null) {
      check.range(q.maxVcpus(), 0, 1_000_000, "maxVcpus");
    }
    if (q.maxMemoryMib() != null) {
      check.range(q.maxMemoryMib(), 0, 1 << 30, "maxMemoryMib");
    }
    if (q.maxDiskGib() != null) {
      check.range(q.maxDiskGib(), 0, 1 << 30, "maxDiskGib");
    }
    return check;
  }
}
