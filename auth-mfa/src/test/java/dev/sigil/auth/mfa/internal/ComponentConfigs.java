package dev.sigil.auth.mfa.internal;

import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * Instances of component property types as Declarative Services builds them: a configured value
 * where one is given, the annotation's own default otherwise. So the defaults tested are the ones
 * the runtime uses, not copies.
 */
final class ComponentConfigs {
    private ComponentConfigs() {
    }

    static <A extends Annotation> A of(Class<A> type, Map<String, Object> values) {
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (self, method, args) -> {
                    String name = method.getName();
                    if (method.getDeclaringClass() == Object.class || name.equals("annotationType")) {
                        return switch (name) {
                            case "annotationType" -> type;
                            case "toString" -> type.getSimpleName() + values;
                            case "hashCode" -> System.identityHashCode(self);
                            case "equals" -> self == args[0];
                            default -> throw new UnsupportedOperationException(name);
                        };
                    }
                    Object value = values.get(name);
                    return value != null ? value : method.getDefaultValue();
                });
        return type.cast(proxy);
    }

    static <A extends Annotation> A defaults(Class<A> type) {
        return of(type, Map.of());
    }
}
