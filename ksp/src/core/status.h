/* One error currency for the portable core.
 *
 * Every core function returns a sigil_status. The edges map it exactly once: the PKCS#11 module to
 * CK_RV, the KSP to SECURITY_STATUS (see ARCHITECTURE.md). Values are stable within a build only;
 * never send them over the wire or store them. */
#ifndef SIGIL_STATUS_H
#define SIGIL_STATUS_H

typedef enum sigil_status {
    SIGIL_OK = 0,
    SIGIL_INVALID_ARGUMENT,  /* a precondition of the call was broken (NULL, bad length, ...) */
    SIGIL_BUFFER_TOO_SMALL,  /* the caller's buffer is too small; the needed size was reported */
    SIGIL_NO_MEMORY,
    SIGIL_PARSE_ERROR,       /* malformed input: JSON, base64, DER */
    SIGIL_NOT_FOUND,         /* unknown handle, key, algorithm or member */
    SIGIL_AUTH_FAILED,       /* wrong password, PIN or OTP; bearer token refused */
    SIGIL_PIN_LOCKED,        /* the factor is locked after repeated failures */
    SIGIL_NETWORK,           /* the server could not be reached or the connection broke */
    SIGIL_SERVER_ERROR,      /* the server answered with an error we do not map more precisely */
    SIGIL_UNSUPPORTED,       /* algorithm, mechanism or operation not supported */
    SIGIL_LIMIT_EXCEEDED,    /* an input exceeds a fixed bound (document size, depth, table size) */
    SIGIL_INTERNAL,          /* a bug or an impossible state */
    SIGIL_SESSION_EXPIRED,   /* the bearer token is unknown, expired or revoked: log in again */
    SIGIL_RETRY_LATER,       /* the server is busy or a backend unreachable (503): retry later */
    SIGIL_STATUS_COUNT_      /* not a status: the number of statuses */
} sigil_status;

/* The enumerator's name without the SIGIL_ prefix ("OK", "PARSE_ERROR", ...), a static string that
 * is never NULL; "UNKNOWN" for a value outside the enumeration. Thread-safe. */
const char *sigil_status_name(sigil_status status);

#endif
