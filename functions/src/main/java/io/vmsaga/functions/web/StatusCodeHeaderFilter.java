package io.vmsaga.functions.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.util.Locale;
import java.util.Set;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The web adapter copies a returned message's headers onto the HTTP response, and those include the
 * request's own headers (its Authorization among them), but it always answers 200. This turns the
 * {@link Replies#STATUS_HEADER} header into the response status and lets only plain HTTP framing
 * headers through. Loaded only in a servlet web app, never on Lambda, where the AWS adapter reads
 * the same header itself.
 */
@Component
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
public class StatusCodeHeaderFilter extends OncePerRequestFilter {
  private static final Set<String> SENT =
      Set.of("content-type", "content-length", "transfer-encoding", "date", "connection", "vary");

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    chain.doFilter(
        request,
        new HttpServletResponseWrapper(response) {
          /** The function's own status; Spring MVC sets its 200 again after writing the headers. */
          private Integer functionStatus;

          @Override
          public void setStatus(int status) {
            super.setStatus(functionStatus == null ? status : functionStatus);
          }

          @Override
          public void setHeader(String name, String value) {
            if (!applied(name, value)) {
              super.setHeader(name, value);
            }
          }

          @Override
          public void addHeader(String name, String value) {
            if (!applied(name, value)) {
              super.addHeader(name, value);
            }
          }

          /** True when the header was consumed here rather than sent. */
          private boolean applied(String name, String value) {
            if (Replies.STATUS_HEADER.equalsIgnoreCase(name)) {
              functionStatus = Integer.parseInt(value.trim());
              super.setStatus(functionStatus);
              return true;
            }
            return !SENT.contains(name.toLowerCase(Locale.ROOT));
          }
        });
  }
}
