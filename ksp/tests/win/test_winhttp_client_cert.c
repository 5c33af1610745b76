/* The WinHTTP transport's TLS client certificate, from the Windows certificate store, against a
 * server that requires one (tests/e2e/client_cert.sh starts it and passes: URL, pin, client cert
 * PEM, client key PEM, client PFX with password "sigil", a certificate without its key).
 *
 * The PFX is imported into CurrentUser\MY (its key exportable: Wine's schannel exports it for the
 * handshake) and named by its SHA-1 thumbprint in the configuration text, as the registry value
 * client_cert_thumbprint would be; everything this program placed is removed at the end. The
 * request without a certificate comes first: WinHTTP keeps a process's TLS connection to a server
 * and would reuse the one the certificate opened. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>
#include <wincrypt.h>

#include "winhttp_transport.h"

static const char *url, *pin_hex, *pfx_path, *keyless_path;
static HCERTSTORE my;
static PCCERT_CONTEXT client, keyless;

static char *hex(const unsigned char *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02X", b[i]);
    return out;
}

static size_t read_file(const char *path, unsigned char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

/* The configuration text, with client_cert_thumbprint = the certificate's when cert is given. */
static sigil_config config(PCCERT_CONTEXT cert)
{
    char text[2048], thumb[41] = "";
    if (cert != NULL) {
        unsigned char sha1[20];
        DWORD n = sizeof sha1;
        assert_true(CertGetCertificateContextProperty(cert, CERT_SHA1_HASH_PROP_ID, sha1, &n));
        hex(sha1, sizeof sha1, thumb);
    }
    snprintf(text, sizeof text, "server_url = %s\nusername = alice\npinned_sha256 = %s\n"
             "timeout_seconds = 10\n%s%s\n", url, pin_hex,
             cert != NULL ? "client_cert_thumbprint = " : "", thumb);
    sigil_config c;
    char err[160];
    if (sigil_config_parse(text, strlen(text), &c, err, sizeof err) != SIGIL_OK)
        fail_msg("configuration refused: %s", err);
    return c;
}

static sigil_status post(const sigil_config *c, int *http, char *body, size_t cap, char *why,
                         size_t why_cap)
{
    sigil_winhttp_transport *wt = NULL;
    sigil_status st = sigil_winhttp_transport_new(c, &wt, why, why_cap);
    if (st != SIGIL_OK)
        return st;
    sigil_transport t;
    sigil_winhttp_transport_bind(wt, &t);
    sigil_buffer answer = {0};
    st = t.post(t.ctx, "info", NULL, (const unsigned char *)"{}", 2, 0, http, &answer);
    snprintf(why, why_cap, "%s", sigil_winhttp_transport_last_error(wt));
    snprintf(body, cap, "%.*s", (int)answer.len, answer.data != NULL ? (char *)answer.data : "");
    sigil_buffer_free(&answer);
    sigil_winhttp_transport_free(wt);
    return st;
}

/* Removes the certificates this program placed (by their subjects) and commits. */
static void remove_placed(void)
{
    static const wchar_t *const subjects[] = {L"sigil-test-client", L"Sigil test client CA"};
    for (size_t i = 0; i < sizeof subjects / sizeof subjects[0]; i++) {
        PCCERT_CONTEXT c;
        for (int bound = 0; bound < 16 && (c = CertFindCertificateInStore(
                                                my, X509_ASN_ENCODING, 0, CERT_FIND_SUBJECT_STR_W,
                                                subjects[i], NULL)) != NULL; bound++)
            CertDeleteCertificateFromStore(c);   /* frees c */
    }
    CertControlStore(my, 0, CERT_STORE_CTRL_COMMIT, NULL);
}

static void the_client_certificate_is_placed_in_current_user_my(void **state)
{
    (void)state;
    my = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0, CERT_SYSTEM_STORE_CURRENT_USER, L"MY");
    assert_non_null(my);
    remove_placed();
    static unsigned char buf[16384];
    CRYPT_DATA_BLOB pfx = {(DWORD)read_file(pfx_path, buf, sizeof buf), buf};
    HCERTSTORE imported = PFXImportCertStore(&pfx, L"sigil", CRYPT_USER_KEYSET | CRYPT_EXPORTABLE);
    if (imported == NULL)
        fail_msg("PFXImportCertStore failed: %lu", (unsigned long)GetLastError());
    PCCERT_CONTEXT c = CertEnumCertificatesInStore(imported, NULL);
    assert_non_null(c);
    assert_true(CertAddCertificateContextToStore(my, c, CERT_STORE_ADD_REPLACE_EXISTING, &client));
    CertFreeCertificateContext(c);
    CertCloseStore(imported, 0);
    size_t n = read_file(keyless_path, buf, sizeof buf);
    BYTE der[8192];
    DWORD der_len = sizeof der;
    assert_true(CryptStringToBinaryA((const char *)buf, (DWORD)n, CRYPT_STRING_BASE64HEADER, der,
                                     &der_len, NULL, NULL));
    assert_true(CertAddEncodedCertificateToStore(my, X509_ASN_ENCODING, der, der_len,
                                                 CERT_STORE_ADD_REPLACE_EXISTING, &keyless));
    CertControlStore(my, 0, CERT_STORE_CTRL_COMMIT, NULL);
}

static void without_a_client_certificate_the_server_refuses_the_handshake(void **state)
{
    (void)state;
    sigil_config c = config(NULL);
    int http = -1;
    char body[256], why[256];
    assert_int_equal(post(&c, &http, body, sizeof body, why, sizeof why), SIGIL_NETWORK);
    assert_int_equal(http, 0);
    printf("    (%s)\n", why);
    assert_true(strstr(why, "client certificate") != NULL);
    sigil_config_clear(&c);
}

static void the_certificate_named_by_its_thumbprint_is_presented(void **state)
{
    (void)state;
    sigil_config c = config(client);
    assert_int_equal(c.has_client_thumbprint, 1);
    int http = -1;
    char body[256], why[256];
    assert_int_equal(post(&c, &http, body, sizeof body, why, sizeof why), SIGIL_OK);
    assert_int_equal(http, 200);
    assert_string_equal(body, "{\"client\": \"sigil-test-client\"}");
    sigil_config_clear(&c);
}

static void a_thumbprint_not_in_the_store_is_refused_when_the_transport_is_made(void **state)
{
    (void)state;
    sigil_config c = config(client);
    c.client_cert_sha1[0] ^= 0xff;
    sigil_winhttp_transport *wt = NULL;
    char err[256];
    assert_int_equal(sigil_winhttp_transport_new(&c, &wt, err, sizeof err), SIGIL_NOT_FOUND);
    assert_null(wt);
    assert_string_equal(err, "WinHTTP: no certificate with client_cert_thumbprint in "
                             "CurrentUser\\MY or LocalMachine\\MY");
    sigil_config_clear(&c);
}

static void a_certificate_without_a_private_key_is_refused(void **state)
{
    (void)state;
    sigil_config c = config(keyless);
    sigil_winhttp_transport *wt = NULL;
    char err[256];
    assert_int_equal(sigil_winhttp_transport_new(&c, &wt, err, sizeof err), SIGIL_NOT_FOUND);
    assert_null(wt);
    assert_string_equal(err, "WinHTTP: the client_cert_thumbprint certificate has no private key "
                             "in the store");
    sigil_config_clear(&c);
}

static void a_certificate_whose_key_is_a_sigil_key_is_refused(void **state)
{
    (void)state;
    CRYPT_KEY_PROV_INFO info;
    memset(&info, 0, sizeof info);
    info.pwszContainerName = (LPWSTR)L"alice-rsa";
    info.pwszProvName = (LPWSTR)SIGIL_KSP_PROVIDER_NAME;
    info.dwKeySpec = AT_SIGNATURE;
    /* Set on a context of its own, then added: Wine's registry store writes a property change
     * of a certificate already in it at its closing, not on commit (seen under Wine 8). */
    PCCERT_CONTEXT own = CertCreateCertificateContext(X509_ASN_ENCODING, keyless->pbCertEncoded,
                                                      keyless->cbCertEncoded);
    assert_non_null(own);
    assert_true(CertSetCertificateContextProperty(own, CERT_KEY_PROV_INFO_PROP_ID, 0, &info));
    CertDeleteCertificateFromStore(keyless);   /* frees it */
    keyless = NULL;
    assert_true(CertAddCertificateContextToStore(my, own, CERT_STORE_ADD_NEW, &keyless));
    CertFreeCertificateContext(own);
    CertControlStore(my, 0, CERT_STORE_CTRL_COMMIT, NULL);
    sigil_config c = config(keyless);
    sigil_winhttp_transport *wt = NULL;
    char err[256];
    assert_int_equal(sigil_winhttp_transport_new(&c, &wt, err, sizeof err), SIGIL_NOT_FOUND);
    assert_null(wt);
    assert_string_equal(err, "WinHTTP: the client_cert_thumbprint certificate's key is a Sigil "
                             "key, which needs this connection to sign: use a key of another "
                             "provider");
    sigil_config_clear(&c);
}

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: %s URL PIN CLIENT_CERT CLIENT_KEY CLIENT_PFX KEYLESS_CERT "
                        "(tests/e2e/client_cert.sh runs it)\n", argv[0]);
        return 2;
    }
    url = argv[1];
    pin_hex = argv[2];
    pfx_path = argv[5];
    keyless_path = argv[6];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_client_certificate_is_placed_in_current_user_my),
        cmocka_unit_test(without_a_client_certificate_the_server_refuses_the_handshake),
        cmocka_unit_test(the_certificate_named_by_its_thumbprint_is_presented),
        cmocka_unit_test(a_thumbprint_not_in_the_store_is_refused_when_the_transport_is_made),
        cmocka_unit_test(a_certificate_without_a_private_key_is_refused),
        cmocka_unit_test(a_certificate_whose_key_is_a_sigil_key_is_refused),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    if (client != NULL) {
        /* The key the import made, in its key container. */
        BYTE buf[1024];
        DWORD n = sizeof buf;
        HCRYPTPROV gone;
        if (CertGetCertificateContextProperty(client, CERT_KEY_PROV_INFO_PROP_ID, buf, &n)) {
            const CRYPT_KEY_PROV_INFO *info = (const CRYPT_KEY_PROV_INFO *)buf;
            CryptAcquireContextW(&gone, info->pwszContainerName, info->pwszProvName,
                                 info->dwProvType, CRYPT_DELETEKEYSET);
        }
        CertFreeCertificateContext(client);
    }
    if (keyless != NULL)
        CertFreeCertificateContext(keyless);
    if (my != NULL) {
        remove_placed();
        CertCloseStore(my, 0);
    }
    return rc;
}
