/* libsigil-pkcs11: initialisation, slots and tokens, sessions, login, object search. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "p11.h"
#include "secure.h"

p11_module p11;
static pthread_mutex_t module_lock = PTHREAD_MUTEX_INITIALIZER;

void p11_lock(void) { pthread_mutex_lock(&module_lock); }
void p11_unlock(void) { pthread_mutex_unlock(&module_lock); }

/* ---- diagnostics ---- */

/* SIGIL_PKCS11_LOG, read once per C_Initialize (not at every message of the signing path). */
static int cached_level = -1;

static int log_level(void)
{
    if (cached_level >= 0)
        return cached_level;
    const char *v = getenv("SIGIL_PKCS11_LOG");
    if (v != NULL && strcmp(v, "off") == 0)
        cached_level = 0;
    else if (v != NULL && strcmp(v, "debug") == 0)
        cached_level = 2;
    else
        cached_level = 1;
    return cached_level;
}

static void vlog(int level, const char *fmt, va_list ap)
{
    if (log_level() < level)
        return;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    fprintf(stderr, "sigil-pkcs11: %s\n", line);
}

void p11_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(1, fmt, ap);
    va_end(ap);
}

void p11_debug(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(2, fmt, ap);
    va_end(ap);
}

void p11_pad(CK_UTF8CHAR *dst, size_t width, const char *src)
{
    size_t n = strlen(src);
    if (n > width)
        n = width;
    memset(dst, ' ', width);
    memcpy(dst, src, n);
}


/* ---- configuration: which files make which slots ---- */

/* The configuration files, in slot order: SIGIL_PKCS11_CONFIG (several separated by ':'), else
 * the user's ~/.config/sigil/pkcs11.conf if it exists, else /etc/sigil/pkcs11.conf if it exists. */
static CK_RV load_slots(void)
{
    char buf[4096];
    const char *list = getenv("SIGIL_PKCS11_CONFIG");
    if (list != NULL && list[0] != '\0') {
        if (strlen(list) >= sizeof buf) {
            p11_error("SIGIL_PKCS11_CONFIG is longer than %zu bytes", sizeof buf - 1);
            return CKR_GENERAL_ERROR;
        }
        snprintf(buf, sizeof buf, "%s", list);
    } else {
        const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
        buf[0] = '\0';
        if (xdg != NULL && xdg[0] != '\0')
            snprintf(buf, sizeof buf, "%s/sigil/pkcs11.conf", xdg);
        else if (home != NULL && home[0] != '\0')
            snprintf(buf, sizeof buf, "%s/.config/sigil/pkcs11.conf", home);
        FILE *f = buf[0] != '\0' ? fopen(buf, "rb") : NULL;
        if (f != NULL) {
            fclose(f);
        } else if ((f = fopen("/etc/sigil/pkcs11.conf", "rb")) != NULL) {
            fclose(f);
            snprintf(buf, sizeof buf, "/etc/sigil/pkcs11.conf");
        } else {
            p11_debug("no configuration (SIGIL_PKCS11_CONFIG, ~/.config/sigil/pkcs11.conf, "
                      "/etc/sigil/pkcs11.conf): no slots");
            return CKR_OK;
        }
    }

    size_t count = 1;
    for (const char *c = buf; *c; c++)
        count += *c == ':';
    p11.slots = calloc(count, sizeof *p11.slots);
    if (p11.slots == NULL)
        return CKR_HOST_MEMORY;
    char *save = NULL;
    for (char *path = strtok_r(buf, ":", &save); path != NULL; path = strtok_r(NULL, ":", &save)) {
        p11_slot *slot = &p11.slots[p11.slot_count];
        char err[256];
        sigil_status st = sigil_config_load_file(path, &slot->cfg, err, sizeof err);
        if (st != SIGIL_OK) {
            p11_error("configuration %s: %s", path, err);
            return CKR_GENERAL_ERROR;
        }
        p11.slot_count++;
        slot->id = p11.slot_count - 1;
        snprintf(slot->description, sizeof slot->description, "Sigil %s", slot->cfg.server_url);
        if (slot->cfg.label != NULL)
            snprintf(slot->label, sizeof slot->label, "%s", slot->cfg.label);
        else
            snprintf(slot->label, sizeof slot->label, "Sigil %s", slot->cfg.username);
        /* A serial number that stays the same for the same server and user. */
        unsigned long h = 5381;
        for (const char *c = slot->cfg.server_url; *c; c++)
            h = h * 33u + (unsigned char)*c;
        for (const char *c = slot->cfg.username; *c; c++)
            h = h * 33u + (unsigned char)*c;
        snprintf(slot->serial, sizeof slot->serial, "%016lx", h);
        if ((st = sigil_curl_transport_new(&slot->cfg, &slot->transport, err, sizeof err))
            != SIGIL_OK) {
            p11_error("configuration %s: %s", path, err);
            return p11_rv(st);
        }
        sigil_transport t;
        sigil_curl_transport_bind(slot->transport, &t);
        if ((st = sigil_csc_session_new(&t, &slot->csc)) != SIGIL_OK)
            return p11_rv(st);
        p11_debug("slot %lu: %s as %s (%s)", slot->id, slot->cfg.server_url, slot->cfg.username,
                  path);
    }
    return CKR_OK;
}

/* The session table keeps its own handles; a parallel list of open session handles per module
 * lets C_CloseAllSessions, C_Finalize and the end of a login find them. */
static CK_SESSION_HANDLE *open_handles;
static size_t open_count, open_cap;

/* Ends the signature operation of every session of slot, zeroing its secrets: an operation
 * names the login's credential by index, and the credentials go with the login. PKCS#11 leaves
 * open whether operations survive C_Logout; here none does, so none can run on freed credentials
 * or, after a new login, on another credential with a code given before. (A search keeps only
 * object handles, which are looked up again and are stale after the login: it may go on.) */
static void end_sign_operations(p11_slot *slot)
{
    for (size_t i = 0; i < open_count; i++) {
        void *obj = NULL;
        if (sigil_handles_get(p11.sessions, open_handles[i], &obj) != SIGIL_OK)
            continue;
        p11_session *s = obj;
        if (s->slot != slot)
            continue;
        p11_sign_op_end(&s->sign);
    }
}

void p11_forget_login(p11_slot *slot)
{
    end_sign_operations(slot);
    p11_objects_clear(slot);
    sigil_free_secret(slot->pin);
    slot->pin = NULL;
    slot->logged_in = 0;
}

/* Ends the login: objects and PIN forgotten, and the server's token revoked so that it stops
 * working at once (a failure only leaves it to expire). */
static void end_login(p11_slot *slot)
{
    p11_forget_login(slot);
    if (sigil_csc_logged_in(slot->csc)) {
        sigil_status st = sigil_csc_revoke(slot->csc);
        if (st != SIGIL_OK && st != SIGIL_SESSION_EXPIRED)
            p11_debug("auth/revoke failed (%s); the token expires by itself",
                      sigil_status_name(st));
    }
}

static void free_session(p11_session *s)
{
    p11_sign_op_end(&s->sign);
    free(s->found);
    free(s);
}

/* Closes every session of slot, or of all slots when slot is NULL. */
static void close_sessions(p11_slot *slot)
{
    size_t kept = 0;
    for (size_t i = 0; i < open_count; i++) {
        void *obj = NULL;
        if (sigil_handles_get(p11.sessions, open_handles[i], &obj) != SIGIL_OK)
            continue;
        p11_session *s = obj;
        if (slot != NULL && s->slot != slot) {
            open_handles[kept++] = open_handles[i];
            continue;
        }
        (void)sigil_handles_remove(p11.sessions, open_handles[i], NULL);
        s->slot->session_count--;
        free_session(s);
    }
    open_count = kept;
    if (slot == NULL) {
        free(open_handles);
        open_handles = NULL;
        open_count = open_cap = 0;
    }
}

static void module_free(void)
{
    if (p11.sessions != NULL)
        close_sessions(NULL);
    for (size_t i = 0; i < p11.slot_count; i++) {
        p11_slot *slot = &p11.slots[i];
        if (slot->csc != NULL)
            end_login(slot);
        sigil_csc_session_free(slot->csc);
        sigil_curl_transport_free(slot->transport);
        sigil_config_clear(&slot->cfg);
    }
    free(p11.slots);
    sigil_handles_free(p11.sessions);
    sigil_handles_free(p11.objects);
    memset(&p11, 0, sizeof p11);
}

/* ---- general functions ---- */

CK_RV C_Initialize(CK_VOID_PTR pInitArgs)
{
    if (pInitArgs != NULL) {
        CK_C_INITIALIZE_ARGS *a = pInitArgs;
        if (a->pReserved != NULL)
            return CKR_ARGUMENTS_BAD;
        int some = a->CreateMutex != NULL || a->DestroyMutex != NULL || a->LockMutex != NULL
                   || a->UnlockMutex != NULL;
        int all = a->CreateMutex != NULL && a->DestroyMutex != NULL && a->LockMutex != NULL
                  && a->UnlockMutex != NULL;
        if (some && !all)
            return CKR_ARGUMENTS_BAD;
        /* We lock with the operating system's primitives; an application that offers its own
         * functions and forbids ours gets CANT_LOCK, as the standard says. */
        if (all && !(a->flags & CKF_OS_LOCKING_OK))
            return CKR_CANT_LOCK;
    }
    p11_lock();
    if (p11.initialized) {
        p11_unlock();
        return CKR_CRYPTOKI_ALREADY_INITIALIZED;
    }
    cached_level = -1;
    CK_RV rv = CKR_HOST_MEMORY;
    if (sigil_handles_new(1u << 16, &p11.sessions) == SIGIL_OK
        && sigil_handles_new(1u << 16, &p11.objects) == SIGIL_OK)
        rv = load_slots();
    if (rv == CKR_OK)
        p11.initialized = 1;
    else
        module_free();
    p11_unlock();
    return rv;
}

CK_RV C_Finalize(CK_VOID_PTR pReserved)
{
    if (pReserved != NULL)
        return CKR_ARGUMENTS_BAD;
    p11_lock();
    if (!p11.initialized) {
        p11_unlock();
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    }
    module_free();
    p11_unlock();
    return CKR_OK;
}

CK_RV C_GetInfo(CK_INFO_PTR pInfo)
{
    if (pInfo == NULL)
        return CKR_ARGUMENTS_BAD;
    p11_lock();
    int ok = p11.initialized;
    p11_unlock();
    if (!ok)
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    memset(pInfo, 0, sizeof *pInfo);
    pInfo->cryptokiVersion.major = 2;
    pInfo->cryptokiVersion.minor = 40;
    p11_pad(pInfo->manufacturerID, sizeof pInfo->manufacturerID, "Sigil");
    p11_pad(pInfo->libraryDescription, sizeof pInfo->libraryDescription,
            "Sigil remote signing (CSC v2)");
    pInfo->libraryVersion.major = 0;
    pInfo->libraryVersion.minor = 1;
    return CKR_OK;
}

/* ---- slots and tokens ---- */

static CK_RV slot_get(CK_SLOT_ID id, p11_slot **out)
{
    if (!p11.initialized)
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    if (id >= p11.slot_count)
        return CKR_SLOT_ID_INVALID;
    *out = &p11.slots[id];
    return CKR_OK;
}

CK_RV C_GetSlotList(CK_BBOOL tokenPresent, CK_SLOT_ID_PTR pSlotList, CK_ULONG_PTR pulCount)
{
    (void)tokenPresent; /* every slot has its token */
    if (pulCount == NULL)
        return CKR_ARGUMENTS_BAD;
    p11_lock();
    CK_RV rv = CKR_OK;
    if (!p11.initialized) {
        rv = CKR_CRYPTOKI_NOT_INITIALIZED;
    } else if (pSlotList == NULL) {
        *pulCount = p11.slot_count;
    } else if (*pulCount < p11.slot_count) {
        *pulCount = p11.slot_count;
        rv = CKR_BUFFER_TOO_SMALL;
    } else {
        for (size_t i = 0; i < p11.slot_count; i++)
            pSlotList[i] = p11.slots[i].id;
        *pulCount = p11.slot_count;
    }
    p11_unlock();
    return rv;
}

CK_RV C_GetSlotInfo(CK_SLOT_ID slotID, CK_SLOT_INFO_PTR pInfo)
{
    if (pInfo == NULL)
        return CKR_ARGUMENTS_BAD;
    p11_lock();
    p11_slot *slot;
    CK_RV rv = slot_get(slotID, &slot);
    if (rv == CKR_OK) {
        memset(pInfo, 0, sizeof *pInfo);
        p11_pad(pInfo->slotDescription, sizeof pInfo->slotDescription, slot->description);
        p11_pad(pInfo->manufacturerID, sizeof pInfo->manufacturerID, "Sigil");
        pInfo->flags = CKF_TOKEN_PRESENT;
        pInfo->hardwareVersion.major = 0;
        pInfo->firmwareVersion.major = 0;
    }
    p11_unlock();
    return rv;
}

CK_RV C_GetTokenInfo(CK_SLOT_ID slotID, CK_TOKEN_INFO_PTR pInfo)
{
    if (pInfo == NULL)
        return CKR_ARGUMENTS_BAD;
    p11_lock();
    p11_slot *slot;
    CK_RV rv = slot_get(slotID, &slot);
    if (rv == CKR_OK) {
        memset(pInfo, 0, sizeof *pInfo);
        p11_pad(pInfo->label, sizeof pInfo->label, slot->label);
        p11_pad(pInfo->manufacturerID, sizeof pInfo->manufacturerID, "Sigil");
        p11_pad(pInfo->model, sizeof pInfo->model, "CSC remote");
        p11_pad(pInfo->serialNumber, sizeof pInfo->serialNumber, slot->serial);
        /* Write-protected: keys and certificates are made on the server (sigil-admin). */
        pInfo->flags = CKF_TOKEN_INITIALIZED | CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED
                       | CKF_WRITE_PROTECTED;
        pInfo->ulMaxSessionCount = CK_EFFECTIVELY_INFINITE;
        pInfo->ulSessionCount = slot->session_count;
        pInfo->ulMaxRwSessionCount = CK_EFFECTIVELY_INFINITE;
        pInfo->ulRwSessionCount = CK_UNAVAILABLE_INFORMATION;
        pInfo->ulMaxPinLen = 256;
        pInfo->ulMinPinLen = 1;
        pInfo->ulTotalPublicMemory = CK_UNAVAILABLE_INFORMATION;
        pInfo->ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
        pInfo->ulTotalPrivateMemory = CK_UNAVAILABLE_INFORMATION;
        pInfo->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
        pInfo->hardwareVersion.major = 0;
        pInfo->firmwareVersion.major = 0;
        p11_pad(pInfo->utcTime, sizeof pInfo->utcTime, "");
    }
    p11_unlock();
    return rv;
}

CK_RV C_GetMechanismList(CK_SLOT_ID slotID, CK_MECHANISM_TYPE_PTR pMechanismList,
                         CK_ULONG_PTR pulCount)
{
    if (pulCount == NULL)
        return CKR_ARGUMENTS_BAD;
    p11_lock();
    p11_slot *slot;
    CK_RV rv = slot_get(slotID, &slot);
    p11_unlock();
    if (rv != CKR_OK)
        return rv;
    size_t n;
    const sigil_mechanism_info *m = sigil_mechanisms(&n);
    if (pMechanismList == NULL) {
        *pulCount = n;
        return CKR_OK;
    }
    if (*pulCount < n) {
        *pulCount = n;
        return CKR_BUFFER_TOO_SMALL;
    }
    for (size_t i = 0; i < n; i++)
        pMechanismList[i] = m[i].ckm;
    *pulCount = n;
    return CKR_OK;
}

CK_RV C_GetMechanismInfo(CK_SLOT_ID slotID, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR pInfo)
{
    if (pInfo == NULL)
        return CKR_ARGUMENTS_BAD;
    p11_lock();
    p11_slot *slot;
    CK_RV rv = slot_get(slotID, &slot);
    p11_unlock();
    if (rv != CKR_OK)
        return rv;
    const sigil_mechanism_info *m = sigil_mechanism_by_ckm(type);
    if (m == NULL)
        return CKR_MECHANISM_INVALID;
    memset(pInfo, 0, sizeof *pInfo);
    pInfo->flags = CKF_SIGN;
    if (m->key == SIGIL_KEY_EC) {
        pInfo->ulMinKeySize = 256;
        pInfo->ulMaxKeySize = 521;
        pInfo->flags |= CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS;
    } else {
        pInfo->ulMinKeySize = 2048;
        pInfo->ulMaxKeySize = 4096;
    }
    return CKR_OK;
}

/* ---- sessions ---- */

CK_RV p11_session_get(CK_SESSION_HANDLE h, p11_session **out)
{
    if (!p11.initialized)
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    void *obj;
    if (sigil_handles_get(p11.sessions, (uint64_t)h, &obj) != SIGIL_OK)
        return CKR_SESSION_HANDLE_INVALID;
    *out = obj;
    return CKR_OK;
}

CK_RV C_OpenSession(CK_SLOT_ID slotID, CK_FLAGS flags, CK_VOID_PTR pApplication, CK_NOTIFY Notify,
                    CK_SESSION_HANDLE_PTR phSession)
{
    (void)pApplication;
    (void)Notify; /* no callbacks: nothing here runs long enough to report progress */
    if (phSession == NULL)
        return CKR_ARGUMENTS_BAD;
    if (!(flags & CKF_SERIAL_SESSION))
        return CKR_SESSION_PARALLEL_NOT_SUPPORTED;
    p11_lock();
    p11_slot *slot;
    CK_RV rv = slot_get(slotID, &slot);
    if (rv != CKR_OK)
        goto out;
    if (open_count == open_cap) {
        size_t cap = open_cap == 0 ? 16 : open_cap * 2;
        CK_SESSION_HANDLE *grown = realloc(open_handles, cap * sizeof *grown);
        if (grown == NULL) {
            rv = CKR_HOST_MEMORY;
            goto out;
        }
        open_handles = grown;
        open_cap = cap;
    }
    p11_session *s = calloc(1, sizeof *s);
    if (s == NULL) {
        rv = CKR_HOST_MEMORY;
        goto out;
    }
    s->slot = slot;
    s->flags = flags;
    uint64_t h;
    sigil_status st = sigil_handles_add(p11.sessions, s, &h);
    if (st != SIGIL_OK) {
        free(s);
        rv = st == SIGIL_LIMIT_EXCEEDED ? CKR_SESSION_COUNT : p11_rv(st);
        goto out;
    }
    open_handles[open_count++] = (CK_SESSION_HANDLE)h;
    slot->session_count++;
    *phSession = (CK_SESSION_HANDLE)h;
out:
    p11_unlock();
    return rv;
}

CK_RV C_CloseSession(CK_SESSION_HANDLE hSession)
{
    p11_lock();
    p11_session *s;
    CK_RV rv = p11_session_get(hSession, &s);
    if (rv == CKR_OK) {
        (void)sigil_handles_remove(p11.sessions, (uint64_t)hSession, NULL);
        for (size_t i = 0; i < open_count; i++)
            if (open_handles[i] == hSession) {
                open_handles[i] = open_handles[--open_count];
                break;
            }
        p11_slot *slot = s->slot;
        free_session(s);
        /* The login state belongs to the application's sessions with the token: it ends with
         * the last one. */
        if (--slot->session_count == 0 && slot->logged_in)
            end_login(slot);
    }
    p11_unlock();
    return rv;
}

CK_RV C_CloseAllSessions(CK_SLOT_ID slotID)
{
    p11_lock();
    p11_slot *slot;
    CK_RV rv = slot_get(slotID, &slot);
    if (rv == CKR_OK) {
        close_sessions(slot);
        if (slot->logged_in)
            end_login(slot);
    }
    p11_unlock();
    return rv;
}

CK_RV C_GetSessionInfo(CK_SESSION_HANDLE hSession, CK_SESSION_INFO_PTR pInfo)
{
    if (pInfo == NULL)
        return CKR_ARGUMENTS_BAD;
    p11_lock();
    p11_session *s;
    CK_RV rv = p11_session_get(hSession, &s);
    if (rv == CKR_OK) {
        memset(pInfo, 0, sizeof *pInfo);
        pInfo->slotID = s->slot->id;
        pInfo->flags = s->flags;
        int rw = (s->flags & CKF_RW_SESSION) != 0;
        if (s->slot->logged_in)
            pInfo->state = rw ? CKS_RW_USER_FUNCTIONS : CKS_RO_USER_FUNCTIONS;
        else
            pInfo->state = rw ? CKS_RW_PUBLIC_SESSION : CKS_RO_PUBLIC_SESSION;
    }
    p11_unlock();
    return rv;
}

/* ---- login ---- */

/* Splits "a:b" at the last ':' into two malloc'd strings; without ':' *second is NULL. */
static CK_RV split_secret(const CK_UTF8CHAR *in, CK_ULONG len, char **first, char **second)
{
    *first = *second = NULL;
    if (memchr(in, '\0', len) != NULL)
        return CKR_PIN_INVALID;
    size_t cut = len;
    for (size_t i = len; i > 0; i--)
        if (in[i - 1] == ':') {
            cut = i - 1;
            break;
        }
    *first = malloc(cut + 1);
    if (*first == NULL)
        return CKR_HOST_MEMORY;
    memcpy(*first, in, cut);
    (*first)[cut] = '\0';
    if (cut < len) {
        size_t n = len - cut - 1;
        *second = malloc(n + 1);
        if (*second == NULL) {
            sigil_free_secret(*first);
            *first = NULL;
            return CKR_HOST_MEMORY;
        }
        memcpy(*second, in + cut + 1, n);
        (*second)[n] = '\0';
    }
    return CKR_OK;
}

/* Logs the slot in with password; builds the objects of every credential with a certificate. */
static CK_RV login_user(p11_slot *slot, const char *password)
{
    sigil_status st = sigil_csc_login(slot->csc, slot->cfg.username, password, strlen(password));
    if (st != SIGIL_OK) {
        if (st == SIGIL_NETWORK)
            p11_error("cannot reach %s: %s", slot->cfg.server_url,
                      sigil_curl_transport_last_error(slot->transport));
        else
            p11_error("login of %s refused: %s %s", slot->cfg.username,
                      sigil_csc_last_error(slot->csc),
                      sigil_csc_last_error_description(slot->csc));
        return p11_rv(st);
    }
    char **ids = NULL;
    size_t n = 0;
    if ((st = sigil_csc_list(slot->csc, &ids, &n)) != SIGIL_OK) {
        p11_error("credentials/list failed: %s %s", sigil_csc_last_error(slot->csc),
                  sigil_csc_last_error_description(slot->csc));
        return p11_rv(st);
    }
    CK_RV rv = CKR_OK;
    for (size_t i = 0; i < n && rv == CKR_OK; i++) {
        const sigil_csc_credential_info *info;
        if ((st = sigil_csc_info(slot->csc, ids[i], &info)) != SIGIL_OK) {
            p11_error("credentials/info of %s failed: %s %s", ids[i],
                      sigil_csc_last_error(slot->csc), sigil_csc_last_error_description(slot->csc));
            rv = p11_rv(st);
            break;
        }
        rv = p11_objects_add(slot, info);
    }
    sigil_csc_free_strings(ids, n);
    if (rv != CKR_OK)
        p11_objects_clear(slot);
    return rv;
}

CK_RV C_Login(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin,
              CK_ULONG ulPinLen)
{
    if (pPin == NULL && ulPinLen > 0)
        return CKR_ARGUMENTS_BAD;
    p11_lock();
    p11_session *s;
    CK_RV rv = p11_session_get(hSession, &s);
    if (rv != CKR_OK)
        goto out;
    p11_slot *slot = s->slot;
    char *first = NULL, *second = NULL;
    if (userType == CKU_SO) {
        rv = CKR_USER_TYPE_INVALID; /* nothing to administer here: sigil-admin does that */
    } else if (userType == CKU_USER) {
        /* A server token that ended (expired, revoked) ends the login too: log in anew. */
        if (slot->logged_in && !sigil_csc_logged_in(slot->csc))
            p11_forget_login(slot);
        if (slot->logged_in) {
            rv = CKR_USER_ALREADY_LOGGED_IN;
        } else if (pPin == NULL || ulPinLen == 0) {
            rv = CKR_PIN_INCORRECT; /* no protected authentication path */
        } else if ((rv = split_secret(pPin, ulPinLen, &first, &second)) == CKR_OK) {
            /* "password" or "password:PIN". */
            rv = login_user(slot, first);
            if (rv == CKR_OK) {
                slot->logged_in = 1;
                slot->pin = second != NULL && second[0] != '\0' ? second : NULL;
                if (slot->pin == second)
                    second = NULL;
                p11_debug("slot %lu: logged in, %zu credential(s)", slot->id, slot->cred_count);
            }
        }
    } else if (userType == CKU_CONTEXT_SPECIFIC) {
        /* Authorises the signature operation just initialised: "OTP" or "PIN:OTP". */
        if (!slot->logged_in) {
            rv = CKR_USER_NOT_LOGGED_IN;
        } else if (!s->sign.active) {
            rv = CKR_OPERATION_NOT_INITIALIZED;
        } else if (pPin == NULL || ulPinLen == 0) {
            rv = CKR_PIN_INCORRECT;
        } else if ((rv = split_secret(pPin, ulPinLen, &first, &second)) == CKR_OK) {
            char *otp = second != NULL ? second : first;
            char *pin = second != NULL ? first : NULL;
            if (!p11_is_otp(otp)) {
                p11_error("the context-specific login takes the one-time code (6 to 10 digits) "
                          "or PIN:code, not the login password");
                rv = CKR_PIN_INVALID;
            } else {
                sigil_free_secret(s->sign.otp);
                sigil_free_secret(s->sign.pin);
                s->sign.otp = otp;
                s->sign.pin = pin;
                first = second = NULL;
            }
        }
    } else {
        rv = CKR_USER_TYPE_INVALID;
    }
    sigil_free_secret(first);
    sigil_free_secret(second);
out:
    p11_unlock();
    return rv;
}

CK_RV C_Logout(CK_SESSION_HANDLE hSession)
{
    p11_lock();
    p11_session *s;
    CK_RV rv = p11_session_get(hSession, &s);
    if (rv == CKR_OK) {
        p11_slot *slot = s->slot;
        if (!slot->logged_in) {
            rv = CKR_USER_NOT_LOGGED_IN;
        } else {
            end_login(slot);
        }
    }
    p11_unlock();
    return rv;
}

/* ---- objects ---- */

CK_RV p11_object_get(p11_session *s, CK_OBJECT_HANDLE h, p11_object **out)
{
    void *obj;
    if (sigil_handles_get(p11.objects, (uint64_t)h, &obj) != SIGIL_OK)
        return CKR_OBJECT_HANDLE_INVALID;
    p11_object *o = obj;
    /* Objects exist only while their slot is logged in; another slot's handle is invalid here. */
    if (o->slot != s->slot)
        return CKR_OBJECT_HANDLE_INVALID;
    *out = o;
    return CKR_OK;
}

CK_RV C_GetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
                          CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
    if (pTemplate == NULL && ulCount > 0)
        return CKR_ARGUMENTS_BAD;
    p11_lock();
    p11_session *s;
    p11_object *o;
    CK_RV rv = p11_session_get(hSession, &s);
    if (rv == CKR_OK)
        rv = p11_object_get(s, hObject, &o);
    if (rv == CKR_OK)
        rv = p11_object_get_attributes(o, pTemplate, ulCount);
    p11_unlock();
    return rv;
}

CK_RV C_FindObjectsInit(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
    if (pTemplate == NULL && ulCount > 0)
        return CKR_ARGUMENTS_BAD;
    p11_lock();
    p11_session *s;
    CK_RV rv = p11_session_get(hSession, &s);
    if (rv == CKR_OK && s->find_active)
        rv = CKR_OPERATION_ACTIVE;
    if (rv == CKR_OK) {
        p11_slot *slot = s->slot;
        free(s->found);
        s->found = NULL;
        s->found_count = s->found_pos = 0;
        if (slot->object_count > 0
            && (s->found = malloc(slot->object_count * sizeof *s->found)) == NULL) {
            rv = CKR_HOST_MEMORY;
        } else {
            for (size_t i = 0; i < slot->object_count; i++)
                if (p11_object_matches(slot->objects[i], pTemplate, ulCount))
                    s->found[s->found_count++] = slot->objects[i]->handle;
            s->find_active = 1;
        }
    }
    p11_unlock();
    return rv;
}

CK_RV C_FindObjects(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE_PTR phObject,
                    CK_ULONG ulMaxObjectCount, CK_ULONG_PTR pulObjectCount)
{
    if ((phObject == NULL && ulMaxObjectCount > 0) || pulObjectCount == NULL)
        return CKR_ARGUMENTS_BAD;
    p11_lock();
    p11_session *s;
    CK_RV rv = p11_session_get(hSession, &s);
    if (rv == CKR_OK && !s->find_active)
        rv = CKR_OPERATION_NOT_INITIALIZED;
    if (rv == CKR_OK) {
        CK_ULONG n = 0;
        while (n < ulMaxObjectCount && s->found_pos < s->found_count)
            phObject[n++] = s->found[s->found_pos++];
        *pulObjectCount = n;
    }
    p11_unlock();
    return rv;
}

CK_RV C_FindObjectsFinal(CK_SESSION_HANDLE hSession)
{
    p11_lock();
    p11_session *s;
    CK_RV rv = p11_session_get(hSession, &s);
    if (rv == CKR_OK && !s->find_active)
        rv = CKR_OPERATION_NOT_INITIALIZED;
    if (rv == CKR_OK) {
        free(s->found);
        s->found = NULL;
        s->found_count = s->found_pos = 0;
        s->find_active = 0;
    }
    p11_unlock();
    return rv;
}
