package io.vmsaga.agent.server;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/** The shapes every name must have before it reaches a path, a process or a command line. */
public final class Ids {
  private Ids() {}

  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  private static final Pattern POOL = Pattern.compile("local|shared");

  /** Linux interface names are at most 15 bytes (IFNAMSIZ - 1). */
  private static final Pattern IFNAME = Pattern.compile("[a-z][a-z0-9-]{0,14}");

  private static final Pattern MAC = Pattern.compile("([0-9a-f]{2}:){5}[0-9a-f]{2}");
  private static final Pattern HOST = Pattern.compile("[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?");

  public static String id(String what, String value) {
    return require(what, value, ID);
  }

  public static String pool(String value) {
    return require("pool", value, POOL);
  }

  public static String ifname(String what, String value) {
    return require(what, value, IFNAME);
  }

  /** A unicast MAC: the least significant bit of the first octet (multicast) must be clear. */
  public static String mac(String value) {
    require("mac", value, MAC);
    if ((Integer.parseInt(value.substring(0, 2), 16) & 1) != 0) {
      throw ApiException.invalid("mac must be unicast");
    }
    return value;
  }

  /** A host name or IPv4 literal to migrate to or listen on. */
  public static String host(String value) {
    return require("host", value, HOST);
  }

  public static int port(Integer value) {
    if (value == null || value < 1 || value > 65535) {
      throw ApiException.invalid("port must be 1..65535");
    }
    return value;
  }

  /** A number within bounds; {@code what} names the field in the error. */
  public static long bounded(String what, Number value, long min, long max) {
    if (value == null) {
      throw ApiException.invalid(what + " is required");
    }
    long v = value.longValue();
    if (v < min || v > max) {
      throw ApiException.invalid(what + " must be " + min + ".." + max);
    }
    return v;
  }

  /**
   * A query parameter in milliseconds: {@code defaultMs} when absent, else {@code min..max}; {@code
   * what} names the parameter in the error.
   */
  public static Duration millis(
      String what, Optional<String> value, long defaultMs, long min, long max) {
    if (value.isEmpty()) {
      return Duration.ofMillis(defaultMs);
    }
    if (!value.get().matches("[0-9]{1,9}")) {
      throw ApiException.invalid(what + " must be a number of milliseconds");
    }
    return Duration.ofMillis(bounded(what, Long.parseLong(value.get()), min, max));
  }

  private static String require(String what, String value, Pattern pattern) {
    if (value == null) {
      throw ApiException.invalid(what + " is required");
    }
    if (!pattern.matcher(value).matches()) {
      throw ApiException.invalid(what + " has an invalid format");
    }
    return value;
  }
}
