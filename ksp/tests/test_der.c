#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "der.h"

static void fill(unsigned char *p, size_t n, unsigned char v)
{
    memset(p, v, n);
}

static void encodes_small_scalars_minimally(void **state)
{
    (void)state;
    unsigned char raw[64] = { 0 };
    raw[31] = 0x01;                 /* r = 1 */
    raw[62] = 0x7f;                 /* s = 0x7fff: no leading zero needed */
    raw[63] = 0xff;
    unsigned char der[80];
    size_t len;
    assert_int_equal(sigil_ecdsa_raw_to_der(raw, 64, der, sizeof der, &len), SIGIL_OK);
    const unsigned char expected[] = { 0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x02, 0x7f, 0xff };
    assert_int_equal(len, sizeof expected);
    assert_memory_equal(der, expected, len);
}

static void adds_a_leading_zero_when_the_high_bit_is_set(void **state)
{
    (void)state;
    unsigned char raw[64];
    fill(raw, 32, 0x80);
    fill(raw + 32, 32, 0x01);
    unsigned char der[80];
    size_t len;
    assert_int_equal(sigil_ecdsa_raw_to_der(raw, 64, der, sizeof der, &len), SIGIL_OK);
    assert_int_equal(len, 2 + 2 + 33 + 2 + 32);
    assert_int_equal(der[0], 0x30);
    assert_int_equal(der[1], 2 + 33 + 2 + 32);
    assert_int_equal(der[2], 0x02);
    assert_int_equal(der[3], 33);
    assert_int_equal(der[4], 0x00);
    assert_int_equal(der[5], 0x80);
    assert_int_equal(der[4 + 33], 0x02);
    assert_int_equal(der[4 + 33 + 1], 32);
}

static void p521_signatures_use_the_long_form_length(void **state)
{
    (void)state;
    unsigned char raw[132];
    fill(raw, 132, 0xff);
    raw[0] = 0x01;                  /* a 521-bit r: 66 bytes, top byte 0x01 */
    raw[66] = 0x01;
    unsigned char der[160];
    size_t len;
    assert_int_equal(sigil_ecdsa_raw_to_der(raw, 132, der, sizeof der, &len), SIGIL_OK);
    assert_int_equal(len, 3 + 2 * (2 + 66));
    assert_int_equal(der[0], 0x30);
    assert_int_equal(der[1], 0x81);
    assert_int_equal(der[2], 2 * (2 + 66));
    unsigned char back[132];
    size_t back_len;
    assert_int_equal(sigil_ecdsa_der_to_raw(der, len, 66, back, sizeof back, &back_len), SIGIL_OK);
    assert_int_equal(back_len, 132);
    assert_memory_equal(back, raw, 132);

    /* The largest case: both scalars with the high bit set need 67 content bytes each. */
    fill(raw, 132, 0xff);
    assert_int_equal(sigil_ecdsa_raw_to_der(raw, 132, der, sizeof der, &len), SIGIL_OK);
    assert_int_equal(len, sigil_ecdsa_der_max_len(66));
    assert_int_equal(len, 141);
}

static void maximum_lengths_match_the_curves(void **state)
{
    (void)state;
    assert_int_equal(sigil_ecdsa_der_max_len(32), 72);
    assert_int_equal(sigil_ecdsa_der_max_len(48), 104);
    assert_int_equal(sigil_ecdsa_der_max_len(66), 141);
}

static void round_trips_raw_signatures_of_every_curve(void **state)
{
    (void)state;
    static const size_t fields[] = { 32, 48, 66 };
    for (size_t f = 0; f < 3; f++) {
        size_t n = fields[f];
        unsigned char raw[132], der[160], back[132];
        for (unsigned pattern = 0; pattern < 64; pattern++) {
            for (size_t i = 0; i < 2 * n; i++)
                raw[i] = (unsigned char)(i * 31 + pattern * 17);
            /* Vary leading zero bytes and high bits of both halves. */
            for (size_t i = 0; i < (pattern & 7); i++)
                raw[i] = 0;
            for (size_t i = 0; i < (pattern >> 3); i++)
                raw[n + i] = 0;
            if (pattern & 1)
                raw[pattern & 7] |= 0x80;
            size_t len, back_len;
            assert_int_equal(sigil_ecdsa_raw_to_der(raw, 2 * n, der, sizeof der, &len), SIGIL_OK);
            assert_true(len <= sigil_ecdsa_der_max_len(n));
            assert_int_equal(sigil_ecdsa_der_to_raw(der, len, n, back, sizeof back, &back_len),
                             SIGIL_OK);
            assert_int_equal(back_len, 2 * n);
            assert_memory_equal(back, raw, 2 * n);
        }
    }
}

static void raw_to_der_rejects_bad_input(void **state)
{
    (void)state;
    unsigned char raw[134] = { 0 };
    unsigned char der[160];
    size_t len;
    raw[31] = 1;
    assert_int_equal(sigil_ecdsa_raw_to_der(raw, 64, der, sizeof der, &len), SIGIL_INVALID_ARGUMENT);
    raw[63] = 1;                    /* now r and s are both non-zero */
    assert_int_equal(sigil_ecdsa_raw_to_der(raw, 63, der, sizeof der, &len), SIGIL_INVALID_ARGUMENT);
    assert_int_equal(sigil_ecdsa_raw_to_der(raw, 0, der, sizeof der, &len), SIGIL_INVALID_ARGUMENT);
    assert_int_equal(sigil_ecdsa_raw_to_der(raw, 134, der, sizeof der, &len), SIGIL_INVALID_ARGUMENT);
    assert_int_equal(sigil_ecdsa_raw_to_der(NULL, 64, der, sizeof der, &len), SIGIL_INVALID_ARGUMENT);
    assert_int_equal(sigil_ecdsa_raw_to_der(raw, 64, der, 7, &len), SIGIL_BUFFER_TOO_SMALL);
    assert_int_equal(len, 8);
    assert_int_equal(sigil_ecdsa_raw_to_der(raw, 64, der, sizeof der, &len), SIGIL_OK);
}

static void der_rejects(const unsigned char *der, size_t len, size_t field)
{
    unsigned char out[132];
    size_t out_len;
    sigil_status st = sigil_ecdsa_der_to_raw(der, len, field, out, sizeof out, &out_len);
    if (st != SIGIL_PARSE_ERROR)
        fail_msg("accepted or wrong status %s", sigil_status_name(st));
}

#define REJECT(field, ...) do { \
        const unsigned char d_[] = { __VA_ARGS__ }; \
        der_rejects(d_, sizeof d_, field); \
    } while (0)

static void der_to_raw_rejects_non_der_encodings(void **state)
{
    (void)state;
    /* The valid reference: SEQUENCE { INTEGER 1, INTEGER 2 }. */
    const unsigned char ok[] = { 0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02 };
    unsigned char out[64];
    size_t out_len;
    assert_int_equal(sigil_ecdsa_der_to_raw(ok, sizeof ok, 32, out, sizeof out, &out_len), SIGIL_OK);
    assert_int_equal(out[31], 1);
    assert_int_equal(out[63], 2);

    REJECT(32, 0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02);       /* SET, not SEQUENCE */
    REJECT(32, 0x30, 0x06, 0x03, 0x01, 0x01, 0x02, 0x01, 0x02);       /* BIT STRING */
    REJECT(32, 0x30, 0x06, 0x02, 0x01, 0x01, 0x04, 0x01, 0x02);       /* OCTET STRING */
    REJECT(32, 0x30, 0x81, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02); /* long form for 6 */
    REJECT(32, 0x30, 0x82, 0x00, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02);
    REJECT(32, 0x30, 0x80, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02, 0x00, 0x00); /* indefinite */
    REJECT(32, 0x30, 0x06, 0x02, 0x81, 0x01, 0x01, 0x02, 0x01, 0x02); /* long-form INTEGER length */
    REJECT(32, 0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x02); /* redundant leading zero */
    REJECT(32, 0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, 0x7f);
    REJECT(32, 0x30, 0x06, 0x02, 0x01, 0x81, 0x02, 0x01, 0x02);       /* negative r */
    REJECT(32, 0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0xff);       /* negative s */
    REJECT(32, 0x30, 0x07, 0x02, 0x02, 0xff, 0x81, 0x02, 0x01, 0x02); /* redundant 0xff */
    REJECT(32, 0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x02);       /* r = 0 */
    REJECT(32, 0x30, 0x05, 0x02, 0x00, 0x02, 0x01, 0x02);             /* empty INTEGER */
    REJECT(32, 0x30, 0x03, 0x02, 0x01, 0x01);                         /* s missing */
    REJECT(32, 0x30, 0x09, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02, 0x02, 0x01, 0x03); /* three */
    REJECT(32, 0x30, 0x08, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02, 0x00, 0x00); /* junk in SEQUENCE */
    REJECT(32, 0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02, 0x00); /* junk after SEQUENCE */
    REJECT(32, 0x30, 0x00);
    REJECT(32, 0x30);
    REJECT(32, 0x00);
}

static void der_to_raw_rejects_truncated_and_overlong_input(void **state)
{
    (void)state;
    unsigned char raw[64], der[80];
    fill(raw, 64, 0x9c);
    size_t len;
    assert_int_equal(sigil_ecdsa_raw_to_der(raw, 64, der, sizeof der, &len), SIGIL_OK);
    for (size_t cut = 0; cut < len; cut++)
        der_rejects(der, cut, 32);
    /* Lengths that claim more than there is. */
    REJECT(32, 0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02);
    REJECT(32, 0x30, 0x06, 0x02, 0x05, 0x01, 0x02, 0x01, 0x02);
    REJECT(32, 0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x7f, 0x02);
    REJECT(32, 0x30, 0x82, 0xff, 0xff, 0x02, 0x01, 0x01);
    REJECT(32, 0x30, 0x84, 0x00, 0x00, 0x00, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02);
}

static void der_to_raw_rejects_scalars_longer_than_the_curve(void **state)
{
    (void)state;
    unsigned char raw[96], der[120], out[96];
    fill(raw, 96, 0x11);
    size_t len, out_len;
    assert_int_equal(sigil_ecdsa_raw_to_der(raw, 96, der, sizeof der, &len), SIGIL_OK);
    /* A P-384 signature is not a P-256 one. */
    assert_int_equal(sigil_ecdsa_der_to_raw(der, len, 32, out, sizeof out, &out_len),
                     SIGIL_PARSE_ERROR);
    assert_int_equal(sigil_ecdsa_der_to_raw(der, len, 48, out, sizeof out, &out_len), SIGIL_OK);
    /* A P-256 signature read for P-384 is left-padded. */
    assert_int_equal(sigil_ecdsa_raw_to_der(raw, 64, der, sizeof der, &len), SIGIL_OK);
    assert_int_equal(sigil_ecdsa_der_to_raw(der, len, 48, out, sizeof out, &out_len), SIGIL_OK);
    assert_int_equal(out[15], 0);
    assert_int_equal(out[16], 0x11);
}

static void der_to_raw_reports_the_needed_size(void **state)
{
    (void)state;
    const unsigned char ok[] = { 0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02 };
    unsigned char out[64];
    size_t out_len = 0;
    assert_int_equal(sigil_ecdsa_der_to_raw(ok, sizeof ok, 32, out, 63, &out_len),
                     SIGIL_BUFFER_TOO_SMALL);
    assert_int_equal(out_len, 64);
    assert_int_equal(sigil_ecdsa_der_to_raw(ok, sizeof ok, 67, out, 64, &out_len),
                     SIGIL_INVALID_ARGUMENT);
}

static void builds_the_sha256_digestinfo(void **state)
{
    (void)state;
    unsigned char digest[32], out[64];
    for (size_t i = 0; i < 32; i++)
        digest[i] = (unsigned char)i;
    size_t len;
    assert_int_equal(sigil_digestinfo_build(SIGIL_HASH_SHA256, digest, 32, out, sizeof out, &len),
                     SIGIL_OK);
    /* RFC 8017 section 9.2 note 1. */
    const unsigned char prefix[] = { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                     0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20 };
    assert_int_equal(len, 51);
    assert_memory_equal(out, prefix, sizeof prefix);
    assert_memory_equal(out + 19, digest, 32);
}

static void digestinfo_round_trips_for_each_hash(void **state)
{
    (void)state;
    static const struct { sigil_hash hash; size_t len; unsigned char oid_last, outer; } cases[] = {
        { SIGIL_HASH_SHA256, 32, 0x01, 0x31 },
        { SIGIL_HASH_SHA384, 48, 0x02, 0x41 },
        { SIGIL_HASH_SHA512, 64, 0x03, 0x51 },
    };
    for (size_t c = 0; c < 3; c++) {
        unsigned char digest[64], di[96];
        memset(digest, (int)(0xa0 + c), sizeof digest);
        size_t len;
        assert_int_equal(sigil_digestinfo_build(cases[c].hash, digest, cases[c].len, di, sizeof di,
                                                &len), SIGIL_OK);
        assert_int_equal(len, 19 + cases[c].len);
        assert_int_equal(di[1], cases[c].outer);
        assert_int_equal(di[14], cases[c].oid_last);
        sigil_hash hash;
        const unsigned char *d;
        size_t dlen;
        assert_int_equal(sigil_digestinfo_parse(di, len, &hash, &d, &dlen), SIGIL_OK);
        assert_int_equal(hash, cases[c].hash);
        assert_int_equal(dlen, cases[c].len);
        assert_ptr_equal(d, di + 19);
    }
}

static void digestinfo_parse_recognises_only_exact_sha2_digestinfos(void **state)
{
    (void)state;
    unsigned char digest[32] = { 0 }, di[64];
    size_t len;
    sigil_hash hash;
    const unsigned char *d;
    size_t dlen;
    assert_int_equal(sigil_digestinfo_build(SIGIL_HASH_SHA256, digest, 32, di, sizeof di, &len),
                     SIGIL_OK);
    assert_int_equal(sigil_digestinfo_parse(di, len - 1, &hash, &d, &dlen), SIGIL_NOT_FOUND);
    di[len] = 0;
    assert_int_equal(sigil_digestinfo_parse(di, len + 1, &hash, &d, &dlen), SIGIL_NOT_FOUND);
    assert_int_equal(sigil_digestinfo_parse(digest, 32, &hash, &d, &dlen), SIGIL_NOT_FOUND);
    di[14] = 0x04;                  /* SHA-224's OID with a 32-byte digest */
    assert_int_equal(sigil_digestinfo_parse(di, len, &hash, &d, &dlen), SIGIL_NOT_FOUND);
    /* SHA-1's DigestInfo is not one we sign. */
    const unsigned char sha1[] = { 0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a,
                                   0x05, 0x00, 0x04, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                   0, 0, 0, 0, 0, 0, 0 };
    assert_int_equal(sigil_digestinfo_parse(sha1, sizeof sha1, &hash, &d, &dlen), SIGIL_NOT_FOUND);
}

static void digestinfo_build_checks_the_digest_length(void **state)
{
    (void)state;
    unsigned char digest[64] = { 0 }, out[96];
    size_t len;
    assert_int_equal(sigil_digestinfo_build(SIGIL_HASH_SHA256, digest, 48, out, sizeof out, &len),
                     SIGIL_INVALID_ARGUMENT);
    assert_int_equal(sigil_digestinfo_build(SIGIL_HASH_NONE, digest, 32, out, sizeof out, &len),
                     SIGIL_INVALID_ARGUMENT);
    assert_int_equal(sigil_digestinfo_build(SIGIL_HASH_SHA512, digest, 64, out, 82, &len),
                     SIGIL_BUFFER_TOO_SMALL);
    assert_int_equal(len, 83);
    assert_null(sigil_digestinfo_prefix(SIGIL_HASH_NONE, &len));
}

/* What `openssl genpkey -algorithm RSA-PSS` with SHA-256, MGF1-SHA-256 and salt 32 writes as the
 * key's parameters. */
static void pss_params_match_openssls_encoding_and_scale_the_salt(void **state)
{
    (void)state;
    static const unsigned char openssl_sha256[] = {
        0x30, 0x34, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
        0x02, 0x01, 0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
        0x0d, 0x01, 0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
        0x02, 0x01, 0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x20 };
    unsigned char out[64];
    size_t len = 0;
    assert_int_equal(sigil_pss_params_build(SIGIL_HASH_SHA256, out, sizeof out, &len), SIGIL_OK);
    assert_int_equal(len, sizeof openssl_sha256);
    assert_memory_equal(out, openssl_sha256, len);

    assert_int_equal(sigil_pss_params_build(SIGIL_HASH_SHA512, out, sizeof out, &len), SIGIL_OK);
    assert_int_equal(len, 54);
    assert_int_equal(out[16], 0x03);   /* id-sha512 in the hash algorithm */
    assert_int_equal(out[46], 0x03);   /* and in MGF1 */
    assert_int_equal(out[53], 64);     /* salt = digest length */

    assert_int_equal(sigil_pss_params_build(SIGIL_HASH_SHA384, out, 53, &len),
                     SIGIL_BUFFER_TOO_SMALL);
    assert_int_equal(len, 54);
    assert_int_equal(sigil_pss_params_build(SIGIL_HASH_NONE, out, sizeof out, &len),
                     SIGIL_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(encodes_small_scalars_minimally),
        cmocka_unit_test(adds_a_leading_zero_when_the_high_bit_is_set),
        cmocka_unit_test(p521_signatures_use_the_long_form_length),
        cmocka_unit_test(maximum_lengths_match_the_curves),
        cmocka_unit_test(round_trips_raw_signatures_of_every_curve),
        cmocka_unit_test(raw_to_der_rejects_bad_input),
        cmocka_unit_test(der_to_raw_rejects_non_der_encodings),
        cmocka_unit_test(der_to_raw_rejects_truncated_and_overlong_input),
        cmocka_unit_test(der_to_raw_rejects_scalars_longer_than_the_curve),
        cmocka_unit_test(der_to_raw_reports_the_needed_size),
        cmocka_unit_test(builds_the_sha256_digestinfo),
        cmocka_unit_test(digestinfo_round_trips_for_each_hash),
        cmocka_unit_test(digestinfo_parse_recognises_only_exact_sha2_digestinfos),
        cmocka_unit_test(digestinfo_build_checks_the_digest_length),
        cmocka_unit_test(pss_params_match_openssls_encoding_and_scale_the_salt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
