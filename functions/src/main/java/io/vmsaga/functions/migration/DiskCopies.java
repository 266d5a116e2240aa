package io.vmsaga.functions.migration;

import io.vmsaga.agent.api.DiskInfo;
import jakarta.annotation.PreDestroy;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Disk copies that outlast the branch call that started them: a copy takes as long as the disk is
 * large, a branch call must answer within DTM's request timeout. Only a de-duplication of this
 * process's own copies, nothing to recover: a copy dies with its process, the target agent keeps
 * nothing of an unfinished upload, and the next call of the step starts it again.
 */
@org.springframework.stereotype.Component
public class DiskCopies {
  private final ExecutorService workers =
      Executors.newFixedThreadPool(
          2,
          task -> {
            Thread thread = new Thread(task, "disk-copy");
            thread.setDaemon(true);
            return thread;
          });
  private final Map<String, Future<DiskInfo>> copies = new ConcurrentHashMap<>();

  /** The copy known under {@code key}, started now if there is none. */
  public Future<DiskInfo> ensure(String key, Callable<DiskInfo> copy) {
    return copies.computeIfAbsent(key, k -> workers.submit(copy));
  }

  public Optional<Future<DiskInfo>> find(String key) {
    return Optional.ofNullable(copies.get(key));
  }

  public void forget(String key) {
    copies.remove(key);
  }

  @PreDestroy
  void stop() {
    workers.shutdownNow();
  }
}
