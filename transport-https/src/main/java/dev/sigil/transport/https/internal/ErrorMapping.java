package dev.sigil.transport.https.internal;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;

import java.util.EnumMap;
import java.util.Map;

/**
 * The one table from {@link ErrorCode} to HTTP status and CSC / OAuth 2.0 error name. Codes of the
 * server's own failures keep their description out of the answer (it may name files or backends).
 */
final class ErrorMapping {
    /** One row of the table. */
    record Row(int status, String error, boolean showDescription, int retryAfterSeconds) {
    }

    /** A backend's wait is passed on up to this many seconds; a longer one is capped. */
    static final int MAX_RETRY_AFTER_SECONDS = 300;

    private static final Map<ErrorCode, Row> TABLE = new EnumMap<>(ErrorCode.class);

    static {
        TABLE.put(ErrorCode.INVALID_REQUEST, new Row(400, "invalid_request", true, 0));
        TABLE.put(ErrorCode.UNSUPPORTED_ALGORITHM, new Row(400, "invalid_request", true, 0));
        TABLE.put(ErrorCode.INVALID_DIGEST, new Row(400, "invalid_request", true, 0));
        TABLE.put(ErrorCode.KEY_NOT_FOUND, new Row(400, "invalid_request", true, 0));
        TABLE.put(ErrorCode.KEY_DISABLED, new Row(400, "invalid_request", true, 0));
        TABLE.put(ErrorCode.UNSUPPORTED_OPERATION, new Row(400, "invalid_request", true, 0));
        TABLE.put(ErrorCode.AUTHENTICATION_FAILED, new Row(400, "invalid_grant", true, 0));
        TABLE.put(ErrorCode.INVALID_TOKEN, new Row(401, "invalid_token", true, 0));
        TABLE.put(ErrorCode.FACTOR_LOCKED, new Row(403, "access_denied", true, 0));
        TABLE.put(ErrorCode.NOT_AUTHORIZED, new Row(403, "access_denied", true, 0));
        TABLE.put(ErrorCode.BUSY, new Row(503, "temporarily_unavailable", true, 1));
        TABLE.put(ErrorCode.BACKEND_UNAVAILABLE, new Row(503, "temporarily_unavailable", false, 5));
        TABLE.put(ErrorCode.BACKEND_NOT_FOUND, new Row(503, "temporarily_unavailable", false, 5));
        TABLE.put(ErrorCode.CONFIGURATION, new Row(500, "server_error", false, 0));
        TABLE.put(ErrorCode.INTERNAL, new Row(500, "server_error", false, 0));
        for (ErrorCode c : ErrorCode.values()) {
            if (!TABLE.containsKey(c)) {
                throw new ExceptionInInitializerError("ErrorMapping lacks " + c);
            }
        }
    }

    private ErrorMapping() {
    }

    static Row row(ErrorCode code) {
        return TABLE.get(code);
    }

    /**
     * The answer for a {@link SigilException}. A retryable failure that says how long to wait (a
     * throttling key service's {@code Retry-After}) gives that wait, rounded up to whole seconds, in
     * place of the row's default.
     */
    static ApiError toApiError(SigilException e) {
        Row row = TABLE.get(e.code());
        String description = row.showDescription() ? e.getMessage() : describe(row.status());
        int retryAfter = row.retryAfterSeconds();
        if (retryAfter > 0 && e.retryAfter().isPresent()) {
            long millis = e.retryAfter().get().toMillis();
            retryAfter = (int) Math.max(1, Math.min(MAX_RETRY_AFTER_SECONDS, (millis + 999) / 1000));
        }
        return new ApiError(row.status(), row.error(), description, retryAfter,
                row.status() == 401 ? "Bearer realm=\"Sigil\", error=\"invalid_token\"" : null);
    }

    /** A generic description for a status whose detail stays in the log. */
    static String describe(int status) {
        switch (status) {
            case 400: return "Malformed HTTP request";
            case 404: return "No such endpoint";
            case 405: return "Method not allowed";
            case 408: return "Request timed out";
            case 413: return "Request body too large";
            case 414: return "Request URI too long";
            case 415: return "Unsupported content type";
            case 431: return "Request headers too large";
            case 503: return "Service temporarily unavailable, retry later";
            default: return status >= 500 ? "Internal server error" : "Request refused";
        }
    }

    /** The error name for a status the transport itself produced. */
    static String errorName(int status) {
        if (status == 503) {
            return "temporarily_unavailable";
        }
        return status >= 500 ? "server_error" : "invalid_request";
    }
}
