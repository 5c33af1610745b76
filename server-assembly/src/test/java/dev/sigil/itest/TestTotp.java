package dev.sigil.itest;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * RFC 6238 codes computed from a Base32 seed, as an authenticator app computes them: the tests'
 * independent side of the server's TOTP check.
 */
final class TestTotp {
    private TestTotp() {
    }

    /** The SHA-1, 6-digit code of a 30-second time step. */
    static String code(String base32Seed, long step) throws Exception {
        return code(base32Seed, step, "SHA1", 6);
    }

    /** The code of a time step with the given HMAC hash (SHA1, SHA256, SHA512) and length. */
    static String code(String base32Seed, long step, String hash, int digits) throws Exception {
        String mac = "Hmac" + hash.replace("-", "");
        Mac hmac = Mac.getInstance(mac);
        hmac.init(new SecretKeySpec(base32(base32Seed), mac));
        byte[] h = hmac.doFinal(ByteBuffer.allocate(8).putLong(step).array());
        int o = h[h.length - 1] & 0xf;
        int binary = (h[o] & 0x7f) << 24 | (h[o + 1] & 0xff) << 16 | (h[o + 2] & 0xff) << 8 | (h[o + 3] & 0xff);
        return String.format("%0" + digits + "d", binary % (int) Math.pow(10, digits));
    }

    /** The current 30-second time step. */
    static long step() {
        return System.currentTimeMillis() / 30_000;
    }

    private static byte[] base32(String s) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int buffer = 0;
        int bits = 0;
        for (char c : s.toCharArray()) {
            buffer = (buffer << 5) | alphabet.indexOf(c);
            bits += 5;
            if (bits >= 8) {
                out.write((buffer >>> (bits - 8)) & 0xff);
                bits -= 8;
            }
        }
        return out.toByteArray();
    }
}
