package io.vmsaga.functions.core;

import io.vmsaga.functions.core.CapacityMapper.NodeCapacity;
import io.vmsaga.functions.core.CapacityMapper.Reservation;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Where a new VM goes, decided and claimed in one transaction: the active nodes' rows locked, the
 * node chosen counting every claim made so far (sagas in flight included), and a {@code placing}
 * reservation holding the node's share before the saga is even submitted. So a burst of creates
 * never picks a node that the creates before it already filled; the saga's reserveResources adds
 * the tenant's share to the same row. A claim whose saga never starts expires (the reaper).
 */
@Component
public class Placement {
  /** As long as a create's hold: a claim outlives no saga that could still use it. */
  static final long HOLD_SECONDS = 600;

  private final CapacityMapper capacity;
  private final TransactionTemplate transaction;

  public Placement(CapacityMapper capacity, TransactionTemplate transaction) {
    this.capacity = capacity;
    this.transaction = transaction;
  }

  /** What a VM asks of its node. */
  public record Claim(
      String gid, String vmId, String tenantId, String nodeId, int vcpus, int memoryMib) {}

  /**
   * The node the VM is placed on (the one asked for, or the active one with the most free memory
   * that fits), claimed; empty when none has room. Claiming the same gid again answers the node of
   * its claim.
   */
  public Optional<String> place(Claim claim) {
    return Optional.ofNullable(
        transaction.execute(
            tx -> {
              var nodes = capacity.lockActiveNodes();
              var held =
                  capacity.lockReservationsOf(claim.vmId()).stream()
                      .filter(r -> r.id().equals(claim.gid()))
                      .findFirst();
              if (held.isPresent()) {
                return held.get().nodeId();
              }
              var node =
                  nodes.stream()
                      .filter(n -> claim.nodeId() == null || n.id().equals(claim.nodeId()))
                      .filter(n -> n.fits(claim.vcpus(), claim.memoryMib()))
                      .max(ROOMIEST)
                      .orElse(null);
              if (node == null) {
                return null;
              }
              capacity.hold(
                  new Reservation(
                      claim.gid(),
                      claim.vmId(),
                      claim.tenantId(),
                      node.id(),
                      claim.vcpus(),
                      claim.memoryMib(),
                      0,
                      "placing"),
                  claim.gid(),
                  HOLD_SECONDS);
              capacity.moveNodeCommitment(node.id(), claim.vcpus(), claim.memoryMib());
              return node.id();
            }));
  }

  /** What is on its way to a node and not yet in its counters (moves just sent there). */
  public record Incoming(int vcpus, int memoryMib) {
    public static final Incoming NONE = new Incoming(0, 0);

    public Incoming plus(Incoming other) {
      return new Incoming(vcpus + other.vcpus, memoryMib + other.memoryMib);
    }
  }

  /**
   * Where a VM of this size goes when it leaves {@code fromNodeId} (a drain, an evacuation): the
   * active node that is up, among {@code allowed} (any when empty), with the most free memory that
   * still fits it once what is {@code incoming} to each node is counted. Empty when none has room.
   * Not claimed: the move's own saga reserves its target.
   */
  public Optional<NodeCapacity> moveTarget(
      String fromNodeId,
      List<String> allowed,
      int vcpus,
      int memoryMib,
      Map<String, Incoming> incoming) {
    return capacity.nodes().stream()
        .filter(n -> !n.id().equals(fromNodeId) && "up".equals(n.health()))
        .filter(n -> allowed.isEmpty() || allowed.contains(n.id()))
        .filter(
            n -> {
              var extra = incoming.getOrDefault(n.id(), Incoming.NONE);
              return n.fits(vcpus + extra.vcpus(), memoryMib + extra.memoryMib());
            })
        .max(ROOMIEST);
  }

  /** The most free memory first, then the greatest id: every placement's order. */
  private static final Comparator<NodeCapacity> ROOMIEST =
      Comparator.comparingDouble(NodeCapacity::freeMemoryMib).thenComparing(NodeCapacity::id);

  /** Gives back a claim whose saga was never submitted. */
  public void release(Claim claim) {
    transaction.executeWithoutResult(
        tx ->
            capacity.release(
                claim.vmId(), r -> r.id().equals(claim.gid()) && r.state().equals("placing")));
  }
}
