package io.vmsaga.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * A guest network: a bridge (no address) joined by a veth pair to a network namespace whose end
 * ({@code gateway_interface}) carries {@code gateway_cidr}.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NetworkInfo(
    String networkId,
    String bridge,
    String gatewayCidr,
    String namespace,
    String veth,
    String gatewayInterface) {}
