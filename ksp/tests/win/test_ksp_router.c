/* The router harness: loads sigil-ksp.dll and drives it through GetKeyStorageInterface exactly as
 * Windows' CNG router does (Wine's ncrypt.dll is no router, see TESTING.md). Provider level so far:
 * the table, configuration from the registry, provider properties with the two-call protocol,
 * algorithms, handles and buffers freed once, flags, and the entry points the KSP never supports.
 * Prints one line per test and "N passed, N failed". */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "ksp_harness.h"

static NCRYPT_KEY_STORAGE_FUNCTION_TABLE *t;

/* A configuration the KSP accepts (no server is contacted), with one extra value when given. */
static void set_config(const wchar_t *extra_name, const wchar_t *extra_value)
{
    const wchar_t *const values[][2] = {
        { L"server_url", L"https://localhost:8443" },
        { L"pinned_sha256", L"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff" },
        { L"username", L"alice" },
        { extra_name, extra_value },
    };
    ksp_harness_set_config(values, 4);
    HKEY key;
    assert_int_equal(RegOpenKeyExW(HKEY_CURRENT_USER, L"Software\\Sigil", 0, KEY_WRITE, &key),
                     ERROR_SUCCESS);
    DWORD timeout = 20;   /* a REG_DWORD value is accepted too */
    assert_int_equal(RegSetValueExW(key, L"timeout_seconds", 0, REG_DWORD, (const BYTE *)&timeout,
                                    sizeof timeout), ERROR_SUCCESS);
    RegCloseKey(key);
}

static void remove_config(void) { ksp_harness_remove_config(); }

static int load(void **state)
{
    (void)state;
    if ((t = ksp_harness_load()) == NULL)
        return -1;
    remove_config();
    return 0;
}

static void the_table_is_version_1_and_complete(void **state)
{
    (void)state;
    assert_int_equal(t->Version.MajorVersion, 1);
    assert_int_equal(t->Version.MinorVersion, 0);
    /* Every one of the entries after Version is set: the router calls any of them. */
    const void *const *fn = (const void *const *)(const void *)&t->OpenProvider;
    size_t entries = (sizeof *t - offsetof(NCRYPT_KEY_STORAGE_FUNCTION_TABLE, OpenProvider))
                     / sizeof(void *);
    assert_int_equal(entries, 29);
    for (size_t i = 0; i < entries; i++)
        assert_non_null(fn[i]);
}

static void without_configuration_the_provider_does_not_open(void **state)
{
    (void)state;
    remove_config();
    NCRYPT_PROV_HANDLE p = 0;
    assert_int_equal(t->OpenProvider(&p, L"Sigil Key Storage Provider", 0), NTE_PROVIDER_DLL_FAIL);
    set_config(L"colour", L"blue"); /* strict: an unknown value is refused */
    assert_int_equal(t->OpenProvider(&p, L"Sigil Key Storage Provider", 0), NTE_PROVIDER_DLL_FAIL);
    remove_config();
}

static void the_provider_opens_with_its_registry_configuration(void **state)
{
    (void)state;
    set_config(NULL, NULL);
    NCRYPT_PROV_HANDLE p = 0;
    assert_int_equal(t->OpenProvider(NULL, L"Sigil Key Storage Provider", 0), NTE_INVALID_PARAMETER);
    assert_int_equal(t->OpenProvider(&p, L"Another Provider", 0), NTE_INVALID_PARAMETER);
    assert_int_equal(t->OpenProvider(&p, L"Sigil Key Storage Provider", 0x1000), NTE_BAD_FLAGS);
    assert_int_equal(t->OpenProvider(&p, L"sigil key storage provider", NCRYPT_SILENT_FLAG),
                     ERROR_SUCCESS);
    assert_true(p != 0);
    assert_int_equal(t->FreeProvider(p), ERROR_SUCCESS);
    assert_int_equal(t->FreeProvider(p), NTE_INVALID_HANDLE);
    assert_int_equal(t->FreeProvider(0), NTE_INVALID_HANDLE);
    assert_int_equal(t->FreeProvider((NCRYPT_PROV_HANDLE)0x12345678), NTE_INVALID_HANDLE);
    remove_config();
}

static void provider_properties_follow_the_two_call_protocol(void **state)
{
    (void)state;
    set_config(NULL, NULL);
    NCRYPT_PROV_HANDLE p = 0;
    assert_int_equal(t->OpenProvider(&p, L"Sigil Key Storage Provider", 0), ERROR_SUCCESS);
    DWORD size = 0;
    assert_int_equal(t->GetProviderProperty(p, NCRYPT_NAME_PROPERTY, NULL, 0, &size, 0),
                     ERROR_SUCCESS);
    assert_int_equal(size, sizeof L"Sigil Key Storage Provider");
    BYTE small[8];
    assert_int_equal(t->GetProviderProperty(p, NCRYPT_NAME_PROPERTY, small, sizeof small, &size, 0),
                     NTE_BUFFER_TOO_SMALL);
    assert_int_equal(size, sizeof L"Sigil Key Storage Provider");
    wchar_t name[64];
    assert_int_equal(t->GetProviderProperty(p, NCRYPT_NAME_PROPERTY, (PBYTE)name, sizeof name,
                                            &size, 0), ERROR_SUCCESS);
    assert_true(wcscmp(name, L"Sigil Key Storage Provider") == 0);

    DWORD v = 0;
    assert_int_equal(t->GetProviderProperty(p, NCRYPT_IMPL_TYPE_PROPERTY, (PBYTE)&v, sizeof v,
                                            &size, 0), ERROR_SUCCESS);
    assert_int_equal(size, sizeof v);
    assert_int_equal(v, NCRYPT_IMPL_HARDWARE_FLAG);
    assert_int_equal(t->GetProviderProperty(p, NCRYPT_VERSION_PROPERTY, (PBYTE)&v, sizeof v,
                                            &size, NCRYPT_SILENT_FLAG), ERROR_SUCCESS);
    assert_int_equal(v, 0x100);
    assert_int_equal(t->GetProviderProperty(p, L"No Such Property", (PBYTE)&v, sizeof v, &size, 0),
                     NTE_NOT_SUPPORTED);
    assert_int_equal(t->GetProviderProperty(p, NCRYPT_NAME_PROPERTY, NULL, 0, NULL, 0),
                     NTE_INVALID_PARAMETER);
    assert_int_equal(t->GetProviderProperty(p, NCRYPT_NAME_PROPERTY, NULL, 0, &size, 0x1000),
                     NTE_BAD_FLAGS);
    assert_int_equal(t->GetProviderProperty((NCRYPT_PROV_HANDLE)0x1234, NCRYPT_NAME_PROPERTY, NULL,
                                            0, &size, 0), NTE_INVALID_HANDLE);
    assert_int_equal(t->FreeProvider(p), ERROR_SUCCESS);
    assert_int_equal(t->GetProviderProperty(p, NCRYPT_NAME_PROPERTY, NULL, 0, &size, 0),
                     NTE_INVALID_HANDLE);
    remove_config();
}

static void algorithms_are_listed_and_the_buffer_freed_once(void **state)
{
    (void)state;
    set_config(NULL, NULL);
    NCRYPT_PROV_HANDLE p = 0;
    assert_int_equal(t->OpenProvider(&p, L"Sigil Key Storage Provider", 0), ERROR_SUCCESS);
    assert_int_equal(t->IsAlgSupported(p, BCRYPT_RSA_ALGORITHM, 0), ERROR_SUCCESS);
    assert_int_equal(t->IsAlgSupported(p, BCRYPT_ECDSA_P384_ALGORITHM, 0), ERROR_SUCCESS);
    assert_int_equal(t->IsAlgSupported(p, BCRYPT_AES_ALGORITHM, 0), NTE_NOT_SUPPORTED);
    DWORD count = 0;
    NCryptAlgorithmName *list = NULL;
    assert_int_equal(t->EnumAlgorithms(p, NCRYPT_CIPHER_OPERATION, &count, &list, 0),
                     NTE_NOT_SUPPORTED);
    assert_int_equal(t->EnumAlgorithms(p, NCRYPT_SIGNATURE_OPERATION, &count, &list, 0),
                     ERROR_SUCCESS);
    assert_int_equal(count, 4);
    assert_true(wcscmp(list[0].pszName, BCRYPT_RSA_ALGORITHM) == 0);
    assert_true(wcscmp(list[3].pszName, BCRYPT_ECDSA_P521_ALGORITHM) == 0);
    assert_int_equal(list[2].dwAlgOperations, NCRYPT_SIGNATURE_OPERATION);
    assert_int_equal(t->FreeBuffer(list), ERROR_SUCCESS);
    assert_int_equal(t->FreeBuffer(list), NTE_INVALID_PARAMETER);
    int not_ours = 0;
    assert_int_equal(t->FreeBuffer(&not_ours), NTE_INVALID_PARAMETER);
    assert_int_equal(t->FreeBuffer(NULL), NTE_INVALID_PARAMETER);
    assert_int_equal(t->FreeProvider(p), ERROR_SUCCESS);
    remove_config();
}

static void what_the_ksp_never_does_is_not_supported(void **state)
{
    (void)state;
    set_config(NULL, NULL);
    NCRYPT_PROV_HANDLE p = 0;
    NCRYPT_KEY_HANDLE k = 0;
    assert_int_equal(t->OpenProvider(&p, L"Sigil Key Storage Provider", 0), ERROR_SUCCESS);
    BYTE buf[16];
    DWORD size = 0;
    assert_int_equal(t->CreatePersistedKey(p, &k, BCRYPT_RSA_ALGORITHM, L"new", 0, 0),
                     NTE_NOT_SUPPORTED);
    assert_int_equal(t->SetProviderProperty(p, NCRYPT_NAME_PROPERTY, buf, 2, 0), NTE_NOT_SUPPORTED);
    assert_int_equal(t->FinalizeKey(p, 1, 0), NTE_NOT_SUPPORTED);
    assert_int_equal(t->DeleteKey(p, 1, 0), NTE_NOT_SUPPORTED);
    assert_int_equal(t->Encrypt(p, 1, buf, 4, NULL, buf, sizeof buf, &size, 0), NTE_NOT_SUPPORTED);
    assert_int_equal(t->Decrypt(p, 1, buf, 4, NULL, buf, sizeof buf, &size, 0), NTE_NOT_SUPPORTED);
    assert_int_equal(t->ImportKey(p, 0, BCRYPT_RSAPUBLIC_BLOB, NULL, &k, buf, 4, 0),
                     NTE_NOT_SUPPORTED);
    assert_int_equal(t->VerifySignature(p, 1, NULL, buf, 4, buf, 4, 0), NTE_NOT_SUPPORTED);
    assert_int_equal(t->PromptUser(p, 1, L"sign", 0), NTE_NOT_SUPPORTED);
    assert_int_equal(t->SecretAgreement(p, 1, 2, NULL, 0), NTE_NOT_SUPPORTED);
    assert_int_equal(t->DeriveKey(p, 0, L"HASH", NULL, buf, 4, &size, 0), NTE_NOT_SUPPORTED);
    assert_int_equal(t->FreeSecret(p, 0), NTE_NOT_SUPPORTED);
    assert_int_equal(t->FreeProvider(p), ERROR_SUCCESS);
    remove_config();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_table_is_version_1_and_complete),
        cmocka_unit_test(without_configuration_the_provider_does_not_open),
        cmocka_unit_test(the_provider_opens_with_its_registry_configuration),
        cmocka_unit_test(provider_properties_follow_the_two_call_protocol),
        cmocka_unit_test(algorithms_are_listed_and_the_buffer_freed_once),
        cmocka_unit_test(what_the_ksp_never_does_is_not_supported),
    };
    if (load(NULL) != 0) {
        printf("cannot load sigil-ksp.dll or get its function table\n0 passed, 1 failed\n");
        return 1;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
