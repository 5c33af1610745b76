package dev.sigil.api.session;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Logging in and out. Every outcome is audited. Thread-safe.
 *
 * <pre>{@code
 * AccessToken t = sessions.login("alice", password, ctx);   // then zero password
 * Session s = sessions.authenticate(t.token());          // s.userId()
 * }</pre>
 */
@ProviderType
public interface SessionService {
    /**
     * Checks the password and issues a short-lived bearer token.
     *
     * @param password read, not kept, not modified; the caller zeroes it
     * @throws SigilException {@link ErrorCode#AUTHENTICATION_FAILED} for an unknown user, a disabled
     *                        user or a wrong password (the same answer for all three);
     *                        {@link ErrorCode#FACTOR_LOCKED} after too many failures
     */
    AccessToken login(String userId, char[] password, RequestContext context) throws SigilException;

    /**
     * The session a bearer token belongs to: its user and its identifier.
     *
     * @throws SigilException {@link ErrorCode#INVALID_TOKEN} if it is unknown, expired or revoked, or
     *                        its user is disabled
     */
    Session authenticate(String bearerToken) throws SigilException;

    /**
     * Revokes a token, and with it the authorizations (SADs) obtained with it.
     *
     * @throws SigilException {@link ErrorCode#INVALID_TOKEN} if {@code bearerToken} is not valid
     */
    void revoke(String bearerToken, RequestContext context) throws SigilException;
}
