package io.vmsaga.functions.core;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.ibatis.annotations.Delete;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Select;
import org.springframework.stereotype.Component;

/**
 * Guest addresses from a network's CIDR, one per (network, VM), held in the {@code address} table
 * whose primary key keeps two VMs from ever sharing one. Idempotent: a VM asking again gets the
 * address it holds.
 */
@Component
public class Addresses {
  private final AddressMapper rows;

  public Addresses(AddressMapper rows) {
    this.rows = rows;
  }

  /** The VM's address on the network (allocated now if it holds none), with its prefix length. */
  public Optional<String> allocate(NetworkMapper.Network network, String vmId) {
    if (network.cidr() == null) {
      return Optional.empty();
    }
    String held = rows.of(network.id(), vmId);
    if (held != null) {
      return Optional.of(held + "/" + Ipv4.prefix(network.cidr()));
    }
    Set<String> taken = new HashSet<>(rows.taken(network.id()));
    for (String candidate : (Iterable<String>) Ipv4.hosts(network.cidr())::iterator) {
      if (candidate.equals(network.gateway()) || taken.contains(candidate)) {
        continue;
      }
      // a racing create may take it between the read and this insert: then the next one
      if (rows.insert(network.id(), candidate, vmId) == 1) {
        return Optional.of(candidate + "/" + Ipv4.prefix(network.cidr()));
      }
    }
    throw new NoAddress(network.id());
  }

  public void free(String networkId, String vmId) {
    rows.delete(networkId, vmId);
  }

  /** The network has no free address left: a business failure of the step that asked. */
  public static final class NoAddress extends RuntimeException {
    public NoAddress(String networkId) {
      super("network " + networkId + " has no free address");
    }
  }

  /** Dotted-quad arithmetic on IPv4 CIDRs. */
  public static final class Ipv4 {
    private Ipv4() {}

    public static int prefix(String cidr) {
      return Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1));
    }

    /**
     * Every host address of the CIDR in order, the network and broadcast addresses left out; made
     * as they are taken, so a large network costs no list of all of them.
     */
    public static Stream<String> hosts(String cidr) {
      long base = parse(cidr.substring(0, cidr.indexOf('/')));
      long size = 1L << (32 - prefix(cidr));
      long network = base & ~(size - 1) & 0xffffffffL;
      return LongStream.range(network + 1, network + size - 1).mapToObj(Ipv4::format);
    }

    public static long parse(String address) {
      long value = 0;
      for (String part : address.split("\\.")) {
        value = value << 8 | Integer.parseInt(part);
      }
      return value;
    }

    public static String format(long value) {
      return (value >> 24 & 255)
          + "."
          + (value >> 16 & 255)
          + "."
          + (value >> 8 & 255)
          + "."
          + (value & 255);
    }
  }

  @Mapper
  public interface AddressMapper {
    @Select("SELECT address FROM address WHERE network_id = #{networkId} AND vm_id = #{vmId}")
    String of(String networkId, String vmId);

    @Select("SELECT address FROM address WHERE network_id = #{networkId}")
    List<String> taken(String networkId);

    @Insert(
        "INSERT IGNORE INTO address (network_id, address, vm_id) VALUES (#{networkId}, #{address}, #{vmId})")
    int insert(String networkId, String address, String vmId);

    @Delete("DELETE FROM address WHERE network_id = #{networkId} AND vm_id = #{vmId}")
    void delete(String networkId, String vmId);
  }
}
