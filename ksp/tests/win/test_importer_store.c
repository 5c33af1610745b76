/* A second process looking at CurrentUser\MY after sigil-cert-importer ran (the store must persist
 * across processes):
 *   test_importer_store list            one line per certificate: "ours <id> <provider> <container>
 *                                       <type> <key spec> <friendly name> <serial in hex>" or
 *                                       "foreign <subject>"
 *   test_importer_store add-foreign F   adds the DER certificate in file F, without any marker
 *   test_importer_store export ID F     writes the DER of the certificate placed for credential ID
 *   test_importer_store clear           empties the store (the test prefix's, before a run)
 *   test_importer_store root-add F      adds the PEM CA certificate in F to LocalMachine\Root
 *   test_importer_store root-remove F   removes it again */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>
#include <wincrypt.h>

#define MARKER_PREFIX L"Placed by sigil-cert-importer: "

static int list(HCERTSTORE my)
{
    PCCERT_CONTEXT c = NULL;
    while ((c = CertEnumCertificatesInStore(my, c)) != NULL) {
        wchar_t desc[600];
        char marker[1200];
        DWORD size = sizeof desc - sizeof(wchar_t);
        if (!CertGetCertificateContextProperty(c, CERT_DESCRIPTION_PROP_ID, desc, &size)
            || wcsncmp(desc, MARKER_PREFIX, wcslen(MARKER_PREFIX)) != 0) {
            char subject[256];
            CertGetNameStringA(c, CERT_NAME_SIMPLE_DISPLAY_TYPE, 0, NULL, subject, sizeof subject);
            printf("foreign %s\n", subject);
            continue;
        }
        desc[size / sizeof(wchar_t)] = L'\0';
        WideCharToMultiByte(CP_UTF8, 0, desc, -1, marker, sizeof marker, NULL, NULL);
        const char *id = strrchr(marker, ' ');
        BYTE buf[2048];
        DWORD len = sizeof buf;
        CRYPT_KEY_PROV_INFO *prov = (CRYPT_KEY_PROV_INFO *)(void *)buf;
        wchar_t friendly[256] = L"";
        DWORD flen = sizeof friendly;
        CertGetCertificateContextProperty(c, CERT_FRIENDLY_NAME_PROP_ID, friendly, &flen);
        /* The serial number, most significant byte first (CryptoAPI keeps it little-endian). */
        char serial[2 * 32 + 1] = "";
        const CRYPT_INTEGER_BLOB *sn = &c->pCertInfo->SerialNumber;
        for (DWORD i = 0; i < sn->cbData && i < 32; i++)
            sprintf(serial + 2 * i, "%02X", sn->pbData[sn->cbData - 1 - i]);
        if (CertGetCertificateContextProperty(c, CERT_KEY_PROV_INFO_PROP_ID, buf, &len))
            printf("ours %s provider=%ls container=%ls type=%lu spec=%lu friendly=%ls serial=%s\n",
                   id != NULL ? id + 1 : "?", prov->pwszProvName, prov->pwszContainerName,
                   (unsigned long)prov->dwProvType, (unsigned long)prov->dwKeySpec, friendly,
                   serial);
        else
            printf("ours %s without CERT_KEY_PROV_INFO\n", id != NULL ? id + 1 : "?");
    }
    return 0;
}

/* Writes the DER of the certificate placed for credential id to the file at path. */
static int export_ours(HCERTSTORE my, const char *id, const char *path)
{
    wchar_t suffix[300];
    swprintf(suffix, 300, L" %hs", id);
    size_t sl = wcslen(suffix);
    PCCERT_CONTEXT c = NULL;
    while ((c = CertEnumCertificatesInStore(my, c)) != NULL) {
        wchar_t desc[600];
        DWORD size = sizeof desc - sizeof(wchar_t);
        if (!CertGetCertificateContextProperty(c, CERT_DESCRIPTION_PROP_ID, desc, &size))
            continue;
        desc[size / sizeof(wchar_t)] = L'\0';
        size_t dl = wcslen(desc);
        if (wcsncmp(desc, MARKER_PREFIX, wcslen(MARKER_PREFIX)) != 0 || dl < sl
            || wcscmp(desc + dl - sl, suffix) != 0)
            continue;
        FILE *f = fopen(path, "wb");
        int ok = f != NULL && fwrite(c->pbCertEncoded, 1, c->cbCertEncoded, f) == c->cbCertEncoded;
        if (f != NULL && fclose(f) != 0)
            ok = 0;
        CertFreeCertificateContext(c);
        return ok ? 0 : 1;
    }
    return 1;
}

static int add_foreign(HCERTSTORE my, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return 1;
    BYTE der[8192];
    size_t n = fread(der, 1, sizeof der, f);
    fclose(f);
    return CertAddEncodedCertificateToStore(my, X509_ASN_ENCODING, der, (DWORD)n,
                                            CERT_STORE_ADD_REPLACE_EXISTING, NULL) ? 0 : 1;
}

static int root(const char *path, int add)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return 1;
    char pem[8192];
    size_t n = fread(pem, 1, sizeof pem, f);
    fclose(f);
    BYTE der[4096];
    DWORD der_len = sizeof der;
    if (!CryptStringToBinaryA(pem, (DWORD)n, CRYPT_STRING_BASE64HEADER, der, &der_len, NULL, NULL))
        return 1;
    HCERTSTORE store = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0,
                                     CERT_SYSTEM_STORE_LOCAL_MACHINE, L"Root");
    if (store == NULL)
        return 1;
    int ok = 1;
    if (add) {
        ok = CertAddEncodedCertificateToStore(store, X509_ASN_ENCODING, der, der_len,
                                              CERT_STORE_ADD_REPLACE_EXISTING, NULL);
    } else {
        PCCERT_CONTEXT ca = CertCreateCertificateContext(X509_ASN_ENCODING, der, der_len);
        PCCERT_CONTEXT c = ca != NULL ? CertFindCertificateInStore(store, X509_ASN_ENCODING, 0,
                                                                   CERT_FIND_EXISTING, ca, NULL)
                                      : NULL;
        if (c != NULL)
            ok = CertDeleteCertificateFromStore(c);
        CertFreeCertificateContext(ca);
    }
    ok = ok && CertControlStore(store, 0, CERT_STORE_CTRL_COMMIT, NULL);
    CertCloseStore(store, 0); /* Wine writes the Root store on close (TESTING.md) */
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "root-add") == 0)
        return root(argv[2], 1);
    if (argc == 3 && strcmp(argv[1], "root-remove") == 0)
        return root(argv[2], 0);
    HCERTSTORE my = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0, CERT_SYSTEM_STORE_CURRENT_USER,
                                  L"MY");
    if (my == NULL)
        return 1;
    int rc = 2;
    if (argc == 2 && strcmp(argv[1], "list") == 0)
        rc = list(my);
    else if (argc == 2 && strcmp(argv[1], "clear") == 0) {
        PCCERT_CONTEXT c;
        rc = 0;
        while ((c = CertEnumCertificatesInStore(my, NULL)) != NULL)
            if (!CertDeleteCertificateFromStore(c)) {
                rc = 1;
                break;
            }
    } else if (argc == 3 && strcmp(argv[1], "add-foreign") == 0)
        rc = add_foreign(my, argv[2]);
    else if (argc == 4 && strcmp(argv[1], "export") == 0)
        rc = export_ours(my, argv[2], argv[3]);
    if (rc == 0 && !CertControlStore(my, 0, CERT_STORE_CTRL_COMMIT, NULL))
        rc = 1;
    CertCloseStore(my, 0);
    return rc;
}
