package io.vmsaga.agent.server;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One lock per resource key, so operations on one VM or pool are serialised and others run in
 * parallel.
 */
public final class KeyedLocks {
  private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

  public <T> T with(String key, Supplier<T> work) {
    ReentrantLock lock = locks.computeIfAbsent(key, k -> new ReentrantLock());
    lock.lock();
    try {
      return work.get();
    } finally {
      lock.unlock();
    }
  }

  public void run(String key, Runnable work) {
    with(
        key,
        () -> {
          work.run();
          return null;
        });
  }
}
