package io.vmsaga.agent.server;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The route table: method + path template → handling. Path parameters are validated here, by name,
 * so no route ever sees an id that does not have its shape.
 */
public final class Router {

  /** How a route consumes its request. */
  public sealed interface Handling permits Endpoint, Upload {}

  /** A route with a small JSON body (or none), answered once the body is complete. */
  @FunctionalInterface
  public non-sealed interface Endpoint extends Handling {
    Reply handle(Call call) throws Exception;
  }

  /**
   * A route whose body is streamed to a sink as it arrives; opened on the request head, before any
   * body byte.
   */
  @FunctionalInterface
  public non-sealed interface Upload extends Handling {
    Sink open(Call head) throws Exception;
  }

  public interface Sink {
    void write(ByteBuf content) throws Exception;

    Reply finish() throws Exception;

    /** Drops whatever was received; called when the request ends early or fails. */
    void abort();
  }

  public record Route(HttpMethod method, String template, Handling handling) {
    List<String> segments() {
      return List.of(template.substring(1).split("/"));
    }
  }

  public record Match(Route route, Call call) {}

  private static final Map<String, UnaryOperator<String>> PARAMS =
      Map.of(
          "pool", Ids::pool,
          "disk_id", v -> Ids.id("disk_id", v),
          "nic_id", v -> Ids.id("nic_id", v),
          "vm_id", v -> Ids.id("vm_id", v),
          "device_id", v -> Ids.id("device_id", v),
          "image_id", v -> Ids.id("image_id", v),
          "network_id", v -> Ids.id("network_id", v),
          "name", v -> Ids.ifname("name", v));

  private final List<Route> routes;

  public Router(List<Route> routes) {
    for (Route route : routes) {
      route.segments().stream()
          .filter(s -> s.startsWith("{"))
          .forEach(
              s -> {
                if (!PARAMS.containsKey(s.substring(1, s.length() - 1))) {
                  throw new IllegalArgumentException("no validator for " + s);
                }
              });
    }
    this.routes = List.copyOf(routes);
  }

  public List<Route> routes() {
    return routes;
  }

  /**
   * Finds the route for a request and validates its path parameters; the body is attached later.
   */
  public Match match(HttpMethod method, String uri, HttpHeaders headers) {
    QueryStringDecoder decoder = new QueryStringDecoder(uri);
    String rawPath = decoder.rawPath();
    String[] segments = rawPath.length() > 1 ? rawPath.substring(1).split("/", -1) : new String[0];
    for (Route route : routes) {
      if (!route.method().equals(method)) {
        continue;
      }
      Map<String, String> params = bind(route.segments(), segments);
      if (params != null) {
        return new Match(route, new Call(params, decoder.parameters(), headers, new byte[0]));
      }
    }
    throw ApiException.notFound("no such route");
  }

  private static Map<String, String> bind(List<String> template, String[] segments) {
    if (template.size() != segments.length) {
      return null;
    }
    Map<String, String> raw = new HashMap<>();
    for (int i = 0; i < segments.length; i++) {
      String t = template.get(i);
      if (t.startsWith("{")) {
        raw.put(t.substring(1, t.length() - 1), QueryStringDecoder.decodeComponent(segments[i]));
      } else if (!t.equals(segments[i])) {
        return null;
      }
    }
    Map<String, String> params = new HashMap<>();
    raw.forEach((name, value) -> params.put(name, PARAMS.get(name).apply(value)));
    return params;
  }
}
