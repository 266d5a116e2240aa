package io.vmsaga.functions.create;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.VmPlan;
import io.vmsaga.functions.core.VmStep;
import io.vmsaga.functions.dtm.BranchRef;
import io.vmsaga.functions.saga.BarrierMapper;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.saga.Pivots;
import io.vmsaga.functions.saga.SagaEnds;
import java.util.UUID;
import org.apache.ibatis.session.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mybatis.spring.SqlSessionFactoryBean;
import org.mybatis.spring.SqlSessionTemplate;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.messaging.Message;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * createDisk and deleteDisk as plain Java, in seconds: the real barrier in the stack's MariaDB
 * ({@code scripts/dev test} exports where it is), a WireMock agent. What a step does to the agent,
 * once, whatever DTM repeats, and what it answers DTM.
 */
class DiskStepsTest {
  static final String TOKEN = "branch-token-for-tests";
  static WireMockServer agent;
  static HikariDataSource db;
  static Branches branches;
  static CreateDisk createDisk;
  static DeleteDisk deleteDisk;

  final String gid = "unit-" + UUID.randomUUID();
  final VmPlan vm =
      new VmPlan(
          "vm-unit",
          "demo",
          "unit",
          "node-unit",
          1,
          1,
          128,
          128,
          0,
          VmPlan.diskFor("vm-unit", false, 1),
          VmPlan.nicFor("vm-unit", "default", "vmsaga0"));

  @BeforeAll
  static void wire() throws Exception {
    agent = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    agent.start();
    db = new HikariDataSource();
    db.setJdbcUrl(System.getenv("VMSAGA_DB_URL"));
    db.setUsername(System.getenv("VMSAGA_DB_USER"));
    db.setPassword(System.getenv("VMSAGA_DB_PASSWORD"));
    db.setMaximumPoolSize(2);
    var sessions = new SqlSessionFactoryBean();
    sessions.setDataSource(db);
    var configuration = new Configuration();
    configuration.addMapper(BarrierMapper.class);
    sessions.setConfiguration(configuration);
    var barrier = new SqlSessionTemplate(sessions.getObject()).getMapper(BarrierMapper.class);
    branches =
        new Branches(
            barrier,
            new StaticListableBeanFactory().getBeanProvider(Pivots.class),
            new TransactionTemplate(new DataSourceTransactionManager(db)),
            TOKEN,
            new SimpleMeterRegistry(),
            new SagaEnds());
  }

  /** Steps with agents of their own: a breaker one test opened does not refuse the next test. */
  @BeforeEach
  void steps() {
    var agents = new Agents(node -> agent.baseUrl(), "agent-token", new SimpleMeterRegistry());
    createDisk = new CreateDisk(branches, agents);
    deleteDisk = new DeleteDisk(branches, agents);
  }

  @AfterAll
  static void unwire() {
    agent.stop();
    db.close();
  }

  @AfterEach
  void forgetBarrier() {
    new JdbcTemplate(db).update("DELETE FROM dtm_barrier WHERE gid = ?", gid);
    agent.resetAll();
  }

  private Message<VmStep> call(String branchId) {
    return MessageBuilder.withPayload(new VmStep(new BranchRef(gid, branchId), vm))
        .setHeader(Branches.TOKEN_HEADER, TOKEN)
        .build();
  }

  private static void agentAnswersPut(int status, String body) {
    agent.stubFor(
        put(urlEqualTo("/v1/pools/local/disks/vm-unit-disk0"))
            .willReturn(
                aResponse()
                    .withStatus(status)
                    .withHeader("Content-Type", "application/json")
                    .withBody(body)));
  }

  private static final String DISK =
      "{\"pool\":\"local\",\"disk_id\":\"vm-unit-disk0\",\"size_mib\":1024,"
          + "\"actual_size_bytes\":196608,\"path\":\"/p\",\"in_use\":false}";

  @Test
  void createsTheDiskOnceWhateverDtmRepeats() {
    agentAnswersPut(201, DISK);

    assertThat(Branches.status(createDisk.apply(call("02")))).isEqualTo(200);
    assertThat(Branches.status(createDisk.apply(call("02")))).isEqualTo(200);

    agent.verify(
        1,
        putRequestedFor(urlEqualTo("/v1/pools/local/disks/vm-unit-disk0"))
            .withHeader("Authorization", equalTo("Bearer agent-token"))
            .withRequestBody(equalToJson("{\"size_mib\":1024}", true, true)));
  }

  @Test
  void aRefusalIsABusinessFailureAndLeavesNoBarrierRow() {
    agentAnswersPut(400, "{\"code\":\"invalid\",\"message\":\"size_mib out of range\"}");

    assertThat(Branches.status(createDisk.apply(call("02")))).isEqualTo(409);
    // the refused action left no row: DTM's compensation is then a null compensation
    assertThat(
            new JdbcTemplate(db)
                .queryForObject(
                    "SELECT COUNT(*) FROM dtm_barrier WHERE gid = ?", Integer.class, gid))
        .isZero();
  }

  @Test
  void anAgentThatCannotAnswerIsARetry() {
    agentAnswersPut(503, "{\"code\":\"unavailable\",\"message\":\"qemu-img busy\"}");

    // sent again inside the step until the breaker opened, then DTM's retry
    assertThat(Branches.status(createDisk.apply(call("02")))).isEqualTo(503);
    agent.verify(
        Agents.FAILURES_TO_OPEN,
        putRequestedFor(urlEqualTo("/v1/pools/local/disks/vm-unit-disk0")));
  }

  @Test
  void aCompensationBeforeItsActionLeavesNothingHanging() {
    agent.stubFor(
        delete(urlEqualTo("/v1/pools/local/disks/vm-unit-disk0"))
            .willReturn(aResponse().withStatus(204)));
    agentAnswersPut(201, DISK);

    assertThat(Branches.status(deleteDisk.apply(call("02")))).isEqualTo(200);
    assertThat(Branches.status(createDisk.apply(call("02")))).isEqualTo(200);

    agent.verify(1, deleteRequestedFor(urlEqualTo("/v1/pools/local/disks/vm-unit-disk0")));
    agent.verify(0, putRequestedFor(urlEqualTo("/v1/pools/local/disks/vm-unit-disk0")));
  }

  @Test
  void aCallWithoutTheBranchTokenDoesNothing() {
    agentAnswersPut(201, DISK);
    var unsigned = MessageBuilder.withPayload(new VmStep(new BranchRef(gid, "02"), vm)).build();

    assertThat(Branches.status(createDisk.apply(unsigned))).isEqualTo(401);
    agent.verify(0, putRequestedFor(urlEqualTo("/v1/pools/local/disks/vm-unit-disk0")));
  }
}
