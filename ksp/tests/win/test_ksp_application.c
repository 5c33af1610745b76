/* An application signing as Windows applications do: the certificate from CurrentUser\MY (placed
 * by sigil-cert-importer), its key provider info, then NCryptOpenStorageProvider, NCryptOpenKey
 * and NCryptSignHash through ncrypt.dll (here the test-only router beside this program, which
 * follows sigil-ksp-register's registration), the signature verified with the certificate.
 *
 *   test_ksp_application <password> <PIN of alice-rsa> <one-time code> */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <windows.h>
#include <bcrypt.h>
#include <ncrypt.h>
#include <wincrypt.h>

static char **args;

static void set_string(NCRYPT_HANDLE h, LPCWSTR property, const char *value)
{
    wchar_t w[256];
    MultiByteToWideChar(CP_UTF8, 0, value, -1, w, 256);
    assert_int_equal(NCryptSetProperty(h, property, (PBYTE)w, (DWORD)((wcslen(w) + 1) * 2), 0),
                     ERROR_SUCCESS);
}

static void a_certificate_in_my_signs_through_its_key_provider(void **state)
{
    (void)state;
    HCERTSTORE my = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0, CERT_SYSTEM_STORE_CURRENT_USER,
                                  L"MY");
    assert_non_null(my);
    /* Find the certificate by its key provider info, as certificate pickers do. */
    PCCERT_CONTEXT cert = NULL;
    BYTE buf[2048];
    CRYPT_KEY_PROV_INFO *prov = (CRYPT_KEY_PROV_INFO *)(void *)buf;
    while ((cert = CertEnumCertificatesInStore(my, cert)) != NULL) {
        DWORD len = sizeof buf;
        if (CertGetCertificateContextProperty(cert, CERT_KEY_PROV_INFO_PROP_ID, buf, &len)
            && wcscmp(prov->pwszProvName, L"Sigil Key Storage Provider") == 0
            && wcscmp(prov->pwszContainerName, L"alice-rsa") == 0)
            break;
    }
    assert_non_null(cert);
    assert_int_equal(prov->dwProvType, 0);

    NCRYPT_PROV_HANDLE p = 0;
    NCRYPT_KEY_HANDLE k = 0;
    assert_int_equal(NCryptOpenStorageProvider(&p, prov->pwszProvName, 0), ERROR_SUCCESS);
    set_string(p, L"Sigil Password", args[1]);
    assert_int_equal(NCryptOpenKey(p, &k, prov->pwszContainerName, prov->dwKeySpec, 0),
                     ERROR_SUCCESS);
    set_string(k, NCRYPT_PIN_PROPERTY, args[2]);
    set_string(k, L"Sigil One-Time Code", args[3]);

    BYTE hash[32], sig[512];
    DWORD hash_len = 0;
    static const BYTE msg[] = "An application's document.";
    assert_true(CryptHashCertificate(0, CALG_SHA_256, 0, msg, sizeof msg, hash, &(DWORD){ 32 }));
    hash_len = 32;
    BCRYPT_PKCS1_PADDING_INFO pkcs1 = { BCRYPT_SHA256_ALGORITHM };
    DWORD sig_len = 0;
    assert_int_equal(NCryptSignHash(k, &pkcs1, hash, hash_len, NULL, 0, &sig_len, BCRYPT_PAD_PKCS1),
                     ERROR_SUCCESS);
    assert_int_equal(NCryptSignHash(k, &pkcs1, hash, hash_len, sig, sig_len, &sig_len,
                                    BCRYPT_PAD_PKCS1), ERROR_SUCCESS);
    BCRYPT_KEY_HANDLE pub = NULL;
    assert_true(CryptImportPublicKeyInfoEx2(X509_ASN_ENCODING,
                                            &cert->pCertInfo->SubjectPublicKeyInfo, 0, NULL, &pub));
    assert_true(BCryptVerifySignature(pub, &pkcs1, hash, hash_len, sig, sig_len,
                                      BCRYPT_PAD_PKCS1) >= 0);
    BCryptDestroyKey(pub);
    assert_int_equal(NCryptFreeObject(k), ERROR_SUCCESS);
    assert_int_equal(NCryptFreeObject(p), ERROR_SUCCESS);
    CertFreeCertificateContext(cert);
    CertCloseStore(my, 0);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        printf("usage: test_ksp_application <password> <PIN> <code>\n");
        return 2;
    }
    args = argv;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_certificate_in_my_signs_through_its_key_provider),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
