/* The one table from the core's status to SECURITY_STATUS. A switch without default: a status
 * added to the core and not mapped here is a compile error (-Wswitch, -Werror); anything outside
 * the enumeration is NTE_FAIL. */
#include "ksp.h"

SECURITY_STATUS ksp_status(sigil_status st)
{
    switch (st) {
    case SIGIL_OK: return ERROR_SUCCESS;
    case SIGIL_INVALID_ARGUMENT: return NTE_INVALID_PARAMETER;
    case SIGIL_BUFFER_TOO_SMALL: return NTE_BUFFER_TOO_SMALL;
    case SIGIL_NO_MEMORY: return NTE_NO_MEMORY;
    case SIGIL_PARSE_ERROR: return NTE_BAD_DATA;          /* a malformed answer of the server */
    case SIGIL_NOT_FOUND: return NTE_BAD_KEYSET;           /* no such credential */
    case SIGIL_AUTH_FAILED: return SCARD_W_WRONG_CHV;      /* wrong password, PIN or one-time code */
    case SIGIL_PIN_LOCKED: return SCARD_W_CHV_BLOCKED;
    case SIGIL_NETWORK: return NTE_DEVICE_NOT_READY;       /* server unreachable, TLS refused */
    case SIGIL_SERVER_ERROR: return NTE_FAIL;
    case SIGIL_UNSUPPORTED: return NTE_NOT_SUPPORTED;
    case SIGIL_LIMIT_EXCEEDED: return NTE_BAD_LEN;
    case SIGIL_INTERNAL: return NTE_INTERNAL_ERROR;
    case SIGIL_SESSION_EXPIRED: return SCARD_W_WRONG_CHV;  /* log in again: the prompt comes back */
    case SIGIL_RETRY_LATER: return NTE_DEVICE_NOT_READY;
    case SIGIL_STATUS_COUNT_: break;
    }
    return NTE_FAIL;
}
