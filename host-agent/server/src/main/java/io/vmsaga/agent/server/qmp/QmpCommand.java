package io.vmsaga.agent.server.qmp;

import java.util.Map;
import tools.jackson.core.type.TypeReference;

/**
 * One QMP command: its wire name, its arguments and the type its {@code return} value is read as.
 * {@link Qmp} holds the ones the agent uses.
 */
public record QmpCommand<R>(String name, Map<String, Object> arguments, TypeReference<R> result) {}
