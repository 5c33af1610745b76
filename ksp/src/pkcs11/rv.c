/* The one table from the core's status to CK_RV. A switch without default: a status added to the
 * core and not mapped here is a compile error (-Wswitch with -Werror), never a silent CKR_OK. */
#include "p11.h"

CK_RV p11_rv(sigil_status st)
{
    switch (st) {
    case SIGIL_OK: return CKR_OK;
    case SIGIL_INVALID_ARGUMENT: return CKR_ARGUMENTS_BAD;
    case SIGIL_BUFFER_TOO_SMALL: return CKR_BUFFER_TOO_SMALL;
    case SIGIL_NO_MEMORY: return CKR_HOST_MEMORY;
    case SIGIL_PARSE_ERROR: return CKR_DEVICE_ERROR;         /* the server's answer was malformed */
    case SIGIL_NOT_FOUND: return CKR_KEY_HANDLE_INVALID;     /* the credential left the server */
    case SIGIL_AUTH_FAILED: return CKR_PIN_INCORRECT;        /* wrong password, PIN or one-time code */
    case SIGIL_PIN_LOCKED: return CKR_PIN_LOCKED;
    case SIGIL_NETWORK: return CKR_DEVICE_ERROR;
    case SIGIL_SERVER_ERROR: return CKR_DEVICE_ERROR;
    case SIGIL_UNSUPPORTED: return CKR_MECHANISM_INVALID;
    case SIGIL_LIMIT_EXCEEDED: return CKR_DATA_LEN_RANGE;
    case SIGIL_INTERNAL: return CKR_GENERAL_ERROR;
    case SIGIL_SESSION_EXPIRED: return CKR_USER_NOT_LOGGED_IN; /* the server's token ended */
    case SIGIL_RETRY_LATER: return CKR_DEVICE_ERROR;
    case SIGIL_STATUS_COUNT_: break;
    }
    return CKR_GENERAL_ERROR;
}
