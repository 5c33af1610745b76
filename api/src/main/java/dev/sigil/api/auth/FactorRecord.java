package dev.sigil.api.auth;

import java.util.Objects;

/**
 * What the store keeps for one enrolled factor: never the secret itself, only a form from which it
 * can be verified (a salted KDF hash, an encrypted TOTP seed) plus a counter for replay guards.
 *
 * @param type    the factor type; not null
 * @param stored  the verifier's own encoding (self-describing, e.g. algorithm and parameters
 *                first); not null
 * @param counter the last accepted TOTP time step, or 0 where unused
 */
public record FactorRecord(FactorType type, String stored, long counter) {
    public FactorRecord {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(stored, "stored");
    }

    @Override
    public String toString() {
        return "FactorRecord[" + type + ", counter=" + counter + "]";
    }
}
