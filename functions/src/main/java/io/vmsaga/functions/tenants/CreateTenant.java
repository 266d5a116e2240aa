package io.vmsaga.functions.tenants;

import io.vmsaga.functions.core.Sha256;
import io.vmsaga.functions.core.Tenants;
import io.vmsaga.functions.tenants.TenantRecords.Quota;
import io.vmsaga.functions.web.Check;
import io.vmsaga.functions.web.Replies;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /createTenant} {@code {tenantId?, name, isAdmin?, maxVms?, maxVcpus?, maxMemoryMib?,
 * maxDiskGib?}} (administrators) → 201 with the tenant and its bearer token. The token is shown
 * this once: only its SHA-256 is kept. An id taken is 409 {@code tenant_exists}.
 */
@Component("createTenant")
public class CreateTenant implements Function<Message<CreateTenant.Request>, Message<?>> {
  private static final Logger log = LoggerFactory.getLogger(CreateTenant.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A tenant's name is for people: letters, digits, spaces and a little punctuation. */
  static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N} ._'&()-]{0,127}");

  /** What a tenant gets where the request is silent (the schema's defaults). */
  static final Quota DEFAULT_QUOTA = new Quota(10, 16, 16384, 500);

  public record Request(
      String tenantId,
      String name,
      boolean isAdmin,
      Integer maxVms,
      Integer maxVcpus,
      Integer maxMemoryMib,
      Integer maxDiskGib) {}

  public record Created(String tenantId, String name, boolean isAdmin, Quota quota, String token) {}

  private final Tenants tenants;
  private final TenantRecords records;

  public CreateTenant(Tenants tenants, TenantRecords records) {
    this.tenants = tenants;
    this.records = records;
  }

  @Override
  public Message<?> apply(Message<Request> message) {
    return tenants.serve(
        message,
        Request.class,
        (caller, request) -> caller.isAdmin() ? create(request) : Replies.forbidden());
  }

  private Message<?> create(Request r) {
    Quota asked = new Quota(r.maxVms(), r.maxVcpus(), r.maxMemoryMib(), r.maxDiskGib());
    Check check =
        SetQuota.limits(new Check(), asked)
            .matches(r.tenantId(), Check.ID, "tenantId", false)
            .matches(r.name(), NAME, "name", true);
    if (check.failed()) {
      return check.reply();
    }
    String id = r.tenantId() == null ? "t-" + hex(4) : r.tenantId();
    Quota quota =
        new Quota(
            or(asked.maxVms(), DEFAULT_QUOTA.maxVms()),
            or(asked.maxVcpus(), DEFAULT_QUOTA.maxVcpus()),
            or(asked.maxMemoryMib(), DEFAULT_QUOTA.maxMemoryMib()),
            or(asked.maxDiskGib(), DEFAULT_QUOTA.maxDiskGib()));
    String token = hex(20);
    if (records.insert(id, r.name(), Sha256.hex(token), r.isAdmin(), quota) == 0) {
      return Replies.conflict("tenant_exists", "a tenant with this id exists");
    }
    log.info("tenant {} created (admin: {})", id, r.isAdmin());
    return Replies.status(201, new Created(id, r.name(), r.isAdmin(), quota, token));
  }

  private static Integer or(Integer value, Integer otherwise) {
    return value == null ? otherwise : value;
  }

  private static String hex(int bytes) {
    byte[] random = new byte[bytes];
    RANDOM.nextBytes(random);
    return HexFormat.of().formatHex(random);
  }
}
