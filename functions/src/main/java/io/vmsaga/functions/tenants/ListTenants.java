package io.vmsaga.functions.tenants;

import io.vmsaga.functions.core.Tenants;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** {@code POST /listTenants} (administrators): every tenant with its quota and usage. */
@Component("listTenants")
public class ListTenants implements Function<Message<Map<String, Object>>, Message<?>> {
  private final Tenants tenants;
  private final TenantRecords records;

  public ListTenants(Tenants tenants, TenantRecords records) {
    this.tenants = tenants;
    this.records = records;
  }

  @Override
  public Message<?> apply(Message<Map<String, Object>> message) {
    return tenants.asAdmin(
        message,
        () ->
            Replies.ok(
                Map.of("tenants", records.all().stream().map(TenantRecords.Row::view).toList())));
  }
}
