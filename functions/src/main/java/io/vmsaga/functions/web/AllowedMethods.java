package io.vmsaga.functions.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.Supplier;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * POST calls a function, GET a Supplier (health), a step DTM calls without a payload, or a document
 * (/openapi.json): the two methods template.yaml routes on Lambda. The web adapter would answer
 * DELETE and HEAD with a 500, a POST to a Supplier too, and run a function on PUT: those are 405
 * {@code method_not_allowed} here, before anything runs.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
public class AllowedMethods extends OncePerRequestFilter {
  private final Set<String> suppliers;

  public AllowedMethods(ListableBeanFactory beans) {
    this.suppliers = Set.of(beans.getBeanNamesForType(Supplier.class));
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String method = request.getMethod();
    boolean supplier = suppliers.contains(request.getRequestURI().replaceFirst("^/", ""));
    String allowed = supplier ? "GET" : "GET, POST";
    if (method.equals("GET") || (method.equals("POST") && !supplier)) {
      chain.doFilter(request, response);
      return;
    }
    response.setStatus(405);
    response.setHeader("Allow", allowed);
    response.setContentType("application/json");
    response
        .getOutputStream()
        .write(
            ("{\"code\":\"method_not_allowed\",\"message\":\"" + allowed + " only\"}")
                .getBytes(StandardCharsets.UTF_8));
  }
}
