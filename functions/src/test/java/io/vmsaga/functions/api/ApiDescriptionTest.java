package io.vmsaga.functions.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmsaga.functions.lambda.SamTemplateTest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.condition.ConditionalOnNotWebApplication;

/**
 * docs/openapi.json is what {@link ApiDescription} writes from the functions' records now, the web
 * app serves that file, and every function a caller reaches has its entry. After changing a request
 * or answer record or adding a function, write the file again with {@link #REGENERATE}.
 */
class ApiDescriptionTest {
  static final String REGENERATE =
      "cd functions && mvn -B -o test -Dtest=ApiDescriptionTest -Dvmsaga.openapi.write=true";

  static Map<String, Class<?>> beans;
  static Path file;

  @BeforeAll
  static void load() {
    beans = SamTemplateTest.functionBeans();
    file = Path.of(System.getProperty("vmsaga.root"), "docs", "openapi.json");
  }

  /**
   * Callers reach every bean but saga branches (DTM calls them with the branch token) and the
   * functions only a Lambda schedule runs.
   */
  @Test
  void everyFunctionACallerReachesHasAnEntry() {
    var callable = new TreeSet<String>();
    beans.forEach(
        (name, bean) -> {
          if (!SamTemplateTest.isBranch(bean)
              && !bean.isAnnotationPresent(ConditionalOnNotWebApplication.class)) {
            callable.add(name);
          }
        });
    var described = new TreeSet<String>();
    ApiDescription.FUNCTIONS.forEach(e -> described.add(e.name));

    assertThat(callable).as("found on the classpath").contains("createVm", "listNodes", "health");
    assertThat(callable)
        .as("functions callers reach, against ApiDescription.FUNCTIONS")
        .isEqualTo(described);
  }

  @Test
  void theCheckedInDescriptionIsWhatTheRecordsSayNow() throws IOException {
    String now = ApiDescription.write(beans);
    if (Boolean.getBoolean("vmsaga.openapi.write")) {
      Files.writeString(file, now);
      return;
    }
    String checkedIn = Files.exists(file) ? Files.readString(file) : "";
    assertThat(checkedIn)
        .as(
            "docs/openapi.json differs from what the functions' records and ApiDescription say;"
                + " write it again with: "
                + REGENERATE)
        .isEqualTo(now);
  }

  /** The build copies docs/openapi.json to static/ (functions/pom.xml): GET /openapi.json. */
  @Test
  void theWebAppServesTheCheckedInFile() throws IOException {
    try (InputStream served = getClass().getResourceAsStream("/static/openapi.json")) {
      assertThat(served).as("static/openapi.json on the class path").isNotNull();
      assertThat(new String(served.readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo(Files.readString(file));
    }
  }

  /** Stable codes a function's own class answers: each is documented for it. */
  private static final Pattern CODE =
      Pattern.compile(
          "(?:conflict|failure|Replies\\.Error|Error)\\(\\s*\"([a-z_]+)\"|\"code\",\\s*\"([a-z_]+)\"");

  @Test
  void everyCodeAFunctionAnswersItselfIsDocumented() throws IOException {
    Path sources = Path.of(System.getProperty("vmsaga.root"), "functions", "src", "main", "java");
    var undocumented = new TreeMap<String, TreeSet<String>>();
    for (var entry : ApiDescription.FUNCTIONS) {
      Class<?> bean = beans.get(entry.name);
      String source = Files.readString(sources.resolve(bean.getName().replace('.', '/') + ".java"));
      var documented = new TreeSet<String>();
      entry.refusals.values().forEach(r -> documented.addAll(r.codes));
      documented.addAll(entry.reported);
      var matcher = CODE.matcher(source);
      while (matcher.find()) {
        String code = matcher.group(1) != null ? matcher.group(1) : matcher.group(2);
        if (!documented.contains(code)) {
          undocumented.computeIfAbsent(entry.name, n -> new TreeSet<>()).add(code);
        }
      }
    }
    assertThat(undocumented).as("codes answered but not in ApiDescription").isEmpty();
  }
}
