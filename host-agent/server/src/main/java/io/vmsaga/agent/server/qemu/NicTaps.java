package io.vmsaga.agent.server.qemu;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.vmsaga.agent.api.VmNic;
import io.vmsaga.agent.api.VmNicInfo;
import io.vmsaga.agent.server.ApiException;
import io.vmsaga.agent.server.net.Links;
import io.vmsaga.agent.server.os.AtomicFiles;
import io.vmsaga.agent.server.os.TunFds;
import io.vmsaga.agent.server.qmp.Qmp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The taps under a running VM's NICs as the kernel has them: which of QEMU's {@code /dev/net/tun}
 * files is attached to which tap, each NIC's {@code tap_state}, and attaching a file again after
 * its tap was deleted ({@link TunFds}).
 *
 * <p>Which detached file was which NIC's: a deleted tap leaves nothing on the file that names it
 * (fdinfo's {@code iff:} is empty) and QEMU reports no descriptor per netdev. So the agent notes
 * {@code fd → tap} while the files are attached, in {@code <run-dir>/<vm_id>.taps} for that QEMU's
 * pid, at every {@link #look} (after a start, an adoption, a plug, and at every GET of the NICs and
 * repair). QEMU keeps a netdev's descriptor for the netdev's life and a number is only reused after
 * a close, so a file still open and detached that was seen attached to tap T is T's; a closed one
 * drops out of the note at the next look, a reused number is seen attached at its plug. A file
 * never seen attached (its tap deleted before any look, say while the agent was down) is matched
 * only when it is the one such file and one live NIC alone has no file.
 */
final class NicTaps {
  /** One tun file of QEMU: attached to {@code tap}, or detached and last seen on it (or null). */
  record TapFd(int fd, String tap, boolean attached) {}

  /**
   * What QEMU 7.2's tap_open asks for on every tap it opens by name (tap-linux.c): no packet info,
   * one queue (when the kernel knows the flag), virtio-net headers (when it supports them).
   */
  static final int QEMU_TAP_FLAGS =
      TunFds.IFF_TAP | TunFds.IFF_NO_PI | TunFds.IFF_ONE_QUEUE | TunFds.IFF_VNET_HDR;

  private NicTaps() {}

  /** QEMU's tun files, with what is known of each; the note is rewritten when it learnt a file. */
  static List<TapFd> look(VmStore store, String vmId, long pid) {
    Map<Integer, String> noted = read(store.tapFds(vmId), pid);
    Map<Integer, String> note = new TreeMap<>();
    List<TapFd> fds = new ArrayList<>();
    TunFds.list(pid)
        .forEach(
            (fd, iff) -> {
              boolean attached = !iff.isEmpty();
              String tap = attached ? iff : noted.get(fd);
              if (tap != null) {
                note.put(fd, tap);
              }
              fds.add(new TapFd(fd, tap, attached));
            });
    if (!note.equals(noted)) {
      write(store.tapFds(vmId), pid, note);
    }
    return fds;
  }

  /**
   * A live NIC's tap as {@link VmNicInfo#tapState()} says it; {@code bridge} is the one the agent
   * recorded for the tap (none: not checked).
   */
  static String state(VmNic nic, List<TapFd> fds, Optional<String> bridge) {
    String tap = nic.tap();
    if (!Links.exists(tap)) {
      return VmNicInfo.TAP_MISSING;
    }
    if (fds.stream().noneMatch(f -> f.attached() && tap.equals(f.tap()))) {
      return VmNicInfo.TAP_DETACHED;
    }
    if (bridge.isPresent() && !Links.master(tap).equals(bridge)) {
      return VmNicInfo.TAP_WRONG_BRIDGE;
    }
    return Links.isUp(tap) ? VmNicInfo.TAP_OK : VmNicInfo.TAP_DOWN;
  }

  /**
   * The detached file that was {@code nic}'s ({@code live}: the NICs QEMU has): the one noted for
   * its tap, else the one file nobody's when {@code nic} is the one live NIC without a file. 409
   * {@code tap_fd_ambiguous} when several could be, {@code not_repairable} when none is left.
   */
  static int detachedFd(VmNic nic, List<VmNic> live, List<TapFd> fds) {
    List<TapFd> noted =
        fds.stream().filter(f -> !f.attached() && nic.tap().equals(f.tap())).toList();
    if (noted.size() == 1) {
      return noted.get(0).fd();
    }
    Set<String> liveTaps = live.stream().map(VmNic::tap).collect(Collectors.toSet());
    List<TapFd> unknown =
        fds.stream()
            .filter(f -> !f.attached() && (f.tap() == null || !liveTaps.contains(f.tap())))
            .toList();
    List<VmNic> withoutFile =
        live.stream().filter(n -> fds.stream().noneMatch(f -> n.tap().equals(f.tap()))).toList();
    if (noted.isEmpty()
        && unknown.size() == 1
        && withoutFile.size() == 1
        && withoutFile.get(0).equals(nic)) {
      return unknown.get(0).fd();
    }
    if (noted.isEmpty() && unknown.isEmpty()) {
      throw notRepairable("QEMU holds no detached tap file that could be this NIC's");
    }
    throw ApiException.of(
        HttpResponseStatus.CONFLICT,
        "tap_fd_ambiguous",
        "QEMU holds "
            + unknown.size()
            + " detached tap files the agent never saw attached and "
            + withoutFile.size()
            + " NICs without a file: which is this NIC's is not known");
  }

  /**
   * Attaches QEMU's detached file {@code fd} to the NIC's tap again (made when missing) with what
   * QEMU's virtio-net had set on the old tap, as the guest driver's features imply it.
   */
  static void reattach(VmProcess process, VmNic nic, int fd) {
    Set<String> features =
        process
            .call(
                Qmp.virtioStatus(
                    "/machine/peripheral/"
                        + QemuCommandLine.nicDeviceId(nic.slot())
                        + "/virtio-backend"))
            .guestFeatures()
            .names();
    try {
      TunFds.attach(
          process.pid, fd, nic.tap(), QEMU_TAP_FLAGS, vnetHdrBytes(features), offloads(features));
    } catch (TunFds.TunException e) {
      throw notRepairable("cannot attach QEMU's tap file again: " + e.getMessage());
    }
  }

  /**
   * The virtio-net header QEMU 7.2 has the tap prepend (virtio_net_set_mrg_rx_bufs): 12 bytes for a
   * virtio 1 driver or mergeable receive buffers, 20 with hash reports, else 10 (also before any
   * driver took the device: QEMU sets the size again whenever a driver sets features).
   */
  static int vnetHdrBytes(Set<String> guestFeatures) {
    if (guestFeatures.contains("VIRTIO_F_VERSION_1")) {
      return guestFeatures.contains("VIRTIO_NET_F_HASH_REPORT") ? 20 : 12;
    }
    return guestFeatures.contains("VIRTIO_NET_F_MRG_RXBUF") ? 12 : 10;
  }

  /**
   * The offloads QEMU 7.2 gives the tap (tap_fd_set_offload from virtio_net_apply_guest_offloads):
   * those the guest driver accepted to receive, none without checksum offload. A driver that
   * switched some off later through the control queue (rare: XDP) gets them back here.
   */
  static int offloads(Set<String> guestFeatures) {
    if (!guestFeatures.contains("VIRTIO_NET_F_GUEST_CSUM")) {
      return 0;
    }
    boolean tso4 = guestFeatures.contains("VIRTIO_NET_F_GUEST_TSO4");
    boolean tso6 = guestFeatures.contains("VIRTIO_NET_F_GUEST_TSO6");
    boolean ecn = guestFeatures.contains("VIRTIO_NET_F_GUEST_ECN");
    int offloads = TunFds.TUN_F_CSUM;
    offloads |= tso4 ? TunFds.TUN_F_TSO4 : 0;
    offloads |= tso6 ? TunFds.TUN_F_TSO6 : 0;
    offloads |= (tso4 || tso6) && ecn ? TunFds.TUN_F_TSO_ECN : 0;
    offloads |= guestFeatures.contains("VIRTIO_NET_F_GUEST_UFO") ? TunFds.TUN_F_UFO : 0;
    return offloads;
  }

  private static ApiException notRepairable(String message) {
    return ApiException.of(HttpResponseStatus.CONFLICT, "not_repairable", message);
  }

  /** The note of {@code pid}'s files: {@code pid N}, then {@code fd tap} per line. */
  private static Map<Integer, String> read(Path file, long pid) {
    Map<Integer, String> noted = new TreeMap<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      return noted;
    }
    if (lines.isEmpty() || !lines.get(0).equals("pid " + pid)) {
      return noted;
    }
    for (String line : lines.subList(1, lines.size())) {
      String[] fields = line.split(" ");
      if (fields.length == 2 && fields[0].matches("[0-9]{1,9}")) {
        noted.put(Integer.parseInt(fields[0]), fields[1]);
      }
    }
    return noted;
  }

  private static void write(Path file, long pid, Map<Integer, String> note) {
    StringBuilder text = new StringBuilder("pid " + pid + "\n");
    note.forEach((fd, tap) -> text.append(fd).append(' ').append(tap).append('\n'));
    try {
      AtomicFiles.write(file, text.toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
