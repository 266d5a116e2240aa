package io.vmsaga.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Prints answers: {@code json} is the API's own JSON, whole, for scripts; {@code table} picks the
 * columns a person reads.
 */
public final class Output {
  public enum Format {
    table,
    json
  }

  /** A column: its header and where its value is in a row ({@code quota.maxVms}). */
  public record Column(String header, String path) {}

  public static Column col(String header, String path) {
    return new Column(header, path);
  }

  private final PrintStream out;
  private final Format format;

  public Output(PrintStream out, Format format) {
    this.out = out;
    this.format = format;
  }

  public boolean json() {
    return format == Format.json;
  }

  /** A list answer: {@code answer.<field>} as rows of {@code columns}, or the answer as JSON. */
  public void list(JsonNode answer, String field, Column... columns) {
    if (json()) {
      print(answer);
      return;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(List.of(columns).stream().map(Column::header).toArray(String[]::new));
    for (JsonNode row : answer.path(field)) {
      rows.add(List.of(columns).stream().map(c -> text(at(row, c.path()))).toArray(String[]::new));
    }
    int[] widths = new int[columns.length];
    rows.forEach(r -> widen(widths, r));
    rows.forEach(r -> out.println(line(widths, r)));
  }

  /** One object: {@code name value} lines (nested values as compact JSON), or the JSON. */
  public void record(JsonNode answer) {
    if (json()) {
      print(answer);
      return;
    }
    int width = answer.propertyNames().stream().mapToInt(String::length).max().orElse(0);
    for (var field : answer.properties()) {
      if (!field.getValue().isNull()) {
        out.println(String.format("%-" + width + "s  %s", field.getKey(), text(field.getValue())));
      }
    }
  }

  /** Plain text a command produces (a console log, a script), as it is. */
  public void text(String text) {
    out.print(text);
    out.flush();
  }

  public void print(JsonNode answer) {
    out.println(Api.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(answer));
  }

  static JsonNode at(JsonNode node, String path) {
    for (String part : path.split("\\.")) {
      node = node.path(part);
    }
    return node;
  }

  static String text(JsonNode value) {
    if (value.isMissingNode() || value.isNull()) {
      return "-";
    }
    if (value.isArray() && value.size() > 0 && value.get(0).isObject()) {
      return value.size() + " item" + (value.size() == 1 ? "" : "s");
    }
    return value.isValueNode() ? value.asString() : value.toString();
  }

  private static void widen(int[] widths, String[] row) {
    for (int i = 0; i < row.length; i++) {
      widths[i] = Math.max(widths[i], row[i].length());
    }
  }

  private static String line(int[] widths, String[] row) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < row.length; i++) {
      line.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
    }
    return line.toString().stripTrailing();
  }
}
