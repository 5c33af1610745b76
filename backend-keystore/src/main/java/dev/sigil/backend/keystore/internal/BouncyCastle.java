package dev.sigil.backend.keystore.internal;

import java.security.Provider;

import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The bundle's own BouncyCastle provider instance, passed explicitly to {@code getInstance} calls.
 * It is never added to {@code java.security.Security}, so the bundle changes no JVM-wide state and
 * does not depend on a provider someone else registered under the name "BC".
 */
final class BouncyCastle {
    /** Created on first use; shared by all backend instances of this bundle. */
    static Provider provider() {
        return Holder.PROVIDER;
    }

    private static final class Holder {
        static final Provider PROVIDER = new BouncyCastleProvider();
    }

    private BouncyCastle() {
    }
}
