package dev.sigil.auth.mfa.internal;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;

import java.security.GeneralSecurityException;
import java.util.Arrays;

import javax.crypto.Mac;

/**
 * HOTP (RFC 4226): HMAC over the 8-byte big-endian counter, dynamic truncation to 31 bits, the
 * last {@code digits} decimal digits. TOTP (RFC 6238) is HOTP with the time step as the counter;
 * as in RFC 6238's reference code the truncation offset comes from the last byte for SHA-256 and
 * SHA-512 too. Stateless; a {@link Mac} from {@link #mac} belongs to one thread.
 *
 * <pre>{@code
 * Mac mac = Hotp.mac(TotpAlgorithm.SHA1, seed);
 * int code = Hotp.value(mac, step, 6);
 * }</pre>
 */
final class Hotp {
    private static final int[] POWERS_OF_TEN = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000,
        100_000_000};

    private Hotp() {
    }

    /**
     * An HMAC initialized with a seed. The key object is destroyed before returning; the pads
     * derived from it stay inside the {@code Mac} until it is garbage.
     *
     * @param seed the key; not null, not kept, not modified (the caller zeroes it)
     * @throws SigilException {@link ErrorCode#INTERNAL} if the JDK lacks the MAC
     */
    static Mac mac(TotpAlgorithm algorithm, byte[] seed) throws SigilException {
        RawKey key = new RawKey(algorithm.macName(), seed);
        try {
            Mac mac = Mac.getInstance(algorithm.macName());
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new SigilException(ErrorCode.INTERNAL, algorithm.macName() + " is not available", e);
        } finally {
            key.destroy();
        }
    }

    /**
     * The HOTP value for one counter.
     *
     * @param mac     from {@link #mac}; reset afterwards, so it can be used again
     * @param counter the counter (for TOTP the time step)
     * @param digits  1 to 8
     * @return the value, {@code 0 <= value < 10^digits}
     */
    static int value(Mac mac, long counter, int digits) {
        byte[] message = new byte[8];
        for (int i = 7; i >= 0; i--) {
            message[i] = (byte) counter;
            counter >>>= 8;
        }
        byte[] hash = mac.doFinal(message);
        try {
            int offset = hash[hash.length - 1] & 0x0f;
            int binary = (hash[offset] & 0x7f) << 24
                    | (hash[offset + 1] & 0xff) << 16
                    | (hash[offset + 2] & 0xff) << 8
                    | (hash[offset + 3] & 0xff);
            return binary % POWERS_OF_TEN[digits];
        } finally {
            Arrays.fill(hash, (byte) 0);
        }
    }

    /**
     * Writes a value as ASCII decimal digits with leading zeros, filling {@code out}.
     *
     * @param value non-negative, less than {@code 10^out.length}
     * @param out   the buffer; its length is the number of digits
     */
    static void ascii(int value, byte[] out) {
        for (int i = out.length - 1; i >= 0; i--) {
            out[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }
}
