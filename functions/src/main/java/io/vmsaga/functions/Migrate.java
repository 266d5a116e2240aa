package io.vmsaga.functions;

import org.flywaydb.core.Flyway;

/**
 * Applies the vmsaga schema's migrations and exits: the deploy step for a managed MySQL, where no
 * long-lived app migrates at start (Lambda). {@code VMSAGA_DB_URL=… VMSAGA_DB_USER=…
 * VMSAGA_DB_PASSWORD=… java -cp vmsaga-functions-<version>-aws.jar io.vmsaga.functions.Migrate}
 */
public final class Migrate {
  /** Where the build puts sql/vmsaga; application.yml names the same place for the web app. */
  static final String LOCATION = "classpath:db/vmsaga";

  private Migrate() {}

  public static void main(String[] args) {
    var result =
        Flyway.configure()
            .dataSource(
                System.getenv("VMSAGA_DB_URL"),
                System.getenv("VMSAGA_DB_USER"),
                System.getenv("VMSAGA_DB_PASSWORD"))
            .locations(LOCATION)
            .load()
            .migrate();
    System.out.printf(
        "vmsaga schema at version %s (%d migration(s) applied)%n",
        result.targetSchemaVersion, result.migrationsExecuted);
  }
}
