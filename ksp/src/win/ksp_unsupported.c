/* Every provider entry point the KSP does not implement, in one place: its keys live on the
 * server, are made there (sigil-admin) and only sign. */
#include "ksp.h"

/* C11 wants every parameter named; nothing here reads them. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

SECURITY_STATUS WINAPI ksp_CreatePersistedKey(NCRYPT_PROV_HANDLE p, NCRYPT_KEY_HANDLE *k,
                                              LPCWSTR alg, LPCWSTR name, DWORD spec, DWORD flags)
{ return NTE_NOT_SUPPORTED; }
SECURITY_STATUS WINAPI ksp_FinalizeKey(NCRYPT_PROV_HANDLE p, NCRYPT_KEY_HANDLE k, DWORD flags)
{ return NTE_NOT_SUPPORTED; }
SECURITY_STATUS WINAPI ksp_DeleteKey(NCRYPT_PROV_HANDLE p, NCRYPT_KEY_HANDLE k, DWORD flags)
{ return NTE_NOT_SUPPORTED; }
SECURITY_STATUS WINAPI ksp_Encrypt(NCRYPT_PROV_HANDLE p, NCRYPT_KEY_HANDLE k, PBYTE in, DWORD len,
                                   VOID *pad, PBYTE out, DWORD cap, DWORD *res, DWORD flags)
{ return NTE_NOT_SUPPORTED; }
SECURITY_STATUS WINAPI ksp_Decrypt(NCRYPT_PROV_HANDLE p, NCRYPT_KEY_HANDLE k, PBYTE in, DWORD len,
                                   VOID *pad, PBYTE out, DWORD cap, DWORD *res, DWORD flags)
{ return NTE_NOT_SUPPORTED; }
SECURITY_STATUS WINAPI ksp_ImportKey(NCRYPT_PROV_HANDLE p, NCRYPT_KEY_HANDLE imp, LPCWSTR type,
                                     NCryptBufferDesc *params, NCRYPT_KEY_HANDLE *k, PBYTE data,
                                     DWORD len, DWORD flags)
{ return NTE_NOT_SUPPORTED; }
SECURITY_STATUS WINAPI ksp_VerifySignature(NCRYPT_PROV_HANDLE p, NCRYPT_KEY_HANDLE k, VOID *pad,
                                           PBYTE hash, DWORD hash_len, PBYTE sig, DWORD sig_len,
                                           DWORD flags)
{ return NTE_NOT_SUPPORTED; }
SECURITY_STATUS WINAPI ksp_PromptUser(NCRYPT_PROV_HANDLE p, NCRYPT_KEY_HANDLE k, LPCWSTR op,
                                      DWORD flags)
{ return NTE_NOT_SUPPORTED; }
SECURITY_STATUS WINAPI ksp_NotifyChangeKey(NCRYPT_PROV_HANDLE p, HANDLE *event, DWORD flags)
{ return NTE_NOT_SUPPORTED; }
SECURITY_STATUS WINAPI ksp_SecretAgreement(NCRYPT_PROV_HANDLE p, NCRYPT_KEY_HANDLE priv,
                                           NCRYPT_KEY_HANDLE pub, NCRYPT_SECRET_HANDLE *secret,
                                           DWORD flags)
{ return NTE_NOT_SUPPORTED; }
SECURITY_STATUS WINAPI ksp_DeriveKey(NCRYPT_PROV_HANDLE p, NCRYPT_SECRET_HANDLE secret,
                                     LPCWSTR kdf, NCryptBufferDesc *params, PBYTE out, DWORD cap,
                                     DWORD *res, ULONG flags)
{ return NTE_NOT_SUPPORTED; }
SECURITY_STATUS WINAPI ksp_FreeSecret(NCRYPT_PROV_HANDLE p, NCRYPT_SECRET_HANDLE secret)
{ return NTE_NOT_SUPPORTED; }
SECURITY_STATUS WINAPI ksp_KeyDerivation(NCRYPT_PROV_HANDLE p, NCRYPT_KEY_HANDLE k,
                                         NCryptBufferDesc *params, PUCHAR out, DWORD cap,
                                         DWORD *res, ULONG flags)
{ return NTE_NOT_SUPPORTED; }
SECURITY_STATUS WINAPI ksp_CreateClaim(NCRYPT_PROV_HANDLE p, NCRYPT_KEY_HANDLE subject,
                                       NCRYPT_KEY_HANDLE authority, DWORD type,
                                       NCryptBufferDesc *params, PBYTE blob, DWORD cap,
                                       DWORD *res, DWORD flags)
{ return NTE_NOT_SUPPORTED; }
SECURITY_STATUS WINAPI ksp_VerifyClaim(NCRYPT_PROV_HANDLE p, NCRYPT_KEY_HANDLE subject,
                                       NCRYPT_KEY_HANDLE authority, DWORD type,
                                       NCryptBufferDesc *params, PBYTE blob, DWORD len,
                                       NCryptBufferDesc *out, DWORD flags)
{ return NTE_NOT_SUPPORTED; }
