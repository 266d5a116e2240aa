package io.vmsaga.agent.client;

import java.util.function.Supplier;

/**
 * What every call of an {@link AgentClient} goes through: the caller's circuit breaker, say, which
 * may refuse a call (throwing an {@link AgentException}) without sending it. The client itself
 * depends on no such library.
 */
public interface CallGuard {
  CallGuard NONE =
      new CallGuard() {
        @Override
        public <T> T call(Supplier<T> call) {
          return call.get();
        }
      };

  <T> T call(Supplier<T> call);
}
