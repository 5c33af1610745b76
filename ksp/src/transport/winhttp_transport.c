#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>
#include <bcrypt.h>
#include <wincrypt.h>
#include <winhttp.h>

#include "json.h"
#include "secure.h"
#include "winhttp_transport.h"

struct sigil_winhttp_transport {
    HINTERNET session;
    HINTERNET connection;
    wchar_t *base_path;        /* "/prefix/csc/v2/" */
    PCCERT_CONTEXT ca;         /* from ca_file, or NULL */
    int system_trust;          /* ca_file = system: WinHTTP's own chain and name checks */
    PCCERT_CONTEXT client;     /* from client_cert_thumbprint, or NULL: none sent */
    unsigned char pin[32];
    int has_pin;
    BYTE *trusted_der;         /* the server certificate last found trusted (see trusted()) */
    DWORD trusted_len;
    unsigned timeout_ms;
    /* Set by the SENDING_REQUEST callback of the request in flight. */
    int trust_checked;
    int trust_ok;
    char error[256];
};

static void fail(char *err, size_t cap, const char *what)
{
    if (err != NULL && cap > 0)
        snprintf(err, cap, "WinHTTP: %s", what);
}

wchar_t *sigil_widen(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
    if (n <= 0)
        return NULL;
    wchar_t *w = malloc((size_t)n * sizeof *w);
    if (w != NULL && MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n) != n) {
        free(w);
        w = NULL;
    }
    return w;
}

/* SHA-256 of the certificate's DER SubjectPublicKeyInfo. */
static int spki_sha256(PCCERT_CONTEXT cert, unsigned char out[32])
{
    DWORD len = 0;
    if (!CryptEncodeObject(X509_ASN_ENCODING, X509_PUBLIC_KEY_INFO,
                           &cert->pCertInfo->SubjectPublicKeyInfo, NULL, &len))
        return 0;
    BYTE *der = malloc(len);
    int ok = 0;
    BCRYPT_ALG_HANDLE alg = NULL;
    BCRYPT_HASH_HANDLE hash = NULL;
    if (der != NULL
        && CryptEncodeObject(X509_ASN_ENCODING, X509_PUBLIC_KEY_INFO,
                             &cert->pCertInfo->SubjectPublicKeyInfo, der, &len)
        && BCRYPT_SUCCESS(BCryptOpenAlgorithmProvider(&alg, BCRYPT_SHA256_ALGORITHM, NULL, 0))
        && BCRYPT_SUCCESS(BCryptCreateHash(alg, &hash, NULL, 0, NULL, 0, 0))
        && BCRYPT_SUCCESS(BCryptHashData(hash, der, len, 0))
        && BCRYPT_SUCCESS(BCryptFinishHash(hash, out, 32, 0)))
        ok = 1;
    if (hash != NULL)
        BCryptDestroyHash(hash);
    if (alg != NULL)
        BCryptCloseAlgorithmProvider(alg, 0);
    free(der);
    return ok;
}

/* The validity periods of the server certificate and of the ca_file CA (not checked with a pin
 * alone: the key is the identity). */
static int in_validity(sigil_winhttp_transport *wt, PCCERT_CONTEXT cert)
{
    if (wt->ca == NULL || (CertVerifyTimeValidity(NULL, cert->pCertInfo) == 0
                           && CertVerifyTimeValidity(NULL, wt->ca->pCertInfo) == 0))
        return 1;
    snprintf(wt->error, sizeof wt->error,
             "the server certificate or its CA is expired or not yet valid");
    return 0;
}

/* The trust decision for the server certificate of the request in flight. The certificate found
 * trusted last time (the same kept-alive connection: two requests per signature) is not hashed
 * and verified again; only its validity, since time moves. */
static int trusted(sigil_winhttp_transport *wt, PCCERT_CONTEXT cert)
{
    int known = wt->trusted_der != NULL && cert->cbCertEncoded == wt->trusted_len
                && memcmp(cert->pbCertEncoded, wt->trusted_der, wt->trusted_len) == 0;
    if (!known && wt->has_pin) {
        unsigned char h[32];
        if (!spki_sha256(cert, h) || memcmp(h, wt->pin, sizeof h) != 0) {
            snprintf(wt->error, sizeof wt->error,
                     "the server's public key does not match pinned_sha256");
            return 0;
        }
    }
    if (!known && wt->ca != NULL
        && (!CertCompareCertificateName(X509_ASN_ENCODING, &cert->pCertInfo->Issuer,
                                        &wt->ca->pCertInfo->Subject)
            || !CryptVerifyCertificateSignatureEx(0, X509_ASN_ENCODING,
                                                  CRYPT_VERIFY_CERT_SIGN_SUBJECT_CERT,
                                                  (void *)cert,
                                                  CRYPT_VERIFY_CERT_SIGN_ISSUER_CERT,
                                                  (void *)wt->ca, 0, NULL))) {
        snprintf(wt->error, sizeof wt->error,
                 "the server certificate is not issued by the CA of ca_file");
        return 0;
    }
    if (!in_validity(wt, cert))
        return 0;
    BYTE *copy = known ? NULL : malloc(cert->cbCertEncoded);
    if (copy != NULL) {   /* without memory, the next request is simply checked in full */
        memcpy(copy, cert->pbCertEncoded, cert->cbCertEncoded);
        free(wt->trusted_der);
        wt->trusted_der = copy;
        wt->trusted_len = cert->cbCertEncoded;
    }
    return 1;
}

static void CALLBACK on_status(HINTERNET request, DWORD_PTR context, DWORD status, LPVOID info,
                               DWORD info_len)
{
    (void)info;
    (void)info_len;
    sigil_winhttp_transport *wt = (sigil_winhttp_transport *)context;
    if (wt == NULL || status != WINHTTP_CALLBACK_STATUS_SENDING_REQUEST)
        return;
    PCCERT_CONTEXT cert = NULL;
    DWORD size = sizeof cert;
    wt->trust_checked = 1;
    wt->trust_ok = WinHttpQueryOption(request, WINHTTP_OPTION_SERVER_CERT_CONTEXT, &cert, &size)
                   && cert != NULL && trusted(wt, cert);
    if (cert != NULL)
        CertFreeCertificateContext(cert);
    /* Closing the request handle here cancels it before the first byte is sent. */
    if (!wt->trust_ok)
        WinHttpCloseHandle(request);
}

static sigil_status post(void *ctx, const char *path, const char *authorization,
                         const unsigned char *body, size_t body_len, unsigned timeout_ms,
                         int *http_status, sigil_buffer *response)
{
    sigil_winhttp_transport *wt = ctx;
    if (wt == NULL || path == NULL || (body == NULL && body_len > 0) || http_status == NULL
        || response == NULL || body_len > 0xffffffffu)
        return SIGIL_INVALID_ARGUMENT;
    *http_status = 0;
    memset(response, 0, sizeof *response);
    wt->error[0] = '\0';
    wt->trust_checked = wt->trust_ok = 0;

    wchar_t *wpath_tail = sigil_widen(path);
    if (wpath_tail == NULL)
        return SIGIL_INVALID_ARGUMENT;
    size_t plen = wcslen(wt->base_path) + wcslen(wpath_tail) + 1;
    wchar_t *wpath = malloc(plen * sizeof *wpath);
    if (wpath == NULL) {
        free(wpath_tail);
        return SIGIL_NO_MEMORY;
    }
    swprintf(wpath, plen, L"%ls%ls", wt->base_path, wpath_tail);
    free(wpath_tail);

    /* The headers, with the Authorization value (a secret) zeroed after use. */
    size_t alen = authorization != NULL ? strlen(authorization) : 0;
    size_t hcap = 128 + alen;
    char *headers = malloc(hcap);
    wchar_t *wheaders = NULL;
    if (headers != NULL) {
        snprintf(headers, hcap, "Content-Type: application/json\r\nAccept: application/json\r\n%s%s%s",
                 authorization != NULL ? "Authorization: " : "",
                 authorization != NULL ? authorization : "", authorization != NULL ? "\r\n" : "");
        wheaders = sigil_widen(headers);
        sigil_secure_zero(headers, hcap);
        free(headers);
    }
    if (wheaders == NULL) {
        free(wpath);
        return SIGIL_NO_MEMORY;
    }

    sigil_status st = SIGIL_NETWORK;
    sigil_buffer answer = {0};
    size_t cap = 0;
    HINTERNET req = WinHttpOpenRequest(wt->connection, L"POST", wpath, NULL, WINHTTP_NO_REFERER,
                                       WINHTTP_DEFAULT_ACCEPT_TYPES, WINHTTP_FLAG_SECURE);
    int req_open = req != NULL;
    if (req == NULL)
        goto done;
    unsigned t = timeout_ms != 0 ? timeout_ms : wt->timeout_ms;
    WinHttpSetTimeouts(req, (int)t, (int)t, (int)t, (int)t);
    DWORD no_redirects = WINHTTP_DISABLE_REDIRECTS;
    WinHttpSetOption(req, WINHTTP_OPTION_DISABLE_FEATURE, &no_redirects, sizeof no_redirects);
    /* Our own checks replace the system's chain check when the trust is a CA file or a pin; the
     * host name stays WinHTTP's to check, except with a pin alone (the key is the identity). */
    if (!wt->system_trust) {
        DWORD flags = SECURITY_FLAG_IGNORE_UNKNOWN_CA;
        if (wt->ca == NULL)
            flags |= SECURITY_FLAG_IGNORE_CERT_CN_INVALID | SECURITY_FLAG_IGNORE_CERT_DATE_INVALID
                     | SECURITY_FLAG_IGNORE_CERT_WRONG_USAGE;
        WinHttpSetOption(req, WINHTTP_OPTION_SECURITY_FLAGS, &flags, sizeof flags);
    }
    /* Without a configured certificate, none is sent even to a server that asks for one
     * (otherwise Windows stops with ERROR_WINHTTP_CLIENT_AUTH_CERT_NEEDED). */
    if (wt->client != NULL)
        WinHttpSetOption(req, WINHTTP_OPTION_CLIENT_CERT_CONTEXT, (void *)wt->client,
                         sizeof *wt->client);
    else
        WinHttpSetOption(req, WINHTTP_OPTION_CLIENT_CERT_CONTEXT, WINHTTP_NO_CLIENT_CERT_CONTEXT, 0);
    DWORD_PTR context = (DWORD_PTR)wt;
    WinHttpSetOption(req, WINHTTP_OPTION_CONTEXT_VALUE, &context, sizeof context);
    WinHttpSetStatusCallback(req, on_status, WINHTTP_CALLBACK_FLAG_SEND_REQUEST, 0);

    BOOL sent = WinHttpSendRequest(req, wheaders, (DWORD)-1L, (LPVOID)body, (DWORD)body_len,
                                   (DWORD)body_len, 0);
    DWORD send_error = sent ? 0 : GetLastError();
    if (!wt->trust_checked || !wt->trust_ok) {
        /* No callback means no check: never accept that. A refused certificate closed req. */
        if (wt->trust_checked)
            req_open = 0;
        if (wt->error[0] == '\0' && !sent)
            snprintf(wt->error, sizeof wt->error, "WinHTTP error %lu (connection or TLS handshake%s)",
                     (unsigned long)send_error,
                     send_error == ERROR_WINHTTP_CLIENT_AUTH_CERT_NEEDED
                         ? "; the server asks for a TLS client certificate: set client_cert_thumbprint"
                     : wt->client == NULL && send_error == ERROR_WINHTTP_SECURE_CHANNEL_ERROR
                         ? "; does the server require a TLS client certificate?"
                     : wt->system_trust ? "; is the server's CA in the Windows trust store?" : "");
        else if (wt->error[0] == '\0')
            snprintf(wt->error, sizeof wt->error, "the server certificate could not be checked");
        goto done;
    }
    if (!sent || !WinHttpReceiveResponse(req, NULL)) {
        snprintf(wt->error, sizeof wt->error, "WinHTTP error %lu", (unsigned long)GetLastError());
        goto done;
    }
    DWORD code = 0, size = sizeof code;
    if (!WinHttpQueryHeaders(req, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER,
                             WINHTTP_HEADER_NAME_BY_INDEX, &code, &size, WINHTTP_NO_HEADER_INDEX))
        goto done;
    for (;;) {
        unsigned char chunk[8192];
        DWORD got = 0;
        if (!WinHttpReadData(req, chunk, sizeof chunk, &got)) {
            snprintf(wt->error, sizeof wt->error, "WinHTTP error %lu while reading",
                     (unsigned long)GetLastError());
            sigil_secure_zero(chunk, sizeof chunk);
            goto done;
        }
        if (got == 0)
            break;
        sigil_status a = sigil_buffer_append(&answer, &cap, chunk, got, SIGIL_JSON_MAX_DOCUMENT);
        sigil_secure_zero(chunk, got);
        if (a != SIGIL_OK) {
            st = a;
            goto done;
        }
    }
    *http_status = (int)code;
    *response = answer;
    memset(&answer, 0, sizeof answer);
    st = SIGIL_OK;

done:
    if (answer.data != NULL) {
        sigil_secure_zero(answer.data, cap);
        free(answer.data);
    }
    if (req_open) {
        WinHttpSetStatusCallback(req, NULL, 0, 0);
        WinHttpCloseHandle(req);
    }
    sigil_secure_zero(wheaders, wcslen(wheaders) * sizeof *wheaders);
    free(wheaders);
    free(wpath);
    return st;
}

#define CA_FILE_MAX (256u * 1024u)

/* The (first) certificate of ca_file, PEM or DER. Read on the heap: the KSP runs on the calling
 * application's threads, whose stacks may be small. */
static PCCERT_CONTEXT load_ca(const char *path, char *err, size_t cap)
{
    wchar_t *wpath = sigil_widen(path);   /* a UTF-8 path, whatever the ANSI code page */
    FILE *f = wpath != NULL ? _wfopen(wpath, L"rb") : NULL;
    free(wpath);
    if (f == NULL) {
        fail(err, cap, "cannot open ca_file");
        return NULL;
    }
    unsigned char *buf = malloc(CA_FILE_MAX + 1);
    size_t n = buf != NULL ? fread(buf, 1, CA_FILE_MAX + 1, f) : 0;
    fclose(f);
    PCCERT_CONTEXT c = NULL;
    BYTE *der = NULL;
    DWORD der_len = 0;
    if (buf == NULL) {
        fail(err, cap, "out of memory reading ca_file");
    } else if (n > CA_FILE_MAX) {
        fail(err, cap, "ca_file is larger than 256 KiB");
    } else {
        if (n > 10 && memcmp(buf, "-----BEGIN", 10) == 0) {
            if (CryptStringToBinaryA((const char *)buf, (DWORD)n, CRYPT_STRING_BASE64HEADER, NULL,
                                     &der_len, NULL, NULL)
                && (der = malloc(der_len)) != NULL
                && CryptStringToBinaryA((const char *)buf, (DWORD)n, CRYPT_STRING_BASE64HEADER,
                                        der, &der_len, NULL, NULL))
                c = CertCreateCertificateContext(X509_ASN_ENCODING, der, der_len);
        } else if (n > 0) {
            c = CertCreateCertificateContext(X509_ASN_ENCODING, buf, (DWORD)n);
        }
        if (c == NULL)
            fail(err, cap, "ca_file holds no certificate (PEM or DER)");
    }
    free(der);
    free(buf);
    return c;
}

/* The certificate client_cert_thumbprint names, with a private key the TLS handshake can use. */
static PCCERT_CONTEXT find_client_cert(const unsigned char sha1[20], char *err, size_t cap)
{
    static const DWORD locations[] = {CERT_SYSTEM_STORE_CURRENT_USER,
                                      CERT_SYSTEM_STORE_LOCAL_MACHINE};
    CRYPT_HASH_BLOB hash = {20, (BYTE *)sha1};
    PCCERT_CONTEXT c = NULL;
    for (size_t i = 0; c == NULL && i < sizeof locations / sizeof locations[0]; i++) {
        HCERTSTORE store = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0,
                                         locations[i] | CERT_STORE_OPEN_EXISTING_FLAG
                                             | CERT_STORE_READONLY_FLAG, L"MY");
        if (store == NULL)
            continue;
        c = CertFindCertificateInStore(store, X509_ASN_ENCODING, 0, CERT_FIND_SHA1_HASH, &hash,
                                       NULL);
        CertCloseStore(store, 0);   /* the context keeps what it needs */
    }
    if (c == NULL) {
        fail(err, cap, "no certificate with client_cert_thumbprint in CurrentUser\\MY or "
                       "LocalMachine\\MY");
        return NULL;
    }
    DWORD size = 0;
    CRYPT_KEY_PROV_INFO *info = NULL;
    const char *problem = NULL;
    if (!CertGetCertificateContextProperty(c, CERT_KEY_PROV_INFO_PROP_ID, NULL, &size)
        || (info = malloc(size)) == NULL
        || !CertGetCertificateContextProperty(c, CERT_KEY_PROV_INFO_PROP_ID, info, &size))
        problem = "the client_cert_thumbprint certificate has no private key in the store";
    else if (info->pwszProvName != NULL && wcscmp(info->pwszProvName, SIGIL_KSP_PROVIDER_NAME) == 0)
        problem = "the client_cert_thumbprint certificate's key is a Sigil key, which needs this "
                  "connection to sign: use a key of another provider";
    else if (CertVerifyTimeValidity(NULL, c->pCertInfo) != 0)
        problem = "the client_cert_thumbprint certificate is expired or not yet valid";
    free(info);
    if (problem != NULL) {
        fail(err, cap, problem);
        CertFreeCertificateContext(c);
        return NULL;
    }
    return c;
}

sigil_status sigil_winhttp_transport_new(const sigil_config *cfg, sigil_winhttp_transport **out,
                                         char *err, size_t err_cap)
{
    if (err != NULL && err_cap > 0)
        err[0] = '\0';
    if (cfg == NULL || out == NULL || cfg->server_url == NULL)
        return SIGIL_INVALID_ARGUMENT;
    *out = NULL;
    if (cfg->client_cert != NULL) {
        fail(err, err_cap, "client_cert/client_key files are not used on Windows: name a "
                           "certificate of the Windows store with client_cert_thumbprint");
        return SIGIL_UNSUPPORTED;
    }
    sigil_winhttp_transport *wt = calloc(1, sizeof *wt);
    if (wt == NULL)
        return SIGIL_NO_MEMORY;
    if (cfg->has_client_thumbprint
        && (wt->client = find_client_cert(cfg->client_cert_sha1, err, err_cap)) == NULL) {
        sigil_winhttp_transport_free(wt);
        return SIGIL_NOT_FOUND;
    }
    wt->timeout_ms = cfg->timeout_seconds * 1000u;
    if (cfg->has_pinned) {
        memcpy(wt->pin, cfg->pinned_sha256, sizeof wt->pin);
        wt->has_pin = 1;
    }
    if (cfg->ca_file != NULL && strcmp(cfg->ca_file, SIGIL_CA_FILE_SYSTEM) == 0)
        wt->system_trust = 1;
    else if (cfg->ca_file != NULL && (wt->ca = load_ca(cfg->ca_file, err, err_cap)) == NULL) {
        sigil_winhttp_transport_free(wt);
        return SIGIL_INVALID_ARGUMENT;
    }

    wchar_t *url = sigil_widen(cfg->server_url);
    URL_COMPONENTS parts;
    memset(&parts, 0, sizeof parts);
    parts.dwStructSize = sizeof parts;
    wchar_t host[256], path[1024];
    parts.lpszHostName = host;
    parts.dwHostNameLength = sizeof host / sizeof host[0];
    parts.lpszUrlPath = path;
    parts.dwUrlPathLength = sizeof path / sizeof path[0];
    if (url == NULL || !WinHttpCrackUrl(url, 0, 0, &parts) || parts.nScheme != INTERNET_SCHEME_HTTPS) {
        free(url);
        fail(err, err_cap, "server_url is not an https:// URL WinHTTP can parse");
        sigil_winhttp_transport_free(wt);
        return SIGIL_INVALID_ARGUMENT;
    }
    free(url);
    size_t blen = wcslen(path) + sizeof "/csc/v2/";
    wt->base_path = malloc(blen * sizeof(wchar_t));
    wt->session = WinHttpOpen(L"sigil-ksp/0.1", WINHTTP_ACCESS_TYPE_AUTOMATIC_PROXY,
                              WINHTTP_NO_PROXY_NAME, WINHTTP_NO_PROXY_BYPASS, 0);
    if (wt->session == NULL)   /* before Windows 8.1 there is no automatic proxy */
        wt->session = WinHttpOpen(L"sigil-ksp/0.1", WINHTTP_ACCESS_TYPE_DEFAULT_PROXY,
                                  WINHTTP_NO_PROXY_NAME, WINHTTP_NO_PROXY_BYPASS, 0);
    if (wt->base_path == NULL || wt->session == NULL) {
        fail(err, err_cap, "cannot open a WinHTTP session");
        sigil_winhttp_transport_free(wt);
        return SIGIL_NO_MEMORY;
    }
    swprintf(wt->base_path, blen, L"%ls/csc/v2/", path);
    DWORD tls = WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_2;
#ifdef WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_3
    tls |= WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_3;
#endif
    WinHttpSetOption(wt->session, WINHTTP_OPTION_SECURE_PROTOCOLS, &tls, sizeof tls);
    wt->connection = WinHttpConnect(wt->session, host, parts.nPort, 0);
    if (wt->connection == NULL) {
        fail(err, err_cap, "WinHttpConnect failed");
        sigil_winhttp_transport_free(wt);
        return SIGIL_INVALID_ARGUMENT;
    }
    *out = wt;
    return SIGIL_OK;
}

void sigil_winhttp_transport_bind(sigil_winhttp_transport *wt, sigil_transport *t)
{
    memset(t, 0, sizeof *t);
    t->post = post;
    t->ctx = wt;
    t->timeout_ms = wt->timeout_ms;
}

const char *sigil_winhttp_transport_last_error(const sigil_winhttp_transport *wt)
{
    return wt->error;
}

void sigil_winhttp_transport_free(sigil_winhttp_transport *wt)
{
    if (wt == NULL)
        return;
    if (wt->connection != NULL)
        WinHttpCloseHandle(wt->connection);
    if (wt->session != NULL)
        WinHttpCloseHandle(wt->session);
    if (wt->ca != NULL)
        CertFreeCertificateContext(wt->ca);
    if (wt->client != NULL)
        CertFreeCertificateContext(wt->client);
    free(wt->trusted_der);
    free(wt->base_path);
    free(wt);
}
