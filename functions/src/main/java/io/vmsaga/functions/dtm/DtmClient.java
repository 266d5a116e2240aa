package io.vmsaga.functions.dtm;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * DTM's HTTP API, spoken directly. dtmcli-java 2.1.5 is not used: its saga option setters recurse
 * forever (upstream #40), it cannot set request_timeout, and it pulls in nacos, feign and okhttp.
 */
public class DtmClient {
  private final URI base;
  private final ObjectMapper json;
  private final HttpClient http;

  public DtmClient(URI base, ObjectMapper json) {
    this.base = base;
    this.json = json;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
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
    HttpResponse<String> response =
        send(
            HttpRequest.newBuilder(base.resolve("/api/dtmsvr/submit"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(write(saga)))
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

  public Optional<Transaction> query(String gid) {
    JsonNode body =
        call(get("/api/dtmsvr/query?gid=" + URLEncoder.encode(gid, StandardCharsets.UTF_8)));
    JsonNode transaction = body.path("transaction");
    if (transaction.isMissingNode() || transaction.isNull()) {
      return Optional.empty();
    }
    List<Transaction.Branch> branches = new ArrayList<>();
    body.path("branches")
        .forEach(b -> branches.add(json.convertValue(b, Transaction.Branch.class)));
    return Optional.of(
        new Transaction(
            transaction.path("gid").asString(),
            transaction.path("status").asString(),
            transaction.path("rollback_reason").asText(""),
            branches));
  }

  private HttpRequest get(String path) {
    return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).GET().build();
  }

  private JsonNode call(HttpRequest request) {
    HttpResponse<String> response = send(request);
    if (response.statusCode() != 200) {
      throw new DtmException(request.uri().getPath() + " answered " + response.statusCode());
    }
    try {
      return json.readTree(response.body());
    } catch (JacksonException e) {
      throw new DtmException("unreadable answer from " + request.uri().getPath(), e);
    }
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new DtmException("DTM unreachable at " + base, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DtmException("interrupted while calling DTM", e);
    }
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
