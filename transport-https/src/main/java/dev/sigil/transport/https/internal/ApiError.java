package dev.sigil.transport.https.internal;

/**
 * An error answer: HTTP status, CSC/OAuth error name and a client-safe description. Thrown by
 * routes and endpoints; turned into JSON in one place ({@link Router}).
 */
final class ApiError extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String error;
    private final int retryAfterSeconds;
    private final String wwwAuthenticate;

    ApiError(int status, String error, String description) {
        this(status, error, description, 0, null);
    }

    ApiError(int status, String error, String description, int retryAfterSeconds) {
        this(status, error, description, retryAfterSeconds, null);
    }

    ApiError(int status, String error, String description, int retryAfterSeconds, String wwwAuthenticate) {
        super(description, null, false, false);
        this.status = status;
        this.error = error;
        this.retryAfterSeconds = retryAfterSeconds;
        this.wwwAuthenticate = wwwAuthenticate;
    }

    /** The {@code WWW-Authenticate} challenge of a 401, or null. */
    String wwwAuthenticate() {
        return wwwAuthenticate;
    }

    static ApiError invalidRequest(String description) {
        return new ApiError(400, "invalid_request", description);
    }

    int status() {
        return status;
    }

    String error() {
        return error;
    }

    /** Seconds for a {@code Retry-After} header; 0 for none. */
    int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
