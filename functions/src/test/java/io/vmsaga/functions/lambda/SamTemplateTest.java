package io.vmsaga.functions.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmsaga.functions.assign.AssignVmSaga;
import io.vmsaga.functions.batches.BatchPlan;
import io.vmsaga.functions.create.CreateVmSaga;
import io.vmsaga.functions.create.TestPlans;
import io.vmsaga.functions.delete.DeleteVmSaga;
import io.vmsaga.functions.disks.AttachDiskSaga;
import io.vmsaga.functions.disks.DetachDiskSaga;
import io.vmsaga.functions.disks.ResizeDiskSaga;
import io.vmsaga.functions.dtm.Saga;
import io.vmsaga.functions.images.ImportImageSaga;
import io.vmsaga.functions.migration.ColdMigrateVmSaga;
import io.vmsaga.functions.migration.MigrateVmSaga;
import io.vmsaga.functions.networks.CreateNetworkSaga;
import io.vmsaga.functions.networks.DeleteNetworkSaga;
import io.vmsaga.functions.saga.Step;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.condition.ConditionalOnNotWebApplication;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.ResolvableType;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.stereotype.Component;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * template.yaml and the function beans stay in step: every {@code @Component("name")} Function or
 * Supplier has exactly one Lambda function selecting it, with the HTTP API routes its callers use,
 * and every Lambda function selects a bean. A bean added without its resource (or a resource left
 * behind) fails here. A definition that names no bean is worse than a missing route:
 * FunctionInvoker then falls back to its RoutingFunction, which picks the function from the
 * request's own headers.
 */
public class SamTemplateTest {
  static final String SERVERLESS_FUNCTION = "AWS::Serverless::Function";

  static Map<String, Class<?>> beans;
  static Map<String, Object> template;

  @BeforeAll
  static void load() throws IOException {
    beans = functionBeans();
    template = cloudFormation(Files.readString(Path.of(System.getProperty("vmsaga.template"))));
  }

  @Test
  void everyFunctionBeanHasALambdaFunctionAndEveryLambdaFunctionABean() {
    Set<String> defined = functions().keySet();
    var withoutFunction = new TreeSet<>(beans.keySet());
    withoutFunction.removeAll(defined);
    var withoutBean = new TreeSet<>(defined);
    withoutBean.removeAll(beans.keySet());

    assertThat(beans)
        .as("function beans found on the classpath")
        .containsKeys("createVm", "reserveResources");
    assertThat(withoutFunction).as("beans without a function in template.yaml").isEmpty();
    assertThat(withoutBean).as("functions in template.yaml without a bean").isEmpty();
  }

  /** Every saga of every capability, built as its trigger builds it (payloads are not needed). */
  static final Map<String, Saga> SAGAS =
      Map.ofEntries(
          Map.entry("batchCreateVms", BatchPlan.of("t")),
          Map.entry(
              "createVm", CreateVmSaga.of("t", TestPlans.fromLocalImage(), Duration.ofMinutes(1))),
          Map.entry(
              "deleteVm", DeleteVmSaga.of("t", TestPlans.fromLocalImage(), Duration.ofMinutes(1))),
          Map.entry("migrateVm", MigrateVmSaga.of("t", null, Duration.ofMinutes(1))),
          Map.entry("coldMigrateVm", ColdMigrateVmSaga.of("t", null, Duration.ofMinutes(1))),
          Map.entry("importImage", ImportImageSaga.of("t", null, Duration.ofMinutes(1))),
          Map.entry("createNetwork", CreateNetworkSaga.of("t", null, Duration.ofMinutes(1))),
          Map.entry("deleteNetwork", DeleteNetworkSaga.of("t", null, Duration.ofMinutes(1))),
          Map.entry("resizeDisk", ResizeDiskSaga.of("t", null, Duration.ofMinutes(1))),
          Map.entry("attachDisk", AttachDiskSaga.of("t", null, Duration.ofMinutes(1))),
          Map.entry("detachDisk", DetachDiskSaga.of("t", null, Duration.ofMinutes(1))),
          Map.entry("assignVm", AssignVmSaga.of("t", null, Duration.ofMinutes(1))));

  @Test
  void everyStepAndCompensationOfEverySagaIsABeanWithALambdaFunction() {
    Set<String> defined = functions().keySet();
    SAGAS.forEach(
        (trigger, saga) -> {
          assertThat(saga.functions()).as(trigger + " names functions").isNotEmpty();
          for (String function : saga.functions()) {
            assertThat(beans).as(trigger + " names a bean").containsKey(function);
            assertThat(defined).as(trigger + " names a Lambda function").contains(function);
          }
        });
    assertThat(SAGAS.get("migrateVm").pivotBranchId()).as("live migration's pivot").isEqualTo("05");
    assertThat(SAGAS.get("coldMigrateVm").pivotBranchId()).as("cold move's pivot").isEqualTo("04");
  }

  /**
   * Triggers at POST /name, health (a Supplier) at GET, saga branches at POST and GET (DTM's empty
   * payload); the functions the web app runs on timers on a schedule only.
   */
  @Test
  void eachFunctionIsRoutedWhereItsCallersCallIt() {
    functions()
        .forEach(
            (name, function) -> {
              Class<?> bean = beans.get(name);
              if (bean == null) {
                return; // reported by the test above
              }
              Map<String, Object> events = map(function.properties(), "Events");
              if (bean.isAnnotationPresent(ConditionalOnNotWebApplication.class)) {
                // a scheduled function: invoked by EventBridge only, never routed
                assertThat(events.values())
                    .as(name + " runs on a schedule")
                    .singleElement()
                    .satisfies(e -> assertThat(map(e).get("Type")).isEqualTo("Schedule"));
                return;
              }
              Set<String> expected =
                  Supplier.class.isAssignableFrom(bean)
                      ? Set.of("GET")
                      : isBranch(bean) ? Set.of("POST", "GET") : Set.of("POST");
              var routes = new TreeSet<String>();
              events
                  .values()
                  .forEach(
                      e -> {
                        Map<String, Object> event = map(e);
                        Map<String, Object> properties = map(event, "Properties");
                        assertThat(event.get("Type")).as(name).isEqualTo("HttpApi");
                        assertThat(properties.get("ApiId"))
                            .as(name)
                            .isEqualTo(Map.of("Ref", "Api"));
                        assertThat(properties.get("Path")).as(name).isEqualTo("/" + name);
                        routes.add((String) properties.get("Method"));
                      });
              assertThat(routes).as("methods of " + name).isEqualTo(new TreeSet<>(expected));
              assertThat(function.id())
                  .as("logical id of " + name)
                  .isEqualTo(StringUtils.capitalize(name));
            });
  }

  @Test
  void everyFunctionRunsTheShadedJarThroughFunctionInvoker() {
    Map<String, Object> globals = map(map(template, "Globals"), "Function");

    assertThat(globals.get("Handler"))
        .isEqualTo(OneObjectInvoker.class.getName() + "::handleRequest");
    assertThat(globals.get("Runtime")).isEqualTo("java25");
    Path repository = Path.of(System.getProperty("vmsaga.template")).toAbsolutePath().getParent();
    assertThat(repository.resolve((String) globals.get("CodeUri")).normalize())
        .as("CodeUri is the jar maven-shade-plugin attaches as classifier aws")
        .isEqualTo(Path.of(System.getProperty("vmsaga.aws-jar")).toAbsolutePath().normalize());
    functions()
        .values()
        .forEach(
            function ->
                assertThat(function.properties())
                    .as(function.id())
                    .doesNotContainKeys("Handler", "CodeUri", "Runtime"));
  }

  @Test
  void secretsArePassedInNeverWrittenDown() {
    map(template, "Parameters")
        .forEach(
            (name, p) -> {
              if (name.endsWith("Password") || name.endsWith("Token")) {
                assertThat(map(p))
                    .as(name)
                    .containsEntry("NoEcho", true)
                    .doesNotContainKey("Default");
              }
            });
  }

  record LambdaFunction(String id, Map<String, Object> properties) {}

  /** The template's Lambda functions by the bean they select (SPRING_CLOUD_FUNCTION_DEFINITION). */
  static Map<String, LambdaFunction> functions() {
    var byBean = new TreeMap<String, LambdaFunction>();
    map(template, "Resources")
        .forEach(
            (id, r) -> {
              Map<String, Object> resource = map(r);
              if (SERVERLESS_FUNCTION.equals(resource.get("Type"))) {
                var function = new LambdaFunction(id, map(resource, "Properties"));
                var variables = map(map(function.properties(), "Environment"), "Variables");
                var previous =
                    byBean.put(
                        (String) variables.get("SPRING_CLOUD_FUNCTION_DEFINITION"), function);
                assertThat(previous).as("a second function for the bean of " + id).isNull();
              }
            });
    return byBean;
  }

  /** Beans DTM calls as saga branches: their input is a step payload. */
  public static boolean isBranch(Class<?> bean) {
    var input = ResolvableType.forClass(bean).as(Function.class).getGeneric(0);
    var payload = input.getGeneric(0).resolve(Object.class);
    return Step.class.isAssignableFrom(payload);
  }

  /**
   * Every {@code @Component("name")} in the functions app that is a Function or a Supplier, by
   * name.
   */
  public static Map<String, Class<?>> functionBeans() {
    var scanner = new ClassPathScanningCandidateComponentProvider(false);
    scanner.addIncludeFilter(new AnnotationTypeFilter(Component.class));
    var found = new TreeMap<String, Class<?>>();
    for (var candidate : scanner.findCandidateComponents("io.vmsaga.functions")) {
      Class<?> type = ClassUtils.resolveClassName(candidate.getBeanClassName(), null);
      if (Function.class.isAssignableFrom(type) || Supplier.class.isAssignableFrom(type)) {
        String name = type.getAnnotation(Component.class).value();
        assertThat(name).as(type + " names its function in @Component").isNotEmpty();
        found.put(name, type);
      }
    }
    return found;
  }

  /**
   * YAML with CloudFormation's short forms (!Ref X, !Sub s, !If [..]) read as their long forms
   * ({Ref: X} …).
   */
  static Map<String, Object> cloudFormation(String yaml) {
    var constructor =
        new SafeConstructor(new LoaderOptions()) {
          {
            yamlMultiConstructors.put(
                "!",
                new AbstractConstruct() {
                  @Override
                  public Object construct(Node node) {
                    String tag = node.getTag().getValue().substring(1);
                    Object value =
                        node instanceof ScalarNode s
                            ? constructScalar(s)
                            : node instanceof SequenceNode q
                                ? constructSequence(q)
                                : constructMapping((MappingNode) node);
                    return Map.of(tag.equals("Ref") ? "Ref" : "Fn::" + tag, value);
                  }
                });
          }
        };
    return new Yaml(constructor).load(yaml);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object value) {
    assertThat(value).isInstanceOf(Map.class);
    return (Map<String, Object>) value;
  }

  static Map<String, Object> map(Map<String, Object> parent, String key) {
    assertThat(parent).containsKey(key);
    return map(parent.get(key));
  }
}
