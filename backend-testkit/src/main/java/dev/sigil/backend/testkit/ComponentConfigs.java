package dev.sigil.backend.testkit;

import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * A component's configuration annotation as Declarative Services builds it, for a backend's tests
 * that make its settings without OSGi: each element reads the property of its name (every
 * {@code _} a {@code .}) converted to the element's type ({@code int}, {@code long},
 * {@code String[]} from one value or an array, else its text), and the element's default where
 * the property is absent (null for an element without one).
 *
 * <pre>{@code
 * AwsKmsBackendConfig config = ComponentConfigs.of(AwsKmsBackendConfig.class, Map.of("region", "eu-west-2"));
 * }</pre>
 */
public final class ComponentConfigs {
    private ComponentConfigs() {
    }

    public static <A> A of(Class<A> type, Map<String, ?> props) {
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, method, args) -> {
            switch (method.getName()) {
                case "annotationType":
                    return type;
                case "toString":
                    return "config" + props;
                case "hashCode":
                    return props.hashCode();
                case "equals":
                    return p == args[0];
                default:
                    String key = method.getName().replace('_', '.');
                    if (!props.containsKey(key)) {
                        return method.getDefaultValue();
                    }
                    Object value = props.get(key);
                    Class<?> returns = method.getReturnType();
                    if (returns == int.class) {
                        return Integer.valueOf(value.toString());
                    }
                    if (returns == long.class) {
                        return Long.valueOf(value.toString());
                    }
                    if (returns == String[].class) {
                        return value instanceof String[] a ? a : new String[] {value.toString()};
                    }
                    return value == null ? null : value.toString();
            }
        });
        return type.cast(proxy);
    }
}
