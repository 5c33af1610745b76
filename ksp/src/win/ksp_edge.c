/* The edge: the function table the router receives from GetKeyStorageInterface, one thin wrapper
 * per implemented entry point, nothing else. The logic is in the bridge (ksp_provider.c,
 * ksp_keys.c); what the KSP never does is in ksp_unsupported.c. */
#include "ksp.h"

SECURITY_STATUS ksp_open_key(NCRYPT_PROV_HANDLE, NCRYPT_KEY_HANDLE *, LPCWSTR, DWORD, DWORD);
SECURITY_STATUS ksp_enum_keys(NCRYPT_PROV_HANDLE, LPCWSTR, NCryptKeyName **, PVOID *, DWORD);
SECURITY_STATUS ksp_key_call(NCRYPT_PROV_HANDLE, NCRYPT_KEY_HANDLE);

#pragma GCC diagnostic ignored "-Wunused-parameter"

static SECURITY_STATUS WINAPI OpenProvider(NCRYPT_PROV_HANDLE *p, LPCWSTR name, DWORD flags)
{ return ksp_open_provider(p, name, flags); }
static SECURITY_STATUS WINAPI OpenKey(NCRYPT_PROV_HANDLE p, NCRYPT_KEY_HANDLE *k, LPCWSTR name,
                                      DWORD spec, DWORD flags)
{ return ksp_open_key(p, k, name, spec, flags); }
static SECURITY_STATUS WINAPI GetProviderProperty(NCRYPT_PROV_HANDLE p, LPCWSTR prop, PBYTE out,
                                                  DWORD cap, DWORD *res, DWORD flags)
{ return ksp_get_provider_property(p, prop, out, cap, res, flags); }
static SECURITY_STATUS WINAPI GetKeyProperty(NCRYPT_PROV_HANDLE p, NCRYPT_KEY_HANDLE k,
                                             LPCWSTR prop, PBYTE out, DWORD cap, DWORD *res,
                                             DWORD flags)
{ return ksp_key_call(p, k); }
static SECURITY_STATUS WINAPI SetKeyProperty(NCRYPT_PROV_HANDLE p, NCRYPT_KEY_HANDLE k,
                                             LPCWSTR prop, PBYTE in, DWORD len, DWORD flags)
{ return ksp_key_call(p, k); }
static SECURITY_STATUS WINAPI FreeProvider(NCRYPT_PROV_HANDLE p)
{ return ksp_free_provider(p); }
static SECURITY_STATUS WINAPI FreeKey(NCRYPT_PROV_HANDLE p, NCRYPT_KEY_HANDLE k)
{ return ksp_key_call(p, k); }
static SECURITY_STATUS WINAPI FreeBuffer(PVOID buffer)
{ return ksp_free_buffer(buffer); }
static SECURITY_STATUS WINAPI IsAlgSupported(NCRYPT_PROV_HANDLE p, LPCWSTR alg, DWORD flags)
{ return ksp_is_alg_supported(p, alg, flags); }
static SECURITY_STATUS WINAPI EnumAlgorithms(NCRYPT_PROV_HANDLE p, DWORD ops, DWORD *count,
                                             NCryptAlgorithmName **list, DWORD flags)
{ return ksp_enum_algorithms(p, ops, count, list, flags); }
static SECURITY_STATUS WINAPI EnumKeys(NCRYPT_PROV_HANDLE p, LPCWSTR scope, NCryptKeyName **names,
                                       PVOID *state, DWORD flags)
{ return ksp_enum_keys(p, scope, names, state, flags); }
static SECURITY_STATUS WINAPI ExportKey(NCRYPT_PROV_HANDLE p, NCRYPT_KEY_HANDLE k,
                                        NCRYPT_KEY_HANDLE exp, LPCWSTR type,
                                        NCryptBufferDesc *params, PBYTE out, DWORD cap,
                                        DWORD *res, DWORD flags)
{ return ksp_key_call(p, k); }
static SECURITY_STATUS WINAPI SignHash(NCRYPT_PROV_HANDLE p, NCRYPT_KEY_HANDLE k, VOID *pad,
                                       PBYTE hash, DWORD hash_len, PBYTE sig, DWORD sig_cap,
                                       DWORD *res, DWORD flags)
{ return ksp_key_call(p, k); }

static NCRYPT_KEY_STORAGE_FUNCTION_TABLE table = {
    NCRYPT_KEY_STORAGE_INTERFACE_VERSION,
    OpenProvider,
    OpenKey,
    ksp_CreatePersistedKey,
    GetProviderProperty,
    GetKeyProperty,
    ksp_SetProviderProperty,
    SetKeyProperty,
    ksp_FinalizeKey,
    ksp_DeleteKey,
    FreeProvider,
    FreeKey,
    FreeBuffer,
    ksp_Encrypt,
    ksp_Decrypt,
    IsAlgSupported,
    EnumAlgorithms,
    EnumKeys,
    ksp_ImportKey,
    ExportKey,
    SignHash,
    ksp_VerifySignature,
    ksp_PromptUser,
    ksp_NotifyChangeKey,
    ksp_SecretAgreement,
    ksp_DeriveKey,
    ksp_FreeSecret,
    ksp_KeyDerivation,
    ksp_CreateClaim,
    ksp_VerifyClaim,
};

NTSTATUS WINAPI GetKeyStorageInterface(LPCWSTR name, NCRYPT_KEY_STORAGE_FUNCTION_TABLE **out,
                                       DWORD flags);
NTSTATUS WINAPI GetKeyStorageInterface(LPCWSTR name, NCRYPT_KEY_STORAGE_FUNCTION_TABLE **out,
                                       DWORD flags)
{
    if (out == NULL)
        return (NTSTATUS)NTE_INVALID_PARAMETER;
    *out = &table;
    return 0; /* STATUS_SUCCESS */
}
