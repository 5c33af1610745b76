/* sigil-ksp.dll's internal declarations: the edge (ksp_edge.c: the function table and one thin
 * wrapper per entry point), the bridge (ksp_provider.c: the logic on the portable core), the
 * unsupported entry points (ksp_unsupported.c) and the status table (ksp_status.c). */
#ifndef SIGIL_KSP_H
#define SIGIL_KSP_H

#include "ncrypt_provider.h"

#include "config.h"
#include "status.h"

#define KSP_PROVIDER_NAME L"Sigil Key Storage Provider"
#define KSP_VERSION 0x00000100u /* 0.1 as the Version property's major.minor in the high/low words */

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
/* A zeroed buffer for the router, remembered until FreeBuffer frees it. */
void *ksp_alloc_buffer(size_t size);

/* The unsupported entry points (ksp_unsupported.c). */
SECURITY_STATUS WINAPI ksp_CreatePersistedKey(NCRYPT_PROV_HANDLE, NCRYPT_KEY_HANDLE *, LPCWSTR,
                                              LPCWSTR, DWORD, DWORD);
SECURITY_STATUS WINAPI ksp_SetProviderProperty(NCRYPT_PROV_HANDLE, LPCWSTR, PBYTE, DWORD, DWORD);
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
