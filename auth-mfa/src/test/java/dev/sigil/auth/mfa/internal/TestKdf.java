package dev.sigil.auth.mfa.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Key derivation for tests: a pepper of the test's choosing and a pool wide enough never to refuse,
 * and the README's tag computed independently of {@link Pbkdf2Hasher}.
 */
final class TestKdf {
    /** A pepper for tests that need none in particular. */
    static final byte[] PEPPER = randomPepper();

    /** Mac.getInstance looks the provider up each time: one per thread for the million-guess searches. */
    private static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    });

    private TestKdf() {
    }

    static KeyDerivation create() {
        return with(PEPPER);
    }

    static KeyDerivation with(byte[] pepper) {
        return new KeyDerivation(new Pepper(pepper), new DerivationPool(64, 64, Duration.ofSeconds(30)));
    }

    static byte[] randomPepper() {
        byte[] p = new byte[Pepper.BYTES];
        new SecureRandom().nextBytes(p);
        return p;
    }

    /**
     * The stored tag as auth-mfa/README.md defines it: HMAC-SHA256 under the pepper of
     * {@code "sigil-pepper-v1" 0x00 TYPE 0x00 INT32(iterations) salt PBKDF2}.
     */
    static byte[] tag(byte[] pepper, String type, int iterations, byte[] salt, byte[] pbkdf2) throws Exception {
        Mac mac = MAC.get();
        mac.init(new SecretKeySpec(pepper, "HmacSHA256"));
        mac.update(("sigil-pepper-v1\0" + type + "\0").getBytes(StandardCharsets.US_ASCII));
        mac.update(ByteBuffer.allocate(4).putInt(iterations).array());
        mac.update(salt);
        return mac.doFinal(pbkdf2);
    }
}
