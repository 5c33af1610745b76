#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

static sigil_status parse(const char *text, sigil_json **out)
{
    return sigil_json_parse(text, strlen(text), out);
}

static void expect_status(const char *text, sigil_status expected)
{
    sigil_json *doc = (sigil_json *)1;
    sigil_status st = parse(text, &doc);
    if (st != expected)
        fail_msg("parsing \"%s\": expected %s, got %s", text, sigil_status_name(expected),
                 sigil_status_name(st));
    if (st == SIGIL_OK)
        sigil_json_free(doc);
    else
        assert_null(doc);
}

static void rejects(const char *text) { expect_status(text, SIGIL_PARSE_ERROR); }
static void accepts(const char *text) { expect_status(text, SIGIL_OK); }

/* A credentials/info answer as the server sends it, trimmed. */
static const char info_answer[] =
    "{\"description\":\"Signing key\",\n"
    " \"key\":{\"status\":\"enabled\",\"algo\":[\"1.2.840.113549.1.1.11\",\"1.2.840.113549.1.1.10\"],"
    "\"len\":2048},\n"
    " \"cert\":{\"status\":\"valid\",\"certificates\":[\"MIIB\",\"MIIC\"]},\n"
    " \"authMode\":\"explicit\",\"SCAL\":\"2\",\"multisign\":1,\"PIN\":{\"presence\":\"true\"},"
    " \"OTP\":{\"presence\":\"true\",\"type\":\"offline\"},\"lang\":null,\"enabled\":true}";

static void reads_a_credentials_info_answer(void **state)
{
    (void)state;
    sigil_json *doc;
    assert_int_equal(parse(info_answer, &doc), SIGIL_OK);
    assert_int_equal(sigil_json_type_of(doc), SIGIL_JSON_OBJECT);

    const sigil_json *key = sigil_json_get(doc, "key");
    assert_non_null(key);
    const sigil_json *algos;
    assert_int_equal(sigil_json_get_string_array(key, "algo", &algos), SIGIL_OK);
    assert_int_equal(sigil_json_count(algos), 2);
    const char *s;
    size_t len;
    assert_int_equal(sigil_json_string(sigil_json_at(algos, 1), &s, &len), SIGIL_OK);
    assert_string_equal(s, "1.2.840.113549.1.1.10");
    assert_int_equal(len, 21);
    int64_t bits;
    assert_int_equal(sigil_json_get_int64(key, "len", &bits), SIGIL_OK);
    assert_int_equal(bits, 2048);

    const sigil_json *certs;
    assert_int_equal(sigil_json_get_string_array(sigil_json_get(doc, "cert"), "certificates", &certs),
                     SIGIL_OK);
    assert_int_equal(sigil_json_get_string(doc, "SCAL", &s, NULL), SIGIL_OK);
    assert_string_equal(s, "2");
    int64_t multisign;
    assert_int_equal(sigil_json_get_int64(doc, "multisign", &multisign), SIGIL_OK);
    assert_int_equal(multisign, 1);
    int enabled = 0;
    assert_int_equal(sigil_json_get_bool(doc, "enabled", &enabled), SIGIL_OK);
    assert_true(enabled);
    assert_int_equal(sigil_json_type_of(sigil_json_get(doc, "lang")), SIGIL_JSON_NULL);
    assert_string_equal(sigil_json_key_at(doc, 0), "description");
    assert_int_equal(sigil_json_count(doc), 10);
    sigil_json_free(doc);
}

static void getters_distinguish_missing_members_from_wrong_types(void **state)
{
    (void)state;
    sigil_json *doc;
    assert_int_equal(parse("{\"s\":\"x\",\"n\":1,\"b\":false,\"a\":[\"x\",1]}", &doc), SIGIL_OK);
    const char *s;
    int64_t n;
    int b;
    const sigil_json *a;
    assert_int_equal(sigil_json_get_string(doc, "missing", &s, NULL), SIGIL_NOT_FOUND);
    assert_int_equal(sigil_json_get_string(doc, "n", &s, NULL), SIGIL_PARSE_ERROR);
    assert_int_equal(sigil_json_get_int64(doc, "s", &n), SIGIL_PARSE_ERROR);
    assert_int_equal(sigil_json_get_bool(doc, "s", &b), SIGIL_PARSE_ERROR);
    assert_int_equal(sigil_json_get_bool(doc, "b", &b), SIGIL_OK);
    assert_false(b);
    assert_int_equal(sigil_json_get_string_array(doc, "a", &a), SIGIL_PARSE_ERROR);
    assert_int_equal(sigil_json_get_string_array(doc, "s", &a), SIGIL_PARSE_ERROR);
    assert_int_equal(sigil_json_get_string_array(doc, "none", &a), SIGIL_NOT_FOUND);
    /* Member lookup on a non-object and index lookup out of range find nothing. */
    assert_null(sigil_json_get(sigil_json_get(doc, "a"), "x"));
    assert_null(sigil_json_at(sigil_json_get(doc, "a"), 2));
    assert_null(sigil_json_at(sigil_json_get(doc, "s"), 0));
    assert_null(sigil_json_key_at(sigil_json_get(doc, "a"), 0));
    sigil_json_free(doc);
}

static void accepts_every_kind_of_top_level_value(void **state)
{
    (void)state;
    accepts("{}");
    accepts("[]");
    accepts(" \t\r\n[ ] \n");
    accepts("\"x\"");
    accepts("0");
    accepts("-0");
    accepts("-12.5e+3");
    accepts("1E-2");
    accepts("true");
    accepts("false");
    accepts("null");
    accepts("[[],{},[{}]]");
}

static void rejects_malformed_structure(void **state)
{
    (void)state;
    rejects("");
    rejects("   ");
    rejects("{");
    rejects("[");
    rejects("]");
    rejects("{\"a\"}");
    rejects("{\"a\":}");
    rejects("{\"a\":1,}");
    rejects("[1,]");
    rejects("[,1]");
    rejects("[1 2]");
    rejects("{\"a\" 1}");
    rejects("{a:1}");
    rejects("{'a':1}");
    rejects("{\"a\":1;\"b\":2}");
    rejects("[1}");
    rejects("{\"a\":1]");
    rejects("tru");
    rejects("True");
    rejects("nul");
    rejects("nulls");
    rejects("undefined");
    rejects("NaN");
    rejects("Infinity");
    rejects("/* c */ 1");
    rejects("\xef\xbb\xbf{}");   /* a byte order mark */
}

static void rejects_trailing_data(void **state)
{
    (void)state;
    rejects("{} {}");
    rejects("{}x");
    rejects("[]]");
    rejects("1 2");
    rejects("\"a\"\"b\"");
    rejects("true false");
    sigil_json *doc;
    assert_int_equal(sigil_json_parse("{}\0", 3, &doc), SIGIL_PARSE_ERROR);
}

static void rejects_duplicate_member_names(void **state)
{
    (void)state;
    rejects("{\"SAD\":\"a\",\"SAD\":\"b\"}");
    rejects("{\"a\":1,\"b\":2,\"a\":3}");
    rejects("{\"x\":{\"k\":1,\"k\":1}}");
    /* The same name after decoding escapes is the same name. */
    rejects("{\"SAD\":1,\"\\u0053AD\":2}");
    /* The same name in different objects is fine. */
    accepts("{\"a\":{\"a\":1},\"b\":{\"a\":2}}");
    accepts("[{\"a\":1},{\"a\":2}]");
}

static void rejects_numbers_outside_the_rfc_grammar(void **state)
{
    (void)state;
    rejects("01");
    rejects("-01");
    rejects("00");
    rejects("+1");
    rejects(".5");
    rejects("1.");
    rejects("1.e5");
    rejects("1e");
    rejects("1e+");
    rejects("-");
    rejects("--1");
    rejects("0x10");
    rejects("1_000");
    rejects("[01]");
}

static void converts_integers_exactly_and_refuses_the_rest(void **state)
{
    (void)state;
    sigil_json *doc;
    assert_int_equal(parse("[9223372036854775807,-9223372036854775808,9223372036854775808,"
                           "-9223372036854775809,1.0,1e3,123456789012345678901234567890,-0,true]",
                           &doc), SIGIL_OK);
    int64_t v;
    assert_int_equal(sigil_json_int64(sigil_json_at(doc, 0), &v), SIGIL_OK);
    assert_true(v == INT64_MAX);
    assert_int_equal(sigil_json_int64(sigil_json_at(doc, 1), &v), SIGIL_OK);
    assert_true(v == INT64_MIN);
    assert_int_equal(sigil_json_int64(sigil_json_at(doc, 2), &v), SIGIL_LIMIT_EXCEEDED);
    assert_int_equal(sigil_json_int64(sigil_json_at(doc, 3), &v), SIGIL_LIMIT_EXCEEDED);
    assert_int_equal(sigil_json_int64(sigil_json_at(doc, 4), &v), SIGIL_PARSE_ERROR);
    assert_int_equal(sigil_json_int64(sigil_json_at(doc, 5), &v), SIGIL_PARSE_ERROR);
    assert_int_equal(sigil_json_int64(sigil_json_at(doc, 6), &v), SIGIL_LIMIT_EXCEEDED);
    assert_int_equal(sigil_json_int64(sigil_json_at(doc, 7), &v), SIGIL_OK);
    assert_int_equal(v, 0);
    assert_int_equal(sigil_json_int64(sigil_json_at(doc, 8), &v), SIGIL_PARSE_ERROR);
    assert_int_equal(sigil_json_int64(NULL, &v), SIGIL_NOT_FOUND);
    sigil_json_free(doc);
}

static void refuses_numbers_longer_than_the_limit(void **state)
{
    (void)state;
    char text[SIGIL_JSON_MAX_NUMBER + 2];
    memset(text, '9', SIGIL_JSON_MAX_NUMBER);
    text[SIGIL_JSON_MAX_NUMBER] = '\0';
    accepts(text);
    text[SIGIL_JSON_MAX_NUMBER] = '9';
    text[SIGIL_JSON_MAX_NUMBER + 1] = '\0';
    expect_status(text, SIGIL_LIMIT_EXCEEDED);
}

static void decodes_string_escapes(void **state)
{
    (void)state;
    sigil_json *doc;
    assert_int_equal(parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20AC\\ud83d\\ude00\"",
                           &doc), SIGIL_OK);
    const char *s;
    size_t len;
    assert_int_equal(sigil_json_string(doc, &s, &len), SIGIL_OK);
    const char expected[] = "a\"b\\c/d\b\f\n\r\tA\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
    assert_int_equal(len, sizeof expected - 1);
    assert_memory_equal(s, expected, len);
    sigil_json_free(doc);
}

static void rejects_bad_escapes(void **state)
{
    (void)state;
    rejects("\"\\x41\"");
    rejects("\"\\a\"");
    rejects("\"\\'\"");
    rejects("\"\\u12\"");
    rejects("\"\\u12g4\"");
    rejects("\"\\U0041\"");
    rejects("\"\\\"");           /* the escaped quote leaves the string open */
    rejects("\"abc\\");
    rejects("\"\\ud83d\"");      /* a lone high surrogate */
    rejects("\"\\ud83dx\"");
    rejects("\"\\ud83d\\u0041\""); /* high surrogate then a non-surrogate */
    rejects("\"\\ude00\"");      /* a lone low surrogate */
    rejects("\"\\ude00\\ud83d\""); /* reversed pair */
    rejects("\"\\ud83d\\ud83d\"");
}

static void rejects_control_characters_in_strings(void **state)
{
    (void)state;
    rejects("\"a\nb\"");
    rejects("\"a\tb\"");
    rejects("\"\x01\"");
    rejects("\"\x1f\"");
    sigil_json *doc;
    assert_int_equal(sigil_json_parse("\"a\0b\"", 5, &doc), SIGIL_PARSE_ERROR);
    accepts("\"\x7f\"");         /* DEL is not a control character in JSON */
}

static void string_getter_refuses_an_embedded_nul(void **state)
{
    (void)state;
    sigil_json *doc;
    assert_int_equal(parse("{\"id\":\"ab\\u0000cd\"}", &doc), SIGIL_OK);
    const char *s;
    assert_int_equal(sigil_json_get_string(doc, "id", &s, NULL), SIGIL_PARSE_ERROR);
    sigil_json_free(doc);
}

static void rejects_invalid_utf8(void **state)
{
    (void)state;
    rejects("\"\x80\"");                 /* a lone continuation byte */
    rejects("\"\xc3\"");                 /* truncated two-byte sequence */
    rejects("\"\xc3(\"");
    rejects("\"\xc0\xaf\"");             /* overlong '/' */
    rejects("\"\xc1\xbf\"");
    rejects("\"\xe0\x80\xaf\"");         /* overlong three-byte */
    rejects("\"\xed\xa0\x80\"");         /* UTF-8 encoded surrogate U+D800 */
    rejects("\"\xed\xbf\xbf\"");
    rejects("\"\xf0\x80\x80\xaf\"");     /* overlong four-byte */
    rejects("\"\xf4\x90\x80\x80\"");     /* U+110000 */
    rejects("\"\xf5\x80\x80\x80\"");
    rejects("\"\xff\"");
    rejects("\"\xe2\x82\"");             /* truncated three-byte */
    rejects("{\"\xc3\":1}");             /* in a member name too */
    accepts("\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"");
    accepts("\"\xed\x9f\xbf\"");         /* U+D7FF, just below the surrogates */
}

static char *nested(int depth, char open, char close)
{
    char *s = malloc((size_t)depth * 2 + 1);
    assert_non_null(s);
    for (int i = 0; i < depth; i++) {
        s[i] = open;
        s[2 * depth - 1 - i] = close;
    }
    s[2 * depth] = '\0';
    return s;
}

static void accepts_nesting_up_to_the_depth_limit_and_no_deeper(void **state)
{
    (void)state;
    char *ok = nested(SIGIL_JSON_MAX_DEPTH, '[', ']');
    char *deep = nested(SIGIL_JSON_MAX_DEPTH + 1, '[', ']');
    char *very_deep = nested(100000, '[', ']');
    accepts(ok);
    expect_status(deep, SIGIL_LIMIT_EXCEEDED);
    expect_status(very_deep, SIGIL_LIMIT_EXCEEDED);   /* no stack exhaustion */
    free(ok);
    free(deep);
    free(very_deep);

    /* Objects count too. */
    char obj[16 * (SIGIL_JSON_MAX_DEPTH + 1) + 8];
    size_t o = 0;
    for (int i = 0; i < SIGIL_JSON_MAX_DEPTH + 1; i++)
        o += (size_t)sprintf(obj + o, "{\"a\":");
    obj[o++] = '1';
    for (int i = 0; i < SIGIL_JSON_MAX_DEPTH + 1; i++)
        obj[o++] = '}';
    obj[o] = '\0';
    expect_status(obj, SIGIL_LIMIT_EXCEEDED);
}

static void refuses_documents_larger_than_the_limit(void **state)
{
    (void)state;
    size_t n = SIGIL_JSON_MAX_DOCUMENT + 1;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, ' ', n);
    big[0] = '1';
    sigil_json *doc;
    assert_int_equal(sigil_json_parse(big, n, &doc), SIGIL_LIMIT_EXCEEDED);
    assert_int_equal(sigil_json_parse(big, n - 1, &doc), SIGIL_OK);
    sigil_json_free(doc);
    free(big);
}

static void parse_rejects_null_arguments(void **state)
{
    (void)state;
    sigil_json *doc;
    assert_int_equal(sigil_json_parse(NULL, 2, &doc), SIGIL_INVALID_ARGUMENT);
    assert_int_equal(sigil_json_parse("{}", 2, NULL), SIGIL_INVALID_ARGUMENT);
    assert_int_equal(sigil_json_parse(NULL, 0, &doc), SIGIL_PARSE_ERROR);
    sigil_json_free(NULL);
}

/* ---- writer ---- */

static char *finish(sigil_json_writer *w, sigil_status expected)
{
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(sigil_jw_finish(w, &out, &len), expected);
    if (expected == SIGIL_OK)
        assert_int_equal(len, strlen(out));
    return out;
}

static void writes_an_authorize_request(void **state)
{
    (void)state;
    sigil_json_writer w;
    const char *hashes[] = { "q1w2", "e3r4" };
    sigil_jw_init(&w);
    sigil_jw_begin_object(&w);
    sigil_jw_member_string(&w, "credentialID", "cred-1");
    sigil_jw_member_int64(&w, "numSignatures", 2);
    sigil_jw_member_string_array(&w, "hashes", hashes, 2);
    sigil_jw_member_string(&w, "hashAlgorithmOID", "2.16.840.1.101.3.4.2.1");
    sigil_jw_member_bool(&w, "clientData", 0);
    sigil_jw_key(&w, "empty");
    sigil_jw_begin_array(&w);
    sigil_jw_end_array(&w);
    sigil_jw_key(&w, "none");
    sigil_jw_null(&w);
    sigil_jw_end_object(&w);
    char *out = finish(&w, SIGIL_OK);
    assert_string_equal(out, "{\"credentialID\":\"cred-1\",\"numSignatures\":2,"
                             "\"hashes\":[\"q1w2\",\"e3r4\"],"
                             "\"hashAlgorithmOID\":\"2.16.840.1.101.3.4.2.1\","
                             "\"clientData\":false,\"empty\":[],\"none\":null}");
    sigil_json_free_text(out, strlen(out));
}

static void escapes_what_json_requires_and_keeps_utf8(void **state)
{
    (void)state;
    sigil_json_writer w;
    sigil_jw_init(&w);
    sigil_jw_begin_array(&w);
    sigil_jw_string(&w, "q\"b\\s/\b\f\n\r\t\x01\x1f\x7f\xc3\xa9\xf0\x9f\x98\x80");
    sigil_jw_string_n(&w, "a\0b", 3);
    sigil_jw_end_array(&w);
    char *out = finish(&w, SIGIL_OK);
    assert_string_equal(out, "[\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\xc3\xa9\xf0\x9f\x98\x80\","
                             "\"a\\u0000b\"]");
    sigil_json_free_text(out, strlen(out));
}

static void written_documents_parse_back_to_the_same_values(void **state)
{
    (void)state;
    sigil_json_writer w;
    const char *tricky = "PIN \"12\\34\"\n\xe2\x82\xac";
    sigil_jw_init(&w);
    sigil_jw_begin_object(&w);
    sigil_jw_member_string(&w, "PIN", tricky);
    sigil_jw_member_int64(&w, "min", INT64_MIN);
    sigil_jw_member_int64(&w, "max", INT64_MAX);
    sigil_jw_member_int64(&w, "zero", 0);
    sigil_jw_member_bool(&w, "t", 1);
    sigil_jw_end_object(&w);
    char *out = finish(&w, SIGIL_OK);
    sigil_json *doc;
    assert_int_equal(parse(out, &doc), SIGIL_OK);
    const char *s;
    int64_t v;
    int b;
    assert_int_equal(sigil_json_get_string(doc, "PIN", &s, NULL), SIGIL_OK);
    assert_string_equal(s, tricky);
    assert_int_equal(sigil_json_get_int64(doc, "min", &v), SIGIL_OK);
    assert_true(v == INT64_MIN);
    assert_int_equal(sigil_json_get_int64(doc, "max", &v), SIGIL_OK);
    assert_true(v == INT64_MAX);
    assert_int_equal(sigil_json_get_int64(doc, "zero", &v), SIGIL_OK);
    assert_int_equal(v, 0);
    assert_int_equal(sigil_json_get_bool(doc, "t", &b), SIGIL_OK);
    assert_true(b);
    sigil_json_free(doc);
    sigil_json_free_text(out, strlen(out));
}

static void writer_grows_past_its_first_buffer(void **state)
{
    (void)state;
    sigil_json_writer w;
    sigil_jw_init(&w);
    sigil_jw_begin_array(&w);
    for (int i = 0; i < 10000; i++)
        sigil_jw_string(&w, "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA");
    sigil_jw_end_array(&w);
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(sigil_jw_finish(&w, &out, &len), SIGIL_OK);
    assert_int_equal(len, 2 + 10000 * 46 + 9999);
    sigil_json *doc;
    assert_int_equal(sigil_json_parse(out, len, &doc), SIGIL_OK);
    assert_int_equal(sigil_json_count(doc), 10000);
    sigil_json_free(doc);
    sigil_json_free_text(out, len);
}

static void writer_refuses_invalid_utf8(void **state)
{
    (void)state;
    sigil_json_writer w;
    sigil_jw_init(&w);
    sigil_jw_begin_array(&w);
    sigil_jw_string(&w, "\xc3(");
    sigil_jw_end_array(&w);
    assert_null(finish(&w, SIGIL_INVALID_ARGUMENT));
}

static void writer_refuses_misuse_and_reports_the_first_error(void **state)
{
    (void)state;
    sigil_json_writer w;

    sigil_jw_init(&w);                     /* nothing written */
    assert_null(finish(&w, SIGIL_INVALID_ARGUMENT));

    sigil_jw_init(&w);                     /* unclosed */
    sigil_jw_begin_object(&w);
    assert_null(finish(&w, SIGIL_INVALID_ARGUMENT));

    sigil_jw_init(&w);                     /* a value without a key */
    sigil_jw_begin_object(&w);
    sigil_jw_string(&w, "x");
    sigil_jw_end_object(&w);
    assert_null(finish(&w, SIGIL_INVALID_ARGUMENT));

    sigil_jw_init(&w);                     /* a key without a value */
    sigil_jw_begin_object(&w);
    sigil_jw_key(&w, "k");
    sigil_jw_end_object(&w);
    assert_null(finish(&w, SIGIL_INVALID_ARGUMENT));

    sigil_jw_init(&w);                     /* a key in an array */
    sigil_jw_begin_array(&w);
    sigil_jw_key(&w, "k");
    assert_null(finish(&w, SIGIL_INVALID_ARGUMENT));

    sigil_jw_init(&w);                     /* mismatched close */
    sigil_jw_begin_array(&w);
    sigil_jw_end_object(&w);
    assert_null(finish(&w, SIGIL_INVALID_ARGUMENT));

    sigil_jw_init(&w);                     /* two top-level values */
    sigil_jw_int64(&w, 1);
    sigil_jw_int64(&w, 2);
    assert_null(finish(&w, SIGIL_INVALID_ARGUMENT));

    sigil_jw_init(&w);                     /* NULL string */
    sigil_jw_begin_array(&w);
    sigil_jw_string(&w, NULL);
    sigil_jw_end_array(&w);
    assert_null(finish(&w, SIGIL_INVALID_ARGUMENT));

    sigil_jw_init(&w);                     /* too deep, then more misuse: the first error wins */
    for (int i = 0; i <= SIGIL_JSON_MAX_DEPTH; i++)
        sigil_jw_begin_array(&w);
    sigil_jw_key(&w, "k");
    assert_null(finish(&w, SIGIL_LIMIT_EXCEEDED));

    sigil_jw_init(&w);                     /* dispose without finish frees everything */
    sigil_jw_begin_array(&w);
    sigil_jw_string(&w, "secret");
    sigil_jw_dispose(&w);
    assert_null(w.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_a_credentials_info_answer),
        cmocka_unit_test(getters_distinguish_missing_members_from_wrong_types),
        cmocka_unit_test(accepts_every_kind_of_top_level_value),
        cmocka_unit_test(rejects_malformed_structure),
        cmocka_unit_test(rejects_trailing_data),
        cmocka_unit_test(rejects_duplicate_member_names),
        cmocka_unit_test(rejects_numbers_outside_the_rfc_grammar),
        cmocka_unit_test(converts_integers_exactly_and_refuses_the_rest),
        cmocka_unit_test(refuses_numbers_longer_than_the_limit),
        cmocka_unit_test(decodes_string_escapes),
        cmocka_unit_test(rejects_bad_escapes),
        cmocka_unit_test(rejects_control_characters_in_strings),
        cmocka_unit_test(string_getter_refuses_an_embedded_nul),
        cmocka_unit_test(rejects_invalid_utf8),
        cmocka_unit_test(accepts_nesting_up_to_the_depth_limit_and_no_deeper),
        cmocka_unit_test(refuses_documents_larger_than_the_limit),
        cmocka_unit_test(parse_rejects_null_arguments),
        cmocka_unit_test(writes_an_authorize_request),
        cmocka_unit_test(escapes_what_json_requires_and_keeps_utf8),
        cmocka_unit_test(written_documents_parse_back_to_the_same_values),
        cmocka_unit_test(writer_grows_past_its_first_buffer),
        cmocka_unit_test(writer_refuses_invalid_utf8),
        cmocka_unit_test(writer_refuses_misuse_and_reports_the_first_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
