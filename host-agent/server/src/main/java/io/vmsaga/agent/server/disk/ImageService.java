package io.vmsaga.agent.server.disk;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.vmsaga.agent.api.AgentJson;
import io.vmsaga.agent.api.CachedImageInfo;
import io.vmsaga.agent.api.ErrorBody;
import io.vmsaga.agent.api.ImageInfo;
import io.vmsaga.agent.api.ImageSpec;
import io.vmsaga.agent.server.ApiException;
import io.vmsaga.agent.server.Ids;
import io.vmsaga.agent.server.KeyedLocks;
import io.vmsaga.agent.server.Outcome;
import io.vmsaga.agent.server.Reply;
import io.vmsaga.agent.server.os.AtomicFiles;
import io.vmsaga.agent.server.os.Exec;
import io.vmsaga.agent.server.os.ExecException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The image pool: imports from http(s) URLs (in the background, pollable), the node's cached copies
 * in the local pool, and the rule that an image backing a disk is not deleted.
 *
 * <p>An image is {@code <id>.qcow2} plus {@code <id>.json} (url, sha256, source format) in the
 * image pool; it is active once the qcow2 is there, renamed into place after every check. Imports
 * under way or failed live in this agent's memory only: after a restart a failed import is simply
 * absent, and a PUT starts it again.
 */
public final class ImageService implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ImageService.class.getName());
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern IMAGE_FILE = Pattern.compile("([a-z0-9][a-z0-9-]{0,62})\\.qcow2");
  private static final long MIB = 1L << 20;
  static final long DEFAULT_MAX_SIZE_MIB = 8192;
  private static final long MAX_SIZE_MIB = 1L << 20;
  private static final int MAX_URL_LENGTH = 2048;
  private static final int MAX_REDIRECTS = 5;
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration HEADERS_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration DOWNLOAD_TIMEOUT = Duration.ofHours(1);
  private static final Duration QEMU_IMG_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration CONVERT_TIMEOUT = Duration.ofHours(1);
  private static final ObjectMapper JSON = AgentJson.lenient();

  /** What the image pool keeps beside each image. */
  record Meta(String url, String sha256, String sourceFormat) {}

  /** An import under way or failed, in memory. */
  private static final class Job {
    final URI url;
    final String expectedSha256;
    final long maxBytes;
    volatile ErrorBody error;

    Job(URI url, String expectedSha256, long maxBytes) {
      this.url = url;
      this.expectedSha256 = expectedSha256;
      this.maxBytes = maxBytes;
    }
  }

  private final Pools pools;
  private final KeyedLocks locks = new KeyedLocks();
  private final Map<String, Job> jobs = new ConcurrentHashMap<>();
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();

  /**
   * Built by the first import: building an HttpClient loads TLS and the CA certificates (some 1,100
   * classes; 8-10 MB of the agent's RSS), which an agent that never imports an image does not need.
   */
  private HttpClient http;

  public ImageService(Pools pools) {
    this.pools = pools;
  }

  // --- imported images ---

  /**
   * Starts an import (202 {@code importing}); the same URL again while it runs is 202 again, and
   * once active 200. Another URL (or sha256) for an existing image is a conflict; a failed import
   * is started over.
   */
  public Reply put(String imageId, ImageSpec spec) {
    URI url = url(spec.url());
    String sha256 = spec.sha256();
    if (sha256 != null && !SHA256.matcher(sha256).matches()) {
      throw ApiException.invalid("sha256 must be 64 lowercase hex digits");
    }
    long maxBytes =
        Ids.bounded(
                "max_size_mib",
                spec.maxSizeMib() == null ? DEFAULT_MAX_SIZE_MIB : spec.maxSizeMib(),
                1,
                MAX_SIZE_MIB)
            * MIB;
    return locks.with(
        imageId,
        () -> {
          Optional<Meta> meta = meta(imageId);
          if (meta.isPresent() && Files.exists(pools.image(imageId))) {
            if (!meta.get().url().equals(url.toString())
                || (sha256 != null && !sha256.equals(meta.get().sha256()))) {
              throw ApiException.conflict("image exists with another url or sha256");
            }
            return Reply.ok(active(imageId, meta.get()));
          }
          Job running = jobs.get(imageId);
          if (running != null && running.error == null) {
            if (!running.url.equals(url)) {
              throw ApiException.conflict("image is being imported from another url");
            }
            return Reply.accepted(pending(imageId, running));
          }
          Job job = new Job(url, sha256, maxBytes);
          jobs.put(imageId, job);
          workers.execute(() -> importImage(imageId, job));
          return Reply.accepted(pending(imageId, job));
        });
  }

  public ImageInfo get(String imageId) {
    Optional<Meta> meta = meta(imageId);
    if (meta.isPresent() && Files.exists(pools.image(imageId))) {
      return active(imageId, meta.get());
    }
    Job job = jobs.get(imageId);
    if (job == null) {
      throw ApiException.notFound("no such image");
    }
    return pending(imageId, job);
  }

  /** Active images of the pool, then imports under way or failed. */
  public List<ImageInfo> list() {
    List<ImageInfo> all = new ArrayList<>();
    for (String id : ids(pools.imageDir())) {
      if (!jobs.containsKey(id)) {
        meta(id).ifPresent(m -> all.add(active(id, m)));
      }
    }
    jobs.forEach((id, job) -> all.add(pending(id, job)));
    return all;
  }

  /** Deletes an image; 409 {@code in_use} while a disk of this agent's pools is backed by it. */
  public void delete(String imageId) {
    locks.run(
        imageId,
        () -> {
          Job job = jobs.get(imageId);
          if (job != null && job.error == null) {
            throw ApiException.conflict("image import under way");
          }
          jobs.remove(imageId);
          Path image = pools.image(imageId);
          List<String> users = pools.disksBackedBy(image);
          if (!users.isEmpty()) {
            throw ApiException.inUse("image backs disk " + users.get(0));
          }
          try {
            Files.deleteIfExists(image);
            Files.deleteIfExists(metaFile(pools.imageDir(), imageId));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  private void importImage(String imageId, Job job) {
    Path dir = pools.imageDir();
    String tag = "." + imageId + "." + UUID.randomUUID();
    Path download = dir.resolve(tag + ".download.part");
    Path converted = dir.resolve(tag + ".qcow2.part");
    long started = System.nanoTime();
    try {
      Files.createDirectories(dir);
      String sha256 = download(job, download);
      if (job.expectedSha256 != null && !job.expectedSha256.equals(sha256)) {
        throw ApiException.of(
            HttpResponseStatus.CONFLICT, "checksum_mismatch", "sha256 mismatch; nothing kept");
      }
      String sourceFormat;
      Path result;
      if (isQcow2(download)) {
        requireSelfContained(download);
        sourceFormat = "qcow2";
        result = download;
      } else {
        String probed = info(download, null).path("format").asString("");
        if (!probed.equals("raw")) {
          throw ApiException.invalid("only qcow2 or raw images are imported");
        }
        Exec.run(
            CONVERT_TIMEOUT,
            List.of(
                "qemu-img",
                "convert",
                "-q",
                "-f",
                "raw",
                "-O",
                "qcow2",
                download.toString(),
                converted.toString()));
        sourceFormat = "raw";
        result = converted;
      }
      Meta meta = new Meta(job.url.toString(), sha256, sourceFormat);
      locks.run(
          imageId,
          () -> {
            try {
              AtomicFiles.write(metaFile(dir, imageId), JSON.writeValueAsBytes(meta));
              Files.move(result, pools.image(imageId), StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
            jobs.remove(imageId, job);
          });
      LOG.info(
          "image "
              + imageId
              + " imported in "
              + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)
              + " ms");
    } catch (ApiException e) {
      job.error = new ErrorBody(e.code(), e.getMessage());
    } catch (ExecException e) {
      job.error = new ErrorBody("invalid", "qemu-img refused the image: " + e.getMessage());
    } catch (IOException | UncheckedIOException e) {
      job.error = new ErrorBody("unavailable", "download failed: " + e.getClass().getSimpleName());
    } catch (RuntimeException e) {
      LOG.warning("image import failed: " + e);
      job.error = new ErrorBody("internal", "image import failed");
    } finally {
      deleteQuietly(download);
      deleteQuietly(converted);
    }
  }

  /**
   * Streams the URL into {@code target} with its sha256, following at most five redirects, each to
   * http or https again; the size bound holds for a declared length and for the bytes that come.
   */
  private String download(Job job, Path target) throws IOException {
    URI uri = job.url;
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      HttpRequest request = HttpRequest.newBuilder(uri).timeout(HEADERS_TIMEOUT).GET().build();
      HttpResponse<InputStream> response;
      try {
        response = http().send(request, HttpResponse.BodyHandlers.ofInputStream());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      }
      int status = response.statusCode();
      try (InputStream in = response.body()) {
        if (status / 100 == 3) {
          Optional<String> location = response.headers().firstValue("Location");
          if (location.isEmpty()) {
            throw ApiException.unavailable("redirect without a location");
          }
          uri = url(uri.resolve(location.get()).toString());
          continue;
        }
        if (status != 200) {
          throw ApiException.unavailable("the image URL answered HTTP " + status);
        }
        long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (declared > job.maxBytes) {
          throw tooLarge(job);
        }
        // A body that stalls is cut off at the deadline: closing the stream ends the read.
        CompletableFuture.delayedExecutor(DOWNLOAD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
            .execute(() -> closeQuietly(in));
        return copy(in, target, job);
      }
    }
    throw ApiException.unavailable("too many redirects");
  }

  private static String copy(InputStream in, Path target, Job job) throws IOException {
    MessageDigest digest = newSha256();
    byte[] buffer = new byte[1 << 16];
    long total = 0;
    try (OutputStream out = Files.newOutputStream(target)) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        total += n;
        if (total > job.maxBytes) {
          throw tooLarge(job);
        }
        digest.update(buffer, 0, n);
        out.write(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static ApiException tooLarge(Job job) {
    return ApiException.of(
        HttpResponseStatus.BAD_REQUEST,
        "too_large",
        "image exceeds max_size_mib " + job.maxBytes / MIB);
  }

  /** No backing file, no external data file: by the header first, then by qemu-img itself. */
  private static void requireSelfContained(Path file) throws IOException {
    if (!Qcow2.read(file).selfContained()) {
      throw unsafe();
    }
    JsonNode info = info(file, "qcow2");
    if (info.has("backing-filename")
        || info.has("full-backing-filename")
        || info.path("format-specific").path("data").has("data-file")) {
      throw unsafe();
    }
  }

  private static ApiException unsafe() {
    return ApiException.of(
        HttpResponseStatus.CONFLICT,
        "unsafe_image",
        "images with a backing file or an external data file are refused");
  }

  private static boolean isQcow2(Path file) {
    try {
      Qcow2.read(file);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static JsonNode info(Path file, String format) {
    List<String> argv = new ArrayList<>(List.of("qemu-img", "info", "-U", "--output=json"));
    if (format != null) {
      argv.addAll(List.of("-f", format));
    }
    argv.add(file.toString());
    try {
      return JSON.readTree(Exec.run(QEMU_IMG_TIMEOUT, argv));
    } catch (JacksonException e) {
      throw ApiException.internal("qemu-img info answered malformed JSON");
    }
  }

  /** An http or https URL with a host; anything else is refused before any connection. */
  static URI url(String value) {
    if (value == null) {
      throw ApiException.invalid("url is required");
    }
    if (value.length() > MAX_URL_LENGTH) {
      throw ApiException.invalid("url is too long");
    }
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw ApiException.invalid("url does not parse");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw ApiException.invalid("url must be http or https");
    }
    if (uri.getHost() == null || uri.getRawUserInfo() != null) {
      throw ApiException.invalid("url must name a host (and no credentials)");
    }
    return uri;
  }

  private ImageInfo active(String imageId, Meta meta) {
    Path file = pools.image(imageId);
    JsonNode info = info(file, "qcow2");
    return new ImageInfo(
        imageId,
        ImageInfo.ACTIVE,
        meta.url(),
        "qcow2",
        info.path("virtual-size").asLong() / MIB,
        info.path("actual-size").asLong(),
        meta.sha256(),
        file.toString(),
        null);
  }

  private static ImageInfo pending(String imageId, Job job) {
    ErrorBody error = job.error;
    return new ImageInfo(
        imageId,
        error == null ? ImageInfo.IMPORTING : ImageInfo.FAILED,
        job.url.toString(),
        null,
        null,
        null,
        null,
        null,
        error);
  }

  private Optional<Meta> meta(String imageId) {
    return readMeta(metaFile(pools.imageDir(), imageId));
  }

  private static Optional<Meta> readMeta(Path file) {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(file.toFile(), Meta.class));
    } catch (JacksonException e) {
      return Optional.empty();
    }
  }

  private static Path metaFile(Path dir, String imageId) {
    return dir.resolve(imageId + ".json");
  }

  private static List<String> ids(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(f -> IMAGE_FILE.matcher(f.getFileName().toString()))
          .filter(Matcher::matches)
          .map(m -> m.group(1))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // --- cached copies in the local pool ---

  /**
   * Copies an active image into the local pool, once: concurrent calls for one image wait for the
   * first, which copies to a temp file and renames it; the others find the copy (200).
   */
  public Outcome<CachedImageInfo> putCached(String imageId) {
    return locks.with(
        "cache:" + imageId,
        () -> {
          Path cached = pools.cachedImage(imageId);
          Optional<Meta> source = meta(imageId).filter(m -> Files.exists(pools.image(imageId)));
          if (Files.exists(cached)) {
            Optional<Meta> copy = readMeta(metaFile(pools.cacheDir(), imageId));
            if (source.isPresent()
                && !copy.map(c -> c.sha256().equals(source.get().sha256())).orElse(false)) {
              throw ApiException.conflict("cached copy differs from the image; delete it first");
            }
            return Outcome.existing(cachedInfo(imageId));
          }
          if (source.isEmpty()) {
            throw ApiException.notFound("no such active image");
          }
          Path temp = pools.cacheDir().resolve("." + imageId + "." + UUID.randomUUID() + ".part");
          try {
            Files.createDirectories(pools.cacheDir());
            Files.copy(pools.image(imageId), temp);
            AtomicFiles.write(
                metaFile(pools.cacheDir(), imageId), JSON.writeValueAsBytes(source.get()));
            Files.move(temp, cached, StandardCopyOption.ATOMIC_MOVE);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          } finally {
            deleteQuietly(temp);
          }
          return Outcome.created(cachedInfo(imageId));
        });
  }

  public CachedImageInfo getCached(String imageId) {
    if (!Files.exists(pools.cachedImage(imageId))) {
      throw ApiException.notFound("no such cached image");
    }
    return cachedInfo(imageId);
  }

  /** The cached copies of this node. */
  public List<CachedImageInfo> cached() {
    return ids(pools.cacheDir()).stream().map(this::cachedInfo).toList();
  }

  /** Deletes a cached copy; 409 {@code in_use} while a local disk is backed by it. */
  public void deleteCached(String imageId) {
    locks.run(
        "cache:" + imageId,
        () -> {
          Path cached = pools.cachedImage(imageId);
          List<String> users = pools.disksBackedBy(cached);
          if (!users.isEmpty()) {
            throw ApiException.inUse("cached image backs disk " + users.get(0));
          }
          try {
            Files.deleteIfExists(cached);
            Files.deleteIfExists(metaFile(pools.cacheDir(), imageId));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  private CachedImageInfo cachedInfo(String imageId) {
    Path file = pools.cachedImage(imageId);
    JsonNode info = info(file, "qcow2");
    return new CachedImageInfo(
        "local",
        imageId,
        info.path("virtual-size").asLong() / MIB,
        info.path("actual-size").asLong(),
        readMeta(metaFile(pools.cacheDir(), imageId)).map(Meta::sha256).orElse(null),
        file.toString(),
        !pools.disksBackedBy(file).isEmpty());
  }

  private synchronized HttpClient http() {
    if (http == null) {
      http =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .followRedirects(HttpClient.Redirect.NEVER)
              .connectTimeout(CONNECT_TIMEOUT)
              .build();
    }
    return http;
  }

  @Override
  public synchronized void close() {
    workers.shutdownNow();
    if (http != null) {
      http.close();
    }
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException e) {
      // already closed: the download ended first
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a hidden .part file is no image: listings ignore it
    }
  }
}
