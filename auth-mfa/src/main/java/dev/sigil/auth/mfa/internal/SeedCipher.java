package dev.sigil.auth.mfa.internal;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;
import dev.sigil.api.auth.FactorType;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Encrypts TOTP seeds under the key-encryption key (KEK) with AES-256-GCM, in a self-describing
 * stored form:
 *
 * <pre>totp-aesgcm-v1$&lt;base64 iv&gt;$&lt;base64 ciphertext+tag&gt;$&lt;algorithm&gt;$&lt;digits&gt;$&lt;period&gt;</pre>
 *
 * <p>A fresh random 12-byte IV per record, a 16-byte tag, standard base64 with padding. The
 * additional authenticated data is {@code TOTP$totp-aesgcm-v1$<algorithm>$<digits>$<period>}: the
 * factor type, the format version and the code parameters, so that a record cannot be moved to
 * another factor type or have its parameters changed (fewer digits, a longer period) without
 * failing to decrypt. Random 96-bit IVs stay far from GCM's limit of 2^32 encryptions per key at
 * one record per enrollment.
 *
 * <p>The version names the format and the key: a later {@code v2} can add a KEK id field for key
 * rotation, and {@code v1} records then mean "the one configured KEK".
 *
 * <p>Thread-safe. Every record that does not decode or decrypt (malformed, tampered with, made
 * under another KEK) is refused alike with {@link ErrorCode#INTERNAL} and {@value #UNREADABLE}; the
 * cause names the failing step for the log, never record content.
 */
final class SeedCipher {
    /** The scheme name that starts every stored form. */
    static final String SCHEME = "totp-aesgcm-v1";
    static final String UNREADABLE = "stored factor record is malformed or was encrypted with another key";
    static final int KEK_BYTES = 32;
    static final int IV_BYTES = 12;
    static final int TAG_BYTES = 16;

    private static final String TRANSFORMATION = "AES/GCM/NoPadding";
    private static final char SEPARATOR = '$';

    private final RawKey kek;
    private final SecureRandom random;
    private final int minSeedBytes;
    private final int maxSeedBytes;

    /** A decrypted record: its parameters and the seed, which the caller zeroes. */
    record Opened(TotpParameters parameters, byte[] seed) {
    }

    /**
     * @param kek          the 32-byte AES key; copied, the caller zeroes its own array
     * @param random       the source of IVs; not null, thread-safe
     * @param minSeedBytes the shortest seed a record may hold
     * @param maxSeedBytes the longest seed a record may hold
     */
    SeedCipher(byte[] kek, SecureRandom random, int minSeedBytes, int maxSeedBytes) {
        if (kek.length != KEK_BYTES) {
            throw new IllegalArgumentException("the KEK must be " + KEK_BYTES + " bytes");
        }
        this.kek = new RawKey("AES", kek);
        this.random = Objects.requireNonNull(random, "random");
        this.minSeedBytes = minSeedBytes;
        this.maxSeedBytes = maxSeedBytes;
    }

    /**
     * Encrypts a seed.
     *
     * @param seed       the seed; not kept, not modified (the caller zeroes it)
     * @param parameters the code parameters to store with it; not null
     * @return the stored form
     * @throws SigilException {@link ErrorCode#INTERNAL} if the JDK cannot do AES-GCM
     */
    String seal(byte[] seed, TotpParameters parameters) throws SigilException {
        checkLive();
        byte[] iv = new byte[IV_BYTES];
        random.nextBytes(iv);
        byte[] sealed;
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.ENCRYPT_MODE, kek, new GCMParameterSpec(TAG_BYTES * Byte.SIZE, iv));
            cipher.updateAAD(aad(parameters));
            sealed = cipher.doFinal(seed);
        } catch (GeneralSecurityException e) {
            throw new SigilException(ErrorCode.INTERNAL, "AES-GCM is not available", e);
        }
        Base64.Encoder b64 = Base64.getEncoder();
        return SCHEME + SEPARATOR + b64.encodeToString(iv) + SEPARATOR + b64.encodeToString(sealed)
                + SEPARATOR + parameters.algorithm().name() + SEPARATOR + parameters.digits() + SEPARATOR
                + parameters.period();
    }

    /**
     * Decodes a stored form strictly and decrypts the seed.
     *
     * @param stored a stored form made by {@link #seal}; not null
     * @return the parameters and a new seed array the caller must zero
     * @throws SigilException {@link ErrorCode#INTERNAL} with {@value #UNREADABLE} if the form is
     *                        malformed, was changed, or was made under another KEK
     */
    Opened open(String stored) throws SigilException {
        Objects.requireNonNull(stored, "stored");
        checkLive();
        String[] fields = stored.split("\\$", -1);
        if (fields.length != 6 || !SCHEME.equals(fields[0])) {
            throw unreadable("not six '$'-separated fields starting with " + SCHEME);
        }
        byte[] iv = decodeBase64(fields[1], "iv");
        byte[] sealed = decodeBase64(fields[2], "ciphertext");
        if (iv.length != IV_BYTES) {
            throw unreadable("iv is not " + IV_BYTES + " bytes long");
        }
        if (sealed.length < minSeedBytes + TAG_BYTES || sealed.length > maxSeedBytes + TAG_BYTES) {
            throw unreadable("ciphertext length is not that of a seed of " + minSeedBytes + " to "
                    + maxSeedBytes + " bytes");
        }
        TotpParameters parameters = new TotpParameters(algorithm(fields[3]), digits(fields[4]), period(fields[5]));
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.DECRYPT_MODE, kek, new GCMParameterSpec(TAG_BYTES * Byte.SIZE, iv));
            cipher.updateAAD(aad(parameters));
            return new Opened(parameters, cipher.doFinal(sealed));
        } catch (AEADBadTagException e) {
            throw unreadable("the GCM tag does not match: another KEK, or the record was changed");
        } catch (GeneralSecurityException e) {
            throw new SigilException(ErrorCode.INTERNAL, "AES-GCM is not available", e);
        }
    }

    /** Zeroes the KEK; {@link #seal} and {@link #open} fail with {@link ErrorCode#INTERNAL} afterwards. */
    void destroy() {
        kek.destroy();
    }

    private void checkLive() throws SigilException {
        if (kek.isDestroyed()) {
            throw new SigilException(ErrorCode.INTERNAL, "the TOTP factor is no longer active");
        }
    }

    private static byte[] aad(TotpParameters parameters) {
        return (FactorType.TOTP.name() + SEPARATOR + SCHEME + SEPARATOR + parameters.algorithm().name() + SEPARATOR
                + parameters.digits() + SEPARATOR + parameters.period()).getBytes(StandardCharsets.US_ASCII);
    }

    private static TotpAlgorithm algorithm(String field) throws SigilException {
        for (TotpAlgorithm a : TotpAlgorithm.values()) {
            if (a.name().equals(field)) {
                return a;
            }
        }
        throw unreadable("algorithm is not one of " + Arrays.toString(TotpAlgorithm.values()));
    }

    private static int digits(String field) throws SigilException {
        return switch (field) {
            case "6" -> 6;
            case "8" -> 8;
            default -> throw unreadable("digits is not 6 or 8");
        };
    }

    private static int period(String field) throws SigilException {
        // Integer.parseInt alone would also take "+30", "030" and non-ASCII digits.
        if (field.isEmpty() || field.length() > 9 || field.charAt(0) == '0') {
            throw unreadable("period is not a positive decimal number");
        }
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c < '0' || c > '9') {
                throw unreadable("period is not a positive decimal number");
            }
        }
        return Integer.parseInt(field);
    }

    private static byte[] decodeBase64(String field, String name) throws SigilException {
        try {
            return Base64.getDecoder().decode(field);
        } catch (IllegalArgumentException e) {
            // The JDK's message quotes the offending character: not passed on.
            throw unreadable(name + " is not base64");
        }
    }

    static SigilException unreadable(String detail) {
        return new SigilException(ErrorCode.INTERNAL, UNREADABLE, new IllegalArgumentException(detail));
    }
}
