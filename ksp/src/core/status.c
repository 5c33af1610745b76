#include "status.h"

static const char *const names[SIGIL_STATUS_COUNT_] = {
    [SIGIL_OK] = "OK",
    [SIGIL_INVALID_ARGUMENT] = "INVALID_ARGUMENT",
    [SIGIL_BUFFER_TOO_SMALL] = "BUFFER_TOO_SMALL",
    [SIGIL_NO_MEMORY] = "NO_MEMORY",
    [SIGIL_PARSE_ERROR] = "PARSE_ERROR",
    [SIGIL_NOT_FOUND] = "NOT_FOUND",
    [SIGIL_AUTH_FAILED] = "AUTH_FAILED",
    [SIGIL_PIN_LOCKED] = "PIN_LOCKED",
    [SIGIL_NETWORK] = "NETWORK",
    [SIGIL_SERVER_ERROR] = "SERVER_ERROR",
    [SIGIL_UNSUPPORTED] = "UNSUPPORTED",
    [SIGIL_LIMIT_EXCEEDED] = "LIMIT_EXCEEDED",
    [SIGIL_INTERNAL] = "INTERNAL",
    [SIGIL_SESSION_EXPIRED] = "SESSION_EXPIRED",
    [SIGIL_RETRY_LATER] = "RETRY_LATER",
};

const char *sigil_status_name(sigil_status status)
{
    /* Compare as unsigned so that a negative value cast into the enum is also rejected. */
    if ((unsigned)status >= (unsigned)SIGIL_STATUS_COUNT_ || names[status] == 0)
        return "UNKNOWN";
    return names[status];
}
