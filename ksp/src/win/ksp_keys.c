/* The key-level bridge: keys are the user's credentials on the server. OpenKey asks
 * credentials/info once (cached by the session), the properties are answered from it, SignHash
 * authorizes exactly the hash it is given and signs it on the server. Key handles are random
 * values from a table; a key remembers its provider handle and answers only with it. */
#include <stdlib.h>
#include <string.h>

#include "der.h"
#include "handles.h"
#include "ksp.h"
#include "secure.h"

typedef struct ksp_key {
    NCRYPT_PROV_HANDLE owner;
    char *id;                 /* the credential id, UTF-8 */
    wchar_t *wid;             /* and as the router sees it */
    sigil_key_type key;
    DWORD bits;
    const sigil_curve_info *curve;
    size_t sig_len;           /* RSA: modulus bytes; ECDSA: raw r||s */
    unsigned char *cert;      /* the signer certificate, DER */
    DWORD cert_len;
    int pin_required, otp_required;
    char *pin;                /* SmartCardPin, kept for the key's life (zeroed at FreeKey), or
                               * until the server refuses it */
    char *otp;                /* the next signature's one-time code, zeroed once used */
    HWND hwnd;
} ksp_key;

static sigil_handles *keys;

void ksp_keys_unload(void)
{
    sigil_handles_free(keys);
    keys = NULL;
}

static void free_key(ksp_key *k)
{
    if (k == NULL)
        return;
    free(k->id);
    free(k->wid);
    free(k->cert);
    sigil_free_secret(k->pin);
    sigil_free_secret(k->otp);
    free(k);
}

/* The provider and the key of a call; the key must belong to that provider. */
static SECURITY_STATUS key_get(NCRYPT_PROV_HANDLE provider, NCRYPT_KEY_HANDLE key,
                               ksp_provider **p, ksp_key **k)
{
    SECURITY_STATUS s = ksp_provider_get(provider, p);
    if (s != ERROR_SUCCESS)
        return s;
    void *obj;
    if (keys == NULL || sigil_handles_get(keys, (uint64_t)key, &obj) != SIGIL_OK)
        return NTE_INVALID_HANDLE;
    *k = obj;
    return (*k)->owner == provider ? ERROR_SUCCESS : NTE_INVALID_HANDLE;
}

SECURITY_STATUS ksp_open_key(NCRYPT_PROV_HANDLE provider, NCRYPT_KEY_HANDLE *key, LPCWSTR name,
                             DWORD legacy_spec, DWORD flags)
{
    ksp_provider *p;
    SECURITY_STATUS s = ksp_provider_get(provider, &p);
    if (s != ERROR_SUCCESS)
        return s;
    if (key == NULL || name == NULL || name[0] == L'\0')
        return NTE_INVALID_PARAMETER;
    /* Legacy CryptoAPI callers name a key spec; the signing key answers to all three. */
    if (legacy_spec != 0 && legacy_spec != AT_SIGNATURE && legacy_spec != AT_KEYEXCHANGE)
        return NTE_INVALID_PARAMETER;
    if (flags & ~(DWORD)NCRYPT_SILENT_FLAG)
        return NTE_BAD_FLAGS;
    if (keys == NULL && sigil_handles_new(1u << 14, &keys) != SIGIL_OK)
        return NTE_NO_MEMORY;
    char *id;
    if ((s = ksp_utf8_from_property((const BYTE *)name, (DWORD)(wcslen(name) * sizeof(wchar_t)),
                                    &id)) != ERROR_SUCCESS)
        return s;
    if ((s = ksp_ensure_login(p, flags, NULL, name)) != ERROR_SUCCESS) {
        free(id);
        return s;
    }
    const sigil_csc_credential_info *info;
    sigil_status st = sigil_csc_info(p->csc, id, &info);
    if (st != SIGIL_OK) {
        free(id);
        /* The only argument sent is the id: a refusal of it means there is no such key. */
        return st == SIGIL_INVALID_ARGUMENT || st == SIGIL_NOT_FOUND ? NTE_BAD_KEYSET
                                                                     : ksp_status(st);
    }
    if (info->certificate_count == 0) {
        free(id);
        return NTE_BAD_KEYSET; /* no certificate yet: nothing a Windows application can use */
    }
    ksp_key *k = calloc(1, sizeof *k);
    if (k == NULL) {
        free(id);
        return NTE_NO_MEMORY;
    }
    k->owner = provider;
    k->id = id;
    k->wid = sigil_widen(id);
    k->cert_len = (DWORD)info->certificates[0].len;
    k->cert = malloc(k->cert_len);
    if (info->curve != NULL) {
        k->key = SIGIL_KEY_EC;
        k->curve = sigil_curve_by_oid(info->curve);
        if (k->curve != NULL) {
            k->bits = k->curve->bits;
            k->sig_len = 2 * k->curve->field_len;
        }
    } else {
        k->key = SIGIL_KEY_RSA;
        k->bits = (DWORD)info->key_len;
        k->sig_len = (size_t)(info->key_len + 7) / 8;
    }
    k->pin_required = info->pin_required;
    k->otp_required = info->otp_required;
    uint64_t h;
    if (k->wid == NULL || k->cert == NULL || (k->key == SIGIL_KEY_EC && k->curve == NULL)
        || k->sig_len == 0 || sigil_handles_add(keys, k, &h) != SIGIL_OK) {
        int unusable = k->wid != NULL && k->cert != NULL;
        free_key(k);
        return unusable ? NTE_BAD_KEYSET : NTE_NO_MEMORY;
    }
    memcpy(k->cert, info->certificates[0].data, k->cert_len);
    *key = (NCRYPT_KEY_HANDLE)h;
    return ERROR_SUCCESS;
}

SECURITY_STATUS ksp_free_key(NCRYPT_PROV_HANDLE provider, NCRYPT_KEY_HANDLE key)
{
    ksp_provider *p;
    ksp_key *k;
    SECURITY_STATUS s = key_get(provider, key, &p, &k);
    if (s != ERROR_SUCCESS)
        return s;
    if (sigil_handles_remove(keys, (uint64_t)key, NULL) != SIGIL_OK)
        return NTE_INVALID_HANDLE;
    free_key(k);
    return ERROR_SUCCESS;
}

SECURITY_STATUS ksp_get_key_property(NCRYPT_PROV_HANDLE provider, NCRYPT_KEY_HANDLE key,
                                     LPCWSTR property, PBYTE out, DWORD cap, DWORD *result,
                                     DWORD flags)
{
    ksp_provider *p;
    ksp_key *k;
    SECURITY_STATUS s = key_get(provider, key, &p, &k);
    if (s != ERROR_SUCCESS)
        return s;
    if (property == NULL || result == NULL)
        return NTE_INVALID_PARAMETER;
    if (flags & ~(DWORD)NCRYPT_SILENT_FLAG)
        return NTE_BAD_FLAGS;
    int rsa = k->key == SIGIL_KEY_RSA;
    if (wcscmp(property, NCRYPT_ALGORITHM_GROUP_PROPERTY) == 0) {
        const wchar_t *v = rsa ? NCRYPT_RSA_ALGORITHM_GROUP : NCRYPT_ECDSA_ALGORITHM_GROUP;
        return ksp_put(v, (DWORD)((wcslen(v) + 1) * sizeof(wchar_t)), out, cap, result);
    }
    if (wcscmp(property, NCRYPT_ALGORITHM_PROPERTY) == 0) {
        wchar_t v[32];
        if (rsa)
            wcscpy(v, BCRYPT_RSA_ALGORITHM);
        else
            MultiByteToWideChar(CP_UTF8, 0, k->curve->cng_name, -1, v, 32);
        return ksp_put(v, (DWORD)((wcslen(v) + 1) * sizeof(wchar_t)), out, cap, result);
    }
    if (wcscmp(property, NCRYPT_LENGTH_PROPERTY) == 0)
        return ksp_put(&k->bits, sizeof k->bits, out, cap, result);
    if (wcscmp(property, NCRYPT_LENGTHS_PROPERTY) == 0) {
        NCRYPT_SUPPORTED_LENGTHS v = { k->bits, k->bits, 0, k->bits };
        return ksp_put(&v, sizeof v, out, cap, result);
    }
    if (wcscmp(property, NCRYPT_KEY_USAGE_PROPERTY) == 0) {
        DWORD v = NCRYPT_ALLOW_SIGNING_FLAG;
        return ksp_put(&v, sizeof v, out, cap, result);
    }
    if (wcscmp(property, NCRYPT_EXPORT_POLICY_PROPERTY) == 0) {
        DWORD v = 0; /* the private key is never exported */
        return ksp_put(&v, sizeof v, out, cap, result);
    }
    if (wcscmp(property, NCRYPT_IMPL_TYPE_PROPERTY) == 0) {
        DWORD v = NCRYPT_IMPL_HARDWARE_FLAG;
        return ksp_put(&v, sizeof v, out, cap, result);
    }
    if (wcscmp(property, NCRYPT_UNIQUE_NAME_PROPERTY) == 0
        || wcscmp(property, NCRYPT_NAME_PROPERTY) == 0)
        return ksp_put(k->wid, (DWORD)((wcslen(k->wid) + 1) * sizeof(wchar_t)), out, cap, result);
    if (wcscmp(property, NCRYPT_CERTIFICATE_PROPERTY) == 0)
        return ksp_put(k->cert, k->cert_len, out, cap, result);
    if (wcscmp(property, NCRYPT_WINDOW_HANDLE_PROPERTY) == 0)
        return ksp_put(&k->hwnd, sizeof k->hwnd, out, cap, result);
    return NTE_NOT_SUPPORTED;
}

SECURITY_STATUS ksp_set_key_property(NCRYPT_PROV_HANDLE provider, NCRYPT_KEY_HANDLE key,
                                     LPCWSTR property, PBYTE in, DWORD len, DWORD flags)
{
    ksp_provider *p;
    ksp_key *k;
    SECURITY_STATUS s = key_get(provider, key, &p, &k);
    if (s != ERROR_SUCCESS)
        return s;
    if (property == NULL || (in == NULL && len > 0))
        return NTE_INVALID_PARAMETER;
    /* NCRYPT_PERSIST_ONLY_FLAG asks to store without acting: what these properties do anyway. */
    if (flags & ~(DWORD)(NCRYPT_SILENT_FLAG | NCRYPT_PERSIST_ONLY_FLAG))
        return NTE_BAD_FLAGS;
    if (wcscmp(property, NCRYPT_WINDOW_HANDLE_PROPERTY) == 0) {
        if (len != sizeof(HWND))
            return NTE_INVALID_PARAMETER;
        memcpy(&k->hwnd, in, sizeof k->hwnd);
        return ERROR_SUCCESS;
    }
    char **slot = NULL;
    if (wcscmp(property, NCRYPT_PIN_PROPERTY) == 0)
        slot = &k->pin;
    else if (wcscmp(property, KSP_OTP_PROPERTY) == 0)
        slot = &k->otp;
    else
        return NTE_NOT_SUPPORTED;
    char *v;
    if ((s = ksp_utf8_from_property(in, len, &v)) != ERROR_SUCCESS)
        return s;
    sigil_free_secret(*slot);
    *slot = v[0] != '\0' ? v : NULL;
    if (*slot == NULL)
        sigil_free_secret(v);
    return ERROR_SUCCESS;
}

static const sigil_hash_info *hash_by_wide_name(LPCWSTR name)
{
    char narrow[16];
    if (name == NULL || wcslen(name) >= sizeof narrow)
        return NULL;
    for (size_t i = 0; i <= wcslen(name); i++)
        narrow[i] = (char)(name[i] < 128 ? name[i] : '?');
    return sigil_hash_by_cng_name(narrow);
}

/* Asks for the PIN and code a signature still needs (and the password when the provider has no
 * session and none was given), in the application's window; the PIN is kept for this key handle
 * as smart card KSPs keep theirs, the code is for the next signature only. NTE_SILENT_CONTEXT
 * when something is missing and NCRYPT_SILENT_FLAG forbids asking. */
static SECURITY_STATUS ask_what_is_missing(ksp_provider *p, ksp_key *k, DWORD flags)
{
    int need_pin = k->pin_required && k->pin == NULL, need_otp = k->otp_required && k->otp == NULL;
    if (!need_pin && !need_otp)
        return ERROR_SUCCESS;
    if (flags & NCRYPT_SILENT_FLAG)
        return NTE_SILENT_CONTEXT;
    int need_password = !sigil_csc_logged_in(p->csc) && p->password == NULL;
    char *password = NULL, *pin = NULL, *code = NULL;
    SECURITY_STATUS s = ksp_prompt(k->hwnd, k->wid, need_password, need_pin, need_otp, &password,
                                   &pin, &code);
    if (s != ERROR_SUCCESS)
        return s;
    if (need_password) {
        s = ksp_status(sigil_csc_login(p->csc, p->cfg.username, password, strlen(password)));
        sigil_free_secret(password);
        if (s != ERROR_SUCCESS) {
            sigil_free_secret(pin);
            sigil_free_secret(code);
            return s;
        }
    }
    if (need_pin)
        k->pin = pin;
    if (need_otp)
        k->otp = code;
    return ERROR_SUCCESS;
}

SECURITY_STATUS ksp_sign_hash(NCRYPT_PROV_HANDLE provider, NCRYPT_KEY_HANDLE key, VOID *padding,
                              PBYTE hash, DWORD hash_len, PBYTE sig, DWORD sig_cap,
                              DWORD *result, DWORD flags)
{
    ksp_provider *p;
    ksp_key *k;
    SECURITY_STATUS s = key_get(provider, key, &p, &k);
    if (s != ERROR_SUCCESS)
        return s;
    if (result == NULL || hash == NULL || hash_len == 0)
        return NTE_INVALID_PARAMETER;
    DWORD pad = flags & (BCRYPT_PAD_PKCS1 | BCRYPT_PAD_PSS);
    if (flags & ~(DWORD)(NCRYPT_SILENT_FLAG | BCRYPT_PAD_PKCS1 | BCRYPT_PAD_PSS))
        return NTE_BAD_FLAGS;
    if (k->key == SIGIL_KEY_RSA ? (pad != BCRYPT_PAD_PKCS1 && pad != BCRYPT_PAD_PSS) : pad != 0)
        return NTE_INVALID_PARAMETER;

    /* What the server signs: the hash and the scheme, from the padding information. */
    const unsigned char *digest = hash;
    size_t digest_len = hash_len;
    const sigil_hash_info *h = NULL;
    sigil_padding scheme = SIGIL_PAD_NONE;
    if (pad == BCRYPT_PAD_PKCS1) {
        const BCRYPT_PKCS1_PADDING_INFO *info = padding;
        scheme = SIGIL_PAD_PKCS1;
        if (info == NULL || info->pszAlgId == NULL) {
            /* No algorithm: the input is a DigestInfo, as CryptoAPI-era callers pass it. */
            sigil_hash which;
            if (sigil_digestinfo_parse(hash, hash_len, &which, &digest, &digest_len) != SIGIL_OK)
                return NTE_NOT_SUPPORTED;
            h = sigil_hash_info_of(which);
        } else if ((h = hash_by_wide_name(info->pszAlgId)) == NULL) {
            return NTE_NOT_SUPPORTED; /* SHA-1, MD5: the server signs SHA-2 only */
        }
    } else if (pad == BCRYPT_PAD_PSS) {
        const BCRYPT_PSS_PADDING_INFO *info = padding;
        scheme = SIGIL_PAD_PSS;
        if (info == NULL || (h = hash_by_wide_name(info->pszAlgId)) == NULL)
            return NTE_NOT_SUPPORTED;
        if (info->cbSalt != h->digest_len)
            return NTE_NOT_SUPPORTED; /* the server's PSS: salt as long as the digest */
    } else {
        h = sigil_hash_by_digest_len(hash_len);
        if (h == NULL)
            return NTE_INVALID_PARAMETER;
    }
    if (h == NULL || digest_len != h->digest_len)
        return NTE_INVALID_PARAMETER;

    /* The size protocol: no round trip. */
    *result = (DWORD)k->sig_len;
    if (sig == NULL)
        return ERROR_SUCCESS;
    if (sig_cap < k->sig_len)
        return NTE_BUFFER_TOO_SMALL;

    if ((s = ask_what_is_missing(p, k, flags)) != ERROR_SUCCESS)
        return s;
    if ((s = ksp_ensure_login(p, flags, k->hwnd, k->wid)) != ERROR_SUCCESS)
        return s;
    if (sigil_sign_algo_find(k->key, scheme, h->hash) == NULL)
        return NTE_NOT_SUPPORTED;
    char *otp = k->otp; /* used once, whatever the outcome */
    k->otp = NULL;
    const char *pin = k->pin_required ? k->pin : NULL;
    size_t field_len = k->key == SIGIL_KEY_EC ? k->curve->field_len : 0;
    sigil_status st = sigil_csc_sign_digest(p->csc, k->id, k->key, scheme, h->hash, digest,
                                            digest_len, pin, otp, field_len, sig, k->sig_len);
    if (st == SIGIL_SESSION_EXPIRED
        && ksp_ensure_login(p, flags, k->hwnd, k->wid) == ERROR_SUCCESS) {
        /* The token ended (30 minutes by default) before the code was looked at: log in again
         * (with the password the application gave, else asked for unless silent), once more. */
        st = sigil_csc_sign_digest(p->csc, k->id, k->key, scheme, h->hash, digest, digest_len,
                                   pin, otp, field_len, sig, k->sig_len);
    }
    sigil_free_secret(otp);
    if (ksp_refused(st)) {
        /* The server does not say whether the PIN or the code was wrong: the PIN is forgotten
         * with the code, and the next signature asks for both. */
        sigil_free_secret(k->pin);
        k->pin = NULL;
    }
    return ksp_status(st);
}

/* The enumeration state handed to the router: the credential ids and the position, in one buffer
 * that FreeBuffer frees. */
typedef struct enum_state {
    size_t count, pos;
    size_t offsets[]; /* count offsets of NUL-terminated ids in the bytes after the array */
} enum_state;

SECURITY_STATUS ksp_enum_keys(NCRYPT_PROV_HANDLE provider, LPCWSTR scope, NCryptKeyName **name,
                              PVOID *state, DWORD flags)
{
    (void)scope; /* one user, one set of keys: the scope (a smart card reader) does not apply */
    ksp_provider *p;
    SECURITY_STATUS s = ksp_provider_get(provider, &p);
    if (s != ERROR_SUCCESS)
        return s;
    if (name == NULL || state == NULL)
        return NTE_INVALID_PARAMETER;
    if (flags & ~(DWORD)(NCRYPT_SILENT_FLAG | NCRYPT_MACHINE_KEY_FLAG))
        return NTE_BAD_FLAGS;
    if (flags & NCRYPT_MACHINE_KEY_FLAG)
        return NTE_NO_MORE_ITEMS; /* the keys belong to a user, never to the machine */
    enum_state *e = *state;
    if (e == NULL) {
        if ((s = ksp_ensure_login(p, flags, NULL, NULL)) != ERROR_SUCCESS)
            return s;
        char **ids = NULL;
        size_t count = 0, bytes = 0;
        sigil_status st = sigil_csc_list(p->csc, &ids, &count);
        if (st != SIGIL_OK)
            return ksp_status(st);
        for (size_t i = 0; i < count; i++)
            bytes += strlen(ids[i]) + 1;
        e = ksp_alloc_buffer(sizeof *e + count * sizeof e->offsets[0] + bytes);
        if (e == NULL) {
            sigil_csc_free_strings(ids, count);
            return NTE_NO_MEMORY;
        }
        char *text = (char *)(e->offsets + count);
        size_t at = 0;
        for (size_t i = 0; i < count; i++) {
            e->offsets[i] = at;
            memcpy(text + at, ids[i], strlen(ids[i]) + 1);
            at += strlen(ids[i]) + 1;
        }
        e->count = count;
        sigil_csc_free_strings(ids, count);
        *state = e;
    }
    const char *text = (const char *)(e->offsets + e->count);
    while (e->pos < e->count) {
        const char *id = text + e->offsets[e->pos++];
        const sigil_csc_credential_info *info;
        if (sigil_csc_info(p->csc, id, &info) != SIGIL_OK || info->certificate_count == 0)
            continue; /* a key without a certificate is of no use to a Windows application */
        const char *alg = "RSA";
        const sigil_curve_info *curve = info->curve != NULL ? sigil_curve_by_oid(info->curve) : NULL;
        if (info->curve != NULL) {
            if (curve == NULL)
                continue;
            alg = curve->cng_name;
        }
        int id_chars = MultiByteToWideChar(CP_UTF8, 0, id, -1, NULL, 0);
        int alg_chars = MultiByteToWideChar(CP_UTF8, 0, alg, -1, NULL, 0);
        if (id_chars <= 0 || alg_chars <= 0)
            continue;
        NCryptKeyName *out = ksp_alloc_buffer(sizeof *out
                                              + (size_t)(id_chars + alg_chars) * sizeof(wchar_t));
        if (out == NULL)
            return NTE_NO_MEMORY;
        wchar_t *w = (wchar_t *)(void *)(out + 1);
        MultiByteToWideChar(CP_UTF8, 0, id, -1, w, id_chars);
        MultiByteToWideChar(CP_UTF8, 0, alg, -1, w + id_chars, alg_chars);
        out->pszName = w;
        out->pszAlgid = w + id_chars;
        out->dwLegacyKeySpec = AT_SIGNATURE;
        out->dwFlags = 0;
        *name = out;
        return ERROR_SUCCESS;
    }
    return NTE_NO_MORE_ITEMS;
}

SECURITY_STATUS ksp_export_key(NCRYPT_PROV_HANDLE provider, NCRYPT_KEY_HANDLE key,
                               NCRYPT_KEY_HANDLE export_key, LPCWSTR type, PBYTE out, DWORD cap,
                               DWORD *result, DWORD flags)
{
    ksp_provider *p;
    ksp_key *k;
    SECURITY_STATUS s = key_get(provider, key, &p, &k);
    if (s != ERROR_SUCCESS)
        return s;
    if (type == NULL || result == NULL || export_key != 0)
        return NTE_INVALID_PARAMETER;
    if (flags & ~(DWORD)NCRYPT_SILENT_FLAG)
        return NTE_BAD_FLAGS;
    const wchar_t *want = k->key == SIGIL_KEY_RSA ? BCRYPT_RSAPUBLIC_BLOB : BCRYPT_ECCPUBLIC_BLOB;
    if (wcscmp(type, want) != 0 && wcscmp(type, BCRYPT_PUBLIC_KEY_BLOB) != 0)
        return NTE_NOT_SUPPORTED; /* only the public key leaves, in its own blob type */
    /* The public key of the certificate, through CNG itself. */
    PCCERT_CONTEXT cert = CertCreateCertificateContext(X509_ASN_ENCODING, k->cert, k->cert_len);
    BCRYPT_KEY_HANDLE pub = NULL;
    if (cert == NULL
        || !CryptImportPublicKeyInfoEx2(X509_ASN_ENCODING, &cert->pCertInfo->SubjectPublicKeyInfo,
                                        0, NULL, &pub)) {
        if (cert != NULL)
            CertFreeCertificateContext(cert);
        return NTE_BAD_DATA;
    }
    ULONG size = 0;
    NTSTATUS ns = BCryptExportKey(pub, NULL, want, NULL, 0, &size, 0);
    if (ns >= 0) {
        *result = size;
        if (out != NULL) {
            if (cap < size)
                s = NTE_BUFFER_TOO_SMALL;
            else
                ns = BCryptExportKey(pub, NULL, want, out, cap, &size, 0);
        }
    }
    if (ns < 0)
        s = NTE_BAD_DATA;
    BCryptDestroyKey(pub);
    CertFreeCertificateContext(cert);
    return s;
}
