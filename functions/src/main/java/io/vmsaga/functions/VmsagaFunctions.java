package io.vmsaga.functions;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.context.annotation.Bean;

/** One Spring context for every function: run as a web app locally, or one function per Lambda. */
@SpringBootApplication
public class VmsagaFunctions {
  public static void main(String[] args) {
    SpringApplication.run(VmsagaFunctions.class, args);
  }

  /**
   * VMSAGA_DB_MIGRATE=false (spring.flyway.enabled) leaves Flyway out of the context. Where the app
   * starts from the context Spring AOT generated, whose beans were fixed when the jar was built,
   * Flyway is there all the same: this keeps it from migrating.
   */
  @Bean
  FlywayMigrationStrategy migrateUnlessTurnedOff(
      @Value("${spring.flyway.enabled:true}") boolean migrate) {
    return flyway -> {
      if (migrate) {
        flyway.migrate();
      }
    };
  }
}
