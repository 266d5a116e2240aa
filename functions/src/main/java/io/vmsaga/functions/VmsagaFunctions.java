package io.vmsaga.functions;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** One Spring context for every function: run as a web app locally, or one function per Lambda. */
@SpringBootApplication
public class VmsagaFunctions {
  public static void main(String[] args) {
    SpringApplication.run(VmsagaFunctions.class, args);
  }
}
