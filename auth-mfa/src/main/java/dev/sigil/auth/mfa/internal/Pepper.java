package dev.sigil.auth.mfa.internal;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;

import javax.crypto.Mac;

/**
 * The secret key that every password and PIN verifier is keyed with, kept outside the database (a
 * file in the data directory's {@code secrets/}, or an environment variable). A verifier is
 * HMAC-SHA256 under this key over the PBKDF2 output, so a stolen database alone does not let anyone
 * test a guess: without the pepper, the stored value is a MAC of unknown key.
 *
 * <p>The {@link #id()} (8 hex digits, a MAC of a constant) goes into each record, so that a record
 * made with another pepper is reported as such instead of making every secret look wrong. It
 * reveals nothing about the key.
 *
 * <p>Thread-safe; {@link #destroy()} zeroes the key and must not race with a use.
 */
final class Pepper {
    /** The pepper's length: 256 bits, the HMAC-SHA256 block's worth of key material. */
    static final int BYTES = 32;

    private static final String HMAC = "HmacSHA256";
    private static final byte[] ID_LABEL = "sigil-pepper-id".getBytes(StandardCharsets.US_ASCII);

    private final RawKey key;
    private final String id;

    /**
     * @param key exactly {@value #BYTES} bytes; copied, the caller zeroes its own array
     * @throws IllegalArgumentException if the key is not {@value #BYTES} bytes long
     */
    Pepper(byte[] key) {
        if (key.length != BYTES) {
            throw new IllegalArgumentException("a pepper is " + BYTES + " bytes");
        }
        this.key = new RawKey(HMAC, key);
        try {
            byte[] mac = mac(ID_LABEL);
            this.id = HexFormat.of().formatHex(mac, 0, 4);
            Arrays.fill(mac, (byte) 0);
        } catch (SigilException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    /** A short public name of this key, stored in each record; not secret. */
    String id() {
        return id;
    }

    /**
     * HMAC-SHA256 under the pepper.
     *
     * @param message the parts of the message, concatenated in order; read, not kept
     * @return a new 32-byte array
     * @throws SigilException {@link ErrorCode#INTERNAL} if the JDK has no HMAC-SHA256
     */
    byte[] mac(byte[]... message) throws SigilException {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            for (byte[] part : message) {
                mac.update(part);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new SigilException(ErrorCode.INTERNAL, "HMAC-SHA256 is not available", e);
        }
    }

    /** Zeroes the key; {@link #mac} fails from now on. */
    void destroy() {
        key.destroy();
    }

    @Override
    public String toString() {
        return "Pepper[" + id + "]";
    }
}
