package io.vmsaga.cli;

import java.io.PrintStream;

/**
 * Shows how a long operation goes. On a terminal one line is redrawn in place (carriage return and
 * erase-line), with the time spent; elsewhere (a pipe, a log) a plain line is printed each time the
 * state changes, never for the clock alone.
 */
public final class Progress {
  private static final String REDRAW = "\r\033[2K";

  private final PrintStream out;
  private final boolean terminal;
  private final long started = System.nanoTime();
  private String shown = "";
  private boolean open;

  public Progress(PrintStream out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  /** The current state; on a terminal redrawn with the elapsed time. */
  public void show(String state) {
    if (terminal) {
      out.print(REDRAW + state + "  " + elapsed());
      out.flush();
      open = true;
    } else if (!state.equals(shown)) {
      out.println(state);
    }
    shown = state;
  }

  /** The final state, on a line of its own. */
  public void done(String state) {
    if (terminal) {
      out.println(REDRAW + state + "  " + elapsed());
      open = false;
    } else if (!state.equals(shown)) {
      out.println(state);
    }
    shown = state;
  }

  /** Ends the line being redrawn, so that a question or an error starts on its own line. */
  public void breakLine() {
    if (open) {
      out.println();
      open = false;
    }
  }

  private String elapsed() {
    return String.format("(%.1f s)", (System.nanoTime() - started) / 1e9);
  }
}
