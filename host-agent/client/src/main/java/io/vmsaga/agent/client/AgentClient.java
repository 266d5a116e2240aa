package io.vmsaga.agent.client;

import io.vmsaga.agent.api.AgentJson;
import io.vmsaga.agent.api.BridgeInfo;
import io.vmsaga.agent.api.CachedImageInfo;
import io.vmsaga.agent.api.CidataInfo;
import io.vmsaga.agent.api.CidataSpec;
import io.vmsaga.agent.api.CpuInfo;
import io.vmsaga.agent.api.DiskInfo;
import io.vmsaga.agent.api.DiskSpec;
import io.vmsaga.agent.api.ErrorBody;
import io.vmsaga.agent.api.FencingReport;
import io.vmsaga.agent.api.Health;
import io.vmsaga.agent.api.HotplugCpu;
import io.vmsaga.agent.api.HotplugMemory;
import io.vmsaga.agent.api.ImageInfo;
import io.vmsaga.agent.api.ImageSpec;
import io.vmsaga.agent.api.IncomingSpec;
import io.vmsaga.agent.api.LeaseInfo;
import io.vmsaga.agent.api.LeaseSpec;
import io.vmsaga.agent.api.MemoryDevice;
import io.vmsaga.agent.api.MemorySpec;
import io.vmsaga.agent.api.MigrationInfo;
import io.vmsaga.agent.api.MigrationParameters;
import io.vmsaga.agent.api.MigrationSpec;
import io.vmsaga.agent.api.NetworkInfo;
import io.vmsaga.agent.api.NetworkSpec;
import io.vmsaga.agent.api.NodeInfo;
import io.vmsaga.agent.api.TapInfo;
import io.vmsaga.agent.api.TapSpec;
import io.vmsaga.agent.api.VmAction;
import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.api.VmDiskInfo;
import io.vmsaga.agent.api.VmDiskSpec;
import io.vmsaga.agent.api.VmEvent;
import io.vmsaga.agent.api.VmInfo;
import io.vmsaga.agent.api.VmNicInfo;
import io.vmsaga.agent.api.VmNicSpec;
import io.vmsaga.agent.api.VmStats;
import io.vmsaga.agent.api.VmStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectMapper;

/**
 * Client of one host agent. Build it once per agent and keep it: it holds the {@link HttpClient}s
 * (HTTP/1.1, kept-alive connections, a selector thread each) that every call to that agent goes
 * through, one for JSON calls and one for disk transfers. Thread-safe. {@link #withGid} and {@link
 * #withTimeout} are cheap copies that share them; {@link #withGid} tags every call with the DTM gid
 * ({@code X-Dtm-Gid}) so the agent's request log can be joined with the saga. Every failure is an
 * unchecked {@link AgentException}; no answer within the call's timeout (body included) is status
 * 0, {@code unavailable}.
 */
public final class AgentClient implements AutoCloseable {
  public static final String GID_HEADER = "X-Dtm-Gid";
  public static final String SHA256_HEADER = "X-Content-Sha256";

  /**
   * Disk content can be large: the agent hashes it before answering, and an upload takes as long as
   * it takes.
   */
  private static final Duration TRANSFER_TIMEOUT = Duration.ofHours(1);

  private static final ObjectMapper JSON = AgentJson.lenient();

  private final URI baseUri;
  private final String token;
  private final Duration timeout;
  private final String gid;

  /**
   * JSON calls. Their answers are small and read whole, so the selector thread completes each call
   * itself: handing that to an executor thread first cost about 0.12 ms of a 1 ms call.
   */
  private final HttpClient http;

  /**
   * Disk transfers, on {@link #executor}: a copy streams one agent's answer into another agent's
   * request, and that blocking read must not run on a selector thread, which could be the one that
   * delivers the bytes it waits for.
   */
  private final HttpClient transfers;

  private final ExecutorService executor;
  private final CallGuard guard;

  /**
   * A client with its own HttpClient: make one per agent, not per call. {@code timeout} bounds
   * connecting and each call (until the whole answer is read), except actions and disk transfers,
   * which get longer.
   */
  public AgentClient(URI baseUri, String token, Duration timeout) {
    this(baseUri, token, timeout, CallGuard.NONE);
  }

  /**
   * A client whose every JSON call goes through {@code guard} (a circuit breaker of this agent),
   * its copies' too.
   */
  public AgentClient(URI baseUri, String token, Duration timeout, CallGuard guard) {
    this(baseUri, token, timeout, null, Executors.newVirtualThreadPerTaskExecutor(), guard);
  }

  private AgentClient(
      URI baseUri,
      String token,
      Duration timeout,
      String gid,
      ExecutorService executor,
      CallGuard guard) {
    this(
        baseUri,
        token,
        timeout,
        gid,
        httpClient(timeout, Runnable::run),
        httpClient(timeout, executor),
        executor,
        guard);
  }

  private static HttpClient httpClient(Duration connectTimeout, Executor executor) {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(connectTimeout)
        .executor(executor)
        .build();
  }

  private AgentClient(
      URI baseUri,
      String token,
      Duration timeout,
      String gid,
      HttpClient http,
      HttpClient transfers,
      ExecutorService executor,
      CallGuard guard) {
    this.baseUri = Objects.requireNonNull(baseUri, "baseUri");
    this.token = Objects.requireNonNull(token, "token");
    this.timeout = requirePositive(timeout);
    this.gid = gid;
    this.http = http;
    this.transfers = transfers;
    this.executor = executor;
    this.guard = Objects.requireNonNull(guard, "guard");
  }

  /** A copy of this client that sends {@code X-Dtm-Gid: gid} with every call; same HttpClients. */
  public AgentClient withGid(String gid) {
    return new AgentClient(baseUri, token, timeout, gid, http, transfers, executor, guard);
  }

  /**
   * A copy of this client whose calls may take {@code timeout}; same HttpClients, so the connect
   * timeout stays the one this agent's client was built with.
   */
  public AgentClient withTimeout(Duration timeout) {
    return new AgentClient(baseUri, token, timeout, gid, http, transfers, executor, guard);
  }

  /**
   * Closes the HttpClients that this client and every copy derived from it share (waiting for calls
   * under way); for the end of the process or of a test.
   */
  @Override
  public void close() {
    http.close();
    transfers.close();
    executor.close();
  }

  /** The shared HttpClient of JSON calls, for tests that check it is shared. */
  HttpClient httpClient() {
    return http;
  }

  public URI baseUri() {
    return baseUri;
  }

  // --- node ---

  public Health health() {
    return call("GET", "/v1/health", null, Health.class);
  }

  public NodeInfo node() {
    return call("GET", "/v1/node", null, NodeInfo.class);
  }

  // --- disks ---

  public DiskInfo putDisk(String pool, String diskId, DiskSpec spec) {
    return call("PUT", diskPath(pool, diskId), spec, DiskInfo.class);
  }

  public Optional<DiskInfo> getDisk(String pool, String diskId) {
    return optional(() -> call("GET", diskPath(pool, diskId), null, DiskInfo.class));
  }

  /** Whether the disk is there ({@code HEAD}): cheaper than {@link #getDisk}, which reads it. */
  public boolean hasDisk(String pool, String diskId) {
    return optional(
            () -> {
              call("HEAD", diskPath(pool, diskId), null, Void.class);
              return true;
            })
        .isPresent();
  }

  /**
   * Grows a disk; online through QMP {@code block_resize} when a running VM of this node uses it.
   */
  public DiskInfo resizeDisk(String pool, String diskId, DiskSpec spec) {
    return call("PATCH", diskPath(pool, diskId), spec, DiskInfo.class);
  }

  public void deleteDisk(String pool, String diskId) {
    call("DELETE", diskPath(pool, diskId), null, Void.class);
  }

  /**
   * Streams the qcow2 file into {@code out}, verifies it against the agent's sha256 and returns
   * that hash.
   */
  public String exportDisk(String pool, String diskId, OutputStream out) {
    HttpResponse<InputStream> response = openExport(pool, diskId);
    String expected = response.headers().firstValue(SHA256_HEADER).orElse("");
    MessageDigest sha = sha256();
    try (InputStream in = response.body()) {
      in.transferTo(new DigestOutputStream(out, sha));
    } catch (IOException e) {
      throw transportFailure(e);
    }
    String actual = HexFormat.of().formatHex(sha.digest());
    if (!actual.equals(expected)) {
      throw new AgentException(
          0, "unavailable", "disk content arrived damaged (sha256 mismatch)", null);
    }
    return actual;
  }

  /**
   * Imports a qcow2 stream as a new disk; the agent verifies {@code sha256} and keeps nothing on
   * mismatch.
   */
  public DiskInfo importDisk(String pool, String diskId, InputStream content, String sha256) {
    HttpRequest request =
        request(diskPath(pool, diskId) + "/content", TRANSFER_TIMEOUT)
            .header(SHA256_HEADER, sha256)
            .header("Content-Type", "application/octet-stream")
            .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> content))
            .build();
    return decode(send(transfers, request), type(DiskInfo.class));
  }

  /** Copies a disk from another agent straight into this one (cold migration of a local disk). */
  public DiskInfo copyDiskFrom(
      AgentClient source, String sourcePool, String diskId, String targetPool) {
    HttpResponse<InputStream> response = source.openExport(sourcePool, diskId);
    String sha256 = response.headers().firstValue(SHA256_HEADER).orElse("");
    try (InputStream in = response.body()) {
      return importDisk(targetPool, diskId, in, sha256);
    } catch (IOException e) {
      throw transportFailure(e);
    }
  }

  // --- network ---

  public BridgeInfo putBridge(String name) {
    return call("PUT", "/v1/bridges/" + seg(name), null, BridgeInfo.class);
  }

  public void deleteBridge(String name) {
    call("DELETE", "/v1/bridges/" + seg(name), null, Void.class);
  }

  public TapInfo putTap(String name, TapSpec spec) {
    return call("PUT", "/v1/taps/" + seg(name), spec, TapInfo.class);
  }

  public Optional<TapInfo> getTap(String name) {
    return optional(() -> call("GET", "/v1/taps/" + seg(name), null, TapInfo.class));
  }

  public void deleteTap(String name) {
    call("DELETE", "/v1/taps/" + seg(name), null, Void.class);
  }

  // --- VMs ---

  public VmInfo putVm(String vmId, VmConfig config) {
    return call("PUT", vmPath(vmId), config, VmInfo.class);
  }

  public Optional<VmInfo> getVm(String vmId) {
    return optional(() -> call("GET", vmPath(vmId), null, VmInfo.class));
  }

  public void deleteVm(String vmId) {
    call("DELETE", vmPath(vmId), null, Void.class);
  }

  /**
   * Runs an action; the request may take up to the action's own {@code timeout_ms} plus a margin.
   */
  public VmInfo action(String vmId, VmAction action) {
    Duration actionTime =
        action.timeoutMs() == null ? Duration.ofSeconds(30) : Duration.ofMillis(action.timeoutMs());
    Duration wait = actionTime.plusSeconds(10);
    return call(
        "PUT",
        vmPath(vmId) + "/actions",
        action,
        type(VmInfo.class),
        wait.compareTo(timeout) > 0 ? wait : timeout);
  }

  public VmStatus status(String vmId) {
    return call("GET", vmPath(vmId) + "/status", null, VmStatus.class);
  }

  /**
   * What the running VM uses now: CPU time and utilisation, memory, I/O per disk, traffic per NIC
   * (see {@link VmStats}). May take 250 ms (a CPU sample); 404 for an unknown VM, 409 {@code
   * conflict} when it does not run.
   */
  public VmStats vmStats(String vmId) {
    return call("GET", vmPath(vmId) + "/stats", null, VmStats.class);
  }

  /** Events with {@code seq > afterSeq}, oldest first; the agent keeps the last 256 per VM. */
  public List<VmEvent> events(String vmId, long afterSeq) {
    return call(
        "GET", vmPath(vmId) + "/events?after=" + afterSeq, null, listOf(VmEvent.class), timeout);
  }

  public HotplugCpu plugCpu(String vmId, String deviceId) {
    return call("PUT", vmPath(vmId) + "/cpus/" + seg(deviceId), null, HotplugCpu.class);
  }

  public HotplugMemory plugMemory(String vmId, String deviceId, MemorySpec spec) {
    return call("PUT", vmPath(vmId) + "/memory/" + seg(deviceId), spec, HotplugMemory.class);
  }

  public List<CpuInfo> cpus(String vmId) {
    return call("GET", vmPath(vmId) + "/cpus", null, listOf(CpuInfo.class), timeout);
  }

  public List<MemoryDevice> memoryDevices(String vmId) {
    return call("GET", vmPath(vmId) + "/memory", null, listOf(MemoryDevice.class), timeout);
  }

  /**
   * Attaches the pool's existing disk to the VM: hot-plugged when it runs, in either case kept in
   * its config ({@link VmConfig#disks}) in the slot the answer names. Attaching it again answers
   * the same.
   */
  public VmDiskInfo attachDisk(String vmId, String diskId, String pool) {
    return call("PUT", vmDiskPath(vmId, diskId), new VmDiskSpec(pool), VmDiskInfo.class);
  }

  /**
   * Detaches a disk (nothing to do when it is not attached), waiting up to 10 s for the running
   * guest to release it; {@code unplug_pending} (503, retryable) when it did not.
   */
  public void detachDisk(String vmId, String diskId) {
    detachDisk(vmId, diskId, Duration.ofSeconds(10));
  }

  /** {@link #detachDisk(String, String)}, waiting up to {@code unplugWait} (0.1 .. 120 s). */
  public void detachDisk(String vmId, String diskId, Duration unplugWait) {
    Duration wait = unplugWait.plusSeconds(10);
    call(
        "DELETE",
        vmDiskPath(vmId, diskId) + "?timeout_ms=" + unplugWait.toMillis(),
        null,
        type(Void.class),
        wait.compareTo(timeout) > 0 ? wait : timeout);
  }

  /** The VM's disks in config order, with whether its running QEMU has each now. */
  public List<VmDiskInfo> vmDisks(String vmId) {
    return call("GET", vmPath(vmId) + "/disks", null, listOf(VmDiskInfo.class), timeout);
  }

  /**
   * Attaches a NIC on the node's existing {@code tap} with {@code mac} to the VM: hot-plugged when
   * it runs, in either case kept in its config ({@link VmConfig#nics}) in the slot the answer
   * names. Attaching it again with the same tap and MAC answers the same.
   */
  public VmNicInfo attachNic(String vmId, String nicId, String tap, String mac) {
    return attachNic(vmId, nicId, tap, mac, null);
  }

  /**
   * Attaches a NIC in this slot (null: the lowest free of 1..7; 0 only while the VM is stopped).
   */
  public VmNicInfo attachNic(String vmId, String nicId, String tap, String mac, Integer slot) {
    return call("PUT", vmNicPath(vmId, nicId), new VmNicSpec(tap, mac, slot), VmNicInfo.class);
  }

  /**
   * Detaches a NIC (nothing to do when it is not attached), waiting up to 10 s for the running
   * guest to release it; {@code unplug_pending} (503, retryable) when it did not.
   */
  public void detachNic(String vmId, String nicId) {
    detachNic(vmId, nicId, Duration.ofSeconds(10));
  }

  /** {@link #detachNic(String, String)}, waiting up to {@code unplugWait} (0.1 .. 120 s). */
  public void detachNic(String vmId, String nicId, Duration unplugWait) {
    Duration wait = unplugWait.plusSeconds(10);
    call(
        "DELETE",
        vmNicPath(vmId, nicId) + "?timeout_ms=" + unplugWait.toMillis(),
        null,
        type(Void.class),
        wait.compareTo(timeout) > 0 ? wait : timeout);
  }

  /**
   * The VM's NICs in config order, with whether its running QEMU has each now, where, and how the
   * tap under each live one is ({@link VmNicInfo#tapState()}).
   */
  public List<VmNicInfo> vmNics(String vmId) {
    return call("GET", vmPath(vmId) + "/nics", null, listOf(VmNicInfo.class), timeout);
  }

  /**
   * Mends the tap under a running VM's NIC without restarting the VM (a tap deleted by hand made
   * again on its bridge with QEMU's file attached, put back on its bridge, brought up); a NIC whose
   * {@code tap_state} is {@code ok} is answered as it is. 409 {@code conflict} when the VM does not
   * run, {@code tap_fd_ambiguous} or {@code not_repairable} when QEMU's file cannot be reattached.
   */
  public VmNicInfo repairNicTap(String vmId, String nicId) {
    return call("PUT", vmNicPath(vmId, nicId) + "/tap", null, VmNicInfo.class);
  }

  // --- migration ---

  /**
   * Starts the target side: QEMU with {@code -incoming defer}, then {@code migrate-incoming
   * tcp:host:port}.
   */
  public VmInfo startIncoming(String vmId, IncomingSpec spec) {
    return call("PUT", vmPath(vmId) + "/incoming", spec, VmInfo.class);
  }

  public MigrationParameters setMigrationParameters(String vmId, MigrationParameters parameters) {
    return call(
        "PUT", vmPath(vmId) + "/migration-parameters", parameters, MigrationParameters.class);
  }

  public void resetMigrationParameters(String vmId) {
    call("DELETE", vmPath(vmId) + "/migration-parameters", null, Void.class);
  }

  /**
   * Starts {@code migrate}; returns at once. Poll {@link #migration} until {@link
   * MigrationInfo#finished()}.
   */
  public MigrationInfo migrate(String vmId, MigrationSpec spec) {
    return call("PUT", vmPath(vmId) + "/migration", spec, MigrationInfo.class);
  }

  public MigrationInfo migration(String vmId) {
    return migration(vmId, Duration.ZERO);
  }

  /**
   * The migration's progress once it has ended, or after {@code wait} (at most 5 s), whichever
   * comes first: the agent watches QEMU meanwhile, so the end is seen within milliseconds.
   */
  public MigrationInfo migration(String vmId, Duration wait) {
    return call(
        "GET",
        vmPath(vmId) + "/migration?wait_ms=" + wait.toMillis(),
        null,
        type(MigrationInfo.class),
        timeout.plus(wait));
  }

  public void cancelMigration(String vmId) {
    call("DELETE", vmPath(vmId) + "/migration", null, Void.class);
  }

  // --- leases and fencing ---

  /**
   * This node takes the VM's lease on the shared pool at {@code generation} (1 or more); the VM
   * need not be defined here. Same node and generation again answers the same; 409 {@code
   * lease_newer} when the lease is at a greater generation, or at this one on another node.
   */
  public LeaseInfo putLease(String vmId, long generation) {
    return call("PUT", vmPath(vmId) + "/lease", LeaseSpec.of(generation), LeaseInfo.class);
  }

  public Optional<LeaseInfo> getLease(String vmId) {
    return optional(() -> call("GET", vmPath(vmId) + "/lease", null, LeaseInfo.class));
  }

  /**
   * Gives the lease up if this node holds it at {@code generation}; otherwise nothing happens
   * (success either way: a compensation).
   */
  public void deleteLease(String vmId, long generation) {
    call("DELETE", vmPath(vmId) + "/lease?generation=" + generation, null, Void.class);
  }

  /**
   * Runs a fencing pass now: every VM of this node whose lease names another node is killed and
   * undefined (its disks kept); answers the VMs this pass fenced.
   */
  public FencingReport fence() {
    return call("PUT", "/v1/fencing", null, FencingReport.class);
  }

  /** The VMs fenced since the agent started, its start-up pass included. */
  public FencingReport fencing() {
    return call("GET", "/v1/fencing", null, FencingReport.class);
  }

  // --- images, cached images, cidata, console, networks ---

  /**
   * Starts (or confirms) the import of an image from an http(s) URL; answers at once with state
   * {@code importing} (poll {@link #getImage}) or, for an image already imported from that URL,
   * {@code active}.
   */
  public ImageInfo putImage(String imageId, ImageSpec spec) {
    return call("PUT", imagePath(imageId), spec, ImageInfo.class);
  }

  public Optional<ImageInfo> getImage(String imageId) {
    return optional(() -> call("GET", imagePath(imageId), null, ImageInfo.class));
  }

  public List<ImageInfo> images() {
    return call("GET", "/v1/images", null, listOf(ImageInfo.class), timeout);
  }

  /** Deletes an image; {@code in_use} (409) while a disk of this node is backed by it. */
  public void deleteImage(String imageId) {
    call("DELETE", imagePath(imageId), null, Void.class);
  }

  /** Copies a shared image into this node's local pool (once, however many callers ask). */
  public CachedImageInfo cacheImage(String imageId) {
    return call(
        "PUT", cachedImagePath(imageId), null, type(CachedImageInfo.class), TRANSFER_TIMEOUT);
  }

  public Optional<CachedImageInfo> getCachedImage(String imageId) {
    return optional(() -> call("GET", cachedImagePath(imageId), null, CachedImageInfo.class));
  }

  public void deleteCachedImage(String imageId) {
    call("DELETE", cachedImagePath(imageId), null, Void.class);
  }

  /** Builds the VM's NoCloud ISO; same content again is a no-op. */
  public CidataInfo putCidata(String vmId, CidataSpec spec) {
    return call("PUT", vmPath(vmId) + "/cidata", spec, CidataInfo.class);
  }

  public void deleteCidata(String vmId) {
    call("DELETE", vmPath(vmId) + "/cidata", null, Void.class);
  }

  /** The last {@code tailBytes} bytes of the VM's serial console, as text. */
  public String console(String vmId, int tailBytes) {
    HttpRequest request =
        request(vmPath(vmId) + "/console?tail_bytes=" + tailBytes, timeout).GET().build();
    return new String(send(http, request).body(), StandardCharsets.UTF_8);
  }

  public NetworkInfo putNetwork(String networkId, NetworkSpec spec) {
    return call("PUT", "/v1/networks/" + seg(networkId), spec, NetworkInfo.class);
  }

  public Optional<NetworkInfo> getNetwork(String networkId) {
    return optional(() -> call("GET", "/v1/networks/" + seg(networkId), null, NetworkInfo.class));
  }

  public void deleteNetwork(String networkId) {
    call("DELETE", "/v1/networks/" + seg(networkId), null, Void.class);
  }

  // --- plumbing ---

  private static String diskPath(String pool, String diskId) {
    return "/v1/pools/" + seg(pool) + "/disks/" + seg(diskId);
  }

  private static String vmDiskPath(String vmId, String diskId) {
    return vmPath(vmId) + "/disks/" + seg(diskId);
  }

  private static String vmNicPath(String vmId, String nicId) {
    return vmPath(vmId) + "/nics/" + seg(nicId);
  }

  private static String imagePath(String imageId) {
    return "/v1/images/" + seg(imageId);
  }

  private static String cachedImagePath(String imageId) {
    return "/v1/pools/local/images/" + seg(imageId);
  }

  private static String vmPath(String vmId) {
    return "/v1/vms/" + seg(vmId);
  }

  /**
   * Percent-encodes one path segment so that whatever the caller passes stays one segment for the
   * agent to judge.
   */
  private static String seg(String value) {
    return URLEncoder.encode(Objects.requireNonNull(value), StandardCharsets.UTF_8)
        .replace("+", "%20");
  }

  private <T> T call(String method, String path, Object body, Class<T> type) {
    return call(method, path, body, type(type), timeout);
  }

  private <T> T call(String method, String path, Object body, JavaType type, Duration wait) {
    HttpRequest.BodyPublisher publisher =
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(toJson(body));
    HttpRequest request =
        request(path, wait)
            .header("Content-Type", "application/json")
            .method(method, publisher)
            .build();
    return decode(send(http, request), type);
  }

  private HttpRequest.Builder request(String path, Duration wait) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(baseUri.resolve(path))
            .timeout(wait)
            .header("Authorization", "Bearer " + token)
            .header("Accept", "application/json");
    if (gid != null) {
      builder.header(GID_HEADER, gid);
    }
    return builder;
  }

  /**
   * Sends a request through {@code client} and returns the answer once it is read whole; throws
   * unless it is a 2xx. The request timeout of {@link HttpClient} ends when the headers arrive, so
   * the deadline of the whole exchange, body included, is kept here: a body that dribbles in past
   * it is abandoned.
   */
  private HttpResponse<byte[]> send(HttpClient client, HttpRequest request) {
    return guard.call(() -> sendOnce(client, request));
  }

  private HttpResponse<byte[]> sendOnce(HttpClient client, HttpRequest request) {
    Duration wait = request.timeout().orElse(timeout);
    CompletableFuture<HttpResponse<byte[]>> exchange =
        client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
    HttpResponse<byte[]> response;
    try {
      response = exchange.get(wait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      exchange.cancel(true);
      throw new AgentException(0, "unavailable", "agent did not answer within " + wait, e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io
          ? transportFailure(io)
          : new AgentException(0, "unavailable", "agent call failed: " + e.getCause(), e);
    } catch (InterruptedException e) {
      exchange.cancel(true);
      Thread.currentThread().interrupt();
      throw new AgentException(0, "unavailable", "interrupted", e);
    }
    if (response.statusCode() / 100 != 2) {
      throw failure(response.statusCode(), response.body());
    }
    return response;
  }

  /**
   * The answer as {@code type}; null for {@code Void}. A missing, malformed or mistyped body is an
   * {@code internal} AgentException carrying the status it came with, never a Jackson exception.
   */
  private static <T> T decode(HttpResponse<byte[]> response, JavaType type) {
    if (type.hasRawClass(Void.class)) {
      return null;
    }
    T value;
    try {
      value = response.body().length == 0 ? null : JSON.readValue(response.body(), type);
    } catch (JacksonException e) {
      throw new AgentException(
          response.statusCode(), "internal", "agent answered malformed JSON", e);
    }
    if (value == null) {
      throw new AgentException(
          response.statusCode(), "internal", "agent answered without a body", null);
    }
    return value;
  }

  private HttpResponse<InputStream> openExport(String pool, String diskId) {
    HttpRequest request =
        request(diskPath(pool, diskId) + "/content", TRANSFER_TIMEOUT).GET().build();
    HttpResponse<InputStream> response;
    try {
      response = transfers.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw transportFailure(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AgentException(0, "unavailable", "interrupted", e);
    }
    if (response.statusCode() != 200) {
      try (InputStream in = response.body()) {
        throw failure(response.statusCode(), in.readAllBytes());
      } catch (IOException e) {
        throw transportFailure(e);
      }
    }
    return response;
  }

  private static AgentException failure(int status, byte[] body) {
    try {
      ErrorBody error = JSON.readValue(body, ErrorBody.class);
      if (error.code() != null) {
        return new AgentException(status, error.code(), error.message(), null);
      }
    } catch (JacksonException ignored) {
      // Not the agent's error shape (a proxy in between, say): fall back to the status alone.
    }
    return new AgentException(
        status, status >= 500 ? "unavailable" : "invalid", "HTTP " + status, null);
  }

  private static AgentException transportFailure(IOException e) {
    return new AgentException(
        0, "unavailable", "agent unreachable: " + e.getClass().getSimpleName(), e);
  }

  private static <T> Optional<T> optional(Supplier<T> call) {
    try {
      return Optional.of(call.get());
    } catch (AgentException e) {
      if (e.status() == 404) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private static byte[] toJson(Object body) {
    return JSON.writeValueAsBytes(body);
  }

  private static JavaType type(Class<?> type) {
    return JSON.getTypeFactory().constructType(type);
  }

  private static JavaType listOf(Class<?> element) {
    return JSON.getTypeFactory().constructCollectionType(List.class, element);
  }

  private static Duration requirePositive(Duration timeout) {
    if (Objects.requireNonNull(timeout, "timeout").isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive");
    }
    return timeout;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
