package dev.sigil.api.auth;

import java.util.Objects;

/**
 * The outcome of checking a presented secret.
 *
 * @param accepted whether the secret was right
 * @param record   the record to store from now on (a TOTP counter advanced, a hash upgraded to
 *                 stronger parameters); the input record when nothing changed
 */
public record Verification(boolean accepted, FactorRecord record) {
    public Verification {
        Objects.requireNonNull(record, "record");
    }
}
