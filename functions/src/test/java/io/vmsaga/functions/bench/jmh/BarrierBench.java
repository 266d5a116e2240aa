package io.vmsaga.functions.bench.jmh;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vmsaga.functions.core.VmPlan;
import io.vmsaga.functions.core.VmStep;
import io.vmsaga.functions.dtm.BranchRef;
import io.vmsaga.functions.saga.BarrierMapper;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.saga.Pivots;
import io.vmsaga.functions.saga.SagaEnds;
import io.vmsaga.functions.web.Replies;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.boot.logging.logback.StructuredLogEncoder;
import org.springframework.core.env.Environment;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.messaging.Message;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * JMH: the Java side of the sub-transaction barrier, what {@link Branches} does around every saga
 * step's effect — the branch token check, the payload checked against DTM's query parameters, the
 * MDC fields, the transaction template, the barrier insert(s), a trivial effect answering 200, the
 * log line and the {@code vmsaga.steps} timer. Everything but the database: the barrier is an
 * in-memory set with the {@code INSERT IGNORE} contract of {@link BarrierMapper} (1 for a new (gid,
 * branch id, op), 0 for a repeat), the transaction manager does nothing (the template's and {@link
 * AbstractPlatformTransactionManager}'s bookkeeping is measured, no connection), no pivots. So this
 * is the floor under every step's latency that the SQL round trips add to.
 *
 * <p>Each call is a createDisk branch (03) of createVm as Spring Cloud Function's HTTP adapter
 * delivers it: the {@link VmStep} DTM posts, DTM's request headers with the branch token, and
 * {@code http_request_param} with gid, branch_id, op and trans_type. {@code action} is a new branch
 * (a new gid each call, built in the call): its insert answers 1 and the effect runs. {@code
 * compensate} is a new branch's compensation: two inserts, the action's and its own, then the
 * effect. {@code duplicate} repeats one branch's action: its insert answers 0 and the effect is
 * skipped. {@code newCall} builds only the message, to subtract from {@code action} and {@code
 * compensate}. The barrier set is emptied every iteration, so a long run does not grow it without
 * bound.
 *
 * <p>{@code log}: {@code info} is production's level, the line encoded as production encodes it,
 * ECS JSON with the MDC fields (Spring Boot's {@link StructuredLogEncoder}), into a stream that
 * discards it: the console write is left out. {@code warn} turns the line off, to see the rest:
 * with it on, encoding the line costs several times everything else, as Spring Boot's JSON writer
 * hands it to the charset encoder one character at a time. Spring's own loggers are at WARN in both
 * (Logback's default configuration here would print the transaction manager's DEBUG lines). Run as
 * StepPayloadJsonBench is: {@code org.openjdk.jmh.Main BarrierBench} on the test classpath.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BarrierBench {
  private static final String TOKEN = "Hq8vTz3kW1mYc6pLr0sXb9fNd2gJ5aQe";
  private static final VmPlan VM =
      new VmPlan(
          "vm-46c0284c643ca890",
          "tenant-7f3a",
          "web-1",
          "node-1",
          2,
          4,
          1024,
          4096,
          4,
          VmPlan.diskFor("vm-46c0284c643ca890", true, 10),
          VmPlan.nicFor("vm-46c0284c643ca890", "default", "vmsaga0"),
          new VmPlan.Guest(
              "img-ubuntu-24.04",
              "web-1",
              List.of(
                  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG7n3hD0m4Xz9vQ2kLwP8sYc5rT1uJbE6aN demo"),
              "#cloud-config\npackages: [nginx]\n"));

  /** DTM's request headers, as Tomcat hands them over (the adapter copies them all). */
  private static final Map<String, Object> HTTP_HEADERS =
      Map.of(
          "host",
          "functions:8080",
          "user-agent",
          "go-resty/2.16.5 (https://github.com/go-resty/resty)",
          "content-type",
          "application/json",
          "content-length",
          "712",
          "accept-encoding",
          "gzip",
          Branches.TOKEN_HEADER,
          TOKEN);

  private static final CreateDisk CREATE_DISK = new CreateDisk();
  private static final DeleteDisk DELETE_DISK = new DeleteDisk();
  private static final Function<VmStep, Message<?>> EFFECT =
      step -> Replies.ok(Map.of("diskId", step.vm().disk().diskId()));

  private long gids;

  @Benchmark
  public Message<VmStep> newCall() {
    return call(nextGid(), "action");
  }

  @Benchmark
  public Message<?> action(Steps steps) {
    return steps.branches.action(CREATE_DISK, call(nextGid(), "action"), EFFECT);
  }

  @Benchmark
  public Message<?> duplicate(Steps steps) {
    return steps.branches.action(CREATE_DISK, steps.repeated, EFFECT);
  }

  @Benchmark
  public Message<?> compensate(Steps steps) {
    return steps.branches.compensate(DELETE_DISK, call(nextGid(), "compensate"), EFFECT);
  }

  /** A DTM gid is 22 characters; these are as long. */
  private String nextGid() {
    return "Xk3v9QmT2pLr" + (1_000_000_000L + gids++);
  }

  /** What Spring Cloud Function's HTTP adapter makes of DTM's POST to the branch. */
  private static Message<VmStep> call(String gid, String op) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("branch_id", "03");
    params.put("gid", gid);
    params.put("op", op);
    params.put("trans_type", "saga");
    return MessageBuilder.withPayload(
            new VmStep(new BranchRef(gid, "03", null, "createVm", null, null), VM))
        .setHeader("http_request_param", params)
        .copyHeaders(HTTP_HEADERS)
        .build();
  }

  /** The {@link Branches} under test, its barrier, and how it logs ({@code newCall} needs none). */
  @State(Scope.Thread)
  public static class Steps {
    @Param({"warn", "info"})
    public String log;

    final InMemoryBarrier barrier = new InMemoryBarrier();
    final Branches branches =
        new Branches(
            barrier,
            new StaticListableBeanFactory().getBeanProvider(Pivots.class),
            new TransactionTemplate(new NoTransactions()),
            TOKEN,
            new SimpleMeterRegistry(),
            new SagaEnds());
    Message<VmStep> repeated;

    @Setup
    public void logging() {
      synchronized (Steps.class) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.WARN);
        ch.qos.logback.classic.Logger branchesLog = context.getLogger(Branches.class);
        branchesLog.detachAndStopAllAppenders();
        branchesLog.setLevel(Level.WARN);
        if (log.equals("info")) {
          context.putObject(Environment.class.getName(), new StandardEnvironment());
          StructuredLogEncoder ecs = new StructuredLogEncoder();
          ecs.setContext(context);
          ecs.setFormat("ecs");
          ecs.start();
          OutputStreamAppender<ILoggingEvent> discard = new OutputStreamAppender<>();
          discard.setContext(context);
          discard.setEncoder(ecs);
          discard.setOutputStream(OutputStream.nullOutputStream());
          discard.start();
          branchesLog.addAppender(discard);
          branchesLog.setAdditive(false);
          branchesLog.setLevel(Level.INFO);
        }
      }
    }

    @Setup(org.openjdk.jmh.annotations.Level.Iteration)
    public void emptyBarrier() {
      barrier.rows.clear();
      repeated = call("Xk3v9QmT2pLr8sYw1ZbN4c", "action");
      branches.action(CREATE_DISK, repeated, EFFECT); // its row is there from now on
    }
  }

  /** {@code INSERT IGNORE} into {@code dtm_barrier}, in memory. */
  static final class InMemoryBarrier implements BarrierMapper {
    final Set<Row> rows = ConcurrentHashMap.newKeySet();

    @Override
    public int insert(String gid, String branchId, String op, String reason) {
      return rows.add(new Row(gid, branchId, op)) ? 1 : 0;
    }

    record Row(String gid, String branchId, String op) {}
  }

  /** A transaction manager with no resource: begin, commit and rollback do nothing. */
  static final class NoTransactions extends AbstractPlatformTransactionManager {
    @Override
    protected Object doGetTransaction() {
      return new Object();
    }

    @Override
    protected void doBegin(Object transaction, TransactionDefinition definition) {}

    @Override
    protected void doCommit(DefaultTransactionStatus status) {}

    @Override
    protected void doRollback(DefaultTransactionStatus status) {}
  }

  /** Stands in for the createDisk function: Branches names the step by its class. */
  static final class CreateDisk {}

  /** Stands in for the deleteDisk function. */
  static final class DeleteDisk {}
}
