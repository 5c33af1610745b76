/* The key-level entry points. Work in progress (issue 6): OpenKey by credential id with its
 * credentials/info, the key properties, SetKeyProperty (window handle, PIN, one-time code),
 * SignHash with the two-call size protocol, EnumKeys over credentials/list and ExportKey of the
 * public key come next; until then they refuse with NTE_NOT_SUPPORTED after checking the provider
 * handle, so that no application takes a half-made key for a working one. */
#include "ksp.h"

#pragma GCC diagnostic ignored "-Wunused-parameter"

SECURITY_STATUS ksp_open_key(NCRYPT_PROV_HANDLE provider, NCRYPT_KEY_HANDLE *key, LPCWSTR name,
                             DWORD legacy_spec, DWORD flags)
{
    DWORD size = 0;
    SECURITY_STATUS s = ksp_get_provider_property(provider, NCRYPT_VERSION_PROPERTY, NULL, 0,
                                                  &size, 0);
    return s == ERROR_SUCCESS ? NTE_NOT_SUPPORTED : s;
}

SECURITY_STATUS ksp_enum_keys(NCRYPT_PROV_HANDLE provider, LPCWSTR scope, NCryptKeyName **names,
                              PVOID *state, DWORD flags)
{
    DWORD size = 0;
    SECURITY_STATUS s = ksp_get_provider_property(provider, NCRYPT_VERSION_PROPERTY, NULL, 0,
                                                  &size, 0);
    return s == ERROR_SUCCESS ? NTE_NOT_SUPPORTED : s;
}

/* No key handle exists yet, so every call on one is about an invalid handle. */
SECURITY_STATUS ksp_key_call(NCRYPT_PROV_HANDLE provider, NCRYPT_KEY_HANDLE key)
{
    DWORD size = 0;
    SECURITY_STATUS s = ksp_get_provider_property(provider, NCRYPT_VERSION_PROPERTY, NULL, 0,
                                                  &size, 0);
    return s == ERROR_SUCCESS ? NTE_INVALID_HANDLE : s;
}
