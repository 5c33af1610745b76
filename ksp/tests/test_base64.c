#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "base64.h"

/* RFC 4648 section 10 test vectors. */
static const struct { const char *raw, *b64; } vectors[] = {
    { "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
    { "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
};

static void encodes_the_rfc4648_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        char out[16];
        size_t len;
        assert_int_equal(sigil_base64_encode(vectors[i].raw, strlen(vectors[i].raw), out,
                                             sizeof out, &len), SIGIL_OK);
        assert_string_equal(out, vectors[i].b64);
        assert_int_equal(len, strlen(vectors[i].b64));
        assert_int_equal(sigil_base64_encoded_len(strlen(vectors[i].raw)), len);
    }
}

static void decodes_the_rfc4648_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        unsigned char out[16];
        size_t len = 99;
        const char *b64 = vectors[i].b64;
        assert_int_equal(sigil_base64_decode(b64, strlen(b64), out, sizeof out, &len), SIGIL_OK);
        assert_int_equal(len, strlen(vectors[i].raw));
        assert_memory_equal(out, vectors[i].raw, len);
    }
}

static void round_trips_every_byte_value_and_length(void **state)
{
    (void)state;
    unsigned char raw[256], back[258];   /* decoded_max of 344 characters */
    char text[400];
    for (size_t i = 0; i < sizeof raw; i++)
        raw[i] = (unsigned char)(255 - i);
    for (size_t n = 0; n <= sizeof raw; n++) {
        size_t tlen, blen;
        assert_int_equal(sigil_base64_encode(raw, n, text, sizeof text, &tlen), SIGIL_OK);
        assert_int_equal(sigil_base64_decode(text, tlen, back, sizeof back, &blen), SIGIL_OK);
        assert_int_equal(blen, n);
        assert_memory_equal(back, raw, n);
    }
}

static void encode_reports_the_needed_size_when_the_buffer_is_too_small(void **state)
{
    (void)state;
    char out[8];
    size_t need = 0;
    assert_int_equal(sigil_base64_encode("foobar", 6, out, 8, &need), SIGIL_BUFFER_TOO_SMALL);
    assert_int_equal(need, 9);   /* 8 characters and the NUL */
    assert_int_equal(sigil_base64_encode("foobar", 6, out, 9 - 1, NULL), SIGIL_BUFFER_TOO_SMALL);
}

static void decode_reports_the_needed_size_when_the_buffer_is_too_small(void **state)
{
    (void)state;
    unsigned char out[5];
    size_t need = 0;
    assert_int_equal(sigil_base64_decode("Zm9vYmFy", 8, out, sizeof out, &need),
                     SIGIL_BUFFER_TOO_SMALL);
    assert_int_equal(need, 6);
    assert_int_equal(sigil_base64_decoded_max(8), 6);
}

static void decode_rejects(const char *text)
{
    unsigned char out[64];
    size_t len;
    sigil_status st = sigil_base64_decode(text, strlen(text), out, sizeof out, &len);
    if (st != SIGIL_PARSE_ERROR)
        fail_msg("\"%s\" decoded with status %s", text, sigil_status_name(st));
}

static void decode_rejects_lengths_that_are_not_a_multiple_of_four(void **state)
{
    (void)state;
    decode_rejects("Z");
    decode_rejects("Zm");
    decode_rejects("Zm9");
    decode_rejects("Zm9vY");
    decode_rejects("Zg=");      /* padding present but too short */
    decode_rejects("Zg");       /* padding missing */
}

static void decode_rejects_characters_outside_the_alphabet(void **state)
{
    (void)state;
    decode_rejects("Zm9v\n");
    decode_rejects("Zm 9v");
    decode_rejects("Zm9v Zm9v");
    decode_rejects("Zm-v");     /* base64url */
    decode_rejects("Zm_v");
    decode_rejects("Zm9\xc3\xa9");
    decode_rejects("Zm9.");
    decode_rejects("\tZm9");
    unsigned char out[8];
    size_t len;
    assert_int_equal(sigil_base64_decode("Zm\0v", 4, out, sizeof out, &len), SIGIL_PARSE_ERROR);
}

static void decode_rejects_misplaced_padding(void **state)
{
    (void)state;
    decode_rejects("====");
    decode_rejects("Z===");
    decode_rejects("=Zm9");
    decode_rejects("Zm=v");     /* a symbol after '=' */
    decode_rejects("Zg==Zm9v"); /* padding before the last group */
    decode_rejects("Zm8=Zm9v");
    decode_rejects("Zg===");
    decode_rejects("Zm9v====");
}

static void decode_rejects_non_canonical_trailing_bits(void **state)
{
    (void)state;
    decode_rejects("Zh==");     /* "f" is Zg==; h sets bits below the byte */
    decode_rejects("Zm9=");     /* "fo" is Zm8= */
}

static void decode_accepts_full_groups_with_any_bits(void **state)
{
    (void)state;
    unsigned char out[8];
    size_t len;
    assert_int_equal(sigil_base64_decode("////", 4, out, sizeof out, &len), SIGIL_OK);
    assert_int_equal(len, 3);
    assert_int_equal(out[0], 0xff);
    assert_int_equal(out[2], 0xff);
}

static void null_arguments_are_rejected(void **state)
{
    (void)state;
    char text[8];
    unsigned char out[8];
    size_t len;
    assert_int_equal(sigil_base64_encode(NULL, 1, text, sizeof text, &len), SIGIL_INVALID_ARGUMENT);
    assert_int_equal(sigil_base64_encode("a", 1, NULL, 8, &len), SIGIL_INVALID_ARGUMENT);
    assert_int_equal(sigil_base64_decode(NULL, 4, out, sizeof out, &len), SIGIL_INVALID_ARGUMENT);
    assert_int_equal(sigil_base64_decode("Zm9v", 4, out, sizeof out, NULL), SIGIL_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(encodes_the_rfc4648_vectors),
        cmocka_unit_test(decodes_the_rfc4648_vectors),
        cmocka_unit_test(round_trips_every_byte_value_and_length),
        cmocka_unit_test(encode_reports_the_needed_size_when_the_buffer_is_too_small),
        cmocka_unit_test(decode_reports_the_needed_size_when_the_buffer_is_too_small),
        cmocka_unit_test(decode_rejects_lengths_that_are_not_a_multiple_of_four),
        cmocka_unit_test(decode_rejects_characters_outside_the_alphabet),
        cmocka_unit_test(decode_rejects_misplaced_padding),
        cmocka_unit_test(decode_rejects_non_canonical_trailing_bits),
        cmocka_unit_test(decode_accepts_full_groups_with_any_bits),
        cmocka_unit_test(null_arguments_are_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
