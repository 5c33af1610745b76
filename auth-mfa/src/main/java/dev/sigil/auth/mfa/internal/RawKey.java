package dev.sigil.auth.mfa.internal;

import java.util.Arrays;
import java.util.Objects;

import javax.crypto.SecretKey;

/**
 * A secret key whose bytes can be zeroed. {@link javax.crypto.spec.SecretKeySpec} keeps a private
 * copy that Java 17 cannot clear ({@code destroy()} is not implemented); this key keeps its own copy
 * and clears it in {@link #destroy()}. Copies the JDK makes internally (the HMAC pads inside a
 * {@code Mac}, the AES round keys inside a {@code Cipher}) are out of reach and go with those
 * objects. Thread-safe for concurrent reads; {@link #destroy()} must not race with a use.
 */
final class RawKey implements SecretKey {
    private static final long serialVersionUID = 1L;

    private final String algorithm;
    private final byte[] bytes;
    private volatile boolean destroyed;

    /**
     * @param algorithm the JCA algorithm name ("AES", "HmacSHA1"); not null
     * @param bytes     the key; copied, the caller zeroes its own array
     */
    RawKey(String algorithm, byte[] bytes) {
        this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
        this.bytes = bytes.clone();
    }

    @Override
    public String getAlgorithm() {
        return algorithm;
    }

    @Override
    public String getFormat() {
        return "RAW";
    }

    /**
     * {@inheritDoc} A new copy, as {@link java.security.Key} requires; the JDK's MAC and cipher
     * implementations zero theirs after deriving their state.
     *
     * @throws IllegalStateException after {@link #destroy()}
     */
    @Override
    public byte[] getEncoded() {
        if (destroyed) {
            throw new IllegalStateException("key was destroyed");
        }
        return bytes.clone();
    }

    /** Zeroes the key bytes; {@link #getEncoded()} fails from now on. */
    @Override
    public void destroy() {
        destroyed = true;
        Arrays.fill(bytes, (byte) 0);
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public String toString() {
        return "RawKey[" + algorithm + (destroyed ? ", destroyed]" : "]");
    }
}
