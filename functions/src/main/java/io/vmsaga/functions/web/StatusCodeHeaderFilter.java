package io.vmsaga.functions.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The web adapter copies a returned message's headers onto the HTTP response but always answers 200;
 * this turns the {@link Replies#STATUS_HEADER} header into the response status instead. Loaded only in
 * a servlet web app, never on Lambda, where the AWS adapter reads the same header itself.
 */
@Component
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
public class StatusCodeHeaderFilter extends OncePerRequestFilter {

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        chain.doFilter(request, new HttpServletResponseWrapper(response) {
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

            private boolean applied(String name, String value) {
                if (!Replies.STATUS_HEADER.equalsIgnoreCase(name)) {
                    return false;
                }
                setStatus(Integer.parseInt(value.trim()));
                return true;
            }
        });
    }
}
