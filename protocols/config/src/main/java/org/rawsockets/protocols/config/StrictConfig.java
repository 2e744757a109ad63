package org.rawsockets.protocols.config;

import java.lang.annotation.Annotation;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads a configuration map into its component property type (the {@code @ObjectClassDefinition}
 * annotation) strictly, where Declarative Services would coerce silently: {@code verifyHostname=ture}
 * is an error (DS makes it {@code false}), {@code port=abc} is an error (DS makes it {@code 0}), a
 * list where one value is expected is an error. A key the type does not know is reported (with the
 * nearest known key) so a misspelt property does not pass for a default.
 *
 * <p>Property names follow the DS mapping of method names: {@code _password} is {@code .password},
 * {@code __x} is {@code _x}, {@code $} is dropped ({@code $$} is {@code $}). Keys the framework or
 * FileInstall add ({@code service.*}, {@code component.*}, {@code felix.*}, {@code osgi.*}) and
 * reference target filters ({@code *.target}) are not reported.
 */
public final class StrictConfig {

    /** Where a configuration came from, for messages: its PID and (FileInstall) its file. */
    public static final String FILE_PROPERTY = "felix.fileinstall.filename";

    private StrictConfig() {
    }

    /** A configuration read: the typed view and the keys nobody knows. */
    public record Result<A>(A config, List<String> unknownKeyWarnings) {
    }

    /**
     * Reads {@code properties} as {@code type}.
     *
     * @param secretKeys property names whose values must never appear in a message
     * @throws ConfigRejectedException naming the PID, the property, what is wrong with the value and
     *         the rule, when a value does not convert to its attribute's type
     */
    public static <A extends Annotation> Result<A> read(Class<A> type, Map<String, ?> properties, Set<String> secretKeys) {
        Objects.requireNonNull(type, "type");
        Map<String, ?> props = properties == null ? Map.of() : properties;
        String where = describe(props);
        Map<String, Method> attributes = attributes(type);
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, Method> a : attributes.entrySet()) {
            String key = a.getKey();
            Method m = a.getValue();
            Object raw = props.get(key);
            Object v = raw == null ? m.getDefaultValue() : convert(where, key, raw, m.getReturnType(), secretKeys.contains(key));
            values.put(m.getName(), v);
        }
        List<String> warnings = new ArrayList<>();
        for (String key : props.keySet()) {
            if (!attributes.containsKey(key) && !framework(key)) {
                warnings.add("configuration " + where + ": unknown key '" + key + "' is ignored; did you mean '"
                        + nearest(key, attributes.keySet()) + "'?");
            }
        }
        A proxy = type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type }, (p, method, args) -> {
            if (values.containsKey(method.getName()) && (args == null || args.length == 0)) {
                return values.get(method.getName());
            }
            return switch (method.getName()) {
                case "annotationType" -> type;
                case "toString" -> type.getSimpleName() + "[" + where + "]";
                case "hashCode" -> System.identityHashCode(p);
                case "equals" -> p == args[0];
                default -> throw new UnsupportedOperationException(method.getName());
            };
        }));
        return new Result<>(proxy, List.copyOf(warnings));
    }

    /**
     * {@code PID <service.pid> (<file>)}, the file being FileInstall's, as a path: the same form as
     * the core bundle's configuration messages.
     */
    public static String describe(Map<String, ?> props) {
        Object pid = props.get("service.pid");
        Object factory = props.get("service.factoryPid");
        Object file = props.get(FILE_PROPERTY);
        StringBuilder sb = new StringBuilder("PID ");
        sb.append(pid != null ? pid : factory != null ? factory + " (factory)" : "(none)");
        if (file != null) {
            String f = file.toString();
            try {
                f = java.nio.file.Path.of(java.net.URI.create(f)).toString();
            } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
                // keep the text
            }
            sb.append(" (").append(f).append(')');
        }
        return sb.toString();
    }

    /** The property name DS uses for an attribute method name. */
    static String propertyName(String method) {
        StringBuilder sb = new StringBuilder(method.length());
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            if (c == '$') {
                if (i + 1 < method.length() && method.charAt(i + 1) == '$') {
                    sb.append('$');
                    i++;
                }
            } else if (c == '_') {
                if (i + 1 < method.length() && method.charAt(i + 1) == '_') {
                    sb.append('_');
                    i++;
                } else {
                    sb.append('.');
                }
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static Map<String, Method> attributes(Class<?> type) {
        Map<String, Method> out = new LinkedHashMap<>();
        Method[] methods = type.getDeclaredMethods();
        java.util.Arrays.sort(methods, Comparator.comparing(Method::getName));
        for (Method m : methods) {
            if (!Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 0) {
                out.put(propertyName(m.getName()), m);
            }
        }
        return out;
    }

    private static boolean framework(String key) {
        return key.startsWith("service.") || key.startsWith("component.") || key.startsWith("felix.")
                || key.startsWith("osgi.") || key.endsWith(".target");
    }

    private static Object convert(String where, String key, Object raw, Class<?> target, boolean secret) {
        Object v = single(where, key, raw, secret);
        if (target == String.class) {
            return v.toString();
        }
        if (target == boolean.class) {
            if (v instanceof Boolean b) {
                return b;
            }
            String s = v.toString().strip();
            if (s.equalsIgnoreCase("true")) {
                return Boolean.TRUE;
            }
            if (s.equalsIgnoreCase("false")) {
                return Boolean.FALSE;
            }
            throw rejected(where, key, shown(v, secret), "not a boolean", "true or false");
        }
        if (target == int.class || target == long.class) {
            long min = target == int.class ? Integer.MIN_VALUE : Long.MIN_VALUE;
            long max = target == int.class ? Integer.MAX_VALUE : Long.MAX_VALUE;
            long n;
            if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
                n = ((Number) v).longValue();
            } else {
                String s = v.toString().strip();
                try {
                    n = Long.parseLong(s);
                } catch (NumberFormatException e) {
                    throw rejected(where, key, shown(v, secret), "not a whole number", "a whole number such as 5000");
                }
            }
            if (n < min || n > max) {
                throw rejected(where, key, shown(v, secret), "out of range", "at most " + max);
            }
            return target == int.class ? (Object) (int) n : (Object) n;
        }
        if (target == float.class || target == double.class) {
            double d;
            if (v instanceof Number num) {
                d = num.doubleValue();
            } else {
                try {
                    d = Double.parseDouble(v.toString().strip());
                } catch (NumberFormatException e) {
                    throw rejected(where, key, shown(v, secret), "not a number", "a decimal number such as 1.5");
                }
            }
            if (!Double.isFinite(d) || (target == float.class && !Float.isFinite((float) d))) {
                throw rejected(where, key, shown(v, secret), "not a finite number", "a decimal number such as 1.5");
            }
            return target == float.class ? (Object) (float) d : (Object) d;
        }
        throw new IllegalArgumentException("StrictConfig does not read attributes of type " + target.getName()
                + " (" + key + ")");
    }

    private static Object single(String where, String key, Object raw, boolean secret) {
        Object v = raw;
        if (v instanceof Collection<?> c) {
            v = c.size() == 1 ? c.iterator().next() : c.toArray();
        }
        if (v != null && v.getClass().isArray()) {
            int n = Array.getLength(v);
            if (n != 1) {
                throw rejected(where, key, secret ? null : listText(v), "a list of " + n + " values",
                        "exactly one value");
            }
            v = Array.get(v, 0);
        }
        if (v == null) {
            throw rejected(where, key, null, "an empty value", "exactly one value");
        }
        return v;
    }

    private static String listText(Object array) {
        List<String> items = new ArrayList<>();
        for (int i = 0; i < Array.getLength(array); i++) {
            items.add(String.valueOf(Array.get(array, i)));
        }
        return items.toString();
    }

    private static String shown(Object v, boolean secret) {
        return secret ? null : v.toString();
    }

    /**
     * A rejection in the gateway's common form: {@code PID p (file) field 'f' = 'v': problem; rule: r}.
     *
     * @param value the value as written, or {@code null} not to show it (secrets)
     */
    public static ConfigRejectedException rejected(String where, String key, String value, String problem, String rule) {
        return new ConfigRejectedException(where + " " + field(key, value, problem, rule), key);
    }

    /** {@code field 'f' = 'v': problem; rule: r} (without the value when it is {@code null}). */
    public static String field(String key, Object value, String problem, String rule) {
        return "field '" + key + "'" + (value == null ? "" : " = '" + value + "'") + ": " + problem + "; rule: " + rule;
    }

    /** The known key closest to {@code key} (case-insensitive edit distance; ties: alphabetical). */
    static String nearest(String key, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(key.toLowerCase(Locale.ROOT), k.toLowerCase(Locale.ROOT));
            if (d < bestDistance || d == bestDistance && k.compareTo(best) < 0) {
                best = k;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Levenshtein distance (inputs are property names: short). */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
