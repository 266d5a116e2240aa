package io.vmsaga.functions.tenant;

import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.Sha256;
import java.util.Optional;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Select;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** Who is calling: the tenant whose API key's SHA-256 matches the bearer token. Keys are never stored. */
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
        return token.isEmpty() ? Optional.empty() : Optional.ofNullable(tenants.byKeyHash(Sha256.hex(token)));
    }

    public record Tenant(String id, String name, boolean isAdmin) {
    }

    @Mapper
    public interface TenantMapper {
        @Select("SELECT id, name, is_admin FROM tenant WHERE api_key_sha256 = #{hash}")
        Tenant byKeyHash(String hash);
    }
}
