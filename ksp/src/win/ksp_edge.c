/* The edge: the function table the router receives from GetKeyStorageInterface, one thin wrapper
 * per implemented entry point, nothing else. The logic is in the bridge (ksp_provider.c,
 * ksp_keys.c); what the KSP never does is in ksp_unsupported.c. */
#include "ksp.h"

/* Each wrapper runs its bridge function under the module lock. */
#define LOCKED(call) do { ksp_enter(); SECURITY_STATUS s_ = (call); ksp_leave(); return s_; } while (0)

static SECURITY_STATUS WINAPI OpenProvider(NCRYPT_PROV_HANDLE *p, LPCWSTR name, DWORD flags)
{ LOCKED(ksp_open_provider(p, name, flags)); }
static SECURITY_STATUS WINAPI OpenKey(NCRYPT_PROV_HANDLE p, NCRYPT_KEY_HANDLE *k, LPCWSTR name,
                                      DWORD spec, DWORD flags)
{ LOCKED(ksp_open_key(p, k, name, spec, flags)); }
static SECURITY_STATUS WINAPI GetProviderProperty(NCRYPT_PROV_HANDLE p, LPCWSTR prop, PBYTE out,
                                                  DWORD cap, DWORD *res, DWORD flags)
{ LOCKED(ksp_get_provider_property(p, prop, out, cap, res, flags)); }
static SECURITY_STATUS WINAPI GetKeyProperty(NCRYPT_PROV_HANDLE p, NCRYPT_KEY_HANDLE k,
                                             LPCWSTR prop, PBYTE out, DWORD cap, DWORD *res,
                                             DWORD flags)
{ LOCKED(ksp_get_key_property(p, k, prop, out, cap, res, flags)); }
static SECURITY_STATUS WINAPI SetProviderProperty(NCRYPT_PROV_HANDLE p, LPCWSTR prop, PBYTE in,
                                                  DWORD len, DWORD flags)
{ LOCKED(ksp_set_provider_property(p, prop, in, len, flags)); }
static SECURITY_STATUS WINAPI SetKeyProperty(NCRYPT_PROV_HANDLE p, NCRYPT_KEY_HANDLE k,
                                             LPCWSTR prop, PBYTE in, DWORD len, DWORD flags)
{ LOCKED(ksp_set_key_property(p, k, prop, in, len, flags)); }
static SECURITY_STATUS WINAPI FreeProvider(NCRYPT_PROV_HANDLE p)
{ LOCKED(ksp_free_provider(p)); }
static SECURITY_STATUS WINAPI FreeKey(NCRYPT_PROV_HANDLE p, NCRYPT_KEY_HANDLE k)
{ LOCKED(ksp_free_key(p, k)); }
static SECURITY_STATUS WINAPI FreeBuffer(PVOID buffer)
{ return ksp_free_buffer(buffer); /* its own lock: it may be called from anywhere */ }
static SECURITY_STATUS WINAPI IsAlgSupported(NCRYPT_PROV_HANDLE p, LPCWSTR alg, DWORD flags)
{ LOCKED(ksp_is_alg_supported(p, alg, flags)); }
static SECURITY_STATUS WINAPI EnumAlgorithms(NCRYPT_PROV_HANDLE p, DWORD ops, DWORD *count,
                                             NCryptAlgorithmName **list, DWORD flags)
{ LOCKED(ksp_enum_algorithms(p, ops, count, list, flags)); }
static SECURITY_STATUS WINAPI EnumKeys(NCRYPT_PROV_HANDLE p, LPCWSTR scope, NCryptKeyName **names,
                                       PVOID *state, DWORD flags)
{ LOCKED(ksp_enum_keys(p, scope, names, state, flags)); }
static SECURITY_STATUS WINAPI ExportKey(NCRYPT_PROV_HANDLE p, NCRYPT_KEY_HANDLE k,
                                        NCRYPT_KEY_HANDLE exp, LPCWSTR type,
                                        NCryptBufferDesc *params, PBYTE out, DWORD cap,
                                        DWORD *res, DWORD flags)
{ (void)params; LOCKED(ksp_export_key(p, k, exp, type, out, cap, res, flags)); }
static SECURITY_STATUS WINAPI SignHash(NCRYPT_PROV_HANDLE p, NCRYPT_KEY_HANDLE k, VOID *pad,
                                       PBYTE hash, DWORD hash_len, PBYTE sig, DWORD sig_cap,
                                       DWORD *res, DWORD flags)
{ LOCKED(ksp_sign_hash(p, k, pad, hash, hash_len, sig, sig_cap, res, flags)); }

static NCRYPT_KEY_STORAGE_FUNCTION_TABLE table = {
    NCRYPT_KEY_STORAGE_INTERFACE_VERSION,
    OpenProvider,
    OpenKey,
    ksp_CreatePersistedKey,
    GetProviderProperty,
    GetKeyProperty,
    SetProviderProperty,
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
    (void)name;
    (void)flags;
    if (out == NULL)
        return (NTSTATUS)NTE_INVALID_PARAMETER;
    *out = &table;
    return 0; /* STATUS_SUCCESS */
}
