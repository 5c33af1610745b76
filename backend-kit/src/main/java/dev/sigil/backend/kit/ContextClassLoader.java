package dev.sigil.backend.kit;

import java.util.function.Supplier;

/**
 * Runs a vendor SDK's code with a given class loader as the thread's context class loader. SDKs
 * embedded in a backend's bundle (the AWS SDK, the Azure SDK) look their providers and resources up
 * through the context class loader, which in a request thread is the server's, not the bundle's.
 *
 * <pre>{@code
 * private static final ClassLoader SDK = MyClients.class.getClassLoader();
 * KmsClient kms = ContextClassLoader.call(SDK, () -> KmsClient.builder().build());
 * }</pre>
 */
public final class ContextClassLoader {
    private ContextClassLoader() {
    }

    /** Runs {@code body} with {@code loader} as the context class loader, then puts the previous one back. */
    public static <T> T call(ClassLoader loader, Supplier<T> body) {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(loader);
        try {
            return body.get();
        } finally {
            t.setContextClassLoader(previous);
        }
    }
}
