/* sigil-cert-importer: keeps the user's certificate store in step with the credentials on the
 * Sigil server, so that Windows applications find the certificates and, through
 * CERT_KEY_PROV_INFO, the Sigil KSP that signs with their keys.
 *
 *   sigil-cert-importer [--dry-run] [--every SECONDS] [--password-stdin]
 *
 * Each run logs in (the password from standard input with --password-stdin, else asked on the
 * console without echo), lists the credentials with their chains and then:
 *   - adds the signer certificate of each enabled credential with a valid certificate to
 *     CurrentUser\MY, with CERT_KEY_PROV_INFO (provider "Sigil Key Storage Provider", container =
 *     the credential id, provider type 0, AT_SIGNATURE), a friendly name and a marker property
 *     that says Sigil placed it;
 *   - adds the CA certificates of the chain to CurrentUser\CA (never removed: others may use them);
 *   - replaces a certificate it placed when the server has another one for the credential;
 *   - removes the certificates it placed whose credential is gone or disabled, whose certificate
 *     the server reports revoked, suspended or expired (cert.status), or whose certificate expired
 *     by this machine's clock — and never touches a certificate without its marker.
 * --dry-run prints the plan and changes nothing. --every N repeats every N seconds (the periodic
 * service), logging in afresh each round (the password stays in memory, zeroed at exit). The configuration is the KSP's
 * (HKCU or HKLM\Software\Sigil). Exit codes: 0 done, 1 failed (one line why), 2 a wrong command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ksp.h"
#include "secure.h"

/* The marker on the certificates we place: their description property (shown by certmgr)
 * reads "Placed by sigil-cert-importer: <server URL> <credential id>". (Wine refuses the
 * CERT_FIRST_USER_PROP_ID range a property of our own would use.) */
#define MARKER_PREFIX "Placed by sigil-cert-importer: "

typedef struct plan_counts {
    int added, updated, removed, unchanged, failed;
} plan_counts;

static int usage(void)
{
    fprintf(stderr, "usage: sigil-cert-importer [--dry-run] [--every SECONDS] [--password-stdin]\n");
    return 2;
}

static char *read_password(int from_stdin)
{
    char buf[512];
    HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
    DWORD mode = 0;
    int console = !from_stdin && GetConsoleMode(in, &mode);
    if (console) {
        fprintf(stderr, "Sigil password: ");
        SetConsoleMode(in, mode & ~(DWORD)ENABLE_ECHO_INPUT);
    }
    char *got = fgets(buf, sizeof buf, stdin);
    if (console) {
        SetConsoleMode(in, mode);
        fprintf(stderr, "\n");
    }
    if (got == NULL)
        return NULL;
    buf[strcspn(buf, "\r\n")] = '\0';
    size_t n = strlen(buf);
    char *out = n > 0 ? malloc(n + 1) : NULL;
    if (out != NULL)
        memcpy(out, buf, n + 1);
    sigil_secure_zero(buf, sizeof buf);
    return out;
}

/* The marker of a certificate in the store ("<server URL> <credential id>"), or "" when it has
 * none (buffer of cap bytes). */
static void marker_of(PCCERT_CONTEXT c, char *out, DWORD cap)
{
    wchar_t desc[600];
    DWORD size = sizeof desc - sizeof(wchar_t);
    out[0] = '\0';
    if (!CertGetCertificateContextProperty(c, CERT_DESCRIPTION_PROP_ID, desc, &size))
        return;
    desc[size / sizeof(wchar_t)] = L'\0';
    char text[1200];
    if (WideCharToMultiByte(CP_UTF8, 0, desc, -1, text, sizeof text, NULL, NULL) <= 0)
        return;
    size_t p = strlen(MARKER_PREFIX);
    if (strncmp(text, MARKER_PREFIX, p) == 0)
        snprintf(out, cap, "%s", text + p);
}

static int still_valid(PCCERT_CONTEXT c)
{
    return CertVerifyTimeValidity(NULL, c->pCertInfo) == 0;
}

/* Adds der to MY with the provider info, friendly name and marker. */
static int add_signer(HCERTSTORE my, const char *marker, const char *id, const unsigned char *der,
                      size_t len)
{
    PCCERT_CONTEXT added = NULL;
    if (!CertAddEncodedCertificateToStore(my, X509_ASN_ENCODING, der, (DWORD)len,
                                          CERT_STORE_ADD_REPLACE_EXISTING, &added))
        return 0;
    wchar_t *wid = sigil_widen(id);
    wchar_t friendly[300];
    swprintf(friendly, 300, L"Sigil: %ls", wid != NULL ? wid : L"?");
    CRYPT_KEY_PROV_INFO prov;
    memset(&prov, 0, sizeof prov);
    prov.pwszContainerName = wid;
    prov.pwszProvName = (LPWSTR)KSP_PROVIDER_NAME;
    prov.dwProvType = 0;          /* a CNG key storage provider */
    prov.dwKeySpec = AT_SIGNATURE;
    CRYPT_DATA_BLOB name = { (DWORD)((wcslen(friendly) + 1) * sizeof(wchar_t)), (BYTE *)friendly };
    char text[600];
    snprintf(text, sizeof text, "%s%s", MARKER_PREFIX, marker);
    wchar_t *wmark = sigil_widen(text);
    CRYPT_DATA_BLOB mark = { wmark != NULL ? (DWORD)((wcslen(wmark) + 1) * sizeof(wchar_t)) : 0,
                             (BYTE *)wmark };
    int ok = wid != NULL && wmark != NULL
             && CertSetCertificateContextProperty(added, CERT_KEY_PROV_INFO_PROP_ID, 0, &prov)
             && CertSetCertificateContextProperty(added, CERT_FRIENDLY_NAME_PROP_ID, 0, &name)
             && CertSetCertificateContextProperty(added, CERT_DESCRIPTION_PROP_ID, 0, &mark);
    free(wid);
    free(wmark);
    CertFreeCertificateContext(added);
    return ok;
}

static int run_once(const sigil_config *cfg, sigil_csc_session *s, int dry_run, plan_counts *n)
{
    memset(n, 0, sizeof *n);
    char **ids = NULL;
    size_t count = 0;
    sigil_status st = sigil_csc_list(s, &ids, &count);
    if (st != SIGIL_OK) {
        fprintf(stderr, "sigil-cert-importer: credentials/list failed: %s %s\n",
                sigil_csc_last_error(s), sigil_csc_last_error_description(s));
        return 0;
    }
    HCERTSTORE my = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0, CERT_SYSTEM_STORE_CURRENT_USER,
                                  L"MY");
    HCERTSTORE ca = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0, CERT_SYSTEM_STORE_CURRENT_USER,
                                  L"CA");
    if (my == NULL || ca == NULL) {
        fprintf(stderr, "sigil-cert-importer: cannot open the CurrentUser MY and CA stores\n");
        sigil_csc_free_strings(ids, count);
        return 0;
    }
    size_t url_len = strlen(cfg->server_url);
    /* 1. What the server has: add or update. */
    for (size_t i = 0; i < count; i++) {
        const sigil_csc_credential_info *info;
        if (sigil_csc_info(s, ids[i], &info) != SIGIL_OK || info->certificate_count == 0)
            continue;
        char marker[512];
        snprintf(marker, sizeof marker, "%s %s", cfg->server_url, ids[i]);
        PCCERT_CONTEXT want = CertCreateCertificateContext(
            X509_ASN_ENCODING, info->certificates[0].data, (DWORD)info->certificates[0].len);
        if (want == NULL)
            continue;
        int usable = sigil_csc_unusable_reason(info) == NULL && still_valid(want);
        /* Is it there already, placed by us, and the same certificate? */
        int present = 0, stale = 0;
        PCCERT_CONTEXT c = NULL;
        while ((c = CertEnumCertificatesInStore(my, c)) != NULL) {
            char m[512];
            marker_of(c, m, sizeof m);
            if (strcmp(m, marker) != 0)
                continue;
            if (c->cbCertEncoded == want->cbCertEncoded
                && memcmp(c->pbCertEncoded, want->pbCertEncoded, c->cbCertEncoded) == 0)
                present = 1;
            else
                stale = 1;
        }
        if (usable && !present) {
            printf("%s %s: %s\n", stale ? "update" : "add", ids[i],
                   info->certificates[0].len > 0 ? "signer certificate into CurrentUser\\MY" : "");
            if (!dry_run) {
                if (!add_signer(my, marker, ids[i], info->certificates[0].data,
                                info->certificates[0].len))
                    n->failed++;
                for (size_t j = 1; j < info->certificate_count; j++)
                    CertAddEncodedCertificateToStore(ca, X509_ASN_ENCODING,
                                                     info->certificates[j].data,
                                                     (DWORD)info->certificates[j].len,
                                                     CERT_STORE_ADD_USE_EXISTING, NULL);
            }
            if (stale) n->updated++; else n->added++;
        } else if (usable) {
            n->unchanged++;
        }
        CertFreeCertificateContext(want);
    }
    /* 2. What we placed that should go: credential gone, disabled, expired, or replaced. They
     * are collected first and deleted after the enumeration (deleting while enumerating loops
     * under Wine). */
    PCCERT_CONTEXT doomed[256];
    size_t doomed_count = 0;
    PCCERT_CONTEXT c = NULL;
    while ((c = CertEnumCertificatesInStore(my, c)) != NULL) {
        char m[512];
        marker_of(c, m, sizeof m);
        if (m[0] == '\0' || strncmp(m, cfg->server_url, url_len) != 0 || m[url_len] != ' ')
            continue; /* not ours, or another server's */
        const char *id = m + url_len + 1;
        const char *why = NULL;
        const sigil_csc_credential_info *info = NULL;
        int listed = 0;
        for (size_t i = 0; i < count; i++)
            listed |= strcmp(ids[i], id) == 0;
        if (!listed)
            why = "no longer on the server";
        else if (sigil_csc_info(s, id, &info) != SIGIL_OK)
            why = "no certificate on the server";
        else if ((why = sigil_csc_unusable_reason(info)) != NULL)
            ;   /* disabled, revoked, suspended, ... as the server says */
        else if (!still_valid(c))
            why = "expired";
        else if (c->cbCertEncoded != info->certificates[0].len
                 || memcmp(c->pbCertEncoded, info->certificates[0].data, c->cbCertEncoded) != 0)
            why = "replaced by the server's newer certificate";
        if (why == NULL)
            continue;
        printf("remove %s: %s\n", id, why);
        n->removed += strcmp(why, "replaced by the server's newer certificate") != 0;
        if (!dry_run && doomed_count < sizeof doomed / sizeof doomed[0])
            doomed[doomed_count++] = CertDuplicateCertificateContext(c);
    }
    for (size_t i = 0; i < doomed_count; i++)
        if (!CertDeleteCertificateFromStore(doomed[i])) /* frees the context, also on failure */
            n->failed++;
    /* Write the changes through now (Wine's registry-backed store otherwise keeps deletions
     * until the process ends). */
    if (!dry_run && (!CertControlStore(my, 0, CERT_STORE_CTRL_COMMIT, NULL)
                     || !CertControlStore(ca, 0, CERT_STORE_CTRL_COMMIT, NULL)))
        n->failed++;
    CertCloseStore(my, 0);
    CertCloseStore(ca, 0);
    sigil_csc_free_strings(ids, count);
    printf("%s: added %d, updated %d, removed %d, unchanged %d%s\n",
           dry_run ? "plan (dry run, nothing changed)" : "done", n->added, n->updated, n->removed,
           n->unchanged, n->failed ? ", some changes FAILED" : "");
    fflush(stdout);
    return n->failed == 0;
}

int main(int argc, char **argv)
{
    int dry_run = 0, from_stdin = 0;
    unsigned long every = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dry-run") == 0) {
            dry_run = 1;
        } else if (strcmp(argv[i], "--password-stdin") == 0) {
            from_stdin = 1;
        } else if (strcmp(argv[i], "--every") == 0 && i + 1 < argc) {
            char *end;
            every = strtoul(argv[++i], &end, 10);
            if (*end != '\0' || every < 10 || every > 86400) {
                fprintf(stderr, "sigil-cert-importer: --every takes 10 to 86400 seconds\n");
                return 2;
            }
        } else {
            return usage();
        }
    }
    sigil_config cfg;
    char err[256];
    if (ksp_config_from_registry(&cfg, err, sizeof err) != SIGIL_OK) {
        fprintf(stderr, "sigil-cert-importer: %s\n", err);
        return 1;
    }
    sigil_winhttp_transport *wt = NULL;
    sigil_csc_session *s = NULL;
    if (sigil_winhttp_transport_new(&cfg, &wt, err, sizeof err) != SIGIL_OK) {
        fprintf(stderr, "sigil-cert-importer: %s\n", err);
        sigil_config_clear(&cfg);
        return 1;
    }
    sigil_transport t;
    sigil_winhttp_transport_bind(wt, &t);
    char *password = NULL;
    int rc = 1;
    if (sigil_csc_session_new(&t, &s) != SIGIL_OK || (password = read_password(from_stdin)) == NULL) {
        fprintf(stderr, "sigil-cert-importer: no password given\n");
        goto out;
    }
    for (;;) {
        if (every != 0) {   /* a periodic service's log says when each round ran */
            SYSTEMTIME now;
            GetLocalTime(&now);
            printf("round at %04u-%02u-%02u %02u:%02u:%02u\n", now.wYear, now.wMonth, now.wDay,
                   now.wHour, now.wMinute, now.wSecond);
            fflush(stdout);
        }
        /* A login per round: it also empties the session's cache of credentials/info, so that
         * each round sees the server as it is now. */
        {
            sigil_status st = sigil_csc_login(s, cfg.username, password, strlen(password));
            if (st != SIGIL_OK) {
                fprintf(stderr, "sigil-cert-importer: login of %s refused: %s %s%s%s\n",
                        cfg.username, sigil_status_name(st), sigil_csc_last_error_description(s),
                        st == SIGIL_NETWORK ? " " : "",
                        st == SIGIL_NETWORK ? sigil_winhttp_transport_last_error(wt) : "");
                if (every == 0)
                    goto out;
            }
        }
        plan_counts n;
        int ok = sigil_csc_logged_in(s) && run_once(&cfg, s, dry_run, &n);
        if (sigil_csc_logged_in(s))
            (void)sigil_csc_revoke(s);
        if (every == 0) {
            rc = ok ? 0 : 1;
            break;
        }
        Sleep((DWORD)(every * 1000));
    }
out:
    sigil_free_secret(password);
    if (s != NULL && sigil_csc_logged_in(s))
        (void)sigil_csc_revoke(s);
    sigil_csc_session_free(s);
    sigil_winhttp_transport_free(wt);
    sigil_config_clear(&cfg);
    return rc;
}
