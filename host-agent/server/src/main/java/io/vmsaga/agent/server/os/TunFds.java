package io.vmsaga.agent.server.os;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The {@code /dev/net/tun} files another process (QEMU) holds, and what {@code ip} cannot do with
 * them: attach one to a tap again. Deleting a tap detaches every file from it (the kernel's
 * tun_detach_all) but the files stay open in QEMU, attached to nothing; TUNSETIFF on such a file
 * makes a tap of the given name again (or takes an existing one that no file holds). The agent
 * works on a duplicate of QEMU's descriptor taken with pidfd_getfd(2) (Linux 5.6, root), so neither
 * QEMU nor the guest notices. What the kernel keeps on the device rather than on the file (the
 * virtio-net header size, the offloads, persistence) went with the old tap and is set again. Calls
 * go to glibc (2.36 has the pidfd wrappers) through the FFM API.
 */
public final class TunFds {
  // <linux/if_tun.h>, x86_64 encodings of _IOW/_IOR('T', nr, int)
  private static final long TUNSETIFF = 0x400454caL;
  private static final long TUNSETPERSIST = 0x400454cbL;
  private static final long TUNSETOFFLOAD = 0x400454d0L;
  private static final long TUNGETIFF = 0x800454d2L;
  private static final long TUNGETVNETHDRSZ = 0x800454d7L;
  private static final long TUNSETVNETHDRSZ = 0x400454d8L;
  private static final long TUNSETIFINDEX = 0x400454daL;

  public static final int IFF_TAP = 0x0002;
  public static final int IFF_NO_PI = 0x1000;
  public static final int IFF_ONE_QUEUE = 0x2000;
  public static final int IFF_VNET_HDR = 0x4000;

  public static final int TUN_F_CSUM = 0x01;
  public static final int TUN_F_TSO4 = 0x02;
  public static final int TUN_F_TSO6 = 0x04;
  public static final int TUN_F_TSO_ECN = 0x08;
  public static final int TUN_F_UFO = 0x10;

  /** struct ifreq: the name (16 bytes with its NUL), then the flags as a short; 40 bytes in all. */
  private static final int IFREQ_BYTES = 40;

  private static final int IFREQ_FLAGS_OFFSET = 16;
  private static final int IFNAMSIZ = 16;

  private TunFds() {}

  /** A failed system call: which, and the errno it set. */
  public static final class TunException extends RuntimeException {
    private final int errno;

    TunException(String call, int errno) {
      super(call + ": " + strerror(errno) + " (errno " + errno + ")");
      this.errno = errno;
    }

    public int errno() {
      return errno;
    }
  }

  /** What a tap file is attached to and how (for checking a repair against the original). */
  public record TapFile(String tap, int flags, int vnetHdrBytes) {}

  /**
   * The {@code /dev/net/tun} descriptors of a process and the interface each is attached to, by
   * descriptor number: the {@code iff:} line of its fdinfo, empty when it is attached to none (its
   * tap was deleted). Empty when the process is gone.
   */
  public static Map<Integer, String> list(long pid) {
    Path proc = Path.of("/proc", Long.toString(pid));
    Map<Integer, String> fds = new TreeMap<>();
    List<Path> entries;
    try (Stream<Path> listing = Files.list(proc.resolve("fd"))) {
      entries = listing.toList();
    } catch (IOException e) {
      return fds;
    }
    for (Path fd : entries) {
      try {
        if (!Files.readSymbolicLink(fd).toString().equals("/dev/net/tun")) {
          continue;
        }
        Files.readAllLines(proc.resolve("fdinfo").resolve(fd.getFileName())).stream()
            .filter(l -> l.startsWith("iff:"))
            .findFirst()
            .ifPresent(
                l ->
                    fds.put(Integer.parseInt(fd.getFileName().toString()), l.substring(4).strip()));
      } catch (IOException e) {
        // closed while we looked: not one of its files any more
      }
    }
    return fds;
  }

  /**
   * Attaches descriptor {@code fd} of process {@code pid}, a tun file attached to nothing, to the
   * tap {@code tap} (made when missing) with {@code flags} as its opener asked for them, then gives
   * the tap the header size and offloads its opener had set ({@code TUN_F_*}; a kernel that refuses
   * UFO gets the others, as QEMU does it) and makes it persistent like a tap of {@code ip tuntap
   * add}, so it outlives the process.
   */
  public static void attach(
      long pid, int fd, String tap, int flags, int vnetHdrBytes, int offloadFlags) {
    if (tap.isEmpty() || tap.length() >= IFNAMSIZ) {
      throw new IllegalArgumentException("a tap name has 1.." + (IFNAMSIZ - 1) + " bytes");
    }
    try (Arena arena = Arena.ofConfined();
        Duplicate dup = Duplicate.of(pid, fd, arena)) {
      MemorySegment number = arena.allocate(JAVA_INT);
      // A detached single-queue file's ifindex field reads 0 (its queue index): say it anyway, so
      // the new tap gets a free ifindex whatever the file last was.
      number.set(JAVA_INT, 0, 0);
      dup.ioctl("TUNSETIFINDEX", TUNSETIFINDEX, number);
      MemorySegment ifreq = arena.allocate(IFREQ_BYTES);
      ifreq.setString(0, tap);
      ifreq.set(JAVA_SHORT, IFREQ_FLAGS_OFFSET, (short) flags);
      dup.ioctl("TUNSETIFF", TUNSETIFF, ifreq);
      number.set(JAVA_INT, 0, vnetHdrBytes);
      dup.ioctl("TUNSETVNETHDRSZ", TUNSETVNETHDRSZ, number);
      try {
        dup.ioctl("TUNSETOFFLOAD", TUNSETOFFLOAD, offloadFlags);
      } catch (TunException e) {
        if ((offloadFlags & TUN_F_UFO) == 0) {
          throw e;
        }
        dup.ioctl("TUNSETOFFLOAD", TUNSETOFFLOAD, offloadFlags & ~TUN_F_UFO);
      }
      dup.ioctl("TUNSETPERSIST", TUNSETPERSIST, 1);
    }
  }

  /** What descriptor {@code fd} of process {@code pid} is attached to, with its flags. */
  public static TapFile describe(long pid, int fd) {
    try (Arena arena = Arena.ofConfined();
        Duplicate dup = Duplicate.of(pid, fd, arena)) {
      MemorySegment ifreq = arena.allocate(IFREQ_BYTES);
      dup.ioctl("TUNGETIFF", TUNGETIFF, ifreq);
      MemorySegment number = arena.allocate(JAVA_INT);
      dup.ioctl("TUNGETVNETHDRSZ", TUNGETVNETHDRSZ, number);
      return new TapFile(
          ifreq.getString(0),
          Short.toUnsignedInt(ifreq.get(JAVA_SHORT, IFREQ_FLAGS_OFFSET)),
          number.get(JAVA_INT, 0));
    }
  }

  /** Our copy of another process's descriptor (and the pidfd it came through), closed after use. */
  private record Duplicate(int pidfd, int fd, MemorySegment callState) implements AutoCloseable {
    static Duplicate of(long pid, int targetFd, Arena arena) {
      MemorySegment state = arena.allocate(Libc.CALL_STATE);
      int pidfd =
          check(
              "pidfd_open",
              invoke(() -> (int) Libc.PIDFD_OPEN.invokeExact(state, (int) pid, 0)),
              state);
      try {
        int fd =
            check(
                "pidfd_getfd",
                invoke(() -> (int) Libc.PIDFD_GETFD.invokeExact(state, pidfd, targetFd, 0)),
                state);
        return new Duplicate(pidfd, fd, state);
      } catch (RuntimeException e) {
        closeQuietly(pidfd);
        throw e;
      }
    }

    void ioctl(String name, long request, MemorySegment argument) {
      check(
          name,
          invoke(() -> (int) Libc.IOCTL_POINTER.invokeExact(callState, fd, request, argument)),
          callState);
    }

    void ioctl(String name, long request, long argument) {
      check(
          name,
          invoke(() -> (int) Libc.IOCTL_NUMBER.invokeExact(callState, fd, request, argument)),
          callState);
    }

    @Override
    public void close() {
      closeQuietly(fd);
      closeQuietly(pidfd);
    }
  }

  /**
   * The glibc functions, bound on first use: listing descriptors needs none of them, so a host
   * whose libc lacks one still reports tap states.
   */
  private static final class Libc {
    static final Linker LINKER = Linker.nativeLinker();
    static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    static final VarHandle ERRNO =
        CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    static final Linker.Option KEEP_ERRNO = Linker.Option.captureCallState("errno");

    static final MethodHandle PIDFD_OPEN =
        bind("pidfd_open", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), KEEP_ERRNO);
    static final MethodHandle PIDFD_GETFD =
        bind(
            "pidfd_getfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            KEEP_ERRNO);

    /**
     * ioctl is variadic: its third argument is a pointer for some requests, a number for others.
     */
    static final MethodHandle IOCTL_POINTER =
        bind(
            "ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            KEEP_ERRNO,
            Linker.Option.firstVariadicArg(2));

    static final MethodHandle IOCTL_NUMBER =
        bind(
            "ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG),
            KEEP_ERRNO,
            Linker.Option.firstVariadicArg(2));

    static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    static final MethodHandle STRERROR = bind("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private Libc() {}

    private static MethodHandle bind(
        String name, FunctionDescriptor descriptor, Linker.Option... options) {
      return LINKER.downcallHandle(
          LINKER
              .defaultLookup()
              .find(name)
              .orElseThrow(() -> new IllegalStateException("libc has no " + name)),
          descriptor,
          options);
    }
  }

  @FunctionalInterface
  private interface Call {
    int run() throws Throwable;
  }

  private static int invoke(Call call) {
    try {
      return call.run();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  private static int check(String call, int result, MemorySegment state) {
    if (result < 0) {
      throw new TunException(call, (int) Libc.ERRNO.get(state, 0L));
    }
    return result;
  }

  private static void closeQuietly(int fd) {
    invoke(() -> (int) Libc.CLOSE.invokeExact(fd));
  }

  private static String strerror(int errno) {
    MemorySegment text;
    try {
      text = (MemorySegment) Libc.STRERROR.invokeExact(errno);
    } catch (Throwable e) {
      return "error";
    }
    return text.reinterpret(256).getString(0);
  }
}
