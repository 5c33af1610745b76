#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "base64.h"
#include "curl_transport.h"
#include "json.h"
#include "secure.h"

struct sigil_curl_transport {
    CURL *curl;
    char *base_url;           /* "https://host:port/csc/v2/" */
    char *pin;                /* "sha256//<base64>" or NULL */
    unsigned timeout_ms;
    unsigned long long busy_us;
    char error[CURL_ERROR_SIZE];
};

static unsigned long long now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (unsigned long long)t.tv_sec * 1000000u + (unsigned long long)t.tv_nsec / 1000u;
}

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_result = CURLE_FAILED_INIT;

static void global_init(void) { global_result = curl_global_init(CURL_GLOBAL_DEFAULT); }

static void fail(char *err, size_t cap, const char *what)
{
    if (err != NULL && cap > 0)
        snprintf(err, cap, "libcurl: %s", what);
}

/* The answer being received. */
typedef struct answer {
    sigil_buffer buf;
    size_t cap;
    sigil_status error;
} answer;

static size_t on_data(char *data, size_t size, size_t nmemb, void *user)
{
    answer *a = user;
    size_t n = size * nmemb;
    a->error = sigil_buffer_append(&a->buf, &a->cap, data, n, SIGIL_JSON_MAX_DOCUMENT);
    return a->error == SIGIL_OK ? n : 0; /* 0 makes curl stop with CURLE_WRITE_ERROR */
}

/* curl_slist_append copies the string: zero every copy before the list is freed. */
static void free_headers(struct curl_slist *h)
{
    for (struct curl_slist *i = h; i != NULL; i = i->next)
        sigil_secure_zero(i->data, strlen(i->data));
    curl_slist_free_all(h);
}

static sigil_status post(void *ctx, const char *path, const char *authorization,
                         const unsigned char *body, size_t body_len, unsigned timeout_ms,
                         int *http_status, sigil_buffer *response)
{
    sigil_curl_transport *ct = ctx;
    if (ct == NULL || path == NULL || (body == NULL && body_len > 0) || http_status == NULL
        || response == NULL)
        return SIGIL_INVALID_ARGUMENT;
    *http_status = 0;
    memset(response, 0, sizeof *response);
    ct->error[0] = '\0';

    size_t url_len = strlen(ct->base_url) + strlen(path) + 1;
    char *url = malloc(url_len);
    if (url == NULL)
        return SIGIL_NO_MEMORY;
    snprintf(url, url_len, "%s%s", ct->base_url, path);

    sigil_status st = SIGIL_NO_MEMORY;
    struct curl_slist *headers = NULL, *h;
    char *auth_header = NULL;
    answer a = {0};
    if ((h = curl_slist_append(headers, "Content-Type: application/json")) == NULL)
        goto done;
    headers = h;
    if ((h = curl_slist_append(headers, "Accept: application/json")) == NULL)
        goto done;
    headers = h;
    /* No "Expect: 100-continue" round trip for the small bodies we send. */
    if ((h = curl_slist_append(headers, "Expect:")) == NULL)
        goto done;
    headers = h;
    if (authorization != NULL) {
        size_t n = strlen("Authorization: ") + strlen(authorization) + 1;
        if ((auth_header = malloc(n)) == NULL)
            goto done;
        snprintf(auth_header, n, "Authorization: %s", authorization);
        h = curl_slist_append(headers, auth_header);
        sigil_secure_zero(auth_header, n);
        free(auth_header);
        if (h == NULL)
            goto done;
        headers = h;
    }

    CURL *c = ct->curl;
    unsigned t = timeout_ms != 0 ? timeout_ms : ct->timeout_ms;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    /* An empty body is sent as such; curl would otherwise read one from stdin. */
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body_len > 0 ? (const char *)body : "");
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)t);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);

    unsigned long long started = now_us();
    CURLcode rc = curl_easy_perform(c);
    ct->busy_us += now_us() - started;
    /* Nothing of this request may stay referenced by the handle. */
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
    if (rc == CURLE_OK) {
        long code = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
        *http_status = (int)code;
        *response = a.buf;
        memset(&a, 0, sizeof a);
        st = SIGIL_OK;
    } else if (a.error == SIGIL_LIMIT_EXCEEDED) {
        snprintf(ct->error, sizeof ct->error, "the answer exceeds %u bytes",
                 (unsigned)SIGIL_JSON_MAX_DOCUMENT);
        st = SIGIL_LIMIT_EXCEEDED;
    } else if (a.error == SIGIL_NO_MEMORY || rc == CURLE_OUT_OF_MEMORY) {
        st = SIGIL_NO_MEMORY;
    } else {
        if (ct->error[0] == '\0')
            snprintf(ct->error, sizeof ct->error, "%s", curl_easy_strerror(rc));
        st = SIGIL_NETWORK;
    }

done:
    if (a.buf.data != NULL) {
        sigil_secure_zero(a.buf.data, a.cap);
        free(a.buf.data);
    }
    free_headers(headers);
    free(url);
    return st;
}

sigil_status sigil_curl_transport_new(const sigil_config *cfg, sigil_curl_transport **out,
                                      char *err, size_t err_cap)
{
    if (err != NULL && err_cap > 0)
        err[0] = '\0';
    if (cfg == NULL || out == NULL || cfg->server_url == NULL)
        return SIGIL_INVALID_ARGUMENT;
    *out = NULL;
    if (cfg->has_client_thumbprint) {
        fail(err, err_cap, "client_cert_thumbprint names a certificate in the Windows certificate "
                           "store; here give client_cert and client_key files");
        return SIGIL_UNSUPPORTED;
    }
    pthread_once(&global_once, global_init);
    if (global_result != CURLE_OK) {
        fail(err, err_cap, curl_easy_strerror(global_result));
        return SIGIL_INTERNAL;
    }
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    if (v == NULL || !(v->features & CURL_VERSION_SSL)) {
        fail(err, err_cap, "this libcurl has no TLS support");
        return SIGIL_UNSUPPORTED;
    }

    sigil_curl_transport *ct = calloc(1, sizeof *ct);
    if (ct == NULL)
        return SIGIL_NO_MEMORY;
    ct->timeout_ms = cfg->timeout_seconds * 1000u;
    size_t n = strlen(cfg->server_url) + sizeof "/csc/v2/";
    ct->base_url = malloc(n);
    ct->curl = curl_easy_init();
    if (ct->base_url == NULL || ct->curl == NULL) {
        sigil_curl_transport_free(ct);
        return SIGIL_NO_MEMORY;
    }
    snprintf(ct->base_url, n, "%s/csc/v2/", cfg->server_url);
    if (cfg->has_pinned) {
        char b64[45];
        size_t b64_len = 0;
        if (sigil_base64_encode(cfg->pinned_sha256, 32, b64, sizeof b64, &b64_len) != SIGIL_OK) {
            sigil_curl_transport_free(ct);
            return SIGIL_INTERNAL;
        }
        b64[b64_len] = '\0';
        size_t pn = sizeof "sha256//" + b64_len;
        if ((ct->pin = malloc(pn)) == NULL) {
            sigil_curl_transport_free(ct);
            return SIGIL_NO_MEMORY;
        }
        snprintf(ct->pin, pn, "sha256//%s", b64);
    }

    CURL *c = ct->curl;
    CURLcode rc = CURLE_OK;
#define SET(opt, val) do { if (rc == CURLE_OK) rc = curl_easy_setopt(c, opt, val); } while (0)
    SET(CURLOPT_ERRORBUFFER, ct->error);
    SET(CURLOPT_NOSIGNAL, 1L);              /* no SIGALRM in the host application's threads */
    SET(CURLOPT_PROTOCOLS_STR, "https");
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    SET(CURLOPT_CONNECTTIMEOUT_MS, (long)(ct->timeout_ms < 10000u ? ct->timeout_ms : 10000u));
    SET(CURLOPT_TCP_KEEPALIVE, 1L);
    SET(CURLOPT_USERAGENT, "sigil-ksp/0.1");
    if (cfg->ca_file != NULL && strcmp(cfg->ca_file, SIGIL_CA_FILE_SYSTEM) == 0) {
        /* libcurl's default: the system's CA bundle, chain and host name checked. */
        SET(CURLOPT_SSL_VERIFYPEER, 1L);
        SET(CURLOPT_SSL_VERIFYHOST, 2L);
    } else if (cfg->ca_file != NULL) {
        SET(CURLOPT_CAINFO, cfg->ca_file);
        SET(CURLOPT_CAPATH, NULL);
        SET(CURLOPT_SSL_VERIFYPEER, 1L);
        SET(CURLOPT_SSL_VERIFYHOST, 2L);
    } else {
        /* Pin only: the key is what is trusted; no CA path, no host name to match. */
        SET(CURLOPT_SSL_VERIFYPEER, 0L);
        SET(CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (ct->pin != NULL)
        SET(CURLOPT_PINNEDPUBLICKEY, ct->pin);
    if (cfg->client_cert != NULL) {
        SET(CURLOPT_SSLCERT, cfg->client_cert);
        SET(CURLOPT_SSLKEY, cfg->client_key);
    }
#undef SET
    if (rc != CURLE_OK) {
        fail(err, err_cap, curl_easy_strerror(rc));
        sigil_curl_transport_free(ct);
        return SIGIL_UNSUPPORTED;
    }
    *out = ct;
    return SIGIL_OK;
}

void sigil_curl_transport_bind(sigil_curl_transport *ct, sigil_transport *t)
{
    memset(t, 0, sizeof *t);
    t->post = post;
    t->ctx = ct;
    t->timeout_ms = ct->timeout_ms;
}

unsigned long long sigil_curl_transport_busy_us(const sigil_curl_transport *ct)
{
    return ct->busy_us;
}

const char *sigil_curl_transport_last_error(const sigil_curl_transport *ct)
{
    return ct->error;
}

void sigil_curl_transport_free(sigil_curl_transport *ct)
{
    if (ct == NULL)
        return;
    if (ct->curl != NULL)
        curl_easy_cleanup(ct->curl);
    free(ct->base_url);
    free(ct->pin);
    free(ct);
}

