package io.vmsaga.agent.server.disk;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vmsaga.agent.api.AgentJson;
import io.vmsaga.agent.api.DiskInfo;
import io.vmsaga.agent.api.DiskSpec;
import io.vmsaga.agent.server.ApiException;
import io.vmsaga.agent.server.Ids;
import io.vmsaga.agent.server.KeyedLocks;
import io.vmsaga.agent.server.Outcome;
import io.vmsaga.agent.server.Reply;
import io.vmsaga.agent.server.Router;
import io.vmsaga.agent.server.os.Exec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** qcow2 disks in the pools: create, inspect, grow, delete, and stream them between agents. */
public final class DiskService {
  public static final String SHA256_HEADER = "X-Content-Sha256";
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Duration QEMU_IMG_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration FLATTEN_TIMEOUT = Duration.ofHours(1);
  private static final long MIB = 1L << 20;

  /** qcow2 metadata on top of the virtual size that an imported file may legitimately carry. */
  private static final long IMPORT_SLACK_BYTES = 256 * MIB;

  private static final ObjectMapper JSON = AgentJson.lenient();

  private final Pools pools;
  private final DiskUsers users;
  private final KeyedLocks locks = new KeyedLocks();

  public DiskService(Pools pools, DiskUsers users) {
    this.pools = pools;
    this.users = users;
  }

  /**
   * Creates a disk, empty or (with {@code image_id}) as a qcow2 overlay on the image: in the shared
   * pool the imported image itself, in the local pool the node's cached copy. The same size and
   * image again is success, anything else a conflict.
   */
  public Outcome<DiskInfo> put(String pool, String diskId, DiskSpec spec) {
    long sizeMib = sizeMib(spec);
    String imageId = spec.imageId() == null ? null : Ids.id("image_id", spec.imageId());
    return locks.with(
        pool,
        () -> {
          Path file = pools.disk(pool, diskId);
          if (Files.exists(file)) {
            DiskInfo existing = info(pool, diskId);
            if (existing.sizeMib() != sizeMib) {
              throw ApiException.conflict("disk exists with a different size");
            }
            if (!Objects.equals(existing.backingImageId(), imageId)) {
              throw ApiException.conflict("disk exists with a different image");
            }
            return Outcome.existing(existing);
          }
          List<String> backing = List.of();
          if (imageId != null) {
            Path image = backingImage(pool, imageId);
            if (sizeMib * MIB < imageSize(image)) {
              throw ApiException.of(
                  HttpResponseStatus.BAD_REQUEST,
                  "disk_too_small",
                  "size_mib is below the image's virtual size");
            }
            backing = List.of("-F", "qcow2", "-b", image.toString());
          }
          requireCapacity(pool, sizeMib * MIB);
          Path temp = tempFile(pool, diskId);
          try {
            List<String> argv = new ArrayList<>(List.of("qemu-img", "create", "-q", "-f", "qcow2"));
            argv.addAll(backing);
            argv.addAll(List.of(temp.toString(), sizeMib + "M"));
            Exec.run(QEMU_IMG_TIMEOUT, argv);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            // what was just made needs no qemu-img info (a second process): the size is the one
            // asked for, and a new qcow2 is metadata only, written whole, so its length is what
            // it occupies
            return Outcome.created(
                new DiskInfo(
                    pool,
                    diskId,
                    sizeMib,
                    Files.size(file),
                    file.toString(),
                    users.inUse(pool, diskId),
                    imageId));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          } finally {
            deleteQuietly(temp);
          }
        });
  }

  /**
   * The backing file of a disk made from an image: shared disks use the imported image, local disks
   * the node's cached copy, so the backing file always lies inside the agent's pools.
   */
  private Path backingImage(String pool, String imageId) {
    Path image = pool.equals("shared") ? pools.image(imageId) : pools.cachedImage(imageId);
    if (!Files.exists(image)) {
      throw pool.equals("shared")
          ? ApiException.conflict("image is not imported (or not yet active)")
          : ApiException.of(
              HttpResponseStatus.CONFLICT,
              "image_not_cached",
              "image is not cached in the local pool; PUT /v1/pools/local/images/{image_id}");
    }
    return image;
  }

  private static long imageSize(Path image) {
    try {
      return Qcow2.read(image).virtualSize();
    } catch (IOException e) {
      throw ApiException.conflict("image is not a readable qcow2");
    }
  }

  public DiskInfo get(String pool, String diskId) {
    requireExists(pool, diskId);
    return info(pool, diskId);
  }

  /** What HEAD answers: whether the disk is there, without GET's {@code qemu-img info}. */
  public void requireExists(String pool, String diskId) {
    if (!Files.exists(pools.disk(pool, diskId))) {
      throw ApiException.notFound("no such disk");
    }
  }

  /** Grows a disk, online through QMP when a running VM uses it; shrinking is refused. */
  public DiskInfo resize(String pool, String diskId, DiskSpec spec) {
    long sizeMib = sizeMib(spec);
    return locks.with(
        pool,
        () -> {
          DiskInfo current = get(pool, diskId);
          if (sizeMib < current.sizeMib()) {
            throw ApiException.invalid("disks only grow");
          }
          if (sizeMib == current.sizeMib()) {
            return current;
          }
          requireCapacity(pool, (sizeMib - current.sizeMib()) * MIB);
          if (!users.resizeOnline(pool, diskId, sizeMib * MIB)) {
            Exec.run(
                QEMU_IMG_TIMEOUT,
                List.of(
                    "qemu-img",
                    "resize",
                    "-q",
                    "-f",
                    "qcow2",
                    pools.disk(pool, diskId).toString(),
                    sizeMib + "M"));
          }
          return info(pool, diskId);
        });
  }

  public void delete(String pool, String diskId) {
    locks.run(
        pool,
        () -> {
          if (users.inUse(pool, diskId)) {
            throw ApiException.conflict("disk is in use by a running VM");
          }
          try {
            Files.deleteIfExists(pools.disk(pool, diskId));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  /**
   * The disk file for streaming, with its sha256 computed first so the receiver can verify it. A
   * disk backed by an image is flattened first ({@code qemu-img convert} to a standalone qcow2 in a
   * temp file, deleted once it is open for sending): the receiver gets a self-contained disk.
   */
  public Reply export(String pool, String diskId) {
    Path file = pools.disk(pool, diskId);
    if (!Files.exists(file)) {
      throw ApiException.notFound("no such disk");
    }
    if (users.inUse(pool, diskId)) {
      throw ApiException.conflict("disk is in use by a running VM; stop it before copying");
    }
    if (pools.backingFile(file).isEmpty()) {
      return Reply.file(file, Map.of(SHA256_HEADER, sha256(file)));
    }
    Path flat = pools.dir(pool).resolve("." + diskId + ".export." + UUID.randomUUID() + ".part");
    try {
      Exec.run(
          FLATTEN_TIMEOUT,
          List.of(
              "qemu-img",
              "convert",
              "-q",
              "-f",
              "qcow2",
              "-O",
              "qcow2",
              file.toString(),
              flat.toString()));
      return Reply.temporaryFile(flat, Map.of(SHA256_HEADER, sha256(flat)));
    } catch (RuntimeException e) {
      deleteQuietly(flat);
      throw e;
    }
  }

  /**
   * Opens an import: the body goes to a hidden temp file while its sha256 is computed; only a
   * verified, self-contained qcow2 within the pool's capacity is renamed into place.
   */
  public Router.Sink beginImport(String pool, String diskId, String expectedSha256) {
    if (expectedSha256 == null || !SHA256.matcher(expectedSha256).matches()) {
      throw ApiException.invalid(SHA256_HEADER + " must be 64 lowercase hex digits");
    }
    Path file = pools.disk(pool, diskId);
    if (Files.exists(file)) {
      if (!sha256(file).equals(expectedSha256)) {
        throw ApiException.conflict("disk exists with different content");
      }
      return new Discard(info(pool, diskId));
    }
    return new Import(pool, diskId, expectedSha256);
  }

  private final class Import implements Router.Sink {
    private final String pool;
    private final String diskId;
    private final String expected;
    private final Path temp;
    private final FileChannel channel;
    private final MessageDigest digest = newSha256();
    private long received;

    Import(String pool, String diskId, String expected) {
      this.pool = pool;
      this.diskId = diskId;
      this.expected = expected;
      this.temp = tempFile(pool, diskId);
      try {
        this.channel =
            FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void write(ByteBuf content) throws IOException {
      received += content.readableBytes();
      if (received > pools.capacityBytes() + IMPORT_SLACK_BYTES) {
        throw ApiException.tooLarge("disk content exceeds the pool capacity");
      }
      digest.update(content.nioBuffer());
      while (content.isReadable()) {
        content.readBytes(channel, content.readableBytes());
      }
    }

    @Override
    public Reply finish() throws IOException {
      try {
        channel.force(true);
        channel.close();
        if (!HexFormat.of().formatHex(digest.digest()).equals(expected)) {
          throw ApiException.invalid("sha256 mismatch; nothing kept");
        }
        Qcow2.Header header = readHeader(temp);
        if (!header.selfContained()) {
          throw ApiException.invalid("qcow2 with a backing or external data file is refused");
        }
        return locks.with(
            pool,
            () -> {
              Path file = pools.disk(pool, diskId);
              if (Files.exists(file)) {
                throw ApiException.conflict("disk appeared meanwhile");
              }
              requireCapacity(pool, header.virtualSize());
              try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
              return Reply.of(Outcome.created(info(pool, diskId)));
            });
      } finally {
        abort();
      }
    }

    @Override
    public void abort() {
      try {
        channel.close();
      } catch (IOException e) {
        // closing a file we only wrote: nothing left to save
      }
      deleteQuietly(temp);
    }
  }

  /**
   * Import of content the pool already has: the body is read and dropped, the answer is the
   * existing disk.
   */
  private record Discard(DiskInfo existing) implements Router.Sink {
    @Override
    public void write(ByteBuf content) {
      content.skipBytes(content.readableBytes());
    }

    @Override
    public Reply finish() {
      return Reply.of(Outcome.existing(existing));
    }

    @Override
    public void abort() {}
  }

  private DiskInfo info(String pool, String diskId) {
    Path file = pools.disk(pool, diskId);
    JsonNode info;
    try {
      info =
          JSON.readTree(
              Exec.run(
                  QEMU_IMG_TIMEOUT,
                  List.of("qemu-img", "info", "-U", "--output=json", file.toString())));
    } catch (JacksonException e) {
      throw ApiException.internal("qemu-img info answered malformed JSON");
    }
    return new DiskInfo(
        pool,
        diskId,
        info.path("virtual-size").asLong() / MIB,
        info.path("actual-size").asLong(),
        file.toString(),
        users.inUse(pool, diskId),
        pools.backingFile(file).flatMap(pools::imageIdOf).orElse(null));
  }

  private long sizeMib(DiskSpec spec) {
    return Ids.bounded("size_mib", spec.sizeMib(), 1, pools.capacityBytes() / MIB);
  }

  private void requireCapacity(String pool, long extraBytes) {
    if (pools.usedBytes(pool) + extraBytes > pools.capacityBytes()) {
      throw ApiException.tooLarge("pool capacity exceeded");
    }
  }

  private Path tempFile(String pool, String diskId) {
    return pools.dir(pool).resolve("." + diskId + ".qcow2." + UUID.randomUUID() + ".part");
  }

  private static Qcow2.Header readHeader(Path file) {
    try {
      return Qcow2.read(file);
    } catch (IOException e) {
      throw ApiException.invalid("content is not a qcow2 image");
    }
  }

  private static String sha256(Path file) {
    MessageDigest digest = newSha256();
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a leftover hidden temp file is not a disk: the pool listing ignores it
    }
  }
}
