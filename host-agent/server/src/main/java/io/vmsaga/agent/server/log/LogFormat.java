package io.vmsaga.agent.server.log;

import java.util.logging.Handler;
import java.util.logging.Logger;

/** {@code --log-format}: how the process's java.util.logging lines are written. */
public enum LogFormat {
  /** One line per record: time, level, logger, message (the SimpleFormatter format). */
  TEXT,
  /** One JSON object per line ({@link JsonLogFormatter}). */
  JSON;

  public static LogFormat parse(String flag) {
    return switch (flag) {
      case "text" -> TEXT;
      case "json" -> JSON;
      default -> throw new IllegalArgumentException("--log-format must be text or json");
    };
  }

  /**
   * Sets the format on the root logger's handlers: the whole process's logging, so only a process's
   * main calls it (agents started in a test JVM keep that JVM's format).
   */
  public void install(String nodeId) {
    if (this == JSON) {
      for (Handler handler : Logger.getLogger("").getHandlers()) {
        handler.setFormatter(new JsonLogFormatter(nodeId));
      }
    }
  }
}
