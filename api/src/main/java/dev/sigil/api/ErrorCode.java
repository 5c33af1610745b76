package dev.sigil.api;

/**
 * The one error vocabulary of Sigil. Backends map their native errors (CKR_*, HTTP statuses of a
 * cloud service) to these codes in exactly one table each; the transport maps these codes to HTTP
 * statuses and CSC error names in exactly one table.
 */
public enum ErrorCode {
    /** The request is malformed or a parameter is missing or of the wrong type. */
    INVALID_REQUEST(false),
    /** The signature algorithm is unknown, or not possible with this key or backend. */
    UNSUPPORTED_ALGORITHM(false),
    /** The digest does not have the length of the hash algorithm it claims to be. */
    INVALID_DIGEST(false),
    /** No key with that reference exists in the backend. */
    KEY_NOT_FOUND(false),
    /**
     * The key exists but may not sign now: disabled, scheduled for deletion, or otherwise in a state
     * its key service refuses signatures in. Not retryable: an operator must act.
     */
    KEY_DISABLED(false),
    /** No backend with that id is registered. */
    BACKEND_NOT_FOUND(false),
    /** The backend cannot be reached or is being rebuilt; try again later. */
    BACKEND_UNAVAILABLE(true),
    /**
     * All sessions or permits are in use, or the key service throttles: try again shortly (after
     * {@link SigilException#retryAfter()} where it is known).
     */
    BUSY(true),
    /** The backend does not offer this operation (for example key generation). */
    UNSUPPORTED_OPERATION(false),
    /** A password, PIN or one-time code was wrong. */
    AUTHENTICATION_FAILED(false),
    /** The bearer token is missing, unknown, expired or revoked: log in again. */
    INVALID_TOKEN(false),
    /** A factor is temporarily locked after too many failures. */
    FACTOR_LOCKED(false),
    /** The caller is authenticated but not allowed to do this. */
    NOT_AUTHORIZED(false),
    /** The configuration is invalid; the message says which setting and why. */
    CONFIGURATION(false),
    /** Anything else; the detail is in the server log, never in the answer. */
    INTERNAL(false);

    private final boolean retryable;

    ErrorCode(boolean retryable) {
        this.retryable = retryable;
    }

    /** Whether the same request may succeed if repeated later without change. */
    public boolean retryable() {
        return retryable;
    }
}
