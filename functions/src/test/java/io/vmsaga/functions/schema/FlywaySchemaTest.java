package io.vmsaga.functions.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.exception.FlywayValidateException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flyway owns the vmsaga schema of the running stack: every file of sql/vmsaga is in its history,
 * and an applied file that was changed afterwards stops start-up with a message naming it (the
 * functions app runs the same validation before it migrates).
 */
class FlywaySchemaTest {
  static final Path MIGRATIONS = Path.of(System.getProperty("vmsaga.root"), "sql", "vmsaga");

  static Flyway flyway(String location) {
    return Flyway.configure()
        .dataSource(
            System.getenv("VMSAGA_DB_URL"),
            System.getenv("VMSAGA_DB_USER"),
            System.getenv("VMSAGA_DB_PASSWORD"))
        .locations(location)
        .load();
  }

  @Test
  void everyMigrationFileIsInTheHistory() throws Exception {
    List<String> files;
    try (var listing = Files.list(MIGRATIONS)) {
      files =
          listing
              .map(p -> p.getFileName().toString())
              .filter(n -> n.matches("V\\d+__.*\\.sql"))
              .sorted()
              .toList();
    }
    List<String> applied = new ArrayList<>();
    try (var db =
            DriverManager.getConnection(
                System.getenv("VMSAGA_DB_URL"),
                System.getenv("VMSAGA_DB_USER"),
                System.getenv("VMSAGA_DB_PASSWORD"));
        var rows =
            db.createStatement()
                .executeQuery(
                    "SELECT script FROM flyway_schema_history WHERE success ORDER BY installed_rank")) {
      while (rows.next()) {
        applied.add(rows.getString(1));
      }
    }
    assertThat(files).isNotEmpty();
    assertThat(applied).isEqualTo(files);
    flyway("filesystem:" + MIGRATIONS).validate();
  }

  @Test
  void aChangedAppliedFileFailsWithAMessageNamingIt(@TempDir Path copy) throws Exception {
    try (var listing = Files.list(MIGRATIONS)) {
      for (Path file : listing.toList()) {
        Files.copy(file, copy.resolve(file.getFileName()));
      }
    }
    Path first = copy.resolve("V001__init.sql");
    Files.writeString(first, Files.readString(first) + "\n-- edited after it was applied\n");

    assertThatThrownBy(() -> flyway("filesystem:" + copy).validate())
        .isInstanceOf(FlywayValidateException.class)
        .hasMessageContaining("checksum mismatch")
        .hasMessageContaining("001");
  }
}
