#include "base64.h"

#include <stdint.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t sigil_base64_encoded_len(size_t len)
{
    size_t groups = len / 3 + (len % 3 != 0);
    if (groups > SIZE_MAX / 4)
        return 0;
    return groups * 4;
}

size_t sigil_base64_decoded_max(size_t text_len)
{
    return text_len / 4 * 3;
}

sigil_status sigil_base64_encode(const void *in, size_t len, char *out, size_t out_cap,
                                 size_t *out_len)
{
    const unsigned char *p = in;
    if ((!in && len) || !out)
        return SIGIL_INVALID_ARGUMENT;
    size_t need = sigil_base64_encoded_len(len);
    if (need == 0 && len != 0)
        return SIGIL_LIMIT_EXCEEDED;
    if (out_cap < need + 1) {
        if (out_len)
            *out_len = need + 1;
        return SIGIL_BUFFER_TOO_SMALL;
    }
    size_t o = 0;
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        out[o++] = alphabet[v >> 18 & 63];
        out[o++] = alphabet[v >> 12 & 63];
        out[o++] = alphabet[v >> 6 & 63];
        out[o++] = alphabet[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        out[o++] = alphabet[v >> 18 & 63];
        out[o++] = alphabet[v >> 12 & 63];
        out[o++] = '=';
        out[o++] = '=';
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        out[o++] = alphabet[v >> 18 & 63];
        out[o++] = alphabet[v >> 12 & 63];
        out[o++] = alphabet[v >> 6 & 63];
        out[o++] = '=';
    }
    out[o] = '\0';
    if (out_len)
        *out_len = o;
    return SIGIL_OK;
}

/* The value of a base64 symbol, or -1. A switch-free range test keeps it independent of the
 * execution character set's table layout only for ASCII, which is all we support. */
static int symbol(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

sigil_status sigil_base64_decode(const char *text, size_t text_len, unsigned char *out,
                                 size_t out_cap, size_t *out_len)
{
    if ((!text && text_len) || (!out && text_len) || !out_len)
        return SIGIL_INVALID_ARGUMENT;
    if (text_len % 4 != 0)
        return SIGIL_PARSE_ERROR;
    size_t max = sigil_base64_decoded_max(text_len);
    if (out_cap < max) {
        *out_len = max;
        return SIGIL_BUFFER_TOO_SMALL;
    }
    size_t o = 0;
    for (size_t i = 0; i < text_len; i += 4) {
        int last = i + 4 == text_len;
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            unsigned char c = (unsigned char)text[i + (size_t)k];
            if (c == '=' && last && k >= 2) {
                v[k] = 0;
                pad++;
                continue;
            }
            if (pad > 0)                  /* a symbol after '=' ("ab=c") */
                return SIGIL_PARSE_ERROR;
            v[k] = symbol(c);
            if (v[k] < 0)
                return SIGIL_PARSE_ERROR;
        }
        uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 |
                     (uint32_t)v[3];
        if (pad == 2 && (v[1] & 0x0f) != 0)
            return SIGIL_PARSE_ERROR;     /* non-canonical: bits below the single byte */
        if (pad == 1 && (v[2] & 0x03) != 0)
            return SIGIL_PARSE_ERROR;
        out[o++] = (unsigned char)(w >> 16);
        if (pad < 2)
            out[o++] = (unsigned char)(w >> 8);
        if (pad < 1)
            out[o++] = (unsigned char)w;
    }
    *out_len = o;
    return SIGIL_OK;
}
