package dev.sigil.auth.mfa.internal;

import java.util.Objects;

/**
 * How the codes of one TOTP seed are made: the HMAC function, the number of digits and the length
 * of a time step. Every record carries its own, so a change of configuration affects only new
 * enrollments. Immutable.
 *
 * @param algorithm the HMAC function; not null
 * @param digits    6 or 8
 * @param period    the time step in seconds; positive
 */
record TotpParameters(TotpAlgorithm algorithm, int digits, int period) {
    /** What Google Authenticator and {@code oathtool} assume when nothing is said. */
    static final TotpParameters DEFAULT = new TotpParameters(TotpAlgorithm.SHA1, 6, 30);

    TotpParameters {
        Objects.requireNonNull(algorithm, "algorithm");
        if (digits != 6 && digits != 8) {
            throw new IllegalArgumentException("digits must be 6 or 8");
        }
        if (period < 1) {
            throw new IllegalArgumentException("period must be positive");
        }
    }
}
