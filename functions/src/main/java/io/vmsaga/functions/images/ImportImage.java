package io.vmsaga.functions.images;

import io.vmsaga.functions.core.CapacityMapper;
import io.vmsaga.functions.core.ImageMapper;
import io.vmsaga.functions.core.Sagas;
import io.vmsaga.functions.core.Sha256;
import io.vmsaga.functions.core.Tenants;
import io.vmsaga.functions.web.Check;
import io.vmsaga.functions.web.Replies;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /importImage} {@code {name, url, sha256?, osType?, maxSizeMib?, awaitResult?}}
 * (administrators): submits the importImage saga. The id derives from the name, so importing the
 * same name again answers the image there is (an import of another URL under it: 409 {@code
 * exists}). Only http(s) URLs; the agent checks the rest (checksum, format, backing files, size).
 */
@Component("importImage")
public class ImportImage implements Function<Message<ImportImage.Request>, Message<?>> {
  /** Large images over slow links: DTM gives up, and rolls back, after this. */
  static final Duration TIMEOUT_TO_FAIL = Duration.ofMinutes(30);

  static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  static final Pattern OS_TYPE = Pattern.compile("[a-z0-9._-]{1,32}");
  private static final Logger log = LoggerFactory.getLogger(ImportImage.class);

  public record Request(
      String name,
      String url,
      String sha256,
      String osType,
      Integer maxSizeMib,
      boolean awaitResult) {}

  /** The import's saga and where the image stands ({@code state}: importing, active, failed). */
  public record Response(String imageId, String gid, String status, String state, String dtmUrl) {}

  private final Tenants tenants;
  private final ImageMapper images;
  private final CapacityMapper capacity;
  private final Sagas sagas;

  public ImportImage(Tenants tenants, ImageMapper images, CapacityMapper capacity, Sagas sagas) {
    this.tenants = tenants;
    this.images = images;
    this.capacity = capacity;
    this.sagas = sagas;
  }

  @Override
  public Message<?> apply(Message<Request> message) {
    return tenants.serve(
        message,
        Request.class,
        (caller, request) -> caller.isAdmin() ? importImage(request) : Replies.forbidden());
  }

  /** An http(s) URL with a host and no credentials in it; anything else is not fetched. */
  static boolean fetchable(String url) {
    if (url == null || url.length() > 1024) {
      return false;
    }
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      return (scheme.equals("http") || scheme.equals("https"))
          && uri.getHost() != null
          && uri.getUserInfo() == null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private Message<?> importImage(Request r) {
    var check =
        new Check()
            .matches(r.name(), Check.NAME, "name", true)
            .matches(r.sha256(), SHA256, "sha256", false)
            .matches(r.osType(), OS_TYPE, "osType", false);
    if (r.maxSizeMib() != null) {
      check.range(r.maxSizeMib(), 1, 1 << 20, "maxSizeMib");
    }
    if (check.failed()) {
      return check.reply();
    }
    if (!fetchable(r.url())) {
      return Replies.status(
          400, new Replies.Error("invalid_url", "url must be http or https, with a host"));
    }
    var existing = images.named(r.name());
    if (existing != null) {
      if (!existing.url().equals(r.url())) {
        return Replies.conflict("exists", "an image of this name comes from another url");
      }
      return existing.ownerGid() == null
          ? Replies.ok(ImageView.of(existing))
          : answer(r, existing.id(), existing.ownerGid());
    }
    String storeNode =
        capacity.nodes().stream()
            .filter(n -> n.status().equals("active"))
            .map(n -> n.id())
            .findFirst()
            .orElse(null);
    if (storeNode == null) {
      return Replies.unavailable("no active node to import through");
    }
    String imageId = "img-" + Sha256.hex(r.name()).substring(0, 16);
    String gid = sagas.newGid();
    var plan =
        new ImagePlan(
            imageId,
            r.name(),
            r.url(),
            r.sha256(),
            r.osType(),
            r.maxSizeMib() == null ? null : r.maxSizeMib().longValue(),
            storeNode);
    sagas.submit(ImportImageSaga.of(gid, plan, TIMEOUT_TO_FAIL));
    log.info("importImage {} ({}) submitted as saga {}", imageId, r.name(), gid);
    return answer(r, imageId, gid);
  }

  private Message<?> answer(Request r, String imageId, String gid) {
    String status = sagas.status(gid, r.awaitResult());
    var row = images.find(imageId);
    var response =
        new Response(
            imageId, gid, status, row == null ? "failed" : row.state(), sagas.adminUrl(gid));
    // the agent's reason (a stable code such as checksum_mismatch or unsafe_image), as DTM kept it
    return Sagas.reply(
        status,
        response,
        () ->
            sagas.failed(
                gid,
                new Replies.Error(
                    "import_failed", "the import failed and was rolled back; see dtmUrl"),
                "image",
                response));
  }
}
