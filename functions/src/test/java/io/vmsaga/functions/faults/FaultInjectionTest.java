package io.vmsaga.functions.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.messaging.Message;

class FaultInjectionTest {
  /** A function bean of this app's packages, as every step and trigger is. */
  static class Echo implements Function<Message<String>, Message<String>> {
    @Override
    public Message<String> apply(Message<String> message) {
      return message;
    }
  }

  private static FaultInjection faults(boolean enabled) {
    return new FaultInjection(
        new DefaultListableBeanFactory().getBeanProvider(FaultMapper.class), enabled);
  }

  @Test
  void withFaultsOffNoFunctionIsWrapped() {
    Echo echo = new Echo();

    assertSame(echo, faults(false).postProcessAfterInitialization(echo, "echo"));
  }

  /**
   * Spring AOT generates the class that {@code determineBeanType} makes when the jar is built, and
   * a start loads it by name: the proxy a start makes must be that class, not a second one.
   */
  @Test
  void theProxyAStartMakesIsTheClassMadeAtBuildTime() {
    FaultInjection faults = faults(true);

    Class<?> atBuild = faults.determineBeanType(Echo.class, "echo");
    Object atStart = faults.postProcessAfterInitialization(new Echo(), "echo");

    assertNotEquals(Echo.class, atBuild);
    assertEquals(atBuild, atStart.getClass());
  }
}
