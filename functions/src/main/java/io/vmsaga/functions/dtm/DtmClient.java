package io.vmsaga.functions.dtm;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * DTM's HTTP API, spoken directly. dtmcli-java 2.1.5 is not used: its saga option setters recurse
 * forever (upstream #40), it cannot set request_timeout, and it pulls in nacos, feign and okhttp.
 *
 * <p>It talks to the servers of a DTM HA pair (or more) on one store: every call goes to the one
 * that answered last, and to the next when that one does not answer at all (refused, reset, timed
 * out). Any server can answer for any saga, and each server's cron finishes what another started,
 * so a dead one costs a retry, not a saga. An answer, even an error, is never retried elsewhere.
 */
public class DtmClient {
  private static final Logger log = LoggerFactory.getLogger(DtmClient.class);

  private final List<URI> servers;
  private final AtomicInteger live = new AtomicInteger();
  private final ObjectMapper json;
  private final HttpClient http;

  public DtmClient(List<URI> servers, ObjectMapper json) {
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("no DTM server given");
    }
    this.servers = List.copyOf(servers);
    this.json = json;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
  }

  /** The servers of a comma-separated list such as {@code http://a:36789,http://b:36789}. */
  public static List<URI> servers(String commaSeparated) {
    return Arrays.stream(commaSeparated.split(","))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .map(URI::create)
        .toList();
  }

  /** The server that answered last: where links to the admin UI point. */
  public URI liveServer() {
    return servers.get(live.get());
  }

  public String newGid() {
    return call(get("/api/dtmsvr/newGid")).path("gid").asString();
  }

  /**
   * Submits a saga. A gid DTM already knows answers 409 and starts nothing new: that is how a
   * retried request with the same idempotency key finds the saga it started before, so it is
   * success here.
   */
  public void submit(SagaRequest saga) {
    String body = write(saga);
    HttpResponse<String> response =
        send(
            base ->
                HttpRequest.newBuilder(base.resolve("/api/dtmsvr/submit"))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build());
    if (response.statusCode() != 200 && response.statusCode() != 409) {
      throw new DtmException(
          "submit of "
              + saga.gid()
              + " answered "
              + response.statusCode()
              + ": "
              + response.body());
    }
  }

  /**
   * Where the saga stands, read from its global row alone. DTM's {@code query} also reads and sends
   * every branch with its payload (13 KB for a create, about 2.5 times the CPU per call across DTM,
   * MariaDB and this client): callers that only wait for the end ask this.
   */
  public Optional<SagaStatus> status(String gid) {
    return statusOf(call(get("/api/dtmsvr/all?gid=" + encode(gid))).path("transactions").path(0));
  }

  /** The saga with its branches (GetSaga's steps). */
  public Optional<Transaction> query(String gid) {
    JsonNode body = call(get("/api/dtmsvr/query?gid=" + encode(gid)));
    return statusOf(body.path("transaction"))
        .map(
            saga -> {
              List<Transaction.Branch> branches = new ArrayList<>();
              body.path("branches")
                  .forEach(b -> branches.add(json.convertValue(b, Transaction.Branch.class)));
              return new Transaction(saga.gid(), saga.status(), saga.rollbackReason(), branches);
            });
  }

  /** A global transaction's row as DTM answers it; empty where DTM knows none. */
  private static Optional<SagaStatus> statusOf(JsonNode row) {
    if (row.isMissingNode() || row.isNull()) {
      return Optional.empty();
    }
    return Optional.of(
        new SagaStatus(
            row.path("gid").asString(),
            row.path("status").asString(),
            row.path("rollback_reason").asText("")));
  }

  private static String encode(String gid) {
    return URLEncoder.encode(gid, StandardCharsets.UTF_8);
  }

  private static Function<URI, HttpRequest> get(String path) {
    return base ->
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).GET().build();
  }

  private JsonNode call(Function<URI, HttpRequest> request) {
    HttpResponse<String> response = send(request);
    String path = response.request().uri().getPath();
    if (response.statusCode() != 200) {
      throw new DtmException(path + " answered " + response.statusCode());
    }
    try {
      return json.readTree(response.body());
    } catch (JacksonException e) {
      throw new DtmException("unreadable answer from " + path, e);
    }
  }

  /** Sends to the live server, else to each other one in turn, until one answers. */
  private HttpResponse<String> send(Function<URI, HttpRequest> request) {
    int first = live.get();
    IOException last = null;
    for (int i = 0; i < servers.size(); i++) {
      int index = (first + i) % servers.size();
      URI base = servers.get(index);
      try {
        HttpResponse<String> response = http.send(request.apply(base), BodyHandlers.ofString());
        if (live.compareAndSet(first, index) && index != first) {
          log.warn("DTM at {} did not answer; now using {}", servers.get(first), base);
        }
        return response;
      } catch (IOException e) {
        last = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DtmException("interrupted while calling DTM", e);
      }
    }
    throw new DtmException("no DTM server answers (" + servers + ")", last);
  }

  private String write(Object value) {
    return json.writeValueAsString(value);
  }

  public static class DtmException extends RuntimeException {
    public DtmException(String message) {
      super(message);
    }

    public DtmException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
