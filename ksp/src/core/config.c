#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static void fail(char *err, size_t cap, const char *fmt, ...)
{
    if (err == NULL || cap == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d != NULL) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

enum { K_URL, K_CA, K_PIN, K_CERT, K_KEY, K_THUMB, K_USER, K_TIMEOUT, K_LABEL, K_OTP, K_COUNT };
static const char *const key_names[K_COUNT] = {
    "server_url", "ca_file", "pinned_sha256", "client_cert", "client_key", "client_cert_thumbprint",
    "username", "timeout_seconds", "label", "otp_command",
};

/* v[0..n) as exactly 2 * out_len hex digits into out; 0 when it is not. */
static int parse_hex(const char *v, size_t n, unsigned char *out, size_t out_len)
{
    if (n != 2 * out_len)
        return 0;
    for (size_t i = 0; i < out_len; i++) {
        int hi = hex_value(v[2 * i]), lo = hex_value(v[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return 0;
        out[i] = (unsigned char)(hi * 16 + lo);
    }
    return 1;
}

/* Stores one value; returns OK or PARSE_ERROR/NO_MEMORY with err filled. */
static sigil_status set_value(sigil_config *c, int key, const char *v, size_t n, unsigned line,
                              char *err, size_t cap)
{
    char **slot = NULL;
    switch (key) {
    case K_URL:
        if (n < 9 || strncmp(v, "https://", 8) != 0 || v[n - 1] == '/') {
            fail(err, cap, "line %u: server_url must start with https:// and not end with /", line);
            return SIGIL_PARSE_ERROR;
        }
        slot = &c->server_url;
        break;
    case K_CA: slot = &c->ca_file; break;
    case K_CERT: slot = &c->client_cert; break;
    case K_KEY: slot = &c->client_key; break;
    case K_USER: slot = &c->username; break;
    case K_OTP: slot = &c->otp_command; break;
    case K_LABEL:
        if (n > 32) {
            fail(err, cap, "line %u: label is longer than 32 bytes (a PKCS#11 token label)", line);
            return SIGIL_PARSE_ERROR;
        }
        slot = &c->label;
        break;
    case K_PIN:
        if (!parse_hex(v, n, c->pinned_sha256, sizeof c->pinned_sha256)) {
            fail(err, cap, "line %u: pinned_sha256 must be 64 hex digits", line);
            return SIGIL_PARSE_ERROR;
        }
        c->has_pinned = 1;
        return SIGIL_OK;
    case K_THUMB:
        if (!parse_hex(v, n, c->client_cert_sha1, sizeof c->client_cert_sha1)) {
            fail(err, cap, "line %u: client_cert_thumbprint must be 40 hex digits (the SHA-1 "
                           "thumbprint Windows shows, without spaces)", line);
            return SIGIL_PARSE_ERROR;
        }
        c->has_client_thumbprint = 1;
        return SIGIL_OK;
    case K_TIMEOUT: {
        unsigned t = 0;
        for (size_t i = 0; i < n; i++) {
            if (v[i] < '0' || v[i] > '9' || t > 600) {
                t = 0;
                break;
            }
            t = t * 10 + (unsigned)(v[i] - '0');
        }
        if (t < 1 || t > 600) {
            fail(err, cap, "line %u: timeout_seconds must be an integer from 1 to 600", line);
            return SIGIL_PARSE_ERROR;
        }
        c->timeout_seconds = t;
        return SIGIL_OK;
    }
    default:
        return SIGIL_INTERNAL;
    }
    if (memchr(v, '\0', n) != NULL) {
        fail(err, cap, "line %u: NUL character in %s", line, key_names[key]);
        return SIGIL_PARSE_ERROR;
    }
    *slot = dup_n(v, n);
    if (*slot == NULL) {
        fail(err, cap, "out of memory");
        return SIGIL_NO_MEMORY;
    }
    return SIGIL_OK;
}

static sigil_status parse_lines(const char *text, size_t len, sigil_config *c, char *err,
                                size_t cap)
{
    unsigned seen[K_COUNT] = {0};
    unsigned line = 0;
    size_t pos = 0;
    while (pos < len) {
        size_t end = pos;
        while (end < len && text[end] != '\n')
            end++;
        line++;
        size_t a = pos, b = end;
        pos = end + 1;
        while (a < b && is_space(text[a])) a++;
        while (b > a && is_space(text[b - 1])) b--;
        if (a == b || text[a] == '#')
            continue;
        const char *eq = memchr(text + a, '=', b - a);
        if (eq == NULL) {
            fail(err, cap, "line %u: expected key = value", line);
            return SIGIL_PARSE_ERROR;
        }
        size_t ke = (size_t)(eq - text), vs = ke + 1;
        while (ke > a && is_space(text[ke - 1])) ke--;
        while (vs < b && is_space(text[vs])) vs++;
        int key = -1;
        for (int k = 0; k < K_COUNT; k++)
            if (strlen(key_names[k]) == ke - a && memcmp(key_names[k], text + a, ke - a) == 0)
                key = k;
        if (key < 0) {
            fail(err, cap, "line %u: unknown key '%.*s'", line, (int)(ke - a > 40 ? 40 : ke - a),
                 text + a);
            return SIGIL_PARSE_ERROR;
        }
        if (seen[key]) {
            fail(err, cap, "line %u: %s repeated (first on line %u)", line, key_names[key],
                 seen[key]);
            return SIGIL_PARSE_ERROR;
        }
        seen[key] = line;
        if (vs == b) {
            fail(err, cap, "line %u: %s has an empty value", line, key_names[key]);
            return SIGIL_PARSE_ERROR;
        }
        sigil_status st = set_value(c, key, text + vs, b - vs, line, err, cap);
        if (st != SIGIL_OK)
            return st;
    }
    if (!seen[K_URL] || !seen[K_USER]) {
        fail(err, cap, "missing required key %s", seen[K_URL] ? "username" : "server_url");
        return SIGIL_PARSE_ERROR;
    }
    if (!seen[K_CA] && !seen[K_PIN]) {
        fail(err, cap, "missing ca_file or pinned_sha256: the server certificate must be checked");
        return SIGIL_PARSE_ERROR;
    }
    if (!seen[K_CERT] != !seen[K_KEY]) {
        fail(err, cap, "client_cert and client_key must be given together");
        return SIGIL_PARSE_ERROR;
    }
    if (seen[K_THUMB] && seen[K_CERT]) {
        fail(err, cap, "client_cert_thumbprint (line %u) and client_cert/client_key (files) "
                       "exclude each other: give one client certificate", seen[K_THUMB]);
        return SIGIL_PARSE_ERROR;
    }
    return SIGIL_OK;
}

sigil_status sigil_config_parse(const char *text, size_t len, sigil_config *out, char *err,
                                size_t err_cap)
{
    if (err != NULL && err_cap > 0)
        err[0] = '\0';
    if (out == NULL || (text == NULL && len > 0))
        return SIGIL_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    if (len > SIGIL_CONFIG_MAX_FILE) {
        fail(err, err_cap, "the configuration is larger than %u bytes", SIGIL_CONFIG_MAX_FILE);
        return SIGIL_LIMIT_EXCEEDED;
    }
    out->timeout_seconds = 30;
    sigil_status st = parse_lines(text, len, out, err, err_cap);
    if (st != SIGIL_OK)
        sigil_config_clear(out);
    return st;
}

sigil_status sigil_config_load_file(const char *path, sigil_config *out, char *err,
                                    size_t err_cap)
{
    if (path == NULL || out == NULL)
        return SIGIL_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fail(err, err_cap, "cannot open %s", path);
        return SIGIL_NOT_FOUND;
    }
    char *buf = malloc(SIGIL_CONFIG_MAX_FILE + 1);
    if (buf == NULL) {
        fclose(f);
        return SIGIL_NO_MEMORY;
    }
    size_t n = fread(buf, 1, SIGIL_CONFIG_MAX_FILE + 1, f);
    int bad = ferror(f);
    fclose(f);
    sigil_status st;
    if (bad) {
        fail(err, err_cap, "cannot read %s", path);
        st = SIGIL_NOT_FOUND;
    } else {
        st = sigil_config_parse(buf, n, out, err, err_cap);
    }
    free(buf);
    return st;
}

void sigil_config_clear(sigil_config *cfg)
{
    if (cfg == NULL)
        return;
    free(cfg->server_url);
    free(cfg->ca_file);
    free(cfg->client_cert);
    free(cfg->client_key);
    free(cfg->username);
    free(cfg->label);
    free(cfg->otp_command);
    memset(cfg, 0, sizeof *cfg);
}
