package io.vmsaga.agent.server.os;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Work done while holding an exclusive lock on a file, so that processes sharing the file (agents
 * on one shared filesystem) take turns. The lock is {@code fcntl}'s, which NFS carries too.
 */
public final class FileLocks {
  /**
   * A JVM holds a file's lock once, not once per thread (a second {@code lock} throws), and tests
   * run several agents in one JVM: threads take turns here first.
   */
  private static final Map<Path, ReentrantLock> IN_JVM = new ConcurrentHashMap<>();

  private FileLocks() {}

  /** Runs {@code work} holding {@code lockFile} (created if missing) exclusively. */
  public static <T> T exclusive(Path lockFile, Supplier<T> work) {
    ReentrantLock local = IN_JVM.computeIfAbsent(lockFile, f -> new ReentrantLock());
    local.lock();
    try (FileChannel channel =
            FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.lock()) {
      return work.get();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      local.unlock();
    }
  }
}
