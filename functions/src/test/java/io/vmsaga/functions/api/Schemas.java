package io.vmsaga.functions.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * JSON Schemas (2020-12, as OpenAPI 3.1 takes them) of the records functions take and answer, read
 * by reflection the way Jackson writes them: one property per record component, by its name; a
 * primitive is never null, anything else may be in an answer. A request's fields are documented
 * without null (a null is taken as absent). Each record becomes one named schema under {@code
 * components/schemas}; a type this does not know fails the build rather than being guessed.
 */
final class Schemas {
  /** Named schemas, by name, sorted. */
  final Map<String, Object> components = new TreeMap<>();

  private final Map<String, Class<?>> named = new TreeMap<>();
  private final Map<Class<?>, Boolean> direction = new LinkedHashMap<>();
  private final Map<Class<?>, List<String>> required;
  private final Map<String, Pattern> patterns;

  /**
   * @param required the fields each request record needs (the functions' checks say so, not the
   *     records)
   * @param patterns what request fields of these names must match
   */
  Schemas(Map<Class<?>, List<String>> required, Map<String, Pattern> patterns) {
    this.required = required;
    this.patterns = patterns;
  }

  /** The schema of a request body of this type. */
  Map<String, Object> request(Type type) {
    return schema(type, false, true);
  }

  /** The schema of an answer of this type. */
  Map<String, Object> response(Type type) {
    return schema(type, false, false);
  }

  /** The schema of a property of an answer: may be null unless primitive. */
  Map<String, Object> responseProperty(Type type) {
    return schema(type, nullable(type), false);
  }

  private Map<String, Object> schema(Type type, boolean nullable, boolean request) {
    Map<String, Object> schema = new LinkedHashMap<>();
    if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
      Type[] args = p.getActualTypeArguments();
      if (Collection.class.isAssignableFrom(raw)) {
        schema.put("type", "array");
        schema.put("items", schema(args[0], false, request));
      } else if (Map.class.isAssignableFrom(raw) && args[0] == String.class) {
        schema.put("type", "object");
        if (args[1] != Object.class) {
          schema.put("additionalProperties", schema(args[1], false, request));
        }
      } else {
        throw new IllegalArgumentException("no schema for " + type);
      }
    } else if (type instanceof Class<?> c && c.isRecord()) {
      schema.put("$ref", "#/components/schemas/" + define(c, request));
    } else if (type instanceof Class<?> c) {
      simple(c, schema);
    } else {
      throw new IllegalArgumentException("no schema for " + type);
    }
    if (!nullable) {
      return schema;
    }
    if (schema.get("type") instanceof String simple && !schema.containsKey("items")) {
      schema.put("type", List.of(simple, "null"));
      return schema;
    }
    return Map.of("anyOf", List.of(schema, Map.of("type", "null")));
  }

  private static void simple(Class<?> c, Map<String, Object> schema) {
    if (c == String.class) {
      schema.put("type", "string");
    } else if (c == int.class || c == Integer.class) {
      schema.put("type", "integer");
      schema.put("format", "int32");
    } else if (c == long.class || c == Long.class) {
      schema.put("type", "integer");
      schema.put("format", "int64");
    } else if (c == double.class || c == Double.class) {
      schema.put("type", "number");
      schema.put("format", "double");
    } else if (c == boolean.class || c == Boolean.class) {
      schema.put("type", "boolean");
    } else if (Map.class.isAssignableFrom(c)) {
      schema.put("type", "object"); // a function that reads no field of its body
    } else if (c != Object.class) {
      throw new IllegalArgumentException("no schema for " + c);
    }
  }

  private static boolean nullable(Type type) {
    return !(type instanceof Class<?> c && c.isPrimitive());
  }

  /** Defines the record's schema once, answers its name. */
  private String define(Class<?> record, boolean request) {
    String name =
        record.getName().substring(record.getPackageName().length() + 1).replace('$', '.');
    Class<?> before = named.putIfAbsent(name, record);
    if (before != null && before != record) {
      throw new IllegalStateException("two records named " + name + ": " + before + ", " + record);
    }
    Boolean was = direction.putIfAbsent(record, request);
    if (was != null) {
      if (was != request) {
        throw new IllegalStateException(name + " is both a request and an answer: split it");
      }
      return name;
    }
    if (record.isAnnotationPresent(JsonNaming.class)) {
      throw new IllegalStateException(
          name + " renames its properties (@JsonNaming): not read here");
    }
    jacksonSeesOnlyComponents(record);
    Map<String, Object> properties = new LinkedHashMap<>();
    List<String> all = new ArrayList<>();
    for (RecordComponent c : record.getRecordComponents()) {
      if (c.getAccessor().isAnnotationPresent(JsonIgnore.class)) {
        continue;
      }
      var renamed = c.getAccessor().getAnnotation(JsonProperty.class);
      String property =
          renamed == null || renamed.value().isEmpty() ? c.getName() : renamed.value();
      Type type = c.getGenericType();
      Map<String, Object> schema =
          request ? schema(type, false, true) : schema(type, nullable(type), false);
      if (request && patterns.containsKey(property) && type == String.class) {
        schema = new LinkedHashMap<>(schema);
        schema.put("pattern", "^" + patterns.get(property).pattern() + "$");
      }
      properties.put(property, schema);
      all.add(property);
    }
    Map<String, Object> schema = new LinkedHashMap<>();
    schema.put("type", "object");
    schema.put("properties", properties);
    // an answer has every field, null or not; a request what its function's checks need
    List<String> needed = request ? required.getOrDefault(record, List.of()) : all;
    if (!all.containsAll(needed)) {
      throw new IllegalStateException(name + " has no field among " + needed);
    }
    if (!needed.isEmpty()) {
      schema.put("required", needed);
    }
    components.put(name, schema);
    return name;
  }

  /** Jackson also writes a record's public getX()/isX() methods: none may hide among them. */
  private static void jacksonSeesOnlyComponents(Class<?> record) {
    var accessors = new ArrayList<String>();
    for (RecordComponent c : record.getRecordComponents()) {
      accessors.add(c.getName());
    }
    for (var method : record.getMethods()) {
      String name = method.getName();
      if (method.getParameterCount() == 0
          && !Modifier.isStatic(method.getModifiers())
          && method.getDeclaringClass() == record
          && name.matches("(get|is)[A-Z].*")
          && !accessors.contains(name)
          && !method.isAnnotationPresent(JsonIgnore.class)) {
        throw new IllegalStateException(
            record.getName() + "." + name + "() would be written by Jackson too: not read here");
      }
    }
  }
}
