package dev.sigil.api.session;

import java.util.Objects;

/**
 * An authenticated caller: the user and the session (the access token) a request came with. A SAD
 * is bound to the session that obtained it, so that revoking the token ends its authorizations
 * too, and no other token of the same user can use them.
 *
 * @param userId the user
 * @param id     an opaque, stable identifier of the session; not the token, and not a secret
 * @since 2.0
 */
public record Session(String userId, String id) {
    public Session {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(id, "id");
    }
}
