package dev.sigil.api.admin;

import java.util.Objects;

/**
 * A new TOTP seed, shown once.
 *
 * @param seed the Base32 seed (for manual entry)
 * @param uri  the {@code otpauth://totp/...} URI (for the QR code)
 */
public record TotpEnrollment(String seed, String uri) {
    public TotpEnrollment {
        Objects.requireNonNull(seed, "seed");
        Objects.requireNonNull(uri, "uri");
    }

    @Override
    public String toString() {
        return "TotpEnrollment[...]";
    }
}
