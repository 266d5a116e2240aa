package io.vmsaga.agent.server.qmp;

import tools.jackson.databind.JsonNode;

/**
 * An asynchronous QMP event ({@code STOP}, {@code RESUME}, {@code SHUTDOWN}, {@code MIGRATION} …).
 */
public record QmpEvent(String event, JsonNode data, long timestampMs) {}
