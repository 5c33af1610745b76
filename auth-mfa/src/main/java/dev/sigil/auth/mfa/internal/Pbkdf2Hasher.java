package dev.sigil.auth.mfa.internal;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Hashes knowledge factors (password, PIN) with PBKDF2-HMAC-SHA256 and checks them again, in a
 * self-describing stored form:
 *
 * <pre>pbkdf2-sha256$&lt;iterations&gt;$&lt;base64 salt&gt;$&lt;base64 hash&gt;</pre>
 *
 * <p>with a fresh 16-byte salt per record, a 32-byte hash and standard base64 with padding. The
 * iteration count travels in the record, so records hashed with an older, lower count still verify
 * and {@link Outcome#MATCH_NEEDS_REHASH} tells the caller to replace them.
 *
 * <p>Thread-safe and stateless apart from its parameters. Secrets are read, never kept or modified;
 * the copies the JDK makes ({@link PBEKeySpec}) and the derived bytes are cleared after use. Messages
 * of the exceptions thrown never carry a secret or any part of a stored record.
 *
 * <pre>{@code
 * Pbkdf2Hasher hasher = new Pbkdf2Hasher(Pbkdf2Hasher.DEFAULT_ITERATIONS, new SecureRandom());
 * String stored = hasher.hash(secret);
 * if (hasher.verify(stored, presented) != Outcome.MISMATCH) { ... }
 * }</pre>
 */
final class Pbkdf2Hasher {
    /** The scheme name that starts every stored form. */
    static final String SCHEME = "pbkdf2-sha256";
    /** OWASP's recommendation for PBKDF2-HMAC-SHA256 (Password Storage Cheat Sheet). */
    static final int DEFAULT_ITERATIONS = 600_000;
    /**
     * The lowest count a deployment may configure. The hasher itself accepts any positive count so
     * that tests can run quickly; the components enforce this floor at activation.
     */
    static final int MIN_CONFIGURED_ITERATIONS = 100_000;
    static final int SALT_BYTES = 16;
    static final int HASH_BYTES = 32;

    static final String MALFORMED = "stored factor record is malformed";

    private static final String ALGORITHM = "PBKDF2WithHmacSHA256";
    private static final char SEPARATOR = '$';

    /** What {@link #verify} found. */
    enum Outcome {
        /** The presented secret is wrong. */
        MISMATCH,
        /** The presented secret is right and the record is as strong as configured. */
        MATCH,
        /** The presented secret is right, but the record has fewer iterations than configured. */
        MATCH_NEEDS_REHASH
    }

    private final int iterations;
    private final SecureRandom random;

    /**
     * @param iterations the PBKDF2 iteration count for new records; positive (no floor here)
     * @param random     the source of salts; not null, thread-safe
     * @throws IllegalArgumentException if {@code iterations} is not positive
     */
    Pbkdf2Hasher(int iterations, SecureRandom random) {
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations must be positive");
        }
        this.iterations = iterations;
        this.random = Objects.requireNonNull(random, "random");
    }

    /** The iteration count used for new records. */
    int iterations() {
        return iterations;
    }

    /**
     * Hashes a secret with a new random salt.
     *
     * @param secret the secret; not null, read, not kept, not modified
     * @return the stored form
     * @throws SigilException {@link ErrorCode#INTERNAL} if the JDK cannot compute PBKDF2
     */
    String hash(char[] secret) throws SigilException {
        Objects.requireNonNull(secret, "secret");
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] derived = derive(secret, salt, iterations, HASH_BYTES);
        try {
            Base64.Encoder b64 = Base64.getEncoder();
            return SCHEME + SEPARATOR + iterations + SEPARATOR + b64.encodeToString(salt) + SEPARATOR
                    + b64.encodeToString(derived);
        } finally {
            Arrays.fill(derived, (byte) 0);
        }
    }

    /**
     * Recomputes the hash of a presented secret with the salt and iteration count of a stored form
     * and compares in constant time.
     *
     * @param stored    a stored form made by {@link #hash}, possibly with another iteration count;
     *                  not null
     * @param presented the secret to check; not null, read, not kept, not modified
     * @return whether it matched, and whether the record should be re-hashed
     * @throws SigilException {@link ErrorCode#INTERNAL} with the message {@value #MALFORMED} if the
     *                        stored form cannot be decoded, or if the JDK cannot compute PBKDF2
     */
    Outcome verify(String stored, char[] presented) throws SigilException {
        Objects.requireNonNull(presented, "presented");
        Decoded record = decode(stored);
        byte[] derived = derive(presented, record.salt(), record.iterations(), record.hash().length);
        try {
            if (!MessageDigest.isEqual(derived, record.hash())) {
                return Outcome.MISMATCH;
            }
        } finally {
            Arrays.fill(derived, (byte) 0);
        }
        return record.iterations() < iterations ? Outcome.MATCH_NEEDS_REHASH : Outcome.MATCH;
    }

    /**
     * PBKDF2-HMAC-SHA256 as the JDK computes it (the secret is encoded as UTF-8).
     *
     * @return a new array the caller must zero
     */
    static byte[] derive(char[] secret, byte[] salt, int iterations, int length) throws SigilException {
        PBEKeySpec spec = new PBEKeySpec(secret, salt, iterations, length * Byte.SIZE);
        try {
            // The key object holds its own copies of the password and the hash; the JDK clears them
            // with a Cleaner once the key is unreachable (it cannot be destroyed explicitly).
            return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new SigilException(ErrorCode.INTERNAL, "PBKDF2-HMAC-SHA256 is not available", e);
        } finally {
            spec.clearPassword();
        }
    }

    /** A decoded stored form. The arrays are not secret (the hash is the verifier, not the secret). */
    private record Decoded(int iterations, byte[] salt, byte[] hash) {
    }

    /**
     * Decodes a stored form strictly: the scheme, a canonical positive decimal iteration count, a
     * salt of {@value #SALT_BYTES} bytes and a hash of {@value #HASH_BYTES} bytes. The cause of the
     * exception names the faulty field for the log, never its content.
     */
    private static Decoded decode(String stored) throws SigilException {
        Objects.requireNonNull(stored, "stored");
        String[] fields = stored.split("\\$", -1);
        if (fields.length != 4 || !SCHEME.equals(fields[0])) {
            throw malformed("not four '$'-separated fields starting with " + SCHEME);
        }
        int iterations = parseIterations(fields[1]);
        byte[] salt = decodeBase64(fields[2], SALT_BYTES, "salt");
        byte[] hash = decodeBase64(fields[3], HASH_BYTES, "hash");
        return new Decoded(iterations, salt, hash);
    }

    private static int parseIterations(String field) throws SigilException {
        // Integer.parseInt alone would also take "+5", "007" and non-ASCII digits.
        if (field.isEmpty() || field.length() > 10 || field.charAt(0) == '0') {
            throw malformed("iteration count is not a positive decimal number");
        }
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c < '0' || c > '9') {
                throw malformed("iteration count is not a positive decimal number");
            }
        }
        long value = Long.parseLong(field);
        if (value > Integer.MAX_VALUE) {
            throw malformed("iteration count is too large");
        }
        return (int) value;
    }

    private static byte[] decodeBase64(String field, int length, String name) throws SigilException {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(field);
        } catch (IllegalArgumentException e) {
            // The JDK's message quotes the offending character: not passed on.
            throw malformed(name + " is not base64");
        }
        if (bytes.length != length) {
            throw malformed(name + " is not " + length + " bytes long");
        }
        return bytes;
    }

    private static SigilException malformed(String detail) {
        return new SigilException(ErrorCode.INTERNAL, MALFORMED, new IllegalArgumentException(detail));
    }
}
