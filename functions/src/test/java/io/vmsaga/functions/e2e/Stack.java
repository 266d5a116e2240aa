package io.vmsaga.functions.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmsaga.agent.client.AgentClient;
import io.vmsaga.functions.core.VmPlan;
import io.vmsaga.functions.dtm.DtmClient;
import io.vmsaga.functions.dtm.Transaction;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The running vmsaga stack (`scripts/dev up`; `scripts/dev test` exports its env), as the
 * end-to-end tests see it: its HTTP triggers, its database, its agents, DTM, and the machine's
 * processes and links.
 */
public final class Stack {
  public static final ObjectMapper JSON = new ObjectMapper();
  public static final List<String> NODES = List.of("node-1", "node-2");
  public static final String BRIDGE = "vmsaga0";

  public static final DtmClient DTM = new DtmClient(DtmClient.servers(env("DTM_URLS")), JSON);

  private Stack() {}

  /** Runs a command of this machine; fails the test unless it exits 0. Answers its output. */
  public static String run(String... argv) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor()).as(String.join(" ", argv) + ": " + output).isZero();
    return output;
  }

  /** What the functions app's Prometheus endpoint reports now. */
  public static String metrics() {
    try (var http = HttpClient.newHttpClient()) {
      return http.send(
              HttpRequest.newBuilder(URI.create(env("VMSAGA_URL") + "/actuator/prometheus"))
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException | InterruptedException e) {
      throw new AssertionError("no metrics", e);
    }
  }

  public static String env(String name) {
    String value = System.getenv(name);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          name
              + " is not set: run the tests with `scripts/dev test` "
              + "(or `scripts/dev up` and `source .vmsaga/env` first)");
    }
    return value;
  }

  /** A function's answer; header names in lower case. */
  public record Reply(int status, JsonNode body, Map<String, String> headers) {
    public String text(String field) {
      return body.path(field).asText(null);
    }
  }

  public static Reply call(String function, String token, Object body) {
    return call(function, bearer(token), "", body);
  }

  /**
   * A tenant's Authorization header and the fault injection's headers (VMSAGA_FAULT_INJECTION): the
   * saga the trigger submits gets these faults and, when given, this timeout in seconds.
   */
  public static Map<String, String> withFaults(
      String token, Map<String, String> faults, Integer timeoutToFailSeconds) {
    var headers = new java.util.HashMap<>(bearer(token));
    try {
      headers.put("X-Vmsaga-Faults", JSON.writeValueAsString(faults));
    } catch (tools.jackson.core.JacksonException e) {
      throw new IllegalArgumentException(e);
    }
    if (timeoutToFailSeconds != null) {
      headers.put("X-Vmsaga-Timeout-To-Fail", timeoutToFailSeconds.toString());
    }
    return headers;
  }

  /** The Authorization header of a tenant's token; none for a null token. */
  public static Map<String, String> bearer(String token) {
    return token == null ? Map.of() : Map.of("Authorization", "Bearer " + token);
  }

  /** POST /function?query with these headers, as a client or DTM calls it. */
  public static Reply call(
      String function, Map<String, String> headers, String query, Object body) {
    try {
      String json = body instanceof String s ? s : JSON.writeValueAsString(body);
      var request =
          HttpRequest.newBuilder(
                  URI.create(
                      env("VMSAGA_URL") + "/" + function + (query.isEmpty() ? "" : "?" + query)))
              .timeout(Duration.ofSeconds(120))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(json));
      headers.forEach(request::header);
      // a fresh connection per call: Tomcat closes one after a 400, and a reused one would fail
      // here. Closed once answered: a client left to the GC keeps its connection (an fd of the
      // functions app too) and its selector thread for minutes, which CyclesBench would count
      HttpResponse<String> response;
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
      try {
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      } finally {
        http.shutdownNow();
      }
      var received = new TreeMap<String, String>();
      response
          .headers()
          .map()
          .forEach(
              (name, values) ->
                  received.put(name.toLowerCase(Locale.ROOT), String.join(",", values)));
      return new Reply(response.statusCode(), parse(response.body()), received);
    } catch (IOException e) {
      throw new IllegalStateException("calling " + function + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static JsonNode parse(String body) throws IOException {
    return body == null || body.isBlank() ? JSON.nullNode() : JSON.readTree(body);
  }

  public static Connection db() throws SQLException {
    return DriverManager.getConnection(
        env("VMSAGA_DB_URL"), env("VMSAGA_DB_USER"), env("VMSAGA_DB_PASSWORD"));
  }

  public static long number(String sql, Object... args) {
    try (var c = db();
        var statement = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        statement.setObject(i + 1, args[i]);
      }
      try (var rows = statement.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  public static List<String> strings(String sql, Object... args) {
    try (var db = db();
        var statement = db.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        statement.setObject(i + 1, args[i]);
      }
      var rows = statement.executeQuery();
      var values = new java.util.ArrayList<String>();
      while (rows.next()) {
        values.add(rows.getString(1));
      }
      return values;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The createVm saga's steps for a VM that boots nothing (what {@link #vm} asks for) and how many
   * the deleteVm saga has: their own tables say.
   */
  public static final List<String> CREATE_ACTIONS =
      io.vmsaga.functions.create.CreateVmSaga.of(
              "n", io.vmsaga.functions.create.TestPlans.blank(), Duration.ofMinutes(1))
          .actions();

  public static final int CREATE_STEPS = CREATE_ACTIONS.size();

  public static final int DELETE_STEPS =
      io.vmsaga.functions.delete.DeleteVmSaga.of(
              "n", io.vmsaga.functions.create.TestPlans.blank(), Duration.ofMinutes(1))
          .actions()
          .size();

  /** The id of the test guest image `scripts/dev up` imported. */
  public static String tinyImage() {
    return strings("SELECT id FROM image WHERE name = 'vmsaga-tiny' AND state = 'active'").get(0);
  }

  public static void execute(String sql, Object... args) {
    try (var c = db();
        var statement = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        statement.setObject(i + 1, args[i]);
      }
      statement.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A fresh tenant with these quotas; answers its bearer token. */
  public record Tenant(String id, String token) {}

  private static final List<String> TEST_TENANTS =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  public static Tenant newTenant(int maxVms, int maxVcpus, int maxMemoryMib) {
    return newTenant(maxVms, maxVcpus, maxMemoryMib, 500);
  }

  /** A fresh tenant made by the createTenant admin function, with these quotas. */
  public static Tenant newTenant(int maxVms, int maxVcpus, int maxMemoryMib, int maxDiskGib) {
    var created =
        call(
            "createTenant",
            env("VMSAGA_ADMIN_TOKEN"),
            Map.of(
                "name", "test tenant",
                "maxVms", maxVms,
                "maxVcpus", maxVcpus,
                "maxMemoryMib", maxMemoryMib,
                "maxDiskGib", maxDiskGib));
    assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
    TEST_TENANTS.add(created.text("tenantId"));
    return new Tenant(created.text("tenantId"), created.text("token"));
  }

  /**
   * Deletes every VM of the tenants this test run made, so a failed test leaves nothing for the
   * next.
   */
  public static void deleteTestVms() {
    for (String tenant : TEST_TENANTS) {
      try (var c = db();
          var s = c.prepareStatement("SELECT id FROM vm WHERE tenant_id = ?")) {
        s.setString(1, tenant);
        try (var rows = s.executeQuery()) {
          while (rows.next()) {
            call(
                "deleteVm",
                env("VMSAGA_ADMIN_TOKEN"),
                Map.of("vmId", rows.getString(1), "awaitResult", true));
          }
        }
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }
    TEST_TENANTS.clear();
  }

  /** The body with one more field. */
  public static Map<String, Object> with(Map<String, Object> body, String key, Object value) {
    body.put(key, value);
    return body;
  }

  public static Map<String, Object> vm(String name, String... extra) {
    var body =
        new java.util.HashMap<String, Object>(
            Map.of(
                "name",
                name,
                "vcpus",
                1,
                "memoryMib",
                128,
                "diskGib",
                1,
                "networkId",
                "default",
                "awaitResult",
                true));
    for (int i = 0; i < extra.length; i += 2) {
      body.put(extra[i], extra[i + 1]);
    }
    return body;
  }

  public static AgentClient agent(String nodeId) {
    String url =
        switch (nodeId) {
          case "node-1" -> "http://127.0.0.1:7701";
          case "node-2" -> "http://127.0.0.1:7702";
          // started by a test (scripts/dev agent start)
          case "node-3" -> "http://127.0.0.1:7703";
          case "node-4" -> "http://127.0.0.1:7704";
          default -> throw new IllegalArgumentException(nodeId);
        };
    return new AgentClient(URI.create(url), env("VMSAGA_AGENT_TOKEN"), Duration.ofSeconds(30));
  }

  public static Transaction saga(String gid) {
    return DTM.query(gid).orElseThrow(() -> new AssertionError("DTM does not know saga " + gid));
  }

  public static Transaction awaitSaga(String gid, Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      var t = DTM.query(gid);
      if (t.isPresent() && t.get().finished()) {
        return t.get();
      }
      sleep(100);
    }
    throw new AssertionError(
        "saga " + gid + " not finished after " + timeout + ": " + DTM.query(gid));
  }

  /** Waits until the saga's action {@code branchId} succeeded. */
  public static void awaitBranch(String gid, String branchId) {
    for (int i = 0; i < 400; i++) {
      var t = DTM.query(gid);
      if (t.isPresent()
          && t.get().branches().stream()
              .anyMatch(
                  b ->
                      b.branchId().equals(branchId)
                          && b.op().equals("action")
                          && b.status().equals("succeed"))) {
        return;
      }
      Stack.sleep(25);
    }
    throw new AssertionError("branch " + branchId + " of " + gid + " never succeeded");
  }

  public static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * PIDs of processes whose command line mentions {@code text} (QEMU carries the VM id in its
   * -name/-pidfile).
   */
  public static List<Long> processesMentioning(String text) {
    List<Long> found = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String cmdline = Files.readString(proc.resolve("cmdline")).replace('\0', ' ');
          String stat = Files.readString(proc.resolve("stat"));
          boolean zombie = stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
          if (cmdline.contains("qemu-system") && cmdline.contains(text) && !zombie) {
            found.add(Long.parseLong(proc.getFileName().toString()));
          }
        } catch (IOException gone) {
          // the process ended while we looked
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return found;
  }

  public static boolean linkExists(String name) {
    return Files.exists(Path.of("/sys/class/net", name));
  }

  /**
   * The end state a failed or deleted VM must leave: no QEMU, config, disk or tap on any node, no
   * row in any table, and quota usage and node commitments equal to what the live reservations add
   * up to.
   */
  public static void assertNothingLeft(String vmId, String tenantId) {
    var nic = VmPlan.nicFor(vmId, "", "");
    var disk = VmPlan.diskFor(vmId, false, 1);
    assertThat(processesMentioning(vmId)).as("QEMU processes of " + vmId).isEmpty();
    assertThat(linkExists(nic.tap())).as("tap " + nic.tap()).isFalse();
    for (String node : NODES) {
      var agent = agent(node);
      assertThat(agent.getVm(vmId)).as("VM config of " + vmId + " on " + node).isEmpty();
      assertThat(agent.getDisk("local", disk.diskId())).as("local disk on " + node).isEmpty();
      assertThat(agent.getTap(nic.tap())).as("tap on " + node).isEmpty();
    }
    assertThat(agent("node-1").getDisk("shared", disk.diskId())).as("shared disk").isEmpty();
    try (var isos = java.nio.file.Files.walk(java.nio.file.Path.of(env("VMSAGA_HOME"), "nodes"))) {
      assertThat(isos.filter(p -> p.toString().contains(vmId)).toList())
          .as("files of " + vmId + " on the nodes (cidata ISO, disks)")
          .isEmpty();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    for (String node : NODES) {
      // a node's cached image copy stays only while a VM made from the image lives there
      for (var cached :
          strings(
              "SELECT DISTINCT i.id FROM image i WHERE NOT EXISTS (SELECT 1 FROM vm v "
                  + "WHERE v.image_id = i.id AND v.node_id = ?)",
              node)) {
        assertThat(agent(node).getCachedImage(cached))
            .as("unused cached copy on " + node)
            .isEmpty();
      }
    }
    for (String table :
        List.of(
            "vm WHERE id",
            "disk WHERE vm_id",
            "nic WHERE vm_id",
            "reservation WHERE vm_id",
            "address WHERE vm_id",
            "vm_cidata WHERE vm_id")) {
      assertThat(number("SELECT COUNT(*) FROM " + table + " = ?", vmId))
          .as(table + " of " + vmId)
          .isZero();
    }
    assertAccountingExact(tenantId);
  }

  /**
   * Quota usage and node commitments equal the sum of the reservations that exist: a tenant's
   * counters those of its rows but migration targets' and placement claims', a node's those of its
   * rows but assignments'.
   */
  public static void assertAccountingExact(String tenantId) {
    String tenantRows =
        " FROM reservation WHERE tenant_id = ? AND state NOT IN ('migrating', 'placing')";
    for (String counter :
        List.of("vms:vm_count", "vcpus:vcpus", "memory_mib:memory_mib", "disk_gib:disk_gib")) {
      String used = counter.substring(0, counter.indexOf(':'));
      String column = counter.substring(counter.indexOf(':') + 1);
      assertThat(number("SELECT used_" + used + " FROM tenant WHERE id = ?", tenantId))
          .as("tenant's used_" + used)
          .isEqualTo(number("SELECT COALESCE(SUM(" + column + "), 0)" + tenantRows, tenantId));
    }
    assertThat(number("SELECT COALESCE(SUM(vm_count), 0)" + tenantRows, tenantId))
        .as("reservations equal live VMs")
        .isEqualTo(number("SELECT COUNT(*) FROM vm WHERE tenant_id = ?", tenantId));
    String nodeRows = " FROM reservation WHERE node_id = ? AND state <> 'assigning'";
    for (String node : NODES) {
      assertThat(number("SELECT committed_vcpus FROM node WHERE id = ?", node))
          .isEqualTo(number("SELECT COALESCE(SUM(vcpus), 0)" + nodeRows, node));
      assertThat(number("SELECT committed_memory_mib FROM node WHERE id = ?", node))
          .isEqualTo(number("SELECT COALESCE(SUM(memory_mib), 0)" + nodeRows, node));
    }
  }

  /** Whether the process runs (a zombie, killed and not yet reaped, does not). */
  public static boolean alive(long pid) {
    try {
      return !Files.readString(Path.of("/proc", Long.toString(pid), "stat")).contains(") Z");
    } catch (IOException e) {
      return false;
    }
  }

  /** SIGKILLs a component of the stack (its pidfile says which process) and waits for its end. */
  public static void kill(String component) throws Exception {
    Path pidfile = Path.of(env("VMSAGA_HOME"), "run", component + ".pid");
    long pid = Long.parseLong(Files.readString(pidfile).trim());
    new ProcessBuilder("kill", "-KILL", Long.toString(pid)).start().waitFor();
    // alive() reads /proc, where the process may vanish mid-read (ESRCH): that counts as gone
    for (int i = 0; i < 100 && alive(pid); i++) {
      Stack.sleep(50);
    }
  }

  /** Brings back what is down: {@code scripts/dev up}. */
  public static void restartStack() throws Exception {
    var up =
        new ProcessBuilder(
                Path.of(System.getProperty("vmsaga.root"), "scripts", "dev").toString(), "up")
            .redirectErrorStream(true)
            .start();
    String output = new String(up.getInputStream().readAllBytes());
    assertThat(up.waitFor()).as(output).isZero();
  }
}
