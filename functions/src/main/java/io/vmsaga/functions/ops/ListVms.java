package io.vmsaga.functions.ops;

import io.vmsaga.functions.core.Tenants;
import io.vmsaga.functions.core.VmMapper;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** {@code POST /listVms}: the caller's VMs. */
@Component("listVms")
public class ListVms implements Function<Message<Map<String, Object>>, Message<?>> {
  private final Tenants tenants;
  private final VmMapper vms;

  public ListVms(Tenants tenants, VmMapper vms) {
    this.tenants = tenants;
    this.vms = vms;
  }

  @Override
  public Message<?> apply(Message<Map<String, Object>> message) {
    return tenants
        .caller(message)
        .<Message<?>>map(caller -> Replies.ok(Map.of("vms", vms.ofTenant(caller.id()))))
        .orElseGet(Replies::unauthorized);
  }
}
