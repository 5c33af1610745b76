/* A test-only ncrypt.dll: the part of Windows' CNG router that an application signing with a
 * certificate goes through, because Wine's ncrypt.dll is no router (see TESTING.md). It reads the
 * provider registration that sigil-ksp-register wrote
 * (HKLM\SYSTEM\CurrentControlSet\Control\Cryptography\Providers\<name>\UM\Image), loads that DLL,
 * takes its function table from GetKeyStorageInterface, and routes the public calls to it with
 * handles of its own. Only what the application test needs; never shipped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ncrypt_provider.h"

typedef struct routed {
    int is_key;
    NCRYPT_KEY_STORAGE_FUNCTION_TABLE *table;
    NCRYPT_PROV_HANDLE provider;   /* the provider's own handle */
    NCRYPT_KEY_HANDLE key;         /* the provider's own key handle (keys only) */
} routed;

SECURITY_STATUS WINAPI NCryptOpenStorageProvider(NCRYPT_PROV_HANDLE *out, LPCWSTR name,
                                                 DWORD flags)
{
    if (out == NULL || name == NULL)
        return NTE_INVALID_PARAMETER;
    wchar_t key[512], image[MAX_PATH];
    swprintf(key, 512, L"SYSTEM\\CurrentControlSet\\Control\\Cryptography\\Providers\\%ls\\UM",
             name);
    DWORD size = sizeof image;
    if (RegGetValueW(HKEY_LOCAL_MACHINE, key, L"Image", RRF_RT_REG_SZ, NULL, image, &size)
        != ERROR_SUCCESS)
        return NTE_BAD_PROVIDER;
    HMODULE dll = LoadLibraryW(image);
    if (dll == NULL)
        return NTE_PROVIDER_DLL_FAIL;
    GetKeyStorageInterfaceFn get;
    FARPROC proc = GetProcAddress(dll, "GetKeyStorageInterface");
    memcpy(&get, &proc, sizeof get);
    routed *r = calloc(1, sizeof *r);
    if (get == NULL || r == NULL || get(name, &r->table, 0) != 0) {
        free(r);
        return NTE_PROVIDER_DLL_FAIL;
    }
    SECURITY_STATUS s = r->table->OpenProvider(&r->provider, name, flags);
    if (s != ERROR_SUCCESS) {
        free(r);
        return s;
    }
    *out = (NCRYPT_PROV_HANDLE)r;
    return ERROR_SUCCESS;
}

SECURITY_STATUS WINAPI NCryptOpenKey(NCRYPT_PROV_HANDLE provider, NCRYPT_KEY_HANDLE *out,
                                     LPCWSTR name, DWORD spec, DWORD flags)
{
    routed *p = (routed *)provider;
    if (p == NULL || p->is_key || out == NULL)
        return NTE_INVALID_HANDLE;
    routed *k = calloc(1, sizeof *k);
    if (k == NULL)
        return NTE_NO_MEMORY;
    *k = *p;
    k->is_key = 1;
    SECURITY_STATUS s = p->table->OpenKey(p->provider, &k->key, name, spec, flags);
    if (s != ERROR_SUCCESS) {
        free(k);
        return s;
    }
    *out = (NCRYPT_KEY_HANDLE)k;
    return ERROR_SUCCESS;
}

SECURITY_STATUS WINAPI NCryptSetProperty(NCRYPT_HANDLE object, LPCWSTR property, PBYTE in,
                                         DWORD len, DWORD flags)
{
    routed *r = (routed *)object;
    if (r == NULL)
        return NTE_INVALID_HANDLE;
    return r->is_key ? r->table->SetKeyProperty(r->provider, r->key, property, in, len, flags)
                     : r->table->SetProviderProperty(r->provider, property, in, len, flags);
}

SECURITY_STATUS WINAPI NCryptGetProperty(NCRYPT_HANDLE object, LPCWSTR property, PBYTE out,
                                         DWORD cap, DWORD *result, DWORD flags)
{
    routed *r = (routed *)object;
    if (r == NULL)
        return NTE_INVALID_HANDLE;
    return r->is_key
               ? r->table->GetKeyProperty(r->provider, r->key, property, out, cap, result, flags)
               : r->table->GetProviderProperty(r->provider, property, out, cap, result, flags);
}

SECURITY_STATUS WINAPI NCryptSignHash(NCRYPT_KEY_HANDLE key, VOID *padding, PBYTE hash,
                                      DWORD hash_len, PBYTE sig, DWORD sig_cap, DWORD *result,
                                      DWORD flags)
{
    routed *k = (routed *)key;
    if (k == NULL || !k->is_key)
        return NTE_INVALID_HANDLE;
    return k->table->SignHash(k->provider, k->key, padding, hash, hash_len, sig, sig_cap, result,
                              flags);
}

SECURITY_STATUS WINAPI NCryptFreeObject(NCRYPT_HANDLE object)
{
    routed *r = (routed *)object;
    if (r == NULL)
        return NTE_INVALID_HANDLE;
    SECURITY_STATUS s = r->is_key ? r->table->FreeKey(r->provider, r->key)
                                  : r->table->FreeProvider(r->provider);
    free(r);
    return s;
}
