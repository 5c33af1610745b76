package dev.sigil.api.session;

import java.time.Duration;
import java.util.Objects;

/**
 * Signature activation data: the proof that the user authorized one credential for an exact set of
 * hashes. The server keeps only its hash.
 *
 * @param sad       the opaque SAD
 * @param expiresIn how long it is valid
 */
public record Authorization(String sad, Duration expiresIn) {
    public Authorization {
        Objects.requireNonNull(sad, "sad");
        Objects.requireNonNull(expiresIn, "expiresIn");
    }

    @Override
    public String toString() {
        return "Authorization[expiresIn=" + expiresIn + "]";
    }
}
