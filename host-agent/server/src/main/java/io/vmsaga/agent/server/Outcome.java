package io.vmsaga.agent.server;

/**
 * The result of a create-or-replace: the resource and whether this call created it (201) or found
 * it (200).
 */
public record Outcome<T>(T value, boolean created) {
  public static <T> Outcome<T> created(T value) {
    return new Outcome<>(value, true);
  }

  public static <T> Outcome<T> existing(T value) {
    return new Outcome<>(value, false);
  }
}
