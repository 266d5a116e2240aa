package io.vmsaga.functions.tenants;

import io.vmsaga.functions.core.Tenants;
import io.vmsaga.functions.web.Check;
import io.vmsaga.functions.web.Replies;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /getTenant} {@code {tenantId?}}: a tenant's quota and usage; the caller's own by
 * default, any tenant's for administrators.
 */
@Component("getTenant")
public class GetTenant implements Function<Message<GetTenant.Request>, Message<?>> {
  public record Request(String tenantId) {}

  private final Tenants tenants;
  private final TenantRecords records;

  public GetTenant(Tenants tenants, TenantRecords records) {
    this.tenants = tenants;
    this.records = records;
  }

  @Override
  public Message<?> apply(Message<Request> message) {
    return tenants.serve(
        message,
        Request.class,
        (caller, request) -> {
          Check check = new Check().matches(request.tenantId(), Check.ID, "tenantId", false);
          if (check.failed()) {
            return check.reply();
          }
          String id = request.tenantId() == null ? caller.id() : request.tenantId();
          if (!id.equals(caller.id()) && !caller.isAdmin()) {
            return Replies.forbidden();
          }
          var row = records.find(id);
          return row == null ? Replies.notFound("tenant") : Replies.ok(row.view());
        });
  }
}
