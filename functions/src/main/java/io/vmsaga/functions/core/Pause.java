package io.vmsaga.functions.core;

/** A sleep that keeps the thread's interrupt instead of throwing it, for polling loops. */
public final class Pause {
  private Pause() {}

  public static void millis(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
