#include "der.h"

#include <string.h>

#define MAX_SCALAR 66   /* P-521 */

static size_t length_octets(size_t len)
{
    return len < 0x80 ? 1 : len < 0x100 ? 2 : 3;
}

static size_t put_length(unsigned char *out, size_t len)
{
    if (len < 0x80) {
        out[0] = (unsigned char)len;
        return 1;
    }
    if (len < 0x100) {
        out[0] = 0x81;
        out[1] = (unsigned char)len;
        return 2;
    }
    out[0] = 0x82;
    out[1] = (unsigned char)(len >> 8);
    out[2] = (unsigned char)len;
    return 3;
}

/* The content length of the minimal INTEGER for the unsigned big-endian value v[0..n), and in
 * *skip how many leading zero bytes to drop. 0 means the value is zero. */
static size_t integer_content_len(const unsigned char *v, size_t n, size_t *skip)
{
    size_t i = 0;
    while (i < n && v[i] == 0)
        i++;
    *skip = i;
    if (i == n)
        return 0;
    return n - i + ((v[i] & 0x80) ? 1 : 0);   /* a 0x00 keeps a set high bit from meaning negative */
}

size_t sigil_ecdsa_der_max_len(size_t field_len)
{
    size_t integer = 1 + length_octets(field_len + 1) + field_len + 1;
    return 1 + length_octets(2 * integer) + 2 * integer;
}

static size_t put_integer(unsigned char *out, const unsigned char *v, size_t n)
{
    size_t skip;
    size_t content = integer_content_len(v, n, &skip);
    size_t o = 0;
    out[o++] = 0x02;
    o += put_length(out + o, content);
    if (content > n - skip)
        out[o++] = 0x00;
    memcpy(out + o, v + skip, n - skip);
    return o + n - skip;
}

sigil_status sigil_ecdsa_raw_to_der(const unsigned char *raw, size_t raw_len, unsigned char *out,
                                    size_t out_cap, size_t *out_len)
{
    if (!raw || !out_len || raw_len == 0 || raw_len % 2 != 0 || raw_len / 2 > MAX_SCALAR)
        return SIGIL_INVALID_ARGUMENT;
    size_t half = raw_len / 2, skip;
    size_t r_len = integer_content_len(raw, half, &skip);
    size_t s_len = integer_content_len(raw + half, half, &skip);
    if (r_len == 0 || s_len == 0)
        return SIGIL_INVALID_ARGUMENT;
    size_t body = 1 + length_octets(r_len) + r_len + 1 + length_octets(s_len) + s_len;
    size_t total = 1 + length_octets(body) + body;
    if (!out || out_cap < total) {
        *out_len = total;
        return SIGIL_BUFFER_TOO_SMALL;
    }
    size_t o = 0;
    out[o++] = 0x30;
    o += put_length(out + o, body);
    o += put_integer(out + o, raw, half);
    o += put_integer(out + o, raw + half, half);
    *out_len = o;
    return SIGIL_OK;
}

/* Reads a tag and a minimal definite length at *p (bounded by end); on success *p points at the
 * content and *len is its length, which fits before end. */
static int read_header(const unsigned char **p, const unsigned char *end, unsigned char tag,
                       size_t *len)
{
    const unsigned char *q = *p;
    if (end - q < 2 || q[0] != tag)
        return 0;
    unsigned char first = q[1];
    q += 2;
    size_t n;
    if (first < 0x80) {
        n = first;
    } else if (first == 0x81) {
        if (end - q < 1 || q[0] < 0x80)
            return 0;                         /* would fit the short form */
        n = q[0];
        q += 1;
    } else if (first == 0x82) {
        if (end - q < 2 || q[0] == 0)
            return 0;                         /* would fit one length octet */
        n = (size_t)q[0] << 8 | q[1];
        q += 2;
    } else {
        return 0;                             /* indefinite (0x80) or absurdly long */
    }
    if ((size_t)(end - q) < n)
        return 0;
    *p = q;
    *len = n;
    return 1;
}

/* Reads one positive minimal INTEGER into out[0..field_len), left-padded with zeros. */
static int read_scalar(const unsigned char **p, const unsigned char *end, size_t field_len,
                       unsigned char *out)
{
    size_t n;
    if (!read_header(p, end, 0x02, &n) || n == 0)
        return 0;
    const unsigned char *v = *p;
    *p += n;
    if (v[0] & 0x80)
        return 0;                             /* negative */
    if (v[0] == 0x00) {
        if (n == 1 || !(v[1] & 0x80))
            return 0;                         /* zero, or a redundant leading zero */
        v++;
        n--;
    }
    if (n > field_len)
        return 0;
    memset(out, 0, field_len - n);
    memcpy(out + field_len - n, v, n);
    return 1;
}

sigil_status sigil_ecdsa_der_to_raw(const unsigned char *der, size_t der_len, size_t field_len,
                                    unsigned char *out, size_t out_cap, size_t *out_len)
{
    if (!der || !out_len || field_len == 0 || field_len > MAX_SCALAR)
        return SIGIL_INVALID_ARGUMENT;
    if (!out || out_cap < 2 * field_len) {
        *out_len = 2 * field_len;
        return SIGIL_BUFFER_TOO_SMALL;
    }
    const unsigned char *p = der, *end = der + der_len;
    size_t body;
    if (!read_header(&p, end, 0x30, &body) || p + body != end)
        return SIGIL_PARSE_ERROR;             /* not a SEQUENCE, or bytes after it */
    if (!read_scalar(&p, end, field_len, out) || !read_scalar(&p, end, field_len, out + field_len) ||
        p != end)
        return SIGIL_PARSE_ERROR;
    *out_len = 2 * field_len;
    return SIGIL_OK;
}

static const unsigned char prefix_sha256[] = {
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
    0x05, 0x00, 0x04, 0x20 };
static const unsigned char prefix_sha384[] = {
    0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02,
    0x05, 0x00, 0x04, 0x30 };
static const unsigned char prefix_sha512[] = {
    0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03,
    0x05, 0x00, 0x04, 0x40 };

const unsigned char *sigil_digestinfo_prefix(sigil_hash hash, size_t *len)
{
    const unsigned char *p;
    switch (hash) {
    case SIGIL_HASH_SHA256: p = prefix_sha256; break;
    case SIGIL_HASH_SHA384: p = prefix_sha384; break;
    case SIGIL_HASH_SHA512: p = prefix_sha512; break;
    default: return NULL;
    }
    if (len)
        *len = sizeof prefix_sha256;          /* all three prefixes have the same length */
    return p;
}

sigil_status sigil_digestinfo_build(sigil_hash hash, const unsigned char *digest,
                                    size_t digest_len, unsigned char *out, size_t out_cap,
                                    size_t *out_len)
{
    size_t prefix_len;
    const unsigned char *prefix = sigil_digestinfo_prefix(hash, &prefix_len);
    const sigil_hash_info *info = sigil_hash_info_of(hash);
    if (!prefix || !info || !digest || !out_len || digest_len != info->digest_len)
        return SIGIL_INVALID_ARGUMENT;
    if (!out || out_cap < prefix_len + digest_len) {
        *out_len = prefix_len + digest_len;
        return SIGIL_BUFFER_TOO_SMALL;
    }
    memcpy(out, prefix, prefix_len);
    memcpy(out + prefix_len, digest, digest_len);
    *out_len = prefix_len + digest_len;
    return SIGIL_OK;
}

sigil_status sigil_digestinfo_parse(const unsigned char *in, size_t in_len, sigil_hash *hash,
                                    const unsigned char **digest, size_t *digest_len)
{
    static const sigil_hash candidates[] = { SIGIL_HASH_SHA256, SIGIL_HASH_SHA384,
                                             SIGIL_HASH_SHA512 };
    if (!in || !hash || !digest || !digest_len)
        return SIGIL_INVALID_ARGUMENT;
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
        size_t prefix_len;
        const unsigned char *prefix = sigil_digestinfo_prefix(candidates[i], &prefix_len);
        size_t len = sigil_hash_info_of(candidates[i])->digest_len;
        if (in_len == prefix_len + len && memcmp(in, prefix, prefix_len) == 0) {
            *hash = candidates[i];
            *digest = in + prefix_len;
            *digest_len = len;
            return SIGIL_OK;
        }
    }
    return SIGIL_NOT_FOUND;
}

sigil_status sigil_pss_params_build(sigil_hash hash, unsigned char *out, size_t out_cap,
                                    size_t *out_len)
{
    /* id-mgf1 (1.2.840.113549.1.1.8) */
    static const unsigned char mgf1[] = { 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
                                          0x01, 0x01, 0x08 };
    size_t prefix_len;
    const unsigned char *prefix = sigil_digestinfo_prefix(hash, &prefix_len);
    const sigil_hash_info *info = sigil_hash_info_of(hash);
    if (!prefix || !info || !out_len)
        return SIGIL_INVALID_ARGUMENT;
    /* The DigestInfo prefix is 30 len { AlgorithmIdentifier(15 bytes) } 04 len: the hash's
     * AlgorithmIdentifier (with NULL parameters) is its bytes 2..17. */
    const unsigned char *alg = prefix + 2;
    const size_t alg_len = 15;
    const size_t total = 2 + (2 + alg_len) + (2 + 2 + sizeof mgf1 + alg_len) + (2 + 3);
    if (!out || out_cap < total) {
        *out_len = total;
        return SIGIL_BUFFER_TOO_SMALL;
    }
    size_t n = 0;
    out[n++] = 0x30;
    out[n++] = (unsigned char)(total - 2);
    out[n++] = 0xa0;                                    /* [0] hashAlgorithm */
    out[n++] = (unsigned char)alg_len;
    memcpy(out + n, alg, alg_len);
    n += alg_len;
    out[n++] = 0xa1;                                    /* [1] maskGenAlgorithm */
    out[n++] = (unsigned char)(2 + sizeof mgf1 + alg_len);
    out[n++] = 0x30;
    out[n++] = (unsigned char)(sizeof mgf1 + alg_len);
    memcpy(out + n, mgf1, sizeof mgf1);
    n += sizeof mgf1;
    memcpy(out + n, alg, alg_len);
    n += alg_len;
    out[n++] = 0xa2;                                    /* [2] saltLength */
    out[n++] = 0x03;
    out[n++] = 0x02;
    out[n++] = 0x01;
    out[n++] = (unsigned char)info->digest_len;
    *out_len = n;
    return SIGIL_OK;
}
