package dev.rota.platform.internal.problem;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.bind.annotation.JsonbProperty;
import jakarta.json.bind.annotation.JsonbTransient;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Checks, before JSON-B binds a body, that every JSON number bound to an integer field is a whole
 * number within the field's range, and every number bound to a floating-point field is finite.
 * JSON-B would otherwise truncate {@code 4349.5} to {@code 4349} and wrap {@code 2^40} silently.
 * The check follows the target type (records, classes, collections, maps, optionals) alongside the
 * parsed value; other mismatches are left to JSON-B.
 */
final class NumberFit {

  private static final int MAX_BIG_INTEGER_DIGITS = 1000;

  private record Range(String name, long min, long max) {}

  private static final Map<Class<?>, Range> INTEGERS =
      Map.of(
          Byte.class, new Range("an 8-bit integer", Byte.MIN_VALUE, Byte.MAX_VALUE),
          byte.class, new Range("an 8-bit integer", Byte.MIN_VALUE, Byte.MAX_VALUE),
          Short.class, new Range("a 16-bit integer", Short.MIN_VALUE, Short.MAX_VALUE),
          short.class, new Range("a 16-bit integer", Short.MIN_VALUE, Short.MAX_VALUE),
          Integer.class, new Range("a 32-bit integer", Integer.MIN_VALUE, Integer.MAX_VALUE),
          int.class, new Range("a 32-bit integer", Integer.MIN_VALUE, Integer.MAX_VALUE),
          Long.class, new Range("a 64-bit integer", Long.MIN_VALUE, Long.MAX_VALUE),
          long.class, new Range("a 64-bit integer", Long.MIN_VALUE, Long.MAX_VALUE));

  private NumberFit() {}

  /** Throws {@link MalformedBody} naming the first number that does not fit its field. */
  static void check(JsonValue value, Type type) {
    walk(value, type, "");
  }

  private static void walk(JsonValue value, Type type, String at) {
    Class<?> raw = raw(type);
    if (value == null || value.getValueType() == JsonValue.ValueType.NULL || raw == null) {
      return;
    }
    if (raw == Optional.class) {
      walk(value, argument(type, 0), at);
    } else if (value instanceof JsonNumber number) {
      fit(number, raw, at);
    } else if (value instanceof JsonArray array) {
      Type element = elementType(type, raw);
      for (int i = 0; element != null && i < array.size(); i++) {
        walk(array.get(i), element, at + "[" + i + "]");
      }
    } else if (value instanceof JsonObject object) {
      if (Map.class.isAssignableFrom(raw)) {
        Type values = argument(type, 1);
        object.forEach((key, member) -> walk(member, values, join(at, key)));
      } else if (isBean(raw)) {
        Map<String, Type> properties = properties(raw);
        object.forEach(
            (key, member) -> {
              if (properties.containsKey(key)) {
                walk(member, properties.get(key), join(at, key));
              }
            });
      }
    }
  }

  private static void fit(JsonNumber number, Class<?> target, String at) {
    BigDecimal value = number.bigDecimalValue();
    Range range = INTEGERS.get(target);
    boolean bigInteger = target == BigInteger.class;
    if (range != null || bigInteger) {
      boolean whole = value.signum() == 0 || value.stripTrailingZeros().scale() <= 0;
      if (!whole) {
        throw refused(at, "must be a whole number, not " + number + ".");
      }
      if (range != null
          && (value.compareTo(BigDecimal.valueOf(range.min())) < 0
              || value.compareTo(BigDecimal.valueOf(range.max())) > 0)) {
        throw refused(
            at,
            "must be "
                + range.name()
                + " from "
                + range.min()
                + " to "
                + range.max()
                + "; "
                + number
                + " is out of range.");
      }
      if (bigInteger && value.precision() - value.scale() > MAX_BIG_INTEGER_DIGITS) {
        throw refused(at, "has more than " + MAX_BIG_INTEGER_DIGITS + " digits.");
      }
    } else if (target == double.class || target == Double.class) {
      if (Double.isInfinite(value.doubleValue())) {
        throw refused(at, "is beyond the range of a 64-bit floating-point number.");
      }
    } else if (target == float.class || target == Float.class) {
      if (Float.isInfinite(value.floatValue())) {
        throw refused(at, "is beyond the range of a 32-bit floating-point number.");
      }
    }
  }

  private static MalformedBody refused(String at, String why) {
    return new MalformedBody(
        "The request body has a number that does not fit its field: "
            + (at.isEmpty() ? "the body" : at)
            + " "
            + why);
  }

  private static String join(String at, String key) {
    return at.isEmpty() ? key : at + "." + key;
  }

  /** Application types whose properties JSON-B binds (not the JDK's, not JSON-P values). */
  private static boolean isBean(Class<?> raw) {
    return !raw.isPrimitive()
        && !raw.isArray()
        && !raw.isInterface()
        && !raw.getName().startsWith("java.")
        && !JsonValue.class.isAssignableFrom(raw);
  }

  /** Property name (as JSON-B names it) to its declared type. */
  private static Map<String, Type> properties(Class<?> raw) {
    Map<String, Type> properties = new HashMap<>();
    if (raw.isRecord()) {
      for (RecordComponent component : raw.getRecordComponents()) {
        Field field = field(raw, component.getName());
        properties.put(name(field, component.getName()), component.getGenericType());
      }
      return properties;
    }
    for (Class<?> c = raw; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field field : c.getDeclaredFields()) {
        int modifiers = field.getModifiers();
        if (!Modifier.isStatic(modifiers)
            && !Modifier.isTransient(modifiers)
            && !field.isAnnotationPresent(JsonbTransient.class)) {
          properties.putIfAbsent(name(field, field.getName()), field.getGenericType());
        }
      }
    }
    return properties;
  }

  private static Field field(Class<?> raw, String name) {
    try {
      return raw.getDeclaredField(name);
    } catch (NoSuchFieldException e) {
      return null;
    }
  }

  private static String name(Field field, String fallback) {
    JsonbProperty renamed = field == null ? null : field.getAnnotation(JsonbProperty.class);
    return renamed == null || renamed.value().isEmpty() ? fallback : renamed.value();
  }

  private static Type elementType(Type type, Class<?> raw) {
    if (raw.isArray()) {
      return type instanceof GenericArrayType generic
          ? generic.getGenericComponentType()
          : raw.getComponentType();
    }
    return Collection.class.isAssignableFrom(raw) ? argument(type, 0) : null;
  }

  private static Type argument(Type type, int index) {
    return type instanceof ParameterizedType parameterized
            && parameterized.getActualTypeArguments().length > index
        ? parameterized.getActualTypeArguments()[index]
        : null;
  }

  private static Class<?> raw(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType parameterized
        && parameterized.getRawType() instanceof Class<?> c) {
      return c;
    }
    if (type instanceof GenericArrayType generic) {
      Class<?> component = raw(generic.getGenericComponentType());
      return component == null ? null : component.arrayType();
    }
    return null;
  }
}
