#include <stdlib.h>
#include <string.h>

#include "algorithms.h"
#include "base64.h"
#include "csc_client.h"
#include "der.h"
#include "json.h"
#include "secure.h"

typedef struct cache_entry {
    sigil_csc_credential_info info;
    struct cache_entry *next;
} cache_entry;

struct sigil_csc_session {
    sigil_transport transport;
    char *token;               /* the bearer token, zeroed when replaced or freed */
    cache_entry *cache;
    int last_http;
    char last_error[64];
    char last_description[256];
};

/* ---- the one error table ---- */

/* Rows are tried in order; the first match wins. lo..hi is the HTTP status range; error NULL
 * matches any `error`; contains NULL matches any description. */
static const struct {
    int lo, hi;
    const char *error;
    const char *contains;
    sigil_status status;
} error_table[] = {
    { 400, 400, "invalid_grant", NULL, SIGIL_AUTH_FAILED },       /* wrong password, PIN, OTP */
    { 401, 401, "invalid_token", NULL, SIGIL_SESSION_EXPIRED },   /* token expired or revoked */
    { 401, 401, NULL, NULL, SIGIL_AUTH_FAILED },                  /* no or unusable credentials */
    { 403, 403, "access_denied", "locked", SIGIL_PIN_LOCKED },    /* locked, or a PIN "blocked" */
    { 403, 403, NULL, NULL, SIGIL_AUTH_FAILED },                  /* e.g. a disabled credential */
    { 404, 405, NULL, NULL, SIGIL_UNSUPPORTED },                  /* the server lacks the method */
    { 413, 413, NULL, NULL, SIGIL_LIMIT_EXCEEDED },               /* body over max.body.bytes */
    { 429, 429, NULL, NULL, SIGIL_RETRY_LATER },
    { 431, 431, NULL, NULL, SIGIL_LIMIT_EXCEEDED },
    { 400, 499, NULL, NULL, SIGIL_INVALID_ARGUMENT },             /* invalid_request and the rest */
    { 503, 503, NULL, NULL, SIGIL_RETRY_LATER },                  /* busy: Retry-After */
    { 500, 599, NULL, NULL, SIGIL_SERVER_ERROR },
    { 0, 999, NULL, NULL, SIGIL_SERVER_ERROR },                   /* 1xx, 3xx, unexpected 2xx */
};

sigil_status sigil_csc_map_error(int http_status, const char *error_name, const char *description)
{
    for (size_t i = 0; i < sizeof error_table / sizeof error_table[0]; i++) {
        if (http_status < error_table[i].lo || http_status > error_table[i].hi)
            continue;
        if (error_table[i].error != NULL
            && (error_name == NULL || strcmp(error_name, error_table[i].error) != 0))
            continue;
        if (error_table[i].contains != NULL
            && (description == NULL || strstr(description, error_table[i].contains) == NULL))
            continue;
        return error_table[i].status;
    }
    return SIGIL_SERVER_ERROR;
}

/* ---- small helpers ---- */

static char *dup_str(const char *s)
{
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d != NULL)
        memcpy(d, s, n + 1);
    return d;
}


void sigil_csc_free_strings(char **strings, size_t count)
{
    if (strings == NULL)
        return;
    for (size_t i = 0; i < count; i++)
        free(strings[i]);
    free(strings);
}

void sigil_csc_free_buffers(sigil_buffer *buffers, size_t count)
{
    if (buffers == NULL)
        return;
    for (size_t i = 0; i < count; i++)
        sigil_buffer_free(&buffers[i]);
    free(buffers);
}

static void info_clear(sigil_csc_credential_info *info)
{
    free(info->credential_id);
    free(info->key_status);
    free(info->cert_status);
    sigil_csc_free_strings(info->algos, info->algo_count);
    free(info->curve);
    sigil_csc_free_buffers(info->certificates, info->certificate_count);
    free(info->auth_mode);
    free(info->scal);
    memset(info, 0, sizeof *info);
}

static void cache_clear(sigil_csc_session *s)
{
    while (s->cache != NULL) {
        cache_entry *next = s->cache->next;
        info_clear(&s->cache->info);
        free(s->cache);
        s->cache = next;
    }
}

static void forget_token(sigil_csc_session *s)
{
    sigil_free_secret(s->token);
    s->token = NULL;
}

sigil_status sigil_csc_session_new(const sigil_transport *transport, sigil_csc_session **out)
{
    if (out == NULL)
        return SIGIL_INVALID_ARGUMENT;
    *out = NULL;
    if (transport == NULL || transport->post == NULL)
        return SIGIL_INVALID_ARGUMENT;
    sigil_csc_session *s = calloc(1, sizeof *s);
    if (s == NULL)
        return SIGIL_NO_MEMORY;
    s->transport = *transport;
    *out = s;
    return SIGIL_OK;
}

void sigil_csc_session_free(sigil_csc_session *s)
{
    if (s == NULL)
        return;
    forget_token(s);
    cache_clear(s);
    free(s);
}

int sigil_csc_logged_in(const sigil_csc_session *s) { return s != NULL && s->token != NULL; }
int sigil_csc_last_http_status(const sigil_csc_session *s) { return s->last_http; }
const char *sigil_csc_last_error(const sigil_csc_session *s) { return s->last_error; }
const char *sigil_csc_last_error_description(const sigil_csc_session *s)
{
    return s->last_description;
}

static void copy_bounded(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Records an error answer and maps it. The body may be anything, even not JSON. */
static sigil_status error_answer(sigil_csc_session *s, int http, const sigil_buffer *body)
{
    sigil_json *doc = NULL;
    const char *name = NULL, *description = NULL;
    if (body->len > 0 && sigil_json_parse((const char *)body->data, body->len, &doc) == SIGIL_OK) {
        if (sigil_json_get_string(doc, "error", &name, NULL) != SIGIL_OK)
            name = NULL;
        if (sigil_json_get_string(doc, "error_description", &description, NULL) != SIGIL_OK)
            description = NULL;
    }
    copy_bounded(s->last_error, sizeof s->last_error, name != NULL ? name : "");
    copy_bounded(s->last_description, sizeof s->last_description,
                 description != NULL ? description : "");
    sigil_status st = sigil_csc_map_error(http, name, description);
    sigil_json_free(doc);
    return st;
}

/* "Bearer <token>" on the heap, zeroed by the caller with sigil_free_secret. */
static sigil_status bearer_header(const sigil_csc_session *s, char **out)
{
    *out = NULL;
    if (s->token == NULL)
        return SIGIL_SESSION_EXPIRED;
    size_t n = strlen(s->token);
    char *h = malloc(7 + n + 1);
    if (h == NULL)
        return SIGIL_NO_MEMORY;
    memcpy(h, "Bearer ", 7);
    memcpy(h + 7, s->token, n + 1);
    *out = h;
    return SIGIL_OK;
}

/* Sends body (NULL for "{}") to path with the given Authorization header and, when the answer has
 * the status expected, parses it into *doc (NULL when doc is NULL: the body is ignored). The
 * request and answer buffers are zeroed here; the body is freed by the caller. */
static sigil_status exchange(sigil_csc_session *s, const char *path, const char *authorization,
                             const char *body, size_t body_len, int expected, sigil_json **doc)
{
    s->last_http = 0;
    s->last_error[0] = '\0';
    s->last_description[0] = '\0';
    if (doc != NULL)
        *doc = NULL;
    if (body == NULL) {
        body = "{}";
        body_len = 2;
    }
    int http = 0;
    sigil_buffer answer = { NULL, 0 };
    sigil_status st = s->transport.post(s->transport.ctx, path, authorization,
                                        (const unsigned char *)body, body_len,
                                        s->transport.timeout_ms, &http, &answer);
    if (st != SIGIL_OK) {
        sigil_buffer_free(&answer);
        return st;
    }
    s->last_http = http;
    if (http != expected && !(expected == 204 && http == 200)) {
        st = error_answer(s, http, &answer);
    } else if (doc != NULL) {
        st = sigil_json_parse((const char *)answer.data, answer.len, doc);
        if (st == SIGIL_OK && sigil_json_type_of(*doc) != SIGIL_JSON_OBJECT) {
            sigil_json_free(*doc);
            *doc = NULL;
            st = SIGIL_PARSE_ERROR;
        } else if (st == SIGIL_LIMIT_EXCEEDED || st == SIGIL_INVALID_ARGUMENT) {
            st = SIGIL_PARSE_ERROR;
        }
    }
    sigil_buffer_free(&answer);
    if (st == SIGIL_SESSION_EXPIRED)
        forget_token(s);
    return st;
}

/* A member that the answer must have: a missing one is a PARSE_ERROR like a mistyped one. */
/*
 * Finishes w (or disposes of it when st already reports a failure), posts it to path with the
 * session's bearer token expecting 200, and zeroes the request body and the header: the body may
 * hold a PIN, an OTP or a SAD. *doc is set only on SIGIL_OK; the caller frees it.
 */
static sigil_status post_json(sigil_csc_session *s, const char *path, sigil_json_writer *w,
                              sigil_status st, sigil_json **doc)
{
    char *body = NULL, *header = NULL;
    size_t body_len = 0;
    if (st == SIGIL_OK)
        st = sigil_jw_finish(w, &body, &body_len);
    else
        sigil_jw_dispose(w);
    if (st == SIGIL_OK)
        st = bearer_header(s, &header);
    if (st == SIGIL_OK)
        st = exchange(s, path, header, body, body_len, 200, doc);
    sigil_free_secret(header);
    sigil_json_free_text(body, body_len);
    return st;
}

static sigil_status required(sigil_status st)
{
    return st == SIGIL_NOT_FOUND ? SIGIL_PARSE_ERROR : st;
}

/* Appends "hashes": [base64...] for count hashes of hash_len bytes. */
static sigil_status write_hashes(sigil_json_writer *w, const unsigned char *hashes,
                                 size_t hash_len, size_t count)
{
    size_t cap = sigil_base64_encoded_len(hash_len) + 1;
    char *text = malloc(cap);
    if (text == NULL)
        return SIGIL_NO_MEMORY;
    sigil_jw_key(w, "hashes");
    sigil_jw_begin_array(w);
    sigil_status st = SIGIL_OK;
    for (size_t i = 0; i < count && st == SIGIL_OK; i++) {
        st = sigil_base64_encode(hashes + i * hash_len, hash_len, text, cap, NULL);
        if (st == SIGIL_OK)
            sigil_jw_string(w, text);
    }
    sigil_jw_end_array(w);
    free(text);
    return st;
}

static sigil_status check_hashes(const unsigned char *hashes, size_t hash_len, size_t count,
                                 const char *hash_oid)
{
    if (hashes == NULL || count == 0 || count > 1000 || hash_oid == NULL)
        return SIGIL_INVALID_ARGUMENT;
    const sigil_hash_info *h = sigil_hash_by_oid(hash_oid);
    if (h == NULL)
        return SIGIL_UNSUPPORTED;
    return h->digest_len == hash_len ? SIGIL_OK : SIGIL_INVALID_ARGUMENT;
}

/* ---- auth/login, auth/revoke ---- */

static sigil_status basic_header(const char *username, const char *password, size_t password_len,
                                 char **out)
{
    size_t ulen = strlen(username);
    if (ulen == 0 || strchr(username, ':') != NULL || password_len > 4096)
        return SIGIL_INVALID_ARGUMENT;
    size_t plain_len = ulen + 1 + password_len;
    char *plain = malloc(plain_len);
    if (plain == NULL)
        return SIGIL_NO_MEMORY;
    memcpy(plain, username, ulen);
    plain[ulen] = ':';
    if (password_len > 0)
        memcpy(plain + ulen + 1, password, password_len);
    size_t cap = 6 + sigil_base64_encoded_len(plain_len) + 1;
    char *h = malloc(cap);
    sigil_status st = SIGIL_NO_MEMORY;
    if (h != NULL) {
        memcpy(h, "Basic ", 6);
        st = sigil_base64_encode(plain, plain_len, h + 6, cap - 6, NULL);
        if (st != SIGIL_OK) {
            sigil_secure_zero(h, cap);
            free(h);
            h = NULL;
        }
    }
    sigil_secure_zero(plain, plain_len);
    free(plain);
    *out = h;
    return st;
}

sigil_status sigil_csc_login(sigil_csc_session *s, const char *username, const char *password,
                             size_t password_len)
{
    if (s == NULL || username == NULL || (password == NULL && password_len > 0))
        return SIGIL_INVALID_ARGUMENT;
    char *header;
    sigil_status st = basic_header(username, password, password_len, &header);
    if (st != SIGIL_OK)
        return st;
    sigil_json *doc;
    st = exchange(s, "auth/login", header, NULL, 0, 200, &doc);
    sigil_free_secret(header);
    if (st != SIGIL_OK)
        return st;
    const char *token;
    int64_t expires;
    st = required(sigil_json_get_string(doc, "access_token", &token, NULL));
    if (st == SIGIL_OK && token[0] == '\0')
        st = SIGIL_PARSE_ERROR;
    if (st == SIGIL_OK && sigil_json_get(doc, "expires_in") != NULL)
        st = sigil_json_get_int64(doc, "expires_in", &expires);
    char *copy = NULL;
    if (st == SIGIL_OK && (copy = dup_str(token)) == NULL)
        st = SIGIL_NO_MEMORY;
    sigil_json_free(doc);
    if (st != SIGIL_OK)
        return st == SIGIL_LIMIT_EXCEEDED ? SIGIL_PARSE_ERROR : st;
    forget_token(s);
    cache_clear(s);
    s->token = copy;
    return SIGIL_OK;
}

sigil_status sigil_csc_sign_digest(sigil_csc_session *s, const char *credential_id,
                                   sigil_key_type key, sigil_padding padding, sigil_hash hash,
                                   const unsigned char *digest, size_t digest_len,
                                   const char *pin, const char *otp, size_t field_len,
                                   unsigned char *out, size_t out_len)
{
    if (s == NULL || credential_id == NULL || digest == NULL || out == NULL || out_len == 0
        || (key == SIGIL_KEY_EC && out_len != 2 * field_len))
        return SIGIL_INVALID_ARGUMENT;
    const sigil_hash_info *h = sigil_hash_info_of(hash);
    const sigil_sign_algo_info *algo = sigil_sign_algo_find(key, padding, hash);
    if (h == NULL || algo == NULL)
        return SIGIL_UNSUPPORTED;
    unsigned char params[64];
    size_t params_len = 0;
    if (padding == SIGIL_PAD_PSS
        && sigil_pss_params_build(hash, params, sizeof params, &params_len) != SIGIL_OK)
        return SIGIL_UNSUPPORTED;
    char *sad = NULL;
    int64_t expires = 0;
    sigil_status st = sigil_csc_authorize(s, credential_id, digest, digest_len, 1, h->oid, pin,
                                          otp, &sad, &expires);
    if (st != SIGIL_OK)
        return st;
    sigil_buffer *sigs = NULL;
    size_t n = 0;
    st = sigil_csc_sign_hash(s, credential_id, sad, digest, digest_len, 1, h->oid, algo->oid,
                             params_len > 0 ? params : NULL, params_len, &sigs, &n);
    sigil_free_secret(sad);
    if (st != SIGIL_OK)
        return st;
    if (key == SIGIL_KEY_EC) {
        size_t raw_len = 0;
        if (sigil_ecdsa_der_to_raw(sigs[0].data, sigs[0].len, field_len, out, out_len, &raw_len)
                != SIGIL_OK || raw_len != out_len)
            st = SIGIL_PARSE_ERROR;
    } else if (sigs[0].len != out_len) {
        st = SIGIL_PARSE_ERROR;
    } else {
        memcpy(out, sigs[0].data, out_len);
    }
    sigil_csc_free_buffers(sigs, n);
    return st;
}

sigil_status sigil_csc_revoke(sigil_csc_session *s)
{
    if (s == NULL)
        return SIGIL_INVALID_ARGUMENT;
    char *header;
    sigil_status st = bearer_header(s, &header);
    if (st != SIGIL_OK)
        return st;
    st = exchange(s, "auth/revoke", header, NULL, 0, 204, NULL);
    sigil_free_secret(header);
    if (st == SIGIL_OK)
        forget_token(s);
    return st;
}

/* ---- credentials/list ---- */

sigil_status sigil_csc_list(sigil_csc_session *s, char ***ids, size_t *count)
{
    if (s == NULL || ids == NULL || count == NULL)
        return SIGIL_INVALID_ARGUMENT;
    *ids = NULL;
    *count = 0;
    char *header;
    sigil_status st = bearer_header(s, &header);
    if (st != SIGIL_OK)
        return st;
    sigil_json *doc;
    st = exchange(s, "credentials/list", header, NULL, 0, 200, &doc);
    sigil_free_secret(header);
    if (st != SIGIL_OK)
        return st;
    const sigil_json *array;
    st = required(sigil_json_get_string_array(doc, "credentialIDs", &array));
    size_t n = st == SIGIL_OK ? sigil_json_count(array) : 0;
    char **out = NULL;
    if (st == SIGIL_OK && n > 0 && (out = calloc(n, sizeof *out)) == NULL)
        st = SIGIL_NO_MEMORY;
    for (size_t i = 0; i < n && st == SIGIL_OK; i++) {
        const char *id;
        st = sigil_json_string(sigil_json_at(array, i), &id, NULL);
        if (st == SIGIL_OK && (out[i] = dup_str(id)) == NULL)
            st = SIGIL_NO_MEMORY;
    }
    sigil_json_free(doc);
    if (st != SIGIL_OK) {
        sigil_csc_free_strings(out, n);
        return st;
    }
    *ids = out;
    *count = n;
    return SIGIL_OK;
}

/* ---- credentials/info ---- */

/* An optional string member copied into *out (NULL when absent). */
static sigil_status optional_string(const sigil_json *obj, const char *key, char **out)
{
    const char *v;
    sigil_status st = sigil_json_get_string(obj, key, &v, NULL);
    if (st == SIGIL_NOT_FOUND)
        return SIGIL_OK;
    if (st != SIGIL_OK)
        return st;
    return (*out = dup_str(v)) == NULL ? SIGIL_NO_MEMORY : SIGIL_OK;
}

static sigil_status parse_key(const sigil_json *key, sigil_csc_credential_info *info)
{
    if (key == NULL || sigil_json_type_of(key) != SIGIL_JSON_OBJECT)
        return SIGIL_PARSE_ERROR;
    const sigil_json *algos;
    sigil_status st = required(sigil_json_get_string_array(key, "algo", &algos));
    size_t n = st == SIGIL_OK ? sigil_json_count(algos) : 0;
    if (st == SIGIL_OK && n == 0)
        st = SIGIL_PARSE_ERROR;
    if (st == SIGIL_OK && (info->algos = calloc(n, sizeof *info->algos)) == NULL)
        st = SIGIL_NO_MEMORY;
    for (size_t i = 0; i < n && st == SIGIL_OK; i++) {
        const char *oid;
        st = sigil_json_string(sigil_json_at(algos, i), &oid, NULL);
        if (st == SIGIL_OK && (info->algos[i] = dup_str(oid)) == NULL)
            st = SIGIL_NO_MEMORY;
        info->algo_count = i + 1;
    }
    if (st == SIGIL_OK)
        st = required(sigil_json_get_int64(key, "len", &info->key_len));
    if (st == SIGIL_OK && info->key_len <= 0)
        st = SIGIL_PARSE_ERROR;
    if (st == SIGIL_OK)
        st = optional_string(key, "curve", &info->curve);
    if (st == SIGIL_OK)
        st = optional_string(key, "status", &info->key_status);
    return st;
}

static sigil_status parse_certificates(const sigil_json *cert, sigil_csc_credential_info *info)
{
    if (cert == NULL)
        return SIGIL_OK;
    if (sigil_json_type_of(cert) != SIGIL_JSON_OBJECT)
        return SIGIL_PARSE_ERROR;
    sigil_status st = optional_string(cert, "status", &info->cert_status);
    if (st != SIGIL_OK)
        return st;
    const sigil_json *certs;
    st = sigil_json_get_string_array(cert, "certificates", &certs);
    if (st == SIGIL_NOT_FOUND)
        return SIGIL_OK;
    size_t n = st == SIGIL_OK ? sigil_json_count(certs) : 0;
    if (st == SIGIL_OK && n > 0
        && (info->certificates = calloc(n, sizeof *info->certificates)) == NULL)
        st = SIGIL_NO_MEMORY;
    for (size_t i = 0; i < n && st == SIGIL_OK; i++) {
        const char *text;
        size_t len, der_len;
        st = sigil_json_string(sigil_json_at(certs, i), &text, &len);
        if (st != SIGIL_OK)
            break;
        size_t cap = sigil_base64_decoded_max(len);
        info->certificate_count = i + 1;
        if (len == 0 || (info->certificates[i].data = malloc(cap)) == NULL) {
            st = len == 0 ? SIGIL_PARSE_ERROR : SIGIL_NO_MEMORY;
            break;
        }
        der_len = 0;
        st = sigil_base64_decode(text, len, info->certificates[i].data, cap, &der_len);
        /* After a failed decode only the capacity is known to be written: zero that much. */
        info->certificates[i].len = st == SIGIL_OK ? der_len : cap;
    }
    return st;
}

static sigil_status parse_auth(const sigil_json *auth, sigil_csc_credential_info *info)
{
    if (auth == NULL)
        return SIGIL_OK;
    if (sigil_json_type_of(auth) != SIGIL_JSON_OBJECT)
        return SIGIL_PARSE_ERROR;
    sigil_status st = optional_string(auth, "mode", &info->auth_mode);
    const sigil_json *objects = sigil_json_get(auth, "objects");
    if (st != SIGIL_OK || objects == NULL)
        return st;
    if (sigil_json_type_of(objects) != SIGIL_JSON_ARRAY)
        return SIGIL_PARSE_ERROR;
    for (size_t i = 0; i < sigil_json_count(objects); i++) {
        const sigil_json *o = sigil_json_at(objects, i);
        const char *id;
        if (sigil_json_type_of(o) != SIGIL_JSON_OBJECT)
            return SIGIL_PARSE_ERROR;
        st = required(sigil_json_get_string(o, "id", &id, NULL));
        if (st != SIGIL_OK)
            return st;
        if (strcmp(id, "PIN") == 0)
            info->pin_required = 1;
        else if (strcmp(id, "OTP") == 0)
            info->otp_required = 1;
    }
    return SIGIL_OK;
}

const char *sigil_csc_unusable_reason(const sigil_csc_credential_info *info)
{
    if (info == NULL || info->certificate_count == 0)
        return "no certificate on the server";
    if (info->key_status != NULL && strcmp(info->key_status, "enabled") != 0)
        return "disabled on the server";
    const char *c = info->cert_status;
    if (c == NULL || strcmp(c, "valid") == 0)
        return NULL;
    if (strcmp(c, "revoked") == 0)
        return "certificate revoked on the server";
    if (strcmp(c, "suspended") == 0)
        return "certificate suspended on the server";
    if (strcmp(c, "expired") == 0)
        return "certificate expired on the server";
    return "certificate not valid according to the server";
}

static sigil_status parse_info(const sigil_json *doc, sigil_csc_credential_info *info)
{
    sigil_status st = parse_key(sigil_json_get(doc, "key"), info);
    if (st == SIGIL_OK)
        st = parse_certificates(sigil_json_get(doc, "cert"), info);
    if (st == SIGIL_OK)
        st = parse_auth(sigil_json_get(doc, "auth"), info);
    if (st == SIGIL_OK)
        st = optional_string(doc, "SCAL", &info->scal);
    info->multisign = 1;
    if (st == SIGIL_OK && sigil_json_get(doc, "multisign") != NULL) {
        st = sigil_json_get_int64(doc, "multisign", &info->multisign);
        if (st == SIGIL_OK && info->multisign < 1)
            st = SIGIL_PARSE_ERROR;
    }
    return st == SIGIL_LIMIT_EXCEEDED ? SIGIL_PARSE_ERROR : st;
}

sigil_status sigil_csc_info(sigil_csc_session *s, const char *credential_id,
                            const sigil_csc_credential_info **info)
{
    if (s == NULL || credential_id == NULL || info == NULL)
        return SIGIL_INVALID_ARGUMENT;
    *info = NULL;
    for (const cache_entry *e = s->cache; e != NULL; e = e->next) {
        if (strcmp(e->info.credential_id, credential_id) == 0) {
            *info = &e->info;
            return SIGIL_OK;
        }
    }
    sigil_json_writer w;
    sigil_jw_init(&w);
    sigil_jw_begin_object(&w);
    sigil_jw_member_string(&w, "credentialID", credential_id);
    sigil_jw_member_string(&w, "certificates", "chain");
    sigil_jw_member_bool(&w, "certInfo", 1);
    sigil_jw_end_object(&w);
    sigil_json *doc = NULL;
    sigil_status st = post_json(s, "credentials/info", &w, SIGIL_OK, &doc);
    if (st != SIGIL_OK)
        return st;
    cache_entry *e = calloc(1, sizeof *e);
    if (e == NULL) {
        sigil_json_free(doc);
        return SIGIL_NO_MEMORY;
    }
    st = parse_info(doc, &e->info);
    if (st == SIGIL_OK && (e->info.credential_id = dup_str(credential_id)) == NULL)
        st = SIGIL_NO_MEMORY;
    sigil_json_free(doc);
    if (st != SIGIL_OK) {
        info_clear(&e->info);
        free(e);
        return st;
    }
    e->next = s->cache;
    s->cache = e;
    *info = &e->info;
    return SIGIL_OK;
}

/* ---- credentials/authorize, signatures/signHash ---- */

sigil_status sigil_csc_authorize(sigil_csc_session *s, const char *credential_id,
                                 const unsigned char *hashes, size_t hash_len, size_t count,
                                 const char *hash_oid, const char *pin, const char *otp,
                                 char **sad, int64_t *expires_in)
{
    if (s == NULL || credential_id == NULL || sad == NULL || expires_in == NULL)
        return SIGIL_INVALID_ARGUMENT;
    *sad = NULL;
    *expires_in = 0;
    sigil_status st = check_hashes(hashes, hash_len, count, hash_oid);
    if (st != SIGIL_OK)
        return st;
    sigil_json_writer w;
    sigil_jw_init(&w);
    sigil_jw_begin_object(&w);
    sigil_jw_member_string(&w, "credentialID", credential_id);
    sigil_jw_member_int64(&w, "numSignatures", (int64_t)count);
    st = write_hashes(&w, hashes, hash_len, count);
    sigil_jw_member_string(&w, "hashAlgorithmOID", hash_oid);
    if (pin != NULL)
        sigil_jw_member_string(&w, "PIN", pin);
    if (otp != NULL)
        sigil_jw_member_string(&w, "OTP", otp);
    sigil_jw_end_object(&w);
    sigil_json *doc = NULL;
    st = post_json(s, "credentials/authorize", &w, st, &doc); /* zeroes the PIN and OTP */
    if (st != SIGIL_OK)
        return st;
    const char *value;
    st = required(sigil_json_get_string(doc, "SAD", &value, NULL));
    if (st == SIGIL_OK && value[0] == '\0')
        st = SIGIL_PARSE_ERROR;
    if (st == SIGIL_OK)
        st = required(sigil_json_get_int64(doc, "expiresIn", expires_in));
    if (st == SIGIL_OK && (*sad = dup_str(value)) == NULL)
        st = SIGIL_NO_MEMORY;
    sigil_json_free(doc);
    if (st != SIGIL_OK)
        *expires_in = 0;
    return st == SIGIL_LIMIT_EXCEEDED ? SIGIL_PARSE_ERROR : st;
}

static sigil_status decode_signatures(const sigil_json *doc, size_t expected, sigil_buffer **out)
{
    const sigil_json *array;
    sigil_status st = required(sigil_json_get_string_array(doc, "signatures", &array));
    if (st != SIGIL_OK)
        return st;
    if (sigil_json_count(array) != expected)
        return SIGIL_PARSE_ERROR;
    sigil_buffer *sigs = calloc(expected, sizeof *sigs);
    if (sigs == NULL)
        return SIGIL_NO_MEMORY;
    for (size_t i = 0; i < expected && st == SIGIL_OK; i++) {
        const char *text;
        size_t len;
        st = sigil_json_string(sigil_json_at(array, i), &text, &len);
        if (st == SIGIL_OK && len == 0)
            st = SIGIL_PARSE_ERROR;
        if (st != SIGIL_OK)
            break;
        size_t cap = sigil_base64_decoded_max(len);
        if ((sigs[i].data = malloc(cap)) == NULL) {
            st = SIGIL_NO_MEMORY;
            break;
        }
        st = sigil_base64_decode(text, len, sigs[i].data, cap, &sigs[i].len);
        if (st != SIGIL_OK)
            sigs[i].len = cap;
        else if (sigs[i].len == 0)
            st = SIGIL_PARSE_ERROR;
    }
    if (st != SIGIL_OK) {
        sigil_csc_free_buffers(sigs, expected);
        return st;
    }
    *out = sigs;
    return SIGIL_OK;
}

sigil_status sigil_csc_sign_hash(sigil_csc_session *s, const char *credential_id, const char *sad,
                                 const unsigned char *hashes, size_t hash_len, size_t count,
                                 const char *hash_oid, const char *sign_algo,
                                 const unsigned char *sign_params, size_t params_len,
                                 sigil_buffer **signatures, size_t *signature_count)
{
    if (s == NULL || credential_id == NULL || sad == NULL || sign_algo == NULL
        || signatures == NULL || signature_count == NULL || (sign_params == NULL && params_len > 0))
        return SIGIL_INVALID_ARGUMENT;
    *signatures = NULL;
    *signature_count = 0;
    sigil_status st = check_hashes(hashes, hash_len, count, hash_oid);
    if (st != SIGIL_OK)
        return st;
    char *params = NULL;
    if (params_len > 0) {
        size_t cap = sigil_base64_encoded_len(params_len) + 1;
        if (cap == 1 || (params = malloc(cap)) == NULL)
            return SIGIL_NO_MEMORY;
        st = sigil_base64_encode(sign_params, params_len, params, cap, NULL);
    }
    sigil_json_writer w;
    sigil_jw_init(&w);
    sigil_jw_begin_object(&w);
    sigil_jw_member_string(&w, "credentialID", credential_id);
    sigil_jw_member_string(&w, "SAD", sad);
    if (st == SIGIL_OK)
        st = write_hashes(&w, hashes, hash_len, count);
    sigil_jw_member_string(&w, "hashAlgorithmOID", hash_oid);
    sigil_jw_member_string(&w, "signAlgo", sign_algo);
    if (params != NULL)
        sigil_jw_member_string(&w, "signAlgoParams", params);
    sigil_jw_end_object(&w);
    free(params);
    sigil_json *doc = NULL;
    st = post_json(s, "signatures/signHash", &w, st, &doc); /* zeroes the SAD */
    if (st != SIGIL_OK)
        return st;
    st = decode_signatures(doc, count, signatures);
    sigil_json_free(doc);
    if (st == SIGIL_OK)
        *signature_count = count;
    return st == SIGIL_LIMIT_EXCEEDED ? SIGIL_PARSE_ERROR : st;
}
