/* What the router-harness programs share (test_ksp_router.c, test_ksp_server.c,
 * test_ksp_dialog.c): sigil-ksp.dll loaded as Windows' router loads it, and the KSP's
 * configuration in HKCU\Software\Sigil. Include after cmocka.h (the set-up asserts). */
#ifndef SIGIL_KSP_HARNESS_H
#define SIGIL_KSP_HARNESS_H

#include <string.h>

#include "ncrypt_provider.h"

#define KSP_HARNESS_PROVIDER L"Sigil Key Storage Provider"

/* sigil-ksp.dll (beside the program) through GetKeyStorageInterface; NULL when it cannot be. */
static inline NCRYPT_KEY_STORAGE_FUNCTION_TABLE *ksp_harness_load(void)
{
    HMODULE dll = LoadLibraryW(L"sigil-ksp.dll");
    if (dll == NULL)
        return NULL;
    GetKeyStorageInterfaceFn get = NULL;
    FARPROC proc = GetProcAddress(dll, "GetKeyStorageInterface");
    memcpy(&get, &proc, sizeof get);
    NCRYPT_KEY_STORAGE_FUNCTION_TABLE *table = NULL;
    if (get == NULL || get(KSP_HARNESS_PROVIDER, &table, 0) != 0)
        return NULL;
    return table;
}

static inline void ksp_harness_remove_config(void)
{
    RegDeleteTreeW(HKEY_CURRENT_USER, L"Software\\Sigil");
    RegDeleteKeyW(HKEY_CURRENT_USER, L"Software\\Sigil");
}

/* Replaces HKCU\Software\Sigil with these REG_SZ values (a NULL name ends the list early). */
static inline void ksp_harness_set_config(const wchar_t *const values[][2], size_t count)
{
    HKEY key;
    ksp_harness_remove_config();
    assert_int_equal(RegCreateKeyExW(HKEY_CURRENT_USER, L"Software\\Sigil", 0, NULL, 0, KEY_WRITE,
                                     NULL, &key, NULL), ERROR_SUCCESS);
    for (size_t i = 0; i < count && values[i][0] != NULL; i++)
        assert_int_equal(RegSetValueExW(key, values[i][0], 0, REG_SZ, (const BYTE *)values[i][1],
                                        (DWORD)((wcslen(values[i][1]) + 1) * sizeof(wchar_t))),
                         ERROR_SUCCESS);
    RegCloseKey(key);
}

/* alice at the server url, trusting the CA file ca (both UTF-8, as on the command line). */
static inline void ksp_harness_config_for(const char *url, const char *ca)
{
    wchar_t wurl[512], wca[512];
    assert_true(MultiByteToWideChar(CP_UTF8, 0, url, -1, wurl, 512) > 0);
    assert_true(MultiByteToWideChar(CP_UTF8, 0, ca, -1, wca, 512) > 0);
    const wchar_t *const values[][2] = { { L"server_url", wurl }, { L"ca_file", wca },
                                         { L"username", L"alice" } };
    ksp_harness_set_config(values, 3);
}

#endif
