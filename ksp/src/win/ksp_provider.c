/* The bridge: what the KSP does, on the portable core. Provider handles are random values from a
 * locked table (never pointers); buffers handed to the router are remembered so that FreeBuffer
 * frees only what the KSP allocated, once. */
#include <stdlib.h>
#include <string.h>

#include "handles.h"
#include "ksp.h"
#include "secure.h"

static sigil_handles *providers;
static SRWLOCK module_lock = SRWLOCK_INIT;

void ksp_enter(void) { AcquireSRWLockExclusive(&module_lock); }
void ksp_leave(void) { ReleaseSRWLockExclusive(&module_lock); }


SECURITY_STATUS ksp_utf8_from_property(const BYTE *in, DWORD cb, char **out)
{
    *out = NULL;
    if (in == NULL || cb % sizeof(wchar_t) != 0)
        return NTE_INVALID_PARAMETER;
    int chars = (int)(cb / sizeof(wchar_t));
    const wchar_t *w = (const wchar_t *)(const void *)in;
    while (chars > 0 && w[chars - 1] == L'\0')
        chars--;
    int n = chars == 0 ? 0 : WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, w, chars, NULL, 0,
                                                 NULL, NULL);
    if (chars > 0 && n <= 0)
        return NTE_INVALID_PARAMETER;
    char *s = malloc((size_t)n + 1);
    if (s == NULL)
        return NTE_NO_MEMORY;
    if (n > 0)
        WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, w, chars, s, n, NULL, NULL);
    s[n] = '\0';
    if (memchr(s, '\0', (size_t)n) != NULL) {
        sigil_free_secret(s);
        return NTE_INVALID_PARAMETER;
    }
    *out = s;
    return ERROR_SUCCESS;
}
static SRWLOCK buffers_lock = SRWLOCK_INIT;
static void **buffers;
static size_t buffer_count, buffer_cap;

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved);
BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance;
    if (reason == DLL_PROCESS_ATTACH)
        return sigil_handles_new(4096, &providers) == SIGIL_OK;
    /* At process exit (reserved != NULL) the OS reclaims everything: touch nothing. */
    if (reason == DLL_PROCESS_DETACH && reserved == NULL) {
        sigil_handles_free(providers);
        providers = NULL;
        ksp_keys_unload();
        free(buffers);
        buffers = NULL;
    }
    return TRUE;
}

void *ksp_alloc_buffer(size_t size)
{
    void *p = calloc(1, size);
    if (p == NULL)
        return NULL;
    AcquireSRWLockExclusive(&buffers_lock);
    if (buffer_count == buffer_cap) {
        size_t cap = buffer_cap == 0 ? 16 : buffer_cap * 2;
        void **grown = realloc(buffers, cap * sizeof *grown);
        if (grown == NULL) {
            ReleaseSRWLockExclusive(&buffers_lock);
            free(p);
            return NULL;
        }
        buffers = grown;
        buffer_cap = cap;
    }
    buffers[buffer_count++] = p;
    ReleaseSRWLockExclusive(&buffers_lock);
    return p;
}

SECURITY_STATUS ksp_free_buffer(PVOID buffer)
{
    if (buffer == NULL)
        return NTE_INVALID_PARAMETER;
    int found = 0;
    AcquireSRWLockExclusive(&buffers_lock);
    for (size_t i = 0; i < buffer_count; i++)
        if (buffers[i] == buffer) {
            buffers[i] = buffers[--buffer_count];
            found = 1;
            break;
        }
    ReleaseSRWLockExclusive(&buffers_lock);
    if (!found)
        return NTE_INVALID_PARAMETER; /* not ours, or freed already */
    free(buffer);
    return ERROR_SUCCESS;
}

SECURITY_STATUS ksp_provider_get(NCRYPT_PROV_HANDLE h, ksp_provider **out)
{
    void *p;
    if (sigil_handles_get(providers, (uint64_t)h, &p) != SIGIL_OK)
        return NTE_INVALID_HANDLE;
    *out = p;
    return ERROR_SUCCESS;
}

SECURITY_STATUS ksp_open_provider(NCRYPT_PROV_HANDLE *out, LPCWSTR name, DWORD flags)
{
    if (out == NULL)
        return NTE_INVALID_PARAMETER;
    if (flags & ~(DWORD)NCRYPT_SILENT_FLAG)
        return NTE_BAD_FLAGS;
    if (name != NULL && _wcsicmp(name, KSP_PROVIDER_NAME) != 0)
        return NTE_INVALID_PARAMETER;
    ksp_provider *p = calloc(1, sizeof *p);
    if (p == NULL)
        return NTE_NO_MEMORY;
    char err[256];
    sigil_status st = ksp_config_from_registry(&p->cfg, err, sizeof err);
    if (st == SIGIL_OK)
        st = sigil_winhttp_transport_new(&p->cfg, &p->transport, err, sizeof err);
    if (st == SIGIL_OK) {
        sigil_transport t;
        sigil_winhttp_transport_bind(p->transport, &t);
        st = sigil_csc_session_new(&t, &p->csc);
    }
    uint64_t h;
    if (st == SIGIL_OK)
        st = sigil_handles_add(providers, p, &h);
    if (st != SIGIL_OK) {
        OutputDebugStringA("sigil-ksp: ");
        OutputDebugStringA(err);
        sigil_csc_session_free(p->csc);
        sigil_winhttp_transport_free(p->transport);
        sigil_config_clear(&p->cfg);
        free(p);
        return st == SIGIL_NO_MEMORY ? NTE_NO_MEMORY : NTE_PROVIDER_DLL_FAIL;
    }
    *out = (NCRYPT_PROV_HANDLE)h;
    return ERROR_SUCCESS;
}

SECURITY_STATUS ksp_free_provider(NCRYPT_PROV_HANDLE provider)
{
    void *p;
    /* Exactly one caller wins the remove: a repeated or concurrent free gets INVALID_HANDLE. */
    if (sigil_handles_remove(providers, (uint64_t)provider, &p) != SIGIL_OK)
        return NTE_INVALID_HANDLE;
    ksp_provider *prov = p;
    if (sigil_csc_logged_in(prov->csc))
        (void)sigil_csc_revoke(prov->csc); /* the token stops working now, not at its expiry */
    sigil_csc_session_free(prov->csc);
    sigil_winhttp_transport_free(prov->transport);
    sigil_free_secret(prov->password);
    sigil_config_clear(&prov->cfg);
    free(prov);
    return ERROR_SUCCESS;
}

SECURITY_STATUS ksp_set_provider_property(NCRYPT_PROV_HANDLE provider, LPCWSTR property,
                                          PBYTE in, DWORD len, DWORD flags)
{
    ksp_provider *p;
    SECURITY_STATUS s = ksp_provider_get(provider, &p);
    if (s != ERROR_SUCCESS)
        return s;
    if (property == NULL)
        return NTE_INVALID_PARAMETER;
    if (flags & ~(DWORD)(NCRYPT_SILENT_FLAG | NCRYPT_PERSIST_ONLY_FLAG))
        return NTE_BAD_FLAGS;
    if (wcscmp(property, KSP_PASSWORD_PROPERTY) != 0)
        return NTE_NOT_SUPPORTED;
    char *password;
    if ((s = ksp_utf8_from_property(in, len, &password)) != ERROR_SUCCESS)
        return s;
    sigil_free_secret(p->password);
    p->password = password[0] != '\0' ? password : NULL;
    if (p->password == NULL)
        sigil_free_secret(password);
    return ERROR_SUCCESS;
}

int ksp_refused(sigil_status st)
{
    return st == SIGIL_AUTH_FAILED || st == SIGIL_PIN_LOCKED;
}

SECURITY_STATUS ksp_ensure_login(ksp_provider *p, DWORD flags, HWND parent,
                                 const wchar_t *key_name)
{
    if (sigil_csc_logged_in(p->csc))
        return ERROR_SUCCESS;
    if (p->password != NULL) {
        sigil_status st = sigil_csc_login(p->csc, p->cfg.username, p->password,
                                          strlen(p->password));
        if (ksp_refused(st)) {
            /* Sending it again would only spend the attempts the server allows and lock the
             * user out: the next login asks (or the application sets the property again). */
            sigil_free_secret(p->password);
            p->password = NULL;
        }
        return ksp_status(st);
    }
    if (flags & NCRYPT_SILENT_FLAG)
        return NTE_SILENT_CONTEXT;
    char *password = NULL;
    SECURITY_STATUS s = ksp_prompt(parent, key_name, 1, 0, 0, &password, NULL, NULL);
    if (s != ERROR_SUCCESS)
        return s;
    s = ksp_status(sigil_csc_login(p->csc, p->cfg.username, password, strlen(password)));
    sigil_free_secret(password);
    return s;
}

SECURITY_STATUS ksp_put(const void *value, DWORD size, PBYTE out, DWORD cap, DWORD *result)
{
    *result = size;
    if (out == NULL)
        return ERROR_SUCCESS;
    if (cap < size)
        return NTE_BUFFER_TOO_SMALL;
    memcpy(out, value, size);
    return ERROR_SUCCESS;
}

SECURITY_STATUS ksp_get_provider_property(NCRYPT_PROV_HANDLE provider, LPCWSTR property,
                                          PBYTE out, DWORD cap, DWORD *result, DWORD flags)
{
    ksp_provider *p;
    SECURITY_STATUS s = ksp_provider_get(provider, &p);
    if (s != ERROR_SUCCESS)
        return s;
    if (property == NULL || result == NULL)
        return NTE_INVALID_PARAMETER;
    if (flags & ~(DWORD)NCRYPT_SILENT_FLAG)
        return NTE_BAD_FLAGS;
    if (wcscmp(property, NCRYPT_IMPL_TYPE_PROPERTY) == 0) {
        DWORD v = NCRYPT_IMPL_HARDWARE_FLAG; /* the keys are in the server's HSM or key service */
        return ksp_put(&v, sizeof v, out, cap, result);
    }
    if (wcscmp(property, NCRYPT_VERSION_PROPERTY) == 0) {
        DWORD v = KSP_VERSION;
        return ksp_put(&v, sizeof v, out, cap, result);
    }
    if (wcscmp(property, NCRYPT_NAME_PROPERTY) == 0)
        return ksp_put(KSP_PROVIDER_NAME, (DWORD)sizeof KSP_PROVIDER_NAME, out, cap, result);
    if (wcscmp(property, NCRYPT_MAX_NAME_LENGTH_PROPERTY) == 0) {
        DWORD v = 255; /* credential ids */
        return ksp_put(&v, sizeof v, out, cap, result);
    }
    return NTE_NOT_SUPPORTED;
}

SECURITY_STATUS ksp_is_alg_supported(NCRYPT_PROV_HANDLE provider, LPCWSTR alg, DWORD flags)
{
    ksp_provider *p;
    SECURITY_STATUS s = ksp_provider_get(provider, &p);
    if (s != ERROR_SUCCESS)
        return s;
    if (alg == NULL)
        return NTE_INVALID_PARAMETER;
    if (flags & ~(DWORD)NCRYPT_SILENT_FLAG)
        return NTE_BAD_FLAGS;
    static const wchar_t *const supported[] = {
        BCRYPT_RSA_ALGORITHM, BCRYPT_ECDSA_P256_ALGORITHM, BCRYPT_ECDSA_P384_ALGORITHM,
        BCRYPT_ECDSA_P521_ALGORITHM, L"ECDSA",
    };
    for (size_t i = 0; i < sizeof supported / sizeof supported[0]; i++)
        if (wcscmp(alg, supported[i]) == 0)
            return ERROR_SUCCESS;
    return NTE_NOT_SUPPORTED;
}

SECURITY_STATUS ksp_enum_algorithms(NCRYPT_PROV_HANDLE provider, DWORD operations, DWORD *count,
                                    NCryptAlgorithmName **list, DWORD flags)
{
    ksp_provider *p;
    SECURITY_STATUS s = ksp_provider_get(provider, &p);
    if (s != ERROR_SUCCESS)
        return s;
    if (count == NULL || list == NULL)
        return NTE_INVALID_PARAMETER;
    if (flags & ~(DWORD)NCRYPT_SILENT_FLAG)
        return NTE_BAD_FLAGS;
    /* The KSP signs; it neither encrypts, agrees secrets nor hashes. */
    if (operations != 0 && !(operations & NCRYPT_SIGNATURE_OPERATION))
        return NTE_NOT_SUPPORTED;
    static const struct { const wchar_t *name; DWORD cls; } algs[] = {
        { BCRYPT_RSA_ALGORITHM, NCRYPT_ASYMMETRIC_ENCRYPTION_INTERFACE },
        { BCRYPT_ECDSA_P256_ALGORITHM, NCRYPT_SIGNATURE_INTERFACE },
        { BCRYPT_ECDSA_P384_ALGORITHM, NCRYPT_SIGNATURE_INTERFACE },
        { BCRYPT_ECDSA_P521_ALGORITHM, NCRYPT_SIGNATURE_INTERFACE },
    };
    const size_t n = sizeof algs / sizeof algs[0];
    size_t strings = 0;
    for (size_t i = 0; i < n; i++)
        strings += (wcslen(algs[i].name) + 1) * sizeof(wchar_t);
    /* One buffer: the array, then the names it points to, freed by one FreeBuffer. */
    NCryptAlgorithmName *out = ksp_alloc_buffer(n * sizeof *out + strings);
    if (out == NULL)
        return NTE_NO_MEMORY;
    wchar_t *names = (wchar_t *)(void *)(out + n);
    for (size_t i = 0; i < n; i++) {
        size_t len = wcslen(algs[i].name) + 1;
        memcpy(names, algs[i].name, len * sizeof(wchar_t));
        out[i].pszName = names;
        out[i].dwClass = algs[i].cls;
        out[i].dwAlgOperations = NCRYPT_SIGNATURE_OPERATION;
        out[i].dwFlags = 0;
        names += len;
    }
    *count = (DWORD)n;
    *list = out;
    return ERROR_SUCCESS;
}
