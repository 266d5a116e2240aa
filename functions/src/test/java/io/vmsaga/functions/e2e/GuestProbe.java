package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.JSON;
import static io.vmsaga.functions.e2e.Stack.env;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * What the guest itself sees, read from its status page. Every probe runs inside the network's
 * namespace that the stack made ({@code VMSAGA_NETNS}), never from the host's own, and is bounded:
 * one request of at most two seconds, a bounded number of them.
 */
public final class GuestProbe {
  private GuestProbe() {}

  /** The namespace where a network's gateway lives, and from where its guests may be probed. */
  public static String namespaceOf(String networkId) {
    return "vmsaga-" + networkId;
  }

  /** GET http://ADDRESS/PATH from inside the default network's namespace. */
  public static Optional<String> get(String address, String path) {
    return get(env("VMSAGA_NETNS"), address, path);
  }

  /** GET http://ADDRESS/PATH from inside the namespace; empty when nothing answered. */
  public static Optional<String> get(String namespace, String address, String path) {
    try {
      Process curl =
          new ProcessBuilder(
                  List.of(
                      "ip",
                      "netns",
                      "exec",
                      namespace,
                      "curl",
                      "-fsS",
                      "--max-time",
                      "2",
                      "http://" + address + path))
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      String body = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!curl.waitFor(5, TimeUnit.SECONDS)) {
        curl.destroyForcibly();
        return Optional.empty();
      }
      return curl.exitValue() == 0 ? Optional.of(body) : Optional.empty();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  public static Optional<JsonNode> status(String address) {
    return status(env("VMSAGA_NETNS"), address);
  }

  public static Optional<JsonNode> status(String namespace, String address) {
    return get(namespace, address, "/status").map(JSON::readTree);
  }

  public static JsonNode awaitReady(String address, Duration deadline) {
    return awaitReady(env("VMSAGA_NETNS"), address, deadline);
  }

  /** The guest's status once it answers, within the deadline (at most one probe a 0.5 s). */
  public static JsonNode awaitReady(String namespace, String address, Duration deadline) {
    long end = System.nanoTime() + deadline.toNanos();
    while (System.nanoTime() < end) {
      var status = status(namespace, address);
      if (status.isPresent()) {
        return status.get();
      }
      Stack.sleep(500);
    }
    throw new AssertionError("guest at " + address + " not ready within " + deadline);
  }

  /** Until the predicate holds on the guest's status, within the deadline. */
  public static JsonNode awaitStatus(
      String address, Duration deadline, java.util.function.Predicate<JsonNode> until) {
    return awaitStatus(env("VMSAGA_NETNS"), address, deadline, until);
  }

  public static JsonNode awaitStatus(
      String namespace,
      String address,
      Duration deadline,
      java.util.function.Predicate<JsonNode> until) {
    long end = System.nanoTime() + deadline.toNanos();
    JsonNode last = null;
    while (System.nanoTime() < end) {
      last = status(namespace, address).orElse(null);
      if (last != null && until.test(last)) {
        return last;
      }
      Stack.sleep(500);
    }
    throw new AssertionError("guest at " + address + " never got there; last status " + last);
  }
}
