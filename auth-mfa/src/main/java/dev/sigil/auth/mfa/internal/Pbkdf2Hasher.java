package dev.sigil.auth.mfa.internal;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;
import dev.sigil.api.auth.FactorType;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Makes and checks the verifiers of knowledge factors (password, PIN): PBKDF2-HMAC-SHA256 of the
 * secret, keyed with the {@link Pepper} by HMAC-SHA256, in a self-describing stored form:
 *
 * <pre>pbkdf2-sha256-pepper-v1$&lt;pepper id&gt;$&lt;iterations&gt;$&lt;base64 salt&gt;$&lt;base64 tag&gt;</pre>
 *
 * <p>with a fresh 16-byte salt per record and
 * {@code tag = HMAC-SHA256(pepper, "sigil-pepper-v1" 0x00 factor-type 0x00 iterations(4 bytes, big-endian)
 * salt PBKDF2(secret, salt, iterations, 32))}. The factor type and the parameters are inside the
 * MAC, so a record cannot be moved to the other factor or given another count without failing to
 * verify. Without the pepper, the record lets nobody test a guess offline.
 *
 * <p>Records of the older, unkeyed form {@code pbkdf2-sha256$<iterations>$<salt>$<hash>} still
 * verify; a match then says {@link Outcome#MATCH_NEEDS_REHASH}, as does a match against a record
 * with fewer iterations than configured, and the caller replaces the record. A record made with
 * another pepper is an error, not a mismatch, so that a lost pepper file does not make every secret
 * look wrong (and count as a failure).
 *
 * <p>Every derivation runs in the {@link DerivationPool} of the {@link KeyDerivation}, in this
 * factor's lane; a full pool throws {@link ErrorCode#BUSY}.
 *
 * <p>Thread-safe and stateless apart from its parameters. Secrets are read, never kept or modified;
 * the copies the JDK makes ({@link PBEKeySpec}) and the derived bytes are cleared after use. Messages
 * of the exceptions thrown never carry a secret or any part of a stored record.
 *
 * <pre>{@code
 * Pbkdf2Hasher hasher = new Pbkdf2Hasher(FactorType.PIN, 1_000, new SecureRandom(), kdf, Lane.AUTHENTICATED);
 * String stored = hasher.hash(secret);
 * if (hasher.verify(stored, presented) != Outcome.MISMATCH) { ... }
 * }</pre>
 */
final class Pbkdf2Hasher {
    /** The scheme name that starts every stored form made now. */
    static final String SCHEME = "pbkdf2-sha256-pepper-v1";
    /** The scheme of the older, unkeyed records, which still verify and are then replaced. */
    static final String LEGACY_SCHEME = "pbkdf2-sha256";
    static final int SALT_BYTES = 16;
    static final int HASH_BYTES = 32;

    static final String MALFORMED = "stored factor record is malformed";
    static final String OTHER_PEPPER = "stored factor record was made with another pepper";

    private static final String ALGORITHM = "PBKDF2WithHmacSHA256";
    private static final char SEPARATOR = '$';
    private static final byte[] TAG_LABEL = "sigil-pepper-v1".getBytes(StandardCharsets.US_ASCII);

    /** What {@link #verify} found. */
    enum Outcome {
        /** The presented secret is wrong. */
        MISMATCH,
        /** The presented secret is right and the record is as strong as configured. */
        MATCH,
        /**
         * The presented secret is right, but the record is of the unkeyed form or has fewer
         * iterations than configured.
         */
        MATCH_NEEDS_REHASH
    }

    private final FactorType type;
    private final int iterations;
    private final SecureRandom random;
    private final Pepper pepper;
    private final DerivationPool pool;
    private final DerivationPool.Lane lane;

    /**
     * @param type       the factor, bound into each tag; not null
     * @param iterations the PBKDF2 iteration count for new records; positive (no floor here)
     * @param random     the source of salts; not null, thread-safe
     * @param kdf        the pepper and the pool; not null
     * @param lane       the pool lane of this factor's work; not null
     * @throws IllegalArgumentException if {@code iterations} is not positive
     */
    Pbkdf2Hasher(FactorType type, int iterations, SecureRandom random, KeyDerivation kdf, DerivationPool.Lane lane) {
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations must be positive");
        }
        this.type = Objects.requireNonNull(type, "type");
        this.iterations = iterations;
        this.random = Objects.requireNonNull(random, "random");
        this.pepper = kdf.pepper();
        this.pool = kdf.pool();
        this.lane = Objects.requireNonNull(lane, "lane");
    }

    /** The iteration count used for new records. */
    int iterations() {
        return iterations;
    }

    /**
     * Makes the verifier of a secret with a new random salt.
     *
     * @param secret the secret; not null, read, not kept, not modified
     * @return the stored form
     * @throws SigilException {@link ErrorCode#BUSY} if the pool is full; {@link ErrorCode#INTERNAL}
     *                        if the JDK cannot compute PBKDF2 or HMAC
     */
    String hash(char[] secret) throws SigilException {
        Objects.requireNonNull(secret, "secret");
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] tag = tag(secret, salt, iterations);
        try {
            Base64.Encoder b64 = Base64.getEncoder();
            return SCHEME + SEPARATOR + pepper.id() + SEPARATOR + iterations + SEPARATOR + b64.encodeToString(salt)
                    + SEPARATOR + b64.encodeToString(tag);
        } finally {
            Arrays.fill(tag, (byte) 0);
        }
    }

    /**
     * Recomputes the verifier of a presented secret with the salt and iteration count of a stored
     * form and compares in constant time.
     *
     * @param stored    a stored form made by {@link #hash} (possibly with another iteration count),
     *                  or of the older unkeyed form; not null
     * @param presented the secret to check; not null, read, not kept, not modified
     * @return whether it matched, and whether the record should be replaced
     * @throws SigilException {@link ErrorCode#INTERNAL} with the message {@value #MALFORMED} if the
     *                        stored form cannot be decoded, {@value #OTHER_PEPPER} if it was made
     *                        with another pepper, or if the JDK cannot compute PBKDF2;
     *                        {@link ErrorCode#BUSY} if the pool is full
     */
    Outcome verify(String stored, char[] presented) throws SigilException {
        Objects.requireNonNull(presented, "presented");
        Decoded record = decode(stored);
        if (record.pepperId() != null && !record.pepperId().equals(pepper.id())) {
            throw new SigilException(ErrorCode.INTERNAL, OTHER_PEPPER,
                    new IllegalStateException("the record names pepper " + record.pepperId() + ", the configured one is "
                            + pepper.id()));
        }
        byte[] computed = record.pepperId() == null
                ? pool.run(lane, () -> derive(presented, record.salt(), record.iterations(), HASH_BYTES))
                : tag(presented, record.salt(), record.iterations());
        try {
            if (!MessageDigest.isEqual(computed, record.hash())) {
                return Outcome.MISMATCH;
            }
        } finally {
            Arrays.fill(computed, (byte) 0);
        }
        return record.pepperId() == null || record.iterations() < iterations ? Outcome.MATCH_NEEDS_REHASH
                : Outcome.MATCH;
    }

    /** The keyed verifier: PBKDF2 in the pool, then HMAC under the pepper. A new array to zero. */
    private byte[] tag(char[] secret, byte[] salt, int count) throws SigilException {
        byte[] derived = pool.run(lane, () -> derive(secret, salt, count, HASH_BYTES));
        try {
            return pepper.mac(TAG_LABEL, new byte[] {0}, type.name().getBytes(StandardCharsets.US_ASCII),
                    new byte[] {0}, ByteBuffer.allocate(Integer.BYTES).putInt(count).array(), salt, derived);
        } finally {
            Arrays.fill(derived, (byte) 0);
        }
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

    /**
     * A decoded stored form. The arrays are not secret (the hash is the verifier, not the secret).
     *
     * @param pepperId the pepper's id, or null for a record of the unkeyed form
     */
    private record Decoded(String pepperId, int iterations, byte[] salt, byte[] hash) {
    }

    /**
     * Decodes a stored form strictly: the scheme, for the keyed form a pepper id of 8 lowercase hex
     * digits, a canonical positive decimal iteration count, a salt of {@value #SALT_BYTES} bytes and
     * a hash of {@value #HASH_BYTES} bytes. The cause of the exception names the faulty field for the
     * log, never its content.
     */
    private static Decoded decode(String stored) throws SigilException {
        Objects.requireNonNull(stored, "stored");
        String[] fields = stored.split("\\$", -1);
        if (fields.length == 4 && LEGACY_SCHEME.equals(fields[0])) {
            return new Decoded(null, parseIterations(fields[1]), decodeBase64(fields[2], SALT_BYTES, "salt"),
                    decodeBase64(fields[3], HASH_BYTES, "hash"));
        }
        if (fields.length != 5 || !SCHEME.equals(fields[0])) {
            throw malformed("neither five '$'-separated fields starting with " + SCHEME + " nor four starting with "
                    + LEGACY_SCHEME);
        }
        if (!fields[1].matches("[0-9a-f]{8}")) {
            throw malformed("pepper id is not 8 hex digits");
        }
        return new Decoded(fields[1], parseIterations(fields[2]), decodeBase64(fields[3], SALT_BYTES, "salt"),
                decodeBase64(fields[4], HASH_BYTES, "tag"));
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
