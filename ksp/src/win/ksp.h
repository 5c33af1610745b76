/* sigil-ksp.dll's internal declarations: the edge (ksp_edge.c: the function table and one thin
 * wrapper per entry point), the bridge (ksp_provider.c: the logic on the portable core), the
 * unsupported entry points (ksp_unsupported.c) and the status table (ksp_status.c). */
#ifndef SIGIL_KSP_H
#define SIGIL_KSP_H

#include "ncrypt_provider.h"

#include "algorithms.h"
#include "config.h"
#include "csc_client.h"
#include "status.h"
#include "winhttp_transport.h"

#define KSP_PROVIDER_NAME SIGIL_KSP_PROVIDER_NAME
#define KSP_VERSION 0x00000100u /* 0.1 as the Version property's major.minor in the high/low words */

/* The documented Sigil properties: the account password (SetProviderProperty, before OpenKey,
 * for callers that cannot show the dialog) and the one-time code for the next signature
 * (SetKeyProperty). Both are NUL-terminated UTF-16 strings, zeroed after use. */
#define KSP_PASSWORD_PROPERTY L"Sigil Password"
#define KSP_OTP_PROPERTY L"Sigil One-Time Code"

typedef struct ksp_provider {
    sigil_config cfg;
    sigil_winhttp_transport *transport;
    sigil_csc_session *csc;
    char *password;            /* from KSP_PASSWORD_PROPERTY; zeroed when replaced, refused by
                                * the server or freed */
} ksp_provider;

/* Every bridge function runs under one lock (network calls included), as the PKCS#11 module
 * does: no handle can be freed while another thread uses it. */
void ksp_enter(void);
void ksp_leave(void);
/* The provider of a handle (NTE_INVALID_HANDLE for unknown or freed ones). */
SECURITY_STATUS ksp_provider_get(NCRYPT_PROV_HANDLE h, ksp_provider **out);
/* A UTF-16 property value (cb bytes, NUL-terminated or not) as a malloc'd UTF-8 string. */
SECURITY_STATUS ksp_utf8_from_property(const BYTE *in, DWORD cb, char **out);

/* The one status -> SECURITY_STATUS table (ksp_status.c). */
SECURITY_STATUS ksp_status(sigil_status st);

/* The configuration from the registry: HKCU\Software\Sigil if that key exists, else
 * HKLM\Software\Sigil. Values are named as the keys of config.h (REG_SZ; timeout_seconds may be a
 * REG_DWORD) and parsed as strictly as a configuration file. NOT_FOUND when neither key exists;
 * PARSE_ERROR with err filled ("HKCU\Software\Sigil: line 2: unknown key 'colour'"). */
sigil_status ksp_config_from_registry(sigil_config *cfg, char *err, size_t err_cap);

/* The bridge: provider-level logic behind the edge's wrappers. */
SECURITY_STATUS ksp_open_provider(NCRYPT_PROV_HANDLE *out, LPCWSTR name, DWORD flags);
SECURITY_STATUS ksp_free_provider(NCRYPT_PROV_HANDLE provider);
SECURITY_STATUS ksp_get_provider_property(NCRYPT_PROV_HANDLE provider, LPCWSTR property,
                                          PBYTE out, DWORD cap, DWORD *result, DWORD flags);
SECURITY_STATUS ksp_free_buffer(PVOID buffer);
SECURITY_STATUS ksp_is_alg_supported(NCRYPT_PROV_HANDLE provider, LPCWSTR alg, DWORD flags);
SECURITY_STATUS ksp_enum_algorithms(NCRYPT_PROV_HANDLE provider, DWORD operations, DWORD *count,
                                    NCryptAlgorithmName **list, DWORD flags);
SECURITY_STATUS ksp_set_provider_property(NCRYPT_PROV_HANDLE provider, LPCWSTR property,
                                          PBYTE in, DWORD len, DWORD flags);
/* ksp_keys.c: the key-level entry points. */
SECURITY_STATUS ksp_open_key(NCRYPT_PROV_HANDLE provider, NCRYPT_KEY_HANDLE *key, LPCWSTR name,
                             DWORD legacy_spec, DWORD flags);
SECURITY_STATUS ksp_free_key(NCRYPT_PROV_HANDLE provider, NCRYPT_KEY_HANDLE key);
SECURITY_STATUS ksp_get_key_property(NCRYPT_PROV_HANDLE provider, NCRYPT_KEY_HANDLE key,
                                     LPCWSTR property, PBYTE out, DWORD cap, DWORD *result,
                                     DWORD flags);
SECURITY_STATUS ksp_set_key_property(NCRYPT_PROV_HANDLE provider, NCRYPT_KEY_HANDLE key,
                                     LPCWSTR property, PBYTE in, DWORD len, DWORD flags);
SECURITY_STATUS ksp_sign_hash(NCRYPT_PROV_HANDLE provider, NCRYPT_KEY_HANDLE key, VOID *padding,
                              PBYTE hash, DWORD hash_len, PBYTE sig, DWORD sig_cap,
                              DWORD *result, DWORD flags);
SECURITY_STATUS ksp_enum_keys(NCRYPT_PROV_HANDLE provider, LPCWSTR scope, NCryptKeyName **name,
                              PVOID *state, DWORD flags);
SECURITY_STATUS ksp_export_key(NCRYPT_PROV_HANDLE provider, NCRYPT_KEY_HANDLE key,
                               NCRYPT_KEY_HANDLE export_key, LPCWSTR type, PBYTE out, DWORD cap,
                               DWORD *result, DWORD flags);
/* Frees the key handle table when the DLL is unloaded (not at process exit). */
void ksp_keys_unload(void);
/* 1 when the server refused the secrets of a call (wrong, or locked after repeated failures):
 * they are forgotten at once, never sent again; the next attempt asks for them. */
int ksp_refused(sigil_status st);
/* Logs the provider's session in when it has no token, with the password property or else the
 * prompt (owned by parent, naming key_name); NTE_SILENT_CONTEXT when NCRYPT_SILENT_FLAG forbids
 * the prompt. The prompted password is zeroed once used; a password property the server refused
 * is forgotten (the next login asks for it). */
SECURITY_STATUS ksp_ensure_login(ksp_provider *p, DWORD flags, HWND parent,
                                 const wchar_t *key_name);
/* ksp_dialog.c: the modal prompt for what is missing (password, PIN, one-time code). On OK each
 * asked value is a malloc'd UTF-8 string (zero and free it); SCARD_W_CANCELLED_BY_USER on cancel,
 * SCARD_W_WRONG_CHV when a field was left empty. */
SECURITY_STATUS ksp_prompt(HWND parent, const wchar_t *key_name, int need_password, int need_pin,
                           int need_otp, char **password, char **pin, char **otp);
/* The two-call protocol for a property value of size bytes. */
SECURITY_STATUS ksp_put(const void *value, DWORD size, PBYTE out, DWORD cap, DWORD *result);
/* A zeroed buffer for the router, remembered until FreeBuffer frees it. */
void *ksp_alloc_buffer(size_t size);

/* The unsupported entry points (ksp_unsupported.c). */
SECURITY_STATUS WINAPI ksp_CreatePersistedKey(NCRYPT_PROV_HANDLE, NCRYPT_KEY_HANDLE *, LPCWSTR,
                                              LPCWSTR, DWORD, DWORD);
SECURITY_STATUS WINAPI ksp_FinalizeKey(NCRYPT_PROV_HANDLE, NCRYPT_KEY_HANDLE, DWORD);
SECURITY_STATUS WINAPI ksp_DeleteKey(NCRYPT_PROV_HANDLE, NCRYPT_KEY_HANDLE, DWORD);
SECURITY_STATUS WINAPI ksp_Encrypt(NCRYPT_PROV_HANDLE, NCRYPT_KEY_HANDLE, PBYTE, DWORD, VOID *,
                                   PBYTE, DWORD, DWORD *, DWORD);
SECURITY_STATUS WINAPI ksp_Decrypt(NCRYPT_PROV_HANDLE, NCRYPT_KEY_HANDLE, PBYTE, DWORD, VOID *,
                                   PBYTE, DWORD, DWORD *, DWORD);
SECURITY_STATUS WINAPI ksp_ImportKey(NCRYPT_PROV_HANDLE, NCRYPT_KEY_HANDLE, LPCWSTR,
                                     NCryptBufferDesc *, NCRYPT_KEY_HANDLE *, PBYTE, DWORD, DWORD);
SECURITY_STATUS WINAPI ksp_VerifySignature(NCRYPT_PROV_HANDLE, NCRYPT_KEY_HANDLE, VOID *, PBYTE,
                                           DWORD, PBYTE, DWORD, DWORD);
SECURITY_STATUS WINAPI ksp_PromptUser(NCRYPT_PROV_HANDLE, NCRYPT_KEY_HANDLE, LPCWSTR, DWORD);
SECURITY_STATUS WINAPI ksp_NotifyChangeKey(NCRYPT_PROV_HANDLE, HANDLE *, DWORD);
SECURITY_STATUS WINAPI ksp_SecretAgreement(NCRYPT_PROV_HANDLE, NCRYPT_KEY_HANDLE,
                                           NCRYPT_KEY_HANDLE, NCRYPT_SECRET_HANDLE *, DWORD);
SECURITY_STATUS WINAPI ksp_DeriveKey(NCRYPT_PROV_HANDLE, NCRYPT_SECRET_HANDLE, LPCWSTR,
                                     NCryptBufferDesc *, PBYTE, DWORD, DWORD *, ULONG);
SECURITY_STATUS WINAPI ksp_FreeSecret(NCRYPT_PROV_HANDLE, NCRYPT_SECRET_HANDLE);
SECURITY_STATUS WINAPI ksp_KeyDerivation(NCRYPT_PROV_HANDLE, NCRYPT_KEY_HANDLE,
                                         NCryptBufferDesc *, PUCHAR, DWORD, DWORD *, ULONG);
SECURITY_STATUS WINAPI ksp_CreateClaim(NCRYPT_PROV_HANDLE, NCRYPT_KEY_HANDLE, NCRYPT_KEY_HANDLE,
                                       DWORD, NCryptBufferDesc *, PBYTE, DWORD, DWORD *, DWORD);
SECURITY_STATUS WINAPI ksp_VerifyClaim(NCRYPT_PROV_HANDLE, NCRYPT_KEY_HANDLE, NCRYPT_KEY_HANDLE,
                                       DWORD, NCryptBufferDesc *, PBYTE, DWORD,
                                       NCryptBufferDesc *, DWORD);

#endif
