package io.vmsaga.agent.server.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Reads the qcow2 header directly: the virtual size of every disk in a pool is needed for the
 * capacity check, and a header read is far cheaper than a {@code qemu-img info} per file.
 */
final class Qcow2 {
  private static final int MAGIC = 0x514649fb;

  /** Incompatible feature bit 2: guest data lives in an external file the header names. */
  private static final long EXTERNAL_DATA_FILE = 1L << 2;

  record Header(int version, long virtualSize, long backingFileOffset, long incompatibleFeatures) {
    /** A disk that reads nothing outside itself: no backing file, no external data file. */
    boolean selfContained() {
      return backingFileOffset == 0 && (incompatibleFeatures & EXTERNAL_DATA_FILE) == 0;
    }
  }

  private Qcow2() {}

  /**
   * The backing file name the header records, if any (at most 1023 bytes, as QEMU allows), read
   * without opening it.
   */
  static Optional<String> backingFile(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer header = ByteBuffer.allocate(20);
      channel.read(header, 0);
      if (header.position() < 20 || header.getInt(0) != MAGIC) {
        throw new IOException("not a qcow2 image");
      }
      long offset = header.getLong(8);
      int size = header.getInt(16);
      if (offset == 0 || size <= 0 || size > 1023) {
        return Optional.empty();
      }
      ByteBuffer name = ByteBuffer.allocate(size);
      while (name.hasRemaining() && channel.read(name, offset + name.position()) > 0) {
        // keep reading: a short read is legal
      }
      return Optional.of(new String(name.array(), 0, name.position(), StandardCharsets.UTF_8));
    }
  }

  static Header read(Path file) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(80);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      while (header.hasRemaining() && channel.read(header) > 0) {
        // keep reading: a short read is legal
      }
    }
    header.flip();
    if (header.remaining() < 72 || header.getInt(0) != MAGIC) {
      throw new IOException("not a qcow2 image");
    }
    int version = header.getInt(4);
    long incompatible = version >= 3 && header.remaining() >= 80 ? header.getLong(72) : 0;
    return new Header(version, header.getLong(24), header.getLong(8), incompatible);
  }
}
