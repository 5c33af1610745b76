package dev.sigil.api.session;

import java.time.Duration;
import java.util.Objects;

/**
 * A bearer token from a login. The server keeps only its hash.
 *
 * @param token     the opaque token to send as {@code Authorization: Bearer <token>}
 * @param expiresIn how long it is valid
 */
public record AccessToken(String token, Duration expiresIn) {
    public AccessToken {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(expiresIn, "expiresIn");
    }

    @Override
    public String toString() {
        return "AccessToken[expiresIn=" + expiresIn + "]";
    }
}
