package io.vmsaga.cli;

import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * Ctrl-C as a question instead of an exit, while a command waits for something it may want to stop
 * (a live migration): the signal only sets a flag the waiting loop takes.
 */
public final class CtrlC {
  private final AtomicBoolean pressed = new AtomicBoolean();

  private CtrlC() {}

  public static CtrlC catchIt() {
    CtrlC ctrlC = new CtrlC();
    Signal.handle(new Signal("INT"), signal -> ctrlC.pressed.set(true));
    return ctrlC;
  }

  /** Whether Ctrl-C was pressed since the last call. */
  public boolean taken() {
    return pressed.getAndSet(false);
  }
}
