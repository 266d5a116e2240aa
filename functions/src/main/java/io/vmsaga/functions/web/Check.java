package io.vmsaga.functions.web;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Collects what is wrong with a request; messages name the field, never echo its value. */
public final class Check {
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
  public static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  public static final Pattern KEY = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

  private final List<String> problems = new ArrayList<>();

  public Check require(boolean ok, String problem) {
    if (!ok) {
      problems.add(problem);
    }
    return this;
  }

  public Check matches(String value, Pattern pattern, String field, boolean required) {
    return require(
        value == null ? !required : pattern.matcher(value).matches(),
        field + (value == null ? " is required" : " must match " + pattern.pattern()));
  }

  public Check range(Integer value, int min, int max, String field) {
    return require(
        value != null && value >= min && value <= max,
        field + " must be between " + min + " and " + max);
  }

  public boolean failed() {
    return !problems.isEmpty();
  }

  public org.springframework.messaging.Message<Replies.Error> reply() {
    return Replies.invalid(String.join("; ", problems));
  }
}
