package io.vmsaga.functions.faults;

import io.vmsaga.functions.core.BeforeSubmit;
import io.vmsaga.functions.core.Pause;
import io.vmsaga.functions.dtm.Saga;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.saga.Step;
import io.vmsaga.functions.web.Replies;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.aopalliance.intercept.MethodInterceptor;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.SmartInstantiationAwareBeanPostProcessor;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;
import org.springframework.util.ClassUtils;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;

/**
 * Injected faults, to prove that every step fails cleanly. This bean acts only where
 * VMSAGA_FAULT_INJECTION=true (development and tests); nothing in production code knows of it. It
 * wraps every function bean from outside:
 *
 * <ul>
 *   <li>a trigger called with the header {@value #FAULTS_HEADER} ({@code {"<step>":
 *       "fail|crash|hang|slow"}}) and optionally {@value #TIMEOUT_HEADER} (seconds) gets those
 *       faults registered for the saga it submits, and that saga's timeout;
 *   <li>a step whose saga has a fault registered for it (by its bean name) then fails before doing
 *       anything ({@code fail}: a business failure, 409), answers 500 after its effect on every
 *       call ({@code crash}), outlasts DTM's request timeout after its effect ({@code hang}), or
 *       starts two seconds late ({@code slow}).
 * </ul>
 *
 * <p>Where the setting is off it wraps nothing, so a trigger's fault headers are ignored. The
 * switch is read when the app starts, not by a condition on the bean: Spring AOT fixes conditions
 * when the jar is built, and the one jar runs with and without faults.
 */
@Component
public class FaultInjection implements SmartInstantiationAwareBeanPostProcessor, BeforeSubmit {
  public static final String FAULTS_HEADER = "x-vmsaga-faults";
  public static final String TIMEOUT_HEADER = "x-vmsaga-timeout-to-fail";
  static final Set<String> KINDS = Set.of("fail", "crash", "hang", "slow");

  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the trigger running on this thread asked for, until it returns. */
  private static final ThreadLocal<Request> REQUESTED = new ThreadLocal<>();

  // looked up at first use: a post-processor's own dependencies are made before the others can be
  // processed, and the mapper would bring the data source and Flyway that early
  private final ObjectProvider<FaultMapper> faults;
  private final boolean enabled;

  public FaultInjection(
      ObjectProvider<FaultMapper> faults, @Value("${vmsaga.fault-injection}") boolean enabled) {
    this.faults = faults;
    this.enabled = enabled;
  }

  record Request(Map<String, String> faults, Integer timeoutSeconds) {}

  @Override
  public Object postProcessAfterInitialization(Object bean, String name) {
    if (!enabled || !wraps(bean.getClass())) {
      return bean;
    }
    ProxyFactory proxy = proxy(bean.getClass(), name);
    proxy.setTarget(bean);
    return proxy.getProxy();
  }

  /**
   * Spring AOT asks this when the jar is built: the proxy class made here is generated then and
   * loaded at start, not generated again at every start (1.3 s of a start, over all the functions).
   * Made whether or not faults are on, since the one jar runs both ways.
   */
  @Override
  public Class<?> determineBeanType(Class<?> beanClass, String name) {
    return wraps(beanClass)
        ? proxy(beanClass, name).getProxyClass(beanClass.getClassLoader())
        : beanClass;
  }

  private static boolean wraps(Class<?> beanClass) {
    return Function.class.isAssignableFrom(beanClass)
        && beanClass.getPackageName().startsWith("io.vmsaga.functions");
  }

  /**
   * A class proxy: the function keeps its generic input type, which the adapters convert to. One
   * recipe for the class made at build time and the proxy made at start, so they are one class.
   */
  private ProxyFactory proxy(Class<?> beanClass, String name) {
    ProxyFactory proxy = new ProxyFactory();
    proxy.setTargetClass(beanClass);
    proxy.setInterfaces(ClassUtils.getAllInterfacesForClass(beanClass));
    proxy.setProxyTargetClass(true);
    proxy.addAdvice(
        (MethodInterceptor)
            call -> {
              if (!call.getMethod().getName().equals("apply")
                  || !(call.getArguments()[0] instanceof Message<?> message)) {
                return call.proceed();
              }
              return message.getPayload() instanceof Step step
                  ? step(name, step, () -> proceed(call))
                  : trigger(message, () -> proceed(call));
            });
    return proxy;
  }

  private static Message<?> proceed(org.aopalliance.intercept.MethodInvocation call) {
    try {
      return (Message<?>) call.proceed();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  private Message<?> trigger(Message<?> message, java.util.function.Supplier<Message<?>> run) {
    Object header = Branches.header(message, FAULTS_HEADER);
    Object timeout = Branches.header(message, TIMEOUT_HEADER);
    if (header == null && timeout == null) {
      return run.get();
    }
    Request request;
    try {
      request =
          new Request(
              header == null
                  ? Map.of()
                  : JSON.readValue(header.toString(), new TypeReference<Map<String, String>>() {}),
              timeout == null ? null : Integer.valueOf(timeout.toString().trim()));
    } catch (JacksonException | NumberFormatException e) {
      return Replies.invalid("fault injection headers are malformed");
    }
    if (!KINDS.containsAll(request.faults().values())
        || (request.timeoutSeconds() != null
            && (request.timeoutSeconds() < 5 || request.timeoutSeconds() > 3600))) {
      return Replies.invalid("faults map a step to one of " + KINDS + "; timeouts are 5-3600 s");
    }
    REQUESTED.set(request);
    try {
      return run.get();
    } catch (UnknownStep e) {
      return Replies.invalid(e.getMessage());
    } finally {
      REQUESTED.remove();
    }
  }

  /** Before the saga goes to DTM: a fault for a step it does not have refuses the request. */
  @Override
  public void accept(Saga saga) {
    Request request = REQUESTED.get();
    if (request == null) {
      return;
    }
    if (!saga.actions().containsAll(request.faults().keySet())) {
      throw new UnknownStep("faults must name steps of this saga: " + saga.actions());
    }
    request.faults().forEach((step, kind) -> faults.getObject().add(saga.gid(), step, kind));
    if (request.timeoutSeconds() != null) {
      saga.timeoutToFail(Duration.ofSeconds(request.timeoutSeconds()));
    }
  }

  private Message<?> step(String name, Step step, java.util.function.Supplier<Message<?>> run) {
    String kind = step.branch() == null ? null : faults.getObject().kind(step.branch().gid(), name);
    if (kind == null) {
      return run.get();
    }
    switch (kind) {
      case "fail" -> {
        return Replies.failure("injected_failure", "fault injected into " + name);
      }
      case "slow" -> Pause.millis(2000);
      default -> {}
    }
    Message<?> reply = run.get();
    if (Branches.status(reply) != 200 || kind.equals("slow")) {
      return reply;
    }
    // "hang" outlasts DTM's branch request timeout, so DTM sees a timeout rather than an answer
    Pause.millis(kind.equals("hang") ? Saga.REQUEST_TIMEOUT.toMillis() + 1000 : 0);
    return Replies.status(500, new Replies.Error("injected_crash", "fault injected after " + name));
  }

  /** A fault for a step the submitted saga does not have: the trigger answers 400. */
  static final class UnknownStep extends RuntimeException {
    UnknownStep(String message) {
      super(message);
    }
  }
}
