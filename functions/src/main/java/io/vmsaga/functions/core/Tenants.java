package io.vmsaga.functions.core;

import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Inputs;
import io.vmsaga.functions.web.Replies;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Select;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Who is calling: the tenant whose API key's SHA-256 matches the bearer token. Keys are never
 * stored.
 */
@Component
public class Tenants {
  private final TenantMapper tenants;

  public Tenants(TenantMapper tenants) {
    this.tenants = tenants;
  }

  public Optional<Tenant> caller(Message<?> request) {
    Object header = Branches.header(request, "authorization");
    if (header == null || !header.toString().startsWith("Bearer ")) {
      return Optional.empty();
    }
    String token = header.toString().substring("Bearer ".length()).trim();
    return token.isEmpty()
        ? Optional.empty()
        : Optional.ofNullable(tenants.byKeyHash(Sha256.hex(token)));
  }

  /**
   * The two checks every trigger opens with: who calls (else 401), and whether the body is this
   * function's JSON (else 400); then {@code handler} with both.
   */
  public <R> Message<?> serve(
      Message<?> message, Class<R> type, BiFunction<Tenant, R, Message<?>> handler) {
    Tenant caller = caller(message).orElse(null);
    if (caller == null) {
      return Replies.unauthorized();
    }
    return Inputs.typed(message, type)
        .<Message<?>>map(request -> handler.apply(caller, request))
        .orElseGet(Inputs::malformed);
  }

  /** {@link #serve} for administrators: a tenant gets 403 and the handler is not run. */
  public <R> Message<?> serveAdmin(
      Message<?> message, Class<R> type, Function<R, Message<?>> handler) {
    return serve(
        message,
        type,
        (caller, request) -> caller.isAdmin() ? handler.apply(request) : Replies.forbidden());
  }

  /** {@code handler}'s answer for an administrator; 401 for no caller, 403 for a tenant. */
  public Message<?> asAdmin(Message<?> message, Supplier<Message<?>> handler) {
    return caller(message)
        .<Message<?>>map(caller -> caller.isAdmin() ? handler.get() : Replies.forbidden())
        .orElseGet(Replies::unauthorized);
  }

  /** The tenant with this id, for work done later in its name (a batch's items). */
  public Optional<Tenant> byId(String id) {
    return Optional.ofNullable(tenants.byId(id));
  }

  public record Tenant(String id, String name, boolean isAdmin) {}

  @Mapper
  public interface TenantMapper {
    @Select("SELECT id, name, is_admin FROM tenant WHERE api_key_sha256 = #{hash}")
    Tenant byKeyHash(String hash);

    @Select("SELECT id, name, is_admin FROM tenant WHERE id = #{id}")
    Tenant byId(String id);
  }
}
