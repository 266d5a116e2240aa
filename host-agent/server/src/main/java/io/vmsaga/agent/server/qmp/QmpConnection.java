package io.vmsaga.agent.server.qmp;

import io.vmsaga.agent.api.AgentJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * One QMP session over a unix socket. Any thread may {@link #call}; writes are serialised by one
 * lock, a reader thread matches replies to callers by {@code id} and hands events to the listener,
 * so an event arriving between a command and its reply is kept, not mistaken for the reply.
 */
public final class QmpConnection implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(QmpConnection.class.getName());
  private static final ObjectMapper JSON = AgentJson.lenient();

  private final AFUNIXSocket socket;
  private final OutputStream out;
  private final Object writeLock = new Object();
  private final AtomicLong ids = new AtomicLong();
  private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final AtomicBoolean open = new AtomicBoolean(true);
  private final Consumer<QmpEvent> events;
  private final Runnable onClose;
  private final QmpObserver observer;

  private QmpConnection(
      AFUNIXSocket socket, Consumer<QmpEvent> events, Runnable onClose, QmpObserver observer)
      throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.events = events;
    this.onClose = onClose;
    this.observer = observer;
  }

  /** {@link #open(Path, Duration, Consumer, Runnable, QmpObserver)} with no observer. */
  public static QmpConnection open(
      Path socketPath, Duration timeout, Consumer<QmpEvent> events, Runnable onClose) {
    return open(socketPath, timeout, events, onClose, QmpObserver.NONE);
  }

  /**
   * Connects, reads the greeting and leaves capabilities negotiation mode. {@code onClose} runs
   * once when the session ends for any reason (QEMU exited, {@link #close}, a broken socket);
   * {@code observer} is told of every command's round trip.
   */
  public static QmpConnection open(
      Path socketPath,
      Duration timeout,
      Consumer<QmpEvent> events,
      Runnable onClose,
      QmpObserver observer) {
    AFUNIXSocket socket = null;
    try {
      socket = AFUNIXSocket.newInstance();
      socket.connect(AFUNIXSocketAddress.of(socketPath.toFile()), (int) timeout.toMillis());
      socket.setSoTimeout((int) timeout.toMillis());
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      String greeting = in.readLine();
      if (greeting == null || !JSON.readTree(greeting).has("QMP")) {
        throw new IOException("no QMP greeting");
      }
      socket.setSoTimeout(0);
      QmpConnection connection = new QmpConnection(socket, events, onClose, observer);
      Thread reader = new Thread(() -> connection.readLoop(in), "qmp-" + socketPath.getFileName());
      reader.setDaemon(true);
      reader.start();
      connection.call(Qmp.capabilities(), timeout);
      return connection;
    } catch (IOException | JacksonException e) {
      closeQuietly(socket);
      throw new QmpUnavailable("cannot open QMP: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(socket);
      throw e;
    }
  }

  public boolean isOpen() {
    return open.get();
  }

  /**
   * Sends a command and waits for its reply; QEMU's refusal is a {@link QmpError}, no reply a
   * {@link QmpUnavailable}.
   */
  public <R> R call(QmpCommand<R> command, Duration timeout) {
    long start = System.nanoTime();
    String outcome = QmpObserver.UNAVAILABLE;
    try {
      R result = exchange(command, timeout);
      outcome = QmpObserver.OK;
      return result;
    } catch (QmpError e) {
      outcome = QmpObserver.ERROR;
      throw e;
    } finally {
      observer.answered(command.name(), outcome, System.nanoTime() - start);
    }
  }

  private <R> R exchange(QmpCommand<R> command, Duration timeout) {
    if (!open.get()) {
      throw new QmpUnavailable("QMP connection closed", null);
    }
    long id = ids.incrementAndGet();
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    pending.put(id, reply);
    ObjectNode message = JSON.createObjectNode().put("execute", command.name());
    if (!command.arguments().isEmpty()) {
      message.set("arguments", JSON.valueToTree(command.arguments()));
    }
    message.put("id", id);
    try {
      byte[] bytes = JSON.writeValueAsBytes(message);
      synchronized (writeLock) {
        out.write(bytes);
        out.write('\n');
        out.flush();
      }
    } catch (IOException e) {
      pending.remove(id);
      close();
      throw new QmpUnavailable(command.name() + ": QMP write failed", e);
    }
    JsonNode answer = await(command.name(), id, reply, timeout);
    JsonNode error = answer.get("error");
    if (error != null) {
      throw new QmpError(
          command.name(), error.path("class").asString(), error.path("desc").asString());
    }
    if (command.result().getType() == Void.class) {
      return null;
    }
    return JSON.convertValue(answer.get("return"), command.result());
  }

  private JsonNode await(
      String name, long id, CompletableFuture<JsonNode> reply, Duration timeout) {
    try {
      return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new QmpUnavailable(name + ": no QMP reply within " + timeout.toMillis() + " ms", e);
    } catch (ExecutionException e) {
      throw new QmpUnavailable(name + ": QMP connection closed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QmpUnavailable(name + ": interrupted", e);
    } finally {
      pending.remove(id);
    }
  }

  private void readLoop(BufferedReader in) {
    try {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        dispatch(JSON.readTree(line));
      }
    } catch (IOException | JacksonException e) {
      if (open.get()) {
        LOG.log(Level.FINE, "QMP read ended", e);
      }
    } finally {
      close();
    }
  }

  private void dispatch(JsonNode message) {
    if (message.has("event")) {
      JsonNode time = message.path("timestamp");
      long millis =
          time.path("seconds").asLong() * 1000 + time.path("microseconds").asLong() / 1000;
      events.accept(new QmpEvent(message.get("event").asString(), message.path("data"), millis));
    } else if (message.has("id")) {
      CompletableFuture<JsonNode> reply = pending.get(message.get("id").asLong());
      if (reply != null) {
        reply.complete(message);
      }
    }
  }

  @Override
  public void close() {
    if (!open.compareAndSet(true, false)) {
      return;
    }
    closeQuietly(socket);
    IOException closed = new IOException("QMP connection closed");
    pending.values().forEach(reply -> reply.completeExceptionally(closed));
    onClose.run();
  }

  private static void closeQuietly(AFUNIXSocket socket) {
    if (socket == null) {
      return;
    }
    try {
      socket.close();
    } catch (IOException e) {
      LOG.log(Level.FINE, "closing QMP socket", e);
    }
  }
}
