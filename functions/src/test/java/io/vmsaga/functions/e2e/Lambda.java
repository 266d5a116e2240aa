package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.JSON;
import static io.vmsaga.functions.e2e.Stack.env;

import io.vmsaga.functions.VmsagaFunctions;
import io.vmsaga.functions.e2e.Stack.Reply;
import io.vmsaga.functions.lambda.LocalInvoke;
import io.vmsaga.functions.lambda.OneObjectInvoker;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.springframework.cloud.function.adapter.aws.FunctionInvoker;
import tools.jackson.databind.JsonNode;

/**
 * The functions as AWS Lambda runs them (template.yaml): one {@link FunctionInvoker} per function,
 * built with the runtime's no-argument constructor while {@code spring.cloud.function.definition}
 * names it, fed API Gateway v2 (HTTP API, payload format 2.0) events in this JVM, against the
 * running stack. Settings come from the stack's environment, as the template passes them, except
 * two: sagas these functions submit call their steps back at {@code VMSAGA_URL} (the build under
 * test), and each context keeps the template's two database connections.
 */
final class Lambda {
  private static final Map<String, FunctionInvoker> HANDLERS = new LinkedHashMap<>();

  private Lambda() {}

  /** The function's Lambda handler invoked with this event as it is (not API Gateway's). */
  static JsonNode invoke(String function, Object event) {
    try {
      return JSON.readTree(
          LocalInvoke.invoke(handler(function), function, JSON.writeValueAsBytes(event)));
    } catch (IOException e) {
      throw new IllegalStateException("invoking " + function + " failed", e);
    }
  }

  /** POST /function?query on the HTTP API, answered by the function's Lambda handler. */
  static Reply call(String function, Map<String, String> headers, String query, Object body) {
    try {
      byte[] event = JSON.writeValueAsBytes(event(function, headers, query, body));
      JsonNode response = JSON.readTree(LocalInvoke.invoke(handler(function), function, event));
      var received = new TreeMap<String, String>();
      response
          .path("headers")
          .properties()
          .forEach(h -> received.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue().asString()));
      return new Reply(
          response.path("statusCode").asInt(),
          Stack.parse(response.path("body").asText(null)),
          received);
    } catch (IOException e) {
      throw new IllegalStateException("invoking " + function + " failed", e);
    }
  }

  static Reply call(String function, String token, Object body) {
    return call(function, Stack.bearer(token), "", body);
  }

  /**
   * Settings are read while the context starts; they are cleared again so that other tests never
   * see them.
   */
  private static synchronized FunctionInvoker handler(String function) {
    return HANDLERS.computeIfAbsent(
        function,
        name -> {
          // property names, not the environment's: an environment variable VMSAGA_FUNCTIONS_URL
          // binds
          // vmsaga.functions-url itself (relaxed binding), ahead of a system property of the same
          // name
          var settings =
              Map.of(
                  "MAIN_CLASS",
                  VmsagaFunctions.class.getName(),
                  "vmsaga.functions-url",
                  env("VMSAGA_URL"),
                  "spring.datasource.hikari.maximum-pool-size",
                  "2",
                  "spring.cloud.function.definition",
                  name);
          settings.forEach(System::setProperty);
          try {
            return new OneObjectInvoker();
          } finally {
            settings.keySet().forEach(System::clearProperty);
          }
        });
  }

  /**
   * The event API Gateway sends for the request: header names in lower case, the body as a JSON
   * string.
   */
  private static Map<String, Object> event(
      String function, Map<String, String> headers, String query, Object body) throws IOException {
    String json = body instanceof String s ? s : JSON.writeValueAsString(body);
    var sent =
        new TreeMap<String, String>(
            Map.of(
                "content-type",
                "application/json",
                "content-length",
                String.valueOf(json.length()),
                "host",
                "lambda.local",
                "user-agent",
                "vmsaga-test"));
    headers.forEach((name, value) -> sent.put(name.toLowerCase(Locale.ROOT), value));
    var queryParameters = new TreeMap<String, String>();
    for (String pair : query.isEmpty() ? new String[0] : query.split("&")) {
      queryParameters.put(
          pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
    }
    String route = "POST /" + function;
    var event = new LinkedHashMap<String, Object>();
    event.put("version", "2.0");
    event.put("routeKey", route);
    event.put("rawPath", "/" + function);
    event.put("rawQueryString", query);
    event.put("headers", sent);
    if (!queryParameters.isEmpty()) {
      event.put("queryStringParameters", queryParameters);
    }
    event.put(
        "requestContext",
        Map.of(
            "accountId",
            "123456789012",
            "apiId",
            "local",
            "domainName",
            "lambda.local",
            "http",
            Map.of(
                "method",
                "POST",
                "path",
                "/" + function,
                "protocol",
                "HTTP/1.1",
                "sourceIp",
                "127.0.0.1",
                "userAgent",
                "vmsaga-test"),
            "requestId",
            UUID.randomUUID().toString(),
            "routeKey",
            route,
            "stage",
            "$default",
            "timeEpoch",
            System.currentTimeMillis()));
    event.put("body", json);
    event.put("isBase64Encoded", false);
    return event;
  }
}
