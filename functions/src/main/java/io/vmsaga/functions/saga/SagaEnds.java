package io.vmsaga.functions.saga;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.springframework.stereotype.Component;

/**
 * Wakes a trigger that waits for its saga (awaitResult) when this process has just run the step
 * that ends it, its last action or the compensation of its first, instead of at its next poll of
 * DTM, up to 25 ms later. DTM records the end only once that step's answer reaches it, so the
 * waiter still asks DTM: it asks at once and then every few milliseconds for a short while. Where
 * another process ran the step (another instance, a Lambda function) nobody wakes it, and it polls
 * as it always did.
 */
@Component
public class SagaEnds {
  private final Map<String, Semaphore> waiting = new ConcurrentHashMap<>();

  /** What {@link #ended} releases for this saga; {@link #unwatch} once done waiting. */
  public Semaphore watch(String gid) {
    return waiting.computeIfAbsent(gid, g -> new Semaphore(0));
  }

  public void unwatch(String gid) {
    waiting.remove(gid);
  }

  void ended(String gid) {
    Semaphore waiter = waiting.get(gid);
    if (waiter != null) {
      waiter.release();
    }
  }
}
