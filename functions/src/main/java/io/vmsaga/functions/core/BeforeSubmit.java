package io.vmsaga.functions.core;

import io.vmsaga.functions.dtm.Saga;
import java.util.function.Consumer;

/**
 * Sees every saga just before it goes to DTM. Production has none; fault injection, when enabled,
 * registers the faults a test asked for and the test's shorter timeout here.
 */
public interface BeforeSubmit extends Consumer<Saga> {}
