package dev.sigil.auth.mfa.internal;

/**
 * The HMAC hash functions RFC 6238 allows for TOTP. The constant's name is what the stored record
 * and the {@code otpauth://} URI carry ({@code SHA1}, {@code SHA256}, {@code SHA512}).
 */
enum TotpAlgorithm {
    /** HMAC-SHA-1: RFC 4226's function and what authenticator apps assume when nothing is said. */
    SHA1("HmacSHA1"),
    /** HMAC-SHA-256. */
    SHA256("HmacSHA256"),
    /** HMAC-SHA-512. */
    SHA512("HmacSHA512");

    private final String macName;

    TotpAlgorithm(String macName) {
        this.macName = macName;
    }

    /** The JCA name of the MAC, for {@link javax.crypto.Mac#getInstance(String)}. */
    String macName() {
        return macName;
    }
}
