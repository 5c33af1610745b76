/* The router harness against the real Sigil server (tests/e2e/win_run.sh starts it): sigil-ksp.dll
 * driven through GetKeyStorageInterface as Windows' router does, every signature verified with
 * Wine's own bcrypt against the certificate's public key.
 *
 *   test_ksp_server <server URL> <CA file> <password> <RSA PIN> <EC PIN> <code1> .. <code4>
 *   test_ksp_server --expiry <server URL> <CA file> <password> <RSA PIN> <code1> <TTL>
 *                   (the second code on standard input, once the token expired)
 *
 * The four one-time codes are for increasing time steps; they are used in that order. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ksp_harness.h"

#define PROVIDER KSP_HARNESS_PROVIDER

static NCRYPT_KEY_STORAGE_FUNCTION_TABLE *t;
static char **args;
static int next_code = 6; /* argv[6..9]: the codes */

static wchar_t *w(const char *s)
{
    static wchar_t buf[8][512];
    static int i;
    i = (i + 1) % 8;
    MultiByteToWideChar(CP_UTF8, 0, s, -1, buf[i], 512);
    return buf[i];
}

static DWORD wsize(const wchar_t *s) { return (DWORD)((wcslen(s) + 1) * sizeof(wchar_t)); }

static void set_config(void) { ksp_harness_config_for(args[1], args[2]); }

static NCRYPT_PROV_HANDLE open_provider_with_password(void)
{
    NCRYPT_PROV_HANDLE p = 0;
    assert_int_equal(t->OpenProvider(&p, PROVIDER, 0), ERROR_SUCCESS);
    const wchar_t *pw = w(args[3]);
    assert_int_equal(t->SetProviderProperty(p, L"Sigil Password", (PBYTE)pw, wsize(pw), 0),
                     ERROR_SUCCESS);
    return p;
}

static void set_secrets(NCRYPT_PROV_HANDLE p, NCRYPT_KEY_HANDLE k, const char *pin, const char *otp)
{
    const wchar_t *wpin = w(pin), *wotp = w(otp);
    assert_int_equal(t->SetKeyProperty(p, k, NCRYPT_PIN_PROPERTY, (PBYTE)wpin, wsize(wpin), 0),
                     ERROR_SUCCESS);
    assert_int_equal(t->SetKeyProperty(p, k, L"Sigil One-Time Code", (PBYTE)wotp, wsize(wotp),
                                       NCRYPT_PERSIST_ONLY_FLAG), ERROR_SUCCESS);
}

/* The certificate's public key, imported by Wine's crypt32/bcrypt. */
static BCRYPT_KEY_HANDLE cert_key(NCRYPT_PROV_HANDLE p, NCRYPT_KEY_HANDLE k)
{
    BYTE der[4096];
    DWORD len = 0;
    assert_int_equal(t->GetKeyProperty(p, k, NCRYPT_CERTIFICATE_PROPERTY, der, sizeof der, &len, 0),
                     ERROR_SUCCESS);
    PCCERT_CONTEXT cert = CertCreateCertificateContext(X509_ASN_ENCODING, der, len);
    assert_non_null(cert);
    BCRYPT_KEY_HANDLE key = NULL;
    assert_true(CryptImportPublicKeyInfoEx2(X509_ASN_ENCODING,
                                            &cert->pCertInfo->SubjectPublicKeyInfo, 0, NULL, &key));
    CertFreeCertificateContext(cert);
    return key;
}

static void sha256(const BYTE *data, ULONG len, BYTE out[32])
{
    BCRYPT_ALG_HANDLE alg = NULL;
    assert_true(BCryptOpenAlgorithmProvider(&alg, BCRYPT_SHA256_ALGORITHM, NULL, 0) >= 0);
    assert_true(BCryptHash(alg, NULL, 0, (PUCHAR)data, len, out, 32) >= 0);
    BCryptCloseAlgorithmProvider(alg, 0);
}

static const BYTE message[] = "Signed through sigil-ksp.dll, verified by Wine's bcrypt.";

static void silent_without_password_and_wrong_password_refused(void **state)
{
    (void)state;
    set_config();
    NCRYPT_PROV_HANDLE p = 0;
    NCRYPT_KEY_HANDLE k = 0;
    assert_int_equal(t->OpenProvider(&p, PROVIDER, NCRYPT_SILENT_FLAG), ERROR_SUCCESS);
    assert_int_equal(t->OpenKey(p, &k, L"alice-rsa", 0, NCRYPT_SILENT_FLAG), NTE_SILENT_CONTEXT);
    const wchar_t *bad = L"not-the-password";
    assert_int_equal(t->SetProviderProperty(p, L"Sigil Password", (PBYTE)bad, wsize(bad), 0),
                     ERROR_SUCCESS);
    assert_int_equal(t->OpenKey(p, &k, L"alice-rsa", 0, NCRYPT_SILENT_FLAG), SCARD_W_WRONG_CHV);
    /* The refused password was forgotten: the next OpenKey asks for one (here, silently, it
     * cannot) instead of logging in with it again; win_run.sh counts one refused login. */
    assert_int_equal(t->OpenKey(p, &k, L"alice-rsa", 0, NCRYPT_SILENT_FLAG), NTE_SILENT_CONTEXT);
    assert_int_equal(t->OpenKey(p, &k, L"alice-ec", 0, NCRYPT_SILENT_FLAG), NTE_SILENT_CONTEXT);
    assert_int_equal(t->FreeProvider(p), ERROR_SUCCESS);
}

/* A PIN the server refused is forgotten with the code: the next SignHash asks for both (here,
 * silently, it cannot) instead of sending the refused PIN with the next code; win_run.sh counts
 * one refused authorization for it. */
static void a_refused_pin_is_forgotten_and_asked_again(void **state)
{
    (void)state;
    NCRYPT_PROV_HANDLE p = open_provider_with_password();
    NCRYPT_KEY_HANDLE k = 0;
    assert_int_equal(t->OpenKey(p, &k, L"alice-ec", 0, NCRYPT_SILENT_FLAG), ERROR_SUCCESS);
    BYTE hash[32], sig[128];
    DWORD sig_len = 0;
    sha256(message, sizeof message, hash);
    set_secrets(p, k, "999999", "000000");
    memset(sig, 0xAA, sizeof sig);
    assert_int_equal(t->SignHash(p, k, NULL, hash, 32, sig, sizeof sig, &sig_len,
                                 NCRYPT_SILENT_FLAG), SCARD_W_WRONG_CHV);
    for (size_t i = 0; i < sizeof sig; i++)
        assert_int_equal(sig[i], 0xAA);
    /* The application gives the next code only, as it would after a wrong code. */
    const wchar_t *code = w(args[next_code]);
    assert_int_equal(t->SetKeyProperty(p, k, L"Sigil One-Time Code", (PBYTE)code, wsize(code), 0),
                     ERROR_SUCCESS);
    assert_int_equal(t->SignHash(p, k, NULL, hash, 32, sig, sizeof sig, &sig_len,
                                 NCRYPT_SILENT_FLAG), NTE_SILENT_CONTEXT);
    assert_int_equal(t->FreeKey(p, k), ERROR_SUCCESS);
    assert_int_equal(t->FreeProvider(p), ERROR_SUCCESS);
}

static void rsa_key_properties_export_and_signatures(void **state)
{
    (void)state;
    NCRYPT_PROV_HANDLE p = open_provider_with_password();
    NCRYPT_KEY_HANDLE k = 0, other = 0;
    assert_int_equal(t->OpenKey(p, &k, L"no-such-credential", 0, 0), NTE_BAD_KEYSET);
    assert_int_equal(t->OpenKey(p, &k, L"alice-rsa", 7, 0), NTE_INVALID_PARAMETER);
    assert_int_equal(t->OpenKey(p, &other, L"alice-rsa", AT_KEYEXCHANGE, 0), ERROR_SUCCESS);
    assert_int_equal(t->FreeKey(p, other), ERROR_SUCCESS);
    assert_int_equal(t->OpenKey(p, &k, L"alice-rsa", AT_SIGNATURE, NCRYPT_SILENT_FLAG),
                     ERROR_SUCCESS);

    wchar_t text[64];
    DWORD v = 0, len = 0;
    assert_int_equal(t->GetKeyProperty(p, k, NCRYPT_ALGORITHM_GROUP_PROPERTY, NULL, 0, &len, 0),
                     ERROR_SUCCESS);
    assert_int_equal(len, sizeof L"RSA");
    assert_int_equal(t->GetKeyProperty(p, k, NCRYPT_ALGORITHM_GROUP_PROPERTY, (PBYTE)text, 2, &len,
                                       0), NTE_BUFFER_TOO_SMALL);
    assert_int_equal(t->GetKeyProperty(p, k, NCRYPT_ALGORITHM_GROUP_PROPERTY, (PBYTE)text,
                                       sizeof text, &len, 0), ERROR_SUCCESS);
    assert_true(wcscmp(text, L"RSA") == 0);
    assert_int_equal(t->GetKeyProperty(p, k, NCRYPT_LENGTH_PROPERTY, (PBYTE)&v, sizeof v, &len, 0),
                     ERROR_SUCCESS);
    assert_int_equal(v, 2048);
    NCRYPT_SUPPORTED_LENGTHS lengths;
    assert_int_equal(t->GetKeyProperty(p, k, NCRYPT_LENGTHS_PROPERTY, (PBYTE)&lengths,
                                       sizeof lengths, &len, 0), ERROR_SUCCESS);
    assert_int_equal(lengths.dwDefaultLength, 2048);
    assert_int_equal(t->GetKeyProperty(p, k, NCRYPT_KEY_USAGE_PROPERTY, (PBYTE)&v, sizeof v, &len,
                                       0), ERROR_SUCCESS);
    assert_int_equal(v, NCRYPT_ALLOW_SIGNING_FLAG);
    assert_int_equal(t->GetKeyProperty(p, k, NCRYPT_EXPORT_POLICY_PROPERTY, (PBYTE)&v, sizeof v,
                                       &len, 0), ERROR_SUCCESS);
    assert_int_equal(v, 0);
    assert_int_equal(t->GetKeyProperty(p, k, NCRYPT_UNIQUE_NAME_PROPERTY, (PBYTE)text, sizeof text,
                                       &len, 0), ERROR_SUCCESS);
    assert_true(wcscmp(text, L"alice-rsa") == 0);
    assert_int_equal(t->GetKeyProperty(p, k, L"No Such Property", (PBYTE)&v, sizeof v, &len, 0),
                     NTE_NOT_SUPPORTED);
    /* Every property: the size query, a buffer one byte short, the real call, all agreeing. */
    static const wchar_t *const props[] = {
        NCRYPT_ALGORITHM_GROUP_PROPERTY, NCRYPT_ALGORITHM_PROPERTY, NCRYPT_LENGTH_PROPERTY,
        NCRYPT_LENGTHS_PROPERTY, NCRYPT_KEY_USAGE_PROPERTY, NCRYPT_EXPORT_POLICY_PROPERTY,
        NCRYPT_IMPL_TYPE_PROPERTY, NCRYPT_UNIQUE_NAME_PROPERTY, NCRYPT_NAME_PROPERTY,
        NCRYPT_CERTIFICATE_PROPERTY, NCRYPT_WINDOW_HANDLE_PROPERTY,
    };
    for (size_t i = 0; i < sizeof props / sizeof props[0]; i++) {
        BYTE value[4096];
        DWORD need = 0, got = 0;
        assert_int_equal(t->GetKeyProperty(p, k, props[i], NULL, 0, &need, 0), ERROR_SUCCESS);
        assert_true(need > 0 && need <= sizeof value);
        assert_int_equal(t->GetKeyProperty(p, k, props[i], value, need - 1, &got, 0),
                         NTE_BUFFER_TOO_SMALL);
        assert_int_equal(t->GetKeyProperty(p, k, props[i], value, sizeof value, &got,
                                           NCRYPT_SILENT_FLAG), ERROR_SUCCESS);
        assert_int_equal(got, need);
    }
    assert_int_equal(t->GetKeyProperty(p, k, NCRYPT_LENGTH_PROPERTY, (PBYTE)&v, sizeof v, &len,
                                       0x1000), NTE_BAD_FLAGS);

    /* ExportKey gives the certificate's public key as a BCRYPT_RSAPUBLIC_BLOB. */
    BYTE blob[1024];
    assert_int_equal(t->ExportKey(p, k, 0, BCRYPT_RSAPUBLIC_BLOB, NULL, NULL, 0, &len, 0),
                     ERROR_SUCCESS);
    assert_int_equal(t->ExportKey(p, k, 0, BCRYPT_RSAPUBLIC_BLOB, NULL, blob, sizeof blob, &len,
                                  0), ERROR_SUCCESS);
    assert_int_equal(((BCRYPT_RSAKEY_BLOB *)(void *)blob)->Magic, BCRYPT_RSAPUBLIC_MAGIC);
    assert_int_equal(((BCRYPT_RSAKEY_BLOB *)(void *)blob)->BitLength, 2048);
    assert_int_equal(t->ExportKey(p, k, 0, BCRYPT_RSAPRIVATE_BLOB, NULL, blob, sizeof blob, &len,
                                  0), NTE_NOT_SUPPORTED);

    BCRYPT_KEY_HANDLE pub = cert_key(p, k);
    BYTE hash[32], sig[512];
    sha256(message, sizeof message, hash);
    BCRYPT_PKCS1_PADDING_INFO pkcs1 = { BCRYPT_SHA256_ALGORITHM };

    /* The two-call protocol, with no secret needed for the size. */
    DWORD sig_len = 0;
    assert_int_equal(t->SignHash(p, k, &pkcs1, hash, 32, NULL, 0, &sig_len, BCRYPT_PAD_PKCS1),
                     ERROR_SUCCESS);
    assert_int_equal(sig_len, 256);
    assert_int_equal(t->SignHash(p, k, &pkcs1, hash, 32, sig, 100, &sig_len, BCRYPT_PAD_PKCS1),
                     NTE_BUFFER_TOO_SMALL);
    assert_int_equal(t->SignHash(p, k, &pkcs1, hash, 32, sig, sizeof sig, &sig_len,
                                 BCRYPT_PAD_PKCS1 | NCRYPT_SILENT_FLAG), NTE_SILENT_CONTEXT);
    assert_int_equal(t->SignHash(p, k, &pkcs1, hash, 20, sig, sizeof sig, &sig_len,
                                 BCRYPT_PAD_PKCS1), NTE_INVALID_PARAMETER);
    assert_int_equal(t->SignHash(p, k, NULL, hash, 32, sig, sizeof sig, &sig_len, 0),
                     NTE_INVALID_PARAMETER);

    /* PKCS#1 v1.5 with SHA-256. */
    HWND hwnd = (HWND)(uintptr_t)0x1234;
    assert_int_equal(t->SetKeyProperty(p, k, NCRYPT_WINDOW_HANDLE_PROPERTY, (PBYTE)&hwnd,
                                       sizeof hwnd, 0), ERROR_SUCCESS);
    set_secrets(p, k, args[4], args[next_code++]);
    assert_int_equal(t->SignHash(p, k, &pkcs1, hash, 32, sig, sizeof sig, &sig_len,
                                 BCRYPT_PAD_PKCS1), ERROR_SUCCESS);
    assert_int_equal(sig_len, 256);
    assert_true(BCryptVerifySignature(pub, &pkcs1, hash, 32, sig, sig_len, BCRYPT_PAD_PKCS1) >= 0);

    /* PKCS#1 with no algorithm: the caller passes the DigestInfo itself. */
    static const BYTE prefix[19] = { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                     0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20 };
    BYTE digest_info[51];
    memcpy(digest_info, prefix, sizeof prefix);
    memcpy(digest_info + sizeof prefix, hash, 32);
    BCRYPT_PKCS1_PADDING_INFO raw = { NULL };
    set_secrets(p, k, args[4], args[next_code++]);
    assert_int_equal(t->SignHash(p, k, &raw, digest_info, sizeof digest_info, sig, sizeof sig,
                                 &sig_len, BCRYPT_PAD_PKCS1), ERROR_SUCCESS);
    assert_true(BCryptVerifySignature(pub, &pkcs1, hash, 32, sig, sig_len, BCRYPT_PAD_PKCS1) >= 0);

    /* RSA-PSS, SHA-256, salt 32; another salt is not what the server signs. */
    BCRYPT_PSS_PADDING_INFO pss = { BCRYPT_SHA256_ALGORITHM, 32 }, pss20 = { BCRYPT_SHA256_ALGORITHM, 20 };
    assert_int_equal(t->SignHash(p, k, &pss20, hash, 32, sig, sizeof sig, &sig_len, BCRYPT_PAD_PSS),
                     NTE_NOT_SUPPORTED);
    set_secrets(p, k, args[4], args[next_code++]);
    assert_int_equal(t->SignHash(p, k, &pss, hash, 32, sig, sizeof sig, &sig_len, BCRYPT_PAD_PSS),
                     ERROR_SUCCESS);
    assert_true(BCryptVerifySignature(pub, &pss, hash, 32, sig, sig_len, BCRYPT_PAD_PSS) >= 0);

    /* A wrong one-time code: SCARD_W_WRONG_CHV, nothing written. */
    memset(sig, 0xAA, sizeof sig);
    set_secrets(p, k, args[4], "000000");
    assert_int_equal(t->SignHash(p, k, &pkcs1, hash, 32, sig, sizeof sig, &sig_len,
                                 BCRYPT_PAD_PKCS1), SCARD_W_WRONG_CHV);
    for (size_t i = 0; i < sizeof sig; i++)
        assert_int_equal(sig[i], 0xAA);
    /* The code was used up: the next signature needs a new one. */
    assert_int_equal(t->SignHash(p, k, &pkcs1, hash, 32, sig, sizeof sig, &sig_len,
                                 BCRYPT_PAD_PKCS1 | NCRYPT_SILENT_FLAG), NTE_SILENT_CONTEXT);

    BCryptDestroyKey(pub);
    assert_int_equal(t->FreeKey(p, k), ERROR_SUCCESS);
    assert_int_equal(t->FreeKey(p, k), NTE_INVALID_HANDLE);
    assert_int_equal(t->GetKeyProperty(p, k, NCRYPT_LENGTH_PROPERTY, (PBYTE)&v, sizeof v, &len, 0),
                     NTE_INVALID_HANDLE);
    assert_int_equal(t->FreeProvider(p), ERROR_SUCCESS);
}

static void ecdsa_key_signs_raw_r_s(void **state)
{
    (void)state;
    NCRYPT_PROV_HANDLE p = open_provider_with_password(), p2 = open_provider_with_password();
    NCRYPT_KEY_HANDLE k = 0;
    assert_int_equal(t->OpenKey(p, &k, L"alice-ec", 0, 0), ERROR_SUCCESS);
    DWORD len = 0, v = 0;
    wchar_t text[64];
    assert_int_equal(t->GetKeyProperty(p2, k, NCRYPT_LENGTH_PROPERTY, (PBYTE)&v, sizeof v, &len, 0),
                     NTE_INVALID_HANDLE); /* another provider's handle */
    assert_int_equal(t->GetKeyProperty(p, k, NCRYPT_ALGORITHM_PROPERTY, (PBYTE)text, sizeof text,
                                       &len, 0), ERROR_SUCCESS);
    assert_true(wcscmp(text, L"ECDSA_P256") == 0);
    assert_int_equal(t->GetKeyProperty(p, k, NCRYPT_ALGORITHM_GROUP_PROPERTY, (PBYTE)text,
                                       sizeof text, &len, 0), ERROR_SUCCESS);
    assert_true(wcscmp(text, L"ECDSA") == 0);
    BYTE blob[256];
    assert_int_equal(t->ExportKey(p, k, 0, BCRYPT_ECCPUBLIC_BLOB, NULL, blob, sizeof blob, &len, 0),
                     ERROR_SUCCESS);
    assert_int_equal(((BCRYPT_ECCKEY_BLOB *)(void *)blob)->dwMagic, BCRYPT_ECDSA_PUBLIC_P256_MAGIC);

    BCRYPT_KEY_HANDLE pub = cert_key(p, k);
    BYTE hash[32], sig[128];
    DWORD sig_len = 0;
    sha256(message, sizeof message, hash);
    assert_int_equal(t->SignHash(p, k, NULL, hash, 32, NULL, 0, &sig_len, 0), ERROR_SUCCESS);
    assert_int_equal(sig_len, 64);
    assert_int_equal(t->SignHash(p, k, NULL, hash, 32, sig, sizeof sig, &sig_len, BCRYPT_PAD_PKCS1),
                     NTE_INVALID_PARAMETER);
    set_secrets(p, k, args[5], args[next_code++]);
    assert_int_equal(t->SignHash(p, k, NULL, hash, 32, sig, sizeof sig, &sig_len, 0),
                     ERROR_SUCCESS);
    assert_int_equal(sig_len, 64);
    assert_true(BCryptVerifySignature(pub, NULL, hash, 32, sig, sig_len, 0) >= 0);
    BCryptDestroyKey(pub);
    assert_int_equal(t->FreeKey(p, k), ERROR_SUCCESS);
    assert_int_equal(t->FreeProvider(p2), ERROR_SUCCESS);
    assert_int_equal(t->FreeProvider(p), ERROR_SUCCESS);
}

/* ca_file = system: WinHTTP's own checks against the Windows trust store, where the development
 * CA is not (win_run.sh shows the other half: the importer connects once another process added
 * the CA to LocalMachine\Root). */
static void system_trust_refuses_a_ca_windows_does_not_trust(void **state)
{
    (void)state;
    set_config();
    HKEY key;
    assert_int_equal(RegOpenKeyExW(HKEY_CURRENT_USER, L"Software\\Sigil", 0, KEY_WRITE, &key),
                     ERROR_SUCCESS);
    assert_int_equal(RegSetValueExW(key, L"ca_file", 0, REG_SZ, (const BYTE *)L"system",
                                    sizeof L"system"), ERROR_SUCCESS);
    RegCloseKey(key);
    NCRYPT_PROV_HANDLE p = open_provider_with_password();
    NCRYPT_KEY_HANDLE k = 0;
    assert_int_equal(t->OpenKey(p, &k, L"alice-rsa", 0, NCRYPT_SILENT_FLAG), NTE_DEVICE_NOT_READY);
    assert_int_equal(t->FreeProvider(p), ERROR_SUCCESS);
    set_config();
}

static void enum_keys_lists_the_credentials_to_the_end(void **state)
{
    (void)state;
    NCRYPT_PROV_HANDLE p = open_provider_with_password();
    NCryptKeyName *name = NULL;
    PVOID enum_state = NULL;
    int rsa = 0, ec = 0, count = 0;
    SECURITY_STATUS s;
    while ((s = t->EnumKeys(p, NULL, &name, &enum_state, 0)) == ERROR_SUCCESS) {
        count++;
        rsa |= wcscmp(name->pszName, L"alice-rsa") == 0 && wcscmp(name->pszAlgid, L"RSA") == 0;
        ec |= wcscmp(name->pszName, L"alice-ec") == 0 && wcscmp(name->pszAlgid, L"ECDSA_P256") == 0;
        assert_int_equal(t->FreeBuffer(name), ERROR_SUCCESS);
        assert_true(count < 10);
    }
    assert_int_equal(s, NTE_NO_MORE_ITEMS);
    assert_int_equal(count, 2);
    assert_true(rsa && ec);
    assert_int_equal(t->FreeBuffer(enum_state), ERROR_SUCCESS);
    assert_int_equal(t->FreeBuffer(enum_state), NTE_INVALID_PARAMETER);
    enum_state = NULL;
    assert_int_equal(t->EnumKeys(p, NULL, &name, &enum_state, NCRYPT_MACHINE_KEY_FLAG),
                     NTE_NO_MORE_ITEMS);
    assert_int_equal(t->FreeProvider(p), ERROR_SUCCESS);
    ksp_harness_remove_config();
}

/* --expiry: the server's tokens live token_ttl seconds (win_expiry.sh configures it); a signature
 * after that renews the session with the password the application gave, and signs. */
static void an_expired_session_is_renewed_for_the_next_signature(void **state)
{
    (void)state;
    set_config();
    NCRYPT_PROV_HANDLE p = open_provider_with_password();
    NCRYPT_KEY_HANDLE k = 0;
    assert_int_equal(t->OpenKey(p, &k, L"alice-rsa", 0, NCRYPT_SILENT_FLAG), ERROR_SUCCESS);
    BCRYPT_KEY_HANDLE pub = cert_key(p, k);
    BYTE hash[32], sig[512];
    DWORD sig_len = 0;
    sha256(message, sizeof message, hash);
    BCRYPT_PKCS1_PADDING_INFO pkcs1 = { BCRYPT_SHA256_ALGORITHM };
    for (int round = 0; round < 2; round++) {
        char code[32];
        snprintf(code, sizeof code, "%s", args[5]);
        if (round == 1) {
            /* The second code comes on standard input once the token expired (win_expiry.sh
             * waits, then takes a code that is current then). */
            printf("    (waiting for the token to expire, %s s)\n", args[6]);
            fflush(stdout);
            assert_non_null(fgets(code, sizeof code, stdin));
            code[strcspn(code, "\r\n")] = '\0';
        }
        set_secrets(p, k, args[4], code);
        assert_int_equal(t->SignHash(p, k, &pkcs1, hash, 32, sig, sizeof sig, &sig_len,
                                     BCRYPT_PAD_PKCS1 | NCRYPT_SILENT_FLAG), ERROR_SUCCESS);
        assert_true(BCryptVerifySignature(pub, &pkcs1, hash, 32, sig, sig_len, BCRYPT_PAD_PKCS1)
                    >= 0);
    }
    BCryptDestroyKey(pub);
    assert_int_equal(t->FreeKey(p, k), ERROR_SUCCESS);
    assert_int_equal(t->FreeProvider(p), ERROR_SUCCESS);
    ksp_harness_remove_config();
}

int main(int argc, char **argv)
{
    int expiry = argc == 8 && strcmp(argv[1], "--expiry") == 0;
    if (argc != 10 && !expiry) {
        printf("usage: test_ksp_server <URL> <CA file> <password> <RSA PIN> <EC PIN> <4 codes>\n"
               "       test_ksp_server --expiry <URL> <CA file> <password> <RSA PIN> <code1> "
               "<token lifetime in seconds> (code2 on standard input)\n");
        return 2;
    }
    args = expiry ? argv + 1 : argv;
    if ((t = ksp_harness_load()) == NULL) {
        printf("cannot load sigil-ksp.dll\n0 passed, 1 failed\n");
        return 1;
    }
    if (expiry) {
        const struct CMUnitTest expiry_tests[] = {
            cmocka_unit_test(an_expired_session_is_renewed_for_the_next_signature),
        };
        return cmocka_run_group_tests(expiry_tests, NULL, NULL);
    }
    const struct CMUnitTest tests[] = {
        /* First: Wine's WinHTTP reuses a process's TLS connection to the same server, so the
         * system trust check must meet a fresh handshake. */
        cmocka_unit_test(system_trust_refuses_a_ca_windows_does_not_trust),
        cmocka_unit_test(silent_without_password_and_wrong_password_refused),
        cmocka_unit_test(rsa_key_properties_export_and_signatures),
        cmocka_unit_test(a_refused_pin_is_forgotten_and_asked_again),
        cmocka_unit_test(ecdsa_key_signs_raw_r_s),
        cmocka_unit_test(enum_keys_lists_the_credentials_to_the_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
