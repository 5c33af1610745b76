package dev.sigil.auth.mfa.internal;

import java.util.Objects;

/**
 * RFC 4648 Base32 (alphabet {@code A-Z2-7}) as TOTP seeds are written: decoding ignores case,
 * whitespace and {@code '='} wherever they appear (apps show seeds in groups of four, some with
 * padding), and encoding writes upper case without padding, as the Key Uri Format wants.
 *
 * <p>Decoding refuses a character outside the alphabet and a length that no whole number of bytes
 * encodes to (1, 3 or 6 characters beyond a multiple of 8: a seed cut short). Leftover bits of the
 * last character are ignored, as authenticator apps ignore them, so that a seed the app accepts is
 * accepted here too. Exception messages never quote the input. Stateless.
 */
final class Base32 {
    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

    private Base32() {
    }

    /**
     * Decodes Base32 text.
     *
     * @param text     the text; not null, read, not kept, not modified
     * @param maxBytes the most bytes accepted; longer input is refused before anything is decoded
     * @return a new array the caller owns and should zero (the input is usually a secret)
     * @throws IllegalArgumentException if the text is not Base32 or decodes to more than
     *                                  {@code maxBytes}; the message does not quote the text
     */
    static byte[] decode(char[] text, int maxBytes) {
        Objects.requireNonNull(text, "text");
        int symbols = 0;
        for (char c : text) {
            if (!ignored(c)) {
                if (value(c) < 0) {
                    throw new IllegalArgumentException("a character is not in the Base32 alphabet");
                }
                symbols++;
            }
        }
        int rest = symbols % 8;
        if (rest == 1 || rest == 3 || rest == 6) {
            throw new IllegalArgumentException("the length is not that of a Base32 encoding");
        }
        long length = (long) symbols * 5 / 8;
        if (length > maxBytes) {
            throw new IllegalArgumentException("more than " + maxBytes + " bytes");
        }
        byte[] out = new byte[(int) length];
        int buffer = 0;
        int bits = 0;
        int n = 0;
        for (char c : text) {
            if (ignored(c)) {
                continue;
            }
            buffer = (buffer << 5) | value(c);
            bits += 5;
            if (bits >= 8) {
                bits -= 8;
                out[n++] = (byte) (buffer >>> bits);
                buffer &= (1 << bits) - 1;
            }
        }
        return out;
    }

    /**
     * Encodes bytes as upper-case Base32 without padding.
     *
     * @param bytes the bytes; not null, not modified
     * @return a new array the caller owns and should zero if the bytes are secret
     */
    static char[] encode(byte[] bytes) {
        char[] out = new char[(int) ((bytes.length * 8L + 4) / 5)];
        int buffer = 0;
        int bits = 0;
        int n = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                bits -= 5;
                out[n++] = ALPHABET[(buffer >>> bits) & 0x1f];
            }
            buffer &= (1 << bits) - 1;
        }
        if (bits > 0) {
            out[n++] = ALPHABET[(buffer << (5 - bits)) & 0x1f];
        }
        return out;
    }

    private static boolean ignored(char c) {
        return c == '=' || Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    private static int value(char c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a';
        }
        if (c >= '2' && c <= '7') {
            return c - '2' + 26;
        }
        return -1;
    }
}
