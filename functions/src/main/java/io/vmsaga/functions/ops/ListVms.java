package io.vmsaga.functions.ops;

import io.vmsaga.functions.core.Tenants;
import io.vmsaga.functions.core.VmMapper;
import io.vmsaga.functions.web.Check;
import io.vmsaga.functions.web.Replies;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /listVms {limit?, cursor?, state?, nodeId?}}: the caller's VMs, oldest first, a page
 * at a time. {@code nextCursor} (null on the last page) names where the next page starts: a key
 * (creation time, id), so a page costs the same however deep it is and VMs made or deleted between
 * pages neither repeat nor shift the others.
 */
@Component("listVms")
public class ListVms implements Function<Message<ListVms.Request>, Message<?>> {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 500;
  static final Set<String> STATES =
      Set.of("creating", "running", "paused", "stopped", "migrating", "deleting", "failed", "lost");

  /** All optional; an empty body is the first page of every VM of the caller. */
  public record Request(Integer limit, String cursor, String state, String nodeId) {}

  public record Page(List<VmMapper.VmRow> vms, String nextCursor) {}

  /** Where a page starts: after this VM in (created_at, id) order. */
  record Cursor(String createdAt, String vmId) {
    private static final Pattern CREATED_AT =
        Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}");

    String encode() {
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString((createdAt + "|" + vmId).getBytes(StandardCharsets.UTF_8));
    }

    /** Null for anything this function did not hand out. */
    static Cursor decode(String text) {
      try {
        String[] parts =
            new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8).split("\\|");
        return parts.length == 2
                && CREATED_AT.matcher(parts[0]).matches()
                && Check.ID.matcher(parts[1]).matches()
            ? new Cursor(parts[0], parts[1])
            : null;
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
  }

  private final Tenants tenants;
  private final VmMapper vms;

  public ListVms(Tenants tenants, VmMapper vms) {
    this.tenants = tenants;
    this.vms = vms;
  }

  @Override
  public Message<?> apply(Message<Request> message) {
    return tenants.serve(
        message,
        Request.class,
        (caller, r) -> {
          var check =
              new Check()
                  .matches(r.nodeId(), Check.ID, "nodeId", false)
                  .require(
                      r.state() == null || STATES.contains(r.state()), "state: one of " + STATES)
                  .require(r.cursor() == null || r.cursor().length() <= 200, "cursor: too long");
          if (r.limit() != null) {
            check.range(r.limit(), 1, MAX_LIMIT, "limit");
          }
          Cursor after = r.cursor() == null ? null : Cursor.decode(r.cursor());
          check.require(r.cursor() == null || after != null, "cursor: not one listVms gave");
          if (check.failed()) {
            return check.reply();
          }
          int limit = r.limit() == null ? DEFAULT_LIMIT : r.limit();
          // one row more than the page says whether another page follows
          var rows =
              vms.page(
                  caller.id(),
                  r.state(),
                  r.nodeId(),
                  after == null ? null : after.createdAt(),
                  after == null ? null : after.vmId(),
                  limit + 1);
          if (rows.size() <= limit) {
            return Replies.ok(new Page(rows, null));
          }
          String lastId = rows.get(limit - 1).id();
          return Replies.ok(
              new Page(
                  rows.subList(0, limit), new Cursor(vms.createdAtOf(lastId), lastId).encode()));
        });
  }
}
