package dev.sigil.backend.kit;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * Converts the ECDSA signature a PKCS#11 token or a key service returns raw ({@code CKM_ECDSA},
 * Azure Key Vault's {@code ES256}: r and s as two big-endian numbers of equal length,
 * concatenated) into the DER {@code SEQUENCE { INTEGER r,
 * INTEGER s }} that CMS, X.509 and CSC clients expect.
 *
 * <p>The encoding is strict DER: each INTEGER has the minimal number of bytes (leading zero bytes
 * removed, one zero byte added where the high bit would otherwise make the number negative), and
 * lengths use the short form below 128 and the long form above (P-521 signatures need it).
 *
 * <pre>{@code
 * byte[] der = EcdsaSignatures.rawToDer(session.sign(digest));
 * }</pre>
 */
public final class EcdsaSignatures {
    private static final int SEQUENCE = 0x30;
    private static final int INTEGER = 0x02;

    /**
     * @param raw r‖s, two halves of equal length; not modified
     * @return a new array holding the DER encoding
     * @throws IllegalArgumentException if {@code raw} is empty or of odd length
     */
    public static byte[] rawToDer(byte[] raw) {
        if (raw == null || raw.length == 0 || raw.length % 2 != 0) {
            throw new IllegalArgumentException("a raw ECDSA signature is r||s of equal halves, not "
                    + (raw == null ? "null" : raw.length + " bytes"));
        }
        int half = raw.length / 2;
        byte[] r = integer(raw, 0, half);
        byte[] s = integer(raw, half, half);
        ByteArrayOutputStream out = new ByteArrayOutputStream(r.length + s.length + 4);
        out.write(SEQUENCE);
        writeLength(out, r.length + s.length);
        out.write(r, 0, r.length);
        out.write(s, 0, s.length);
        return out.toByteArray();
    }

    /** The DER INTEGER (tag, length, minimal two's-complement content) of an unsigned number. */
    private static byte[] integer(byte[] buf, int offset, int length) {
        int start = offset;
        int end = offset + length;
        while (start < end - 1 && buf[start] == 0) {
            start++;
        }
        boolean pad = (buf[start] & 0x80) != 0;
        int contentLength = end - start + (pad ? 1 : 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream(contentLength + 4);
        out.write(INTEGER);
        writeLength(out, contentLength);
        if (pad) {
            out.write(0);
        }
        out.write(buf, start, end - start);
        return out.toByteArray();
    }

    private static void writeLength(ByteArrayOutputStream out, int length) {
        if (length < 0x80) {
            out.write(length);
        } else if (length < 0x100) {
            out.write(0x81);
            out.write(length);
        } else {
            out.write(0x82);
            out.write(length >>> 8);
            out.write(length & 0xFF);
        }
    }

    /**
     * The leftmost {@code orderBytes} bytes of a digest longer than the curve order, as ECDSA
     * (SEC 1, section 4.1.3, step 5) uses them; the digest itself if it is not longer. For P-256
     * and P-384 the order's bit length is a multiple of eight, so this is the exact truncation; a
     * P-521 order is longer than every supported digest. Doing it here keeps tokens that answer
     * {@code CKR_DATA_LEN_RANGE} to a long input from failing a SHA-512 signature on P-256.
     */
    public static byte[] truncateDigest(byte[] digest, int orderBytes) {
        return digest.length <= orderBytes ? digest : Arrays.copyOf(digest, orderBytes);
    }

    private EcdsaSignatures() {
    }
}
