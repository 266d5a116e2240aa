package io.vmsaga.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * Traffic of one NIC of a running VM, counted by the tap under it ({@code
 * /sys/class/net/<tap>/statistics}) since the tap was created, and told from the guest's side:
 * {@code rx_*} is what the guest received (the tap sent it), {@code tx_*} what the guest sent. The
 * counters are absent while the tap is missing ({@code tap_state} {@code missing} in {@code GET
 * …/nics}).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VmNicStats(
    String nicId, String tap, Long rxBytes, Long txBytes, Long rxPackets, Long txPackets) {}
