package dev.sigil.transport.https.internal;

import java.lang.reflect.Proxy;
import java.util.Map;

/** Instances of a component property type, as DS would make them: defaults overridden by a map. */
final class Configs {
    private Configs() {
    }

    static <T> T of(Class<T> type, Map<String, Object> values) {
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
            String key = m.getName().replace('_', '.');
            if (values.containsKey(key)) {
                return values.get(key);
            }
            if (m.getName().equals("annotationType")) {
                return type;
            }
            if (m.getName().equals("toString")) {
                return type.getSimpleName() + values;
            }
            Object def = m.getDefaultValue();
            if (def == null) {
                throw new IllegalStateException("no value for " + key);
            }
            return def;
        });
        return type.cast(proxy);
    }
}
