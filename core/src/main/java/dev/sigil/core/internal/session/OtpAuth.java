package dev.sigil.core.internal.session;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

/** New TOTP seeds and the Key Uri Format ({@code otpauth://}) that authenticator apps scan. */
final class OtpAuth {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

    private OtpAuth() {
    }

    /** 160 random bits (RFC 4226's recommendation) as RFC 4648 Base32 without padding; the caller zeroes it. */
    static char[] newSeed() {
        byte[] b = new byte[20];
        RANDOM.nextBytes(b);
        char[] out = new char[32];
        int buffer = 0;
        int bits = 0;
        int j = 0;
        for (byte x : b) {
            buffer = (buffer << 8) | (x & 0xff);
            bits += 8;
            while (bits >= 5) {
                out[j++] = BASE32[(buffer >>> (bits - 5)) & 31];
                bits -= 5;
            }
        }
        Arrays.fill(b, (byte) 0);
        return out;
    }

    /** The otpauth URI for SHA1, 6 digits, 30 s. */
    static String uri(String issuer, String account, char[] seed) {
        return uri(issuer, account, seed, "SHA1", "6", "30");
    }

    /**
     * The otpauth URI with the code parameters of an enrolled record. The TOTP factor's stored form
     * is self-describing and ends with {@code $<algorithm>$<digits>$<period>} (auth-mfa's README);
     * for any other form the defaults are assumed.
     */
    static String uri(String issuer, String account, char[] seed, dev.sigil.api.auth.FactorRecord record) {
        String[] f = record.stored().split("\\$");
        if (f.length >= 6 && f[f.length - 3].matches("SHA(1|256|512)") && f[f.length - 2].matches("[68]")
                && f[f.length - 1].matches("[0-9]{2,3}")) {
            return uri(issuer, account, seed, f[f.length - 3], f[f.length - 2], f[f.length - 1]);
        }
        return uri(issuer, account, seed);
    }

    private static String uri(String issuer, String account, char[] seed, String algorithm, String digits,
                              String period) {
        return "otpauth://totp/" + enc(issuer) + ":" + enc(account) + "?secret=" + new String(seed) + "&issuer="
                + enc(issuer) + "&algorithm=" + algorithm + "&digits=" + digits + "&period=" + period;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
