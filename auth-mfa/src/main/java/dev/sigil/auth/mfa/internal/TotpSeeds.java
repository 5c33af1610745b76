package dev.sigil.auth.mfa.internal;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

/**
 * Making a TOTP seed and the {@code otpauth://} URI that authenticator apps read from a QR code
 * (Google's Key Uri Format). For the enrollment step of the admin CLI, which reaches them through a
 * service rather than by importing this package. Stateless and thread-safe.
 *
 * <pre>{@code
 * char[] seed = TotpSeeds.newSeed(new SecureRandom());
 * try {
 *     FactorRecord record = totp.enroll(seed);                  // store it
 *     String uri = TotpSeeds.otpauthUri("Sigil", "alice", seed); // show once as a QR code
 * } finally {
 *     Arrays.fill(seed, '\0');
 * }
 * }</pre>
 */
public final class TotpSeeds {
    /** 160 bits: the seed length RFC 4226 recommends and Google Authenticator uses. */
    static final int SEED_BYTES = 20;

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private TotpSeeds() {
    }

    /**
     * A new random seed of 20 bytes as 32 upper-case Base32 characters without padding.
     *
     * @param random the source; not null
     * @return a new array the caller owns and should zero after use
     */
    public static char[] newSeed(SecureRandom random) {
        byte[] seed = new byte[SEED_BYTES];
        random.nextBytes(seed);
        try {
            return Base32.encode(seed);
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    /**
     * The Key Uri for the defaults of {@link TotpAuthenticator} (SHA1, 6 digits, 30 seconds):
     * {@code otpauth://totp/<issuer>:<account>?secret=<seed>&issuer=<issuer>&algorithm=SHA1&digits=6&period=30}.
     * Issuer and account are percent-encoded as UTF-8 (all but {@code A-Z a-z 0-9 - . _ ~}, so a
     * space is {@code %20} and {@code @} is {@code %40}); the seed is written in canonical form
     * (upper case, no spaces, no padding). The result contains the seed: show it once, never log it.
     *
     * @param issuer     the service name the app shows; not blank, no {@code ':'}
     * @param account    the user's name; not blank, no {@code ':'}
     * @param base32Seed the seed as given to {@code enroll}; read, not kept, not modified
     * @throws IllegalArgumentException if issuer or account is blank or contains {@code ':'} (the
     *                                  Key Uri Format forbids it: apps split the label at the colon),
     *                                  or the seed breaks {@link TotpAuthenticator#SEED_RULE}; the
     *                                  message never quotes the seed
     */
    public static String otpauthUri(String issuer, String account, char[] base32Seed) {
        return otpauthUri(issuer, account, base32Seed, TotpParameters.DEFAULT);
    }

    /** As {@link #otpauthUri(String, String, char[])}, for other code parameters. */
    static String otpauthUri(String issuer, String account, char[] base32Seed, TotpParameters parameters) {
        checkLabelPart("issuer", issuer);
        checkLabelPart("account", account);
        Objects.requireNonNull(base32Seed, "base32Seed");
        byte[] seed;
        try {
            seed = Base32.decode(base32Seed, TotpAuthenticator.MAX_SEED_BYTES);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(TotpAuthenticator.SEED_RULE);
        }
        char[] canonical = null;
        try {
            if (seed.length < TotpAuthenticator.MIN_SEED_BYTES) {
                throw new IllegalArgumentException(TotpAuthenticator.SEED_RULE);
            }
            canonical = Base32.encode(seed);
            String encodedIssuer = percentEncode(issuer);
            return new StringBuilder(160)
                    .append("otpauth://totp/").append(encodedIssuer).append(':').append(percentEncode(account))
                    .append("?secret=").append(canonical)
                    .append("&issuer=").append(encodedIssuer)
                    .append("&algorithm=").append(parameters.algorithm().name())
                    .append("&digits=").append(parameters.digits())
                    .append("&period=").append(parameters.period())
                    .toString();
        } finally {
            Arrays.fill(seed, (byte) 0);
            if (canonical != null) {
                Arrays.fill(canonical, '\0');
            }
        }
    }

    private static void checkLabelPart(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        if (value.indexOf(':') >= 0) {
            throw new IllegalArgumentException(name + " must not contain ':' (the Key Uri Format separates"
                    + " issuer and account with it)");
        }
    }

    /** RFC 3986 percent-encoding of UTF-8, leaving only the unreserved characters as they are. */
    static String percentEncode(String text) {
        StringBuilder out = new StringBuilder(text.length() * 3);
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >>> 4]).append(HEX[c & 0x0f]);
            }
        }
        return out.toString();
    }
}
