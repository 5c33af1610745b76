/* The protocol client against a scripted transport: each test queues the exact requests it expects
 * (path, Authorization header, body) and the answers to give. The test program is linked with
 * -Wl,--wrap=free, so every free() of the core passes through __wrap_free below, which counts freed
 * blocks still holding a password, PIN, OTP, token or SAD; the teardown of every test asserts none. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csc_client.h"
#include "secure.h"

#ifdef _WIN32
#define malloc_usable_size _msize   /* the size of a block from the C runtime's malloc */
#endif

#define PASSWORD "pw-Secret-1"
#define BASIC "Basic YWxpY2U6cHctU2VjcmV0LTE=" /* alice:pw-Secret-1 */
#define PIN "pin-24680"
#define OTP "otp-13579"
#define TOKEN "tok-abcdef"
#define BEARER "Bearer " TOKEN
#define SAD "sad-XYZ123"
#define SHA256 "2.16.840.1.101.3.4.2.1"
#define H1_B64 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define H2_B64 "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="

/* ---- the free hook ---- */

void __real_free(void *p);
void __wrap_free(void *p);

static const char *const secrets[] = { PASSWORD, "YWxpY2U6cHctU2VjcmV0LTE=", PIN, OTP, TOKEN, SAD };
static int secrets_left_in_freed_blocks;

static int contains(const unsigned char *block, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(block + i, needle, k) == 0)
            return 1;
    return 0;
}

void __wrap_free(void *p)
{
    if (p != NULL) {
        size_t n = malloc_usable_size(p);
        for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
            if (contains(p, n, secrets[i]))
                secrets_left_in_freed_blocks++;
    }
    __real_free(p);
}

/* ---- the scripted transport ---- */

typedef struct step {
    const char *path;
    const char *authorization; /* the exact header expected, NULL for none */
    const char *body;          /* the exact body expected */
    int status;                /* the answer's HTTP status; 0: the transport fails (NETWORK) */
    const char *answer;
} step;

static const step *script;
static size_t script_len, script_pos;

static sigil_status scripted_post(void *ctx, const char *path, const char *authorization,
                                  const unsigned char *body, size_t body_len, unsigned timeout_ms,
                                  int *http_status, sigil_buffer *response)
{
    (void)ctx;
    assert_int_equal(timeout_ms, 5000);
    assert_true(script_pos < script_len); /* no call beyond the script */
    const step *s = &script[script_pos++];
    assert_string_equal(path, s->path);
    if (s->authorization == NULL) {
        assert_null(authorization);
    } else {
        assert_non_null(authorization);
        assert_string_equal(authorization, s->authorization);
        assert_false(contains((const unsigned char *)authorization, strlen(authorization), PIN));
        assert_false(contains((const unsigned char *)authorization, strlen(authorization), OTP));
    }
    assert_int_equal(body_len, strlen(s->body));
    assert_memory_equal(body, s->body, body_len);
    if (s->status == 0)
        return SIGIL_NETWORK;
    size_t n = strlen(s->answer);
    response->data = malloc(n > 0 ? n : 1);
    assert_non_null(response->data);
    memcpy(response->data, s->answer, n);
    response->len = n;
    *http_status = s->status;
    return SIGIL_OK;
}

static void run(const step *steps, size_t n)
{
    script = steps;
    script_len = n;
    script_pos = 0;
}
#define RUN(steps) run(steps, sizeof steps / sizeof steps[0])

static const sigil_transport transport = { scripted_post, NULL, 5000 };

static int setup(void **state)
{
    sigil_csc_session *s;
    secrets_left_in_freed_blocks = 0;
    run(NULL, 0);
    if (sigil_csc_session_new(&transport, &s) != SIGIL_OK)
        return -1;
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    sigil_csc_session_free(*state);
    assert_int_equal(script_pos, script_len); /* every expected request was sent */
    assert_int_equal(secrets_left_in_freed_blocks, 0);
    return 0;
}

static const step login_step = { "auth/login", BASIC, "{}", 200,
                                 "{\"access_token\": \"" TOKEN "\", \"expires_in\": 1800}" };

static void login(sigil_csc_session *s)
{
    static const step steps[] = { login_step };
    RUN(steps);
    char password[] = PASSWORD;
    assert_int_equal(sigil_csc_login(s, "alice", password, strlen(password)), SIGIL_OK);
    assert_int_equal(sigil_csc_logged_in(s), 1);
    memset(password, 0, sizeof password);
}

static const unsigned char hashes[64] = {
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
    26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49,
    50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63,
};

/* ---- the requests ---- */

static void login_sends_basic_auth_and_later_calls_the_bearer_token(void **state)
{
    sigil_csc_session *s = *state;
    login(s);
    static const step steps[] = {
        { "credentials/list", BEARER, "{}", 200, "{\"credentialIDs\": [\"demo\", \"demo-ec\"]}" },
    };
    RUN(steps);
    char **ids;
    size_t n;
    assert_int_equal(sigil_csc_list(s, &ids, &n), SIGIL_OK);
    assert_int_equal(n, 2);
    assert_string_equal(ids[0], "demo");
    assert_string_equal(ids[1], "demo-ec");
    sigil_csc_free_strings(ids, n);
}

static void calls_before_login_are_refused_without_a_request(void **state)
{
    sigil_csc_session *s = *state;
    char **ids;
    size_t n;
    assert_int_equal(sigil_csc_list(s, &ids, &n), SIGIL_SESSION_EXPIRED);
    assert_int_equal(sigil_csc_revoke(s), SIGIL_SESSION_EXPIRED);
}

static void login_refuses_a_username_with_a_colon(void **state)
{
    sigil_csc_session *s = *state;
    assert_int_equal(sigil_csc_login(s, "al:ice", "x", 1), SIGIL_INVALID_ARGUMENT);
    assert_int_equal(sigil_csc_login(s, "", "x", 1), SIGIL_INVALID_ARGUMENT);
}

static const char info_request[] =
    "{\"credentialID\":\"demo\",\"certificates\":\"chain\",\"certInfo\":true}";
static const char info_answer[] =
    "{\"description\": \"Sigil credential demo\","
    " \"key\": {\"status\": \"enabled\", \"algo\": [\"1.2.840.113549.1.1.11\","
    " \"1.2.840.113549.1.1.10\", \"1.2.840.113549.1.1.1\"], \"len\": 2048},"
    " \"cert\": {\"status\": \"valid\", \"certificates\": [\"MIIBCg==\", \"MAMCAQU=\"],"
    " \"subjectDN\": \"CN=Sigil Demo Signer\"},"
    " \"auth\": {\"mode\": \"explicit\", \"expression\": \"PIN AND OTP\", \"objects\": ["
    " {\"type\": \"Password\", \"id\": \"PIN\", \"format\": \"A\"},"
    " {\"type\": \"Password\", \"id\": \"OTP\", \"format\": \"N\", \"generator\": \"totp\"}]},"
    " \"SCAL\": \"2\", \"multisign\": 10, \"lang\": \"en-US\"}";

static void info_sends_the_exact_request_parses_every_field_and_is_cached(void **state)
{
    sigil_csc_session *s = *state;
    login(s);
    static const step steps[] = {
        { "credentials/info", BEARER, info_request, 200, info_answer },
    };
    RUN(steps);
    const sigil_csc_credential_info *info, *again;
    assert_int_equal(sigil_csc_info(s, "demo", &info), SIGIL_OK);
    assert_string_equal(info->credential_id, "demo");
    assert_string_equal(info->key_status, "enabled");
    assert_string_equal(info->cert_status, "valid");
    assert_null(sigil_csc_unusable_reason(info));
    assert_int_equal(info->algo_count, 3);
    assert_string_equal(info->algos[0], "1.2.840.113549.1.1.11");
    assert_string_equal(info->algos[2], "1.2.840.113549.1.1.1");
    assert_int_equal(info->key_len, 2048);
    assert_null(info->curve);
    assert_int_equal(info->certificate_count, 2);
    assert_int_equal(info->certificates[0].len, 4);
    assert_memory_equal(info->certificates[0].data, "\x30\x82\x01\x0a", 4);
    assert_int_equal(info->certificates[1].len, 5);
    assert_memory_equal(info->certificates[1].data, "\x30\x03\x02\x01\x05", 5);
    assert_string_equal(info->auth_mode, "explicit");
    assert_int_equal(info->pin_required, 1);
    assert_int_equal(info->otp_required, 1);
    assert_string_equal(info->scal, "2");
    assert_int_equal(info->multisign, 10);
    /* The second call is answered from the cache: the script has only one step. */
    assert_int_equal(sigil_csc_info(s, "demo", &again), SIGIL_OK);
    assert_ptr_equal(again, info);
    assert_int_equal(script_pos, 1);
}

static void info_reads_an_ec_key_without_certificates_or_auth_objects(void **state)
{
    sigil_csc_session *s = *state;
    login(s);
    static const step steps[] = {
        { "credentials/info", BEARER,
          "{\"credentialID\":\"demo-ec\",\"certificates\":\"chain\",\"certInfo\":true}", 200,
          "{\"key\": {\"algo\": [\"1.2.840.10045.4.3.2\", \"1.2.840.10045.2.1\"], \"len\": 256,"
          " \"curve\": \"1.2.840.10045.3.1.7\"}, \"cert\": {\"status\": \"valid\"},"
          " \"auth\": {\"mode\": \"implicit\"}}" },
    };
    RUN(steps);
    const sigil_csc_credential_info *info;
    assert_int_equal(sigil_csc_info(s, "demo-ec", &info), SIGIL_OK);
    assert_string_equal(info->curve, "1.2.840.10045.3.1.7");
    assert_int_equal(info->key_len, 256);
    assert_int_equal(info->certificate_count, 0);
    assert_null(info->certificates);
    assert_int_equal(info->pin_required, 0);
    assert_int_equal(info->otp_required, 0);
    assert_null(info->scal);
    assert_int_equal(info->multisign, 1);
}

static void the_server_says_when_a_credential_cannot_sign(void **state)
{
    (void)state;
    sigil_buffer cert = {(unsigned char *)"\x30\x00", 2};
    sigil_csc_credential_info info;
    memset(&info, 0, sizeof info);
    assert_string_equal(sigil_csc_unusable_reason(NULL), "no certificate on the server");
    assert_string_equal(sigil_csc_unusable_reason(&info), "no certificate on the server");
    info.certificates = &cert;
    info.certificate_count = 1;
    assert_null(sigil_csc_unusable_reason(&info));   /* no status at all: usable */
    static const char *const cases[][3] = {
        {"enabled", "valid", NULL},
        {"disabled", "valid", "disabled on the server"},
        {"enabled", "revoked", "certificate revoked on the server"},
        {"enabled", "suspended", "certificate suspended on the server"},
        {"enabled", "expired", "certificate expired on the server"},
        {"enabled", "not yet valid", "certificate not valid according to the server"},
        {"disabled", "revoked", "disabled on the server"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        info.key_status = (char *)cases[i][0];
        info.cert_status = (char *)cases[i][1];
        const char *why = sigil_csc_unusable_reason(&info);
        if (cases[i][2] == NULL)
            assert_null(why);
        else
            assert_string_equal(why, cases[i][2]);
    }
}

static void a_new_login_empties_the_info_cache(void **state)
{
    sigil_csc_session *s = *state;
    static const step steps[] = {
        login_step,
        { "credentials/info", BEARER, info_request, 200, info_answer },
        login_step,
        { "credentials/info", BEARER, info_request, 200, info_answer },
    };
    RUN(steps);
    const sigil_csc_credential_info *info;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(sigil_csc_login(s, "alice", PASSWORD, strlen(PASSWORD)), SIGIL_OK);
        assert_int_equal(sigil_csc_info(s, "demo", &info), SIGIL_OK);
    }
}

static void authorize_sends_hashes_pin_and_otp_in_the_body_only(void **state)
{
    sigil_csc_session *s = *state;
    login(s);
    static const step steps[] = {
        { "credentials/authorize", BEARER,
          "{\"credentialID\":\"demo\",\"numSignatures\":2,\"hashes\":[\"" H1_B64 "\",\"" H2_B64
          "\"],\"hashAlgorithmOID\":\"" SHA256 "\",\"PIN\":\"" PIN "\",\"OTP\":\"" OTP "\"}",
          200, "{\"SAD\": \"" SAD "\", \"expiresIn\": 300}" },
    };
    RUN(steps);
    char *sad;
    int64_t expires;
    assert_int_equal(sigil_csc_authorize(s, "demo", hashes, 32, 2, SHA256, PIN, OTP, &sad,
                                         &expires), SIGIL_OK);
    assert_string_equal(sad, SAD);
    assert_int_equal(expires, 300);
    sigil_free_secret(sad);
}

static void authorize_checks_the_hashes_before_sending_anything(void **state)
{
    sigil_csc_session *s = *state;
    login(s);
    char *sad;
    int64_t expires;
    assert_int_equal(sigil_csc_authorize(s, "demo", hashes, 48, 1, SHA256, PIN, OTP, &sad,
                                         &expires), SIGIL_INVALID_ARGUMENT);
    assert_int_equal(sigil_csc_authorize(s, "demo", hashes, 32, 0, SHA256, PIN, OTP, &sad,
                                         &expires), SIGIL_INVALID_ARGUMENT);
    assert_int_equal(sigil_csc_authorize(s, "demo", hashes, 16, 1, "1.2.840.113549.2.5", PIN,
                                         OTP, &sad, &expires), SIGIL_UNSUPPORTED);
    assert_null(sad);
}

static void sign_hash_sends_the_exact_request_and_decodes_the_signatures(void **state)
{
    sigil_csc_session *s = *state;
    login(s);
    static const step steps[] = {
        { "signatures/signHash", BEARER,
          "{\"credentialID\":\"demo\",\"SAD\":\"" SAD "\",\"hashes\":[\"" H1_B64 "\",\"" H2_B64
          "\"],\"hashAlgorithmOID\":\"" SHA256 "\",\"signAlgo\":\"1.2.840.113549.1.1.10\","
          "\"signAlgoParams\":\"MAMCAQU=\"}",
          200, "{\"signatures\": [\"U0lHLU9ORQ==\", \"U0lHLVRXTw==\"]}" },
        { "signatures/signHash", BEARER,
          "{\"credentialID\":\"demo\",\"SAD\":\"" SAD "\",\"hashes\":[\"" H1_B64 "\"],"
          "\"hashAlgorithmOID\":\"" SHA256 "\",\"signAlgo\":\"1.2.840.113549.1.1.11\"}",
          200, "{\"signatures\": [\"U0lHLU9ORQ==\"]}" },
    };
    RUN(steps);
    sigil_buffer *sigs;
    size_t n;
    assert_int_equal(sigil_csc_sign_hash(s, "demo", SAD, hashes, 32, 2, SHA256,
                                         "1.2.840.113549.1.1.10",
                                         (const unsigned char *)"\x30\x03\x02\x01\x05", 5, &sigs,
                                         &n), SIGIL_OK);
    assert_int_equal(n, 2);
    assert_int_equal(sigs[0].len, 7);
    assert_memory_equal(sigs[0].data, "SIG-ONE", 7);
    assert_memory_equal(sigs[1].data, "SIG-TWO", 7);
    sigil_csc_free_buffers(sigs, n);
    assert_int_equal(sigil_csc_sign_hash(s, "demo", SAD, hashes, 32, 1, SHA256,
                                         "1.2.840.113549.1.1.11", NULL, 0, &sigs, &n), SIGIL_OK);
    assert_int_equal(n, 1);
    sigil_csc_free_buffers(sigs, n);
}

static void revoke_forgets_the_token(void **state)
{
    sigil_csc_session *s = *state;
    login(s);
    static const step steps[] = { { "auth/revoke", BEARER, "{}", 204, "" } };
    RUN(steps);
    assert_int_equal(sigil_csc_revoke(s), SIGIL_OK);
    assert_int_equal(sigil_csc_logged_in(s), 0);
    char **ids;
    size_t n;
    assert_int_equal(sigil_csc_list(s, &ids, &n), SIGIL_SESSION_EXPIRED);
}

/* ---- errors ---- */

static const struct {
    int http;
    const char *error, *description;
    sigil_status expected;
} rows[] = {
    { 400, "invalid_grant", "Invalid PIN", SIGIL_AUTH_FAILED },
    { 400, "invalid_grant", "Invalid PIN or OTP", SIGIL_AUTH_FAILED },
    { 400, "invalid_grant", "Invalid username or password", SIGIL_AUTH_FAILED },
    { 400, "invalid_request", "Invalid parameter credentialID", SIGIL_INVALID_ARGUMENT },
    { 401, "invalid_token", "The token has expired", SIGIL_SESSION_EXPIRED },
    { 401, "invalid_request", "Missing Authorization", SIGIL_AUTH_FAILED },
    { 403, "access_denied", "The account is locked after too many failed attempts; try again "
      "after 2026-11-30T10:05:00Z", SIGIL_PIN_LOCKED },
    { 403, "access_denied", "The PIN is blocked after repeated lockouts; an administrator must "
      "unblock it", SIGIL_PIN_LOCKED },
    { 403, "access_denied", "The credential is disabled", SIGIL_AUTH_FAILED },
    { 404, "invalid_request", "No such endpoint", SIGIL_UNSUPPORTED },
    { 405, "invalid_request", "Method not allowed", SIGIL_UNSUPPORTED },
    { 413, "invalid_request", "Body too large", SIGIL_LIMIT_EXCEEDED },
    { 415, "invalid_request", "Content-Type must be application/json", SIGIL_INVALID_ARGUMENT },
    { 429, "temporarily_unavailable", "Slow down", SIGIL_RETRY_LATER },
    { 431, "invalid_request", "Headers too large", SIGIL_LIMIT_EXCEEDED },
    { 500, "server_error", "Internal error", SIGIL_SERVER_ERROR },
    { 502, "bad_gateway", "Upstream", SIGIL_SERVER_ERROR },
    { 503, "temporarily_unavailable", "Busy", SIGIL_RETRY_LATER },
    { 302, "found", "Moved", SIGIL_SERVER_ERROR },
    { 201, "created", "Odd", SIGIL_SERVER_ERROR },
};

static void every_error_row_maps_to_its_status_and_keeps_the_description(void **state)
{
    sigil_csc_session *s = *state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char answer[512];
        snprintf(answer, sizeof answer,
                 "{\"error\": \"%s\", \"error_description\": \"%s\", \"request_id\": \"r1\"}",
                 rows[i].error, rows[i].description);
        step steps[] = {
            login_step,
            { "credentials/authorize", BEARER,
              "{\"credentialID\":\"demo\",\"numSignatures\":1,\"hashes\":[\"" H1_B64 "\"],"
              "\"hashAlgorithmOID\":\"" SHA256 "\",\"PIN\":\"" PIN "\",\"OTP\":\"" OTP "\"}",
              rows[i].http, answer },
        };
        RUN(steps);
        assert_int_equal(sigil_csc_login(s, "alice", PASSWORD, strlen(PASSWORD)), SIGIL_OK);
        char *sad;
        int64_t expires;
        sigil_status st = sigil_csc_authorize(s, "demo", hashes, 32, 1, SHA256, PIN, OTP, &sad,
                                              &expires);
        if (st != rows[i].expected)
            fail_msg("HTTP %d %s: %s, expected %s", rows[i].http, rows[i].error,
                     sigil_status_name(st), sigil_status_name(rows[i].expected));
        assert_null(sad);
        assert_int_equal(sigil_csc_last_http_status(s), rows[i].http);
        assert_string_equal(sigil_csc_last_error(s), rows[i].error);
        assert_string_equal(sigil_csc_last_error_description(s), rows[i].description);
        assert_int_equal(sigil_csc_map_error(rows[i].http, rows[i].error, rows[i].description),
                         rows[i].expected);
        assert_int_equal(sigil_csc_logged_in(s), rows[i].expected != SIGIL_SESSION_EXPIRED);
    }
}

static void an_error_answer_that_is_not_json_maps_by_status_alone(void **state)
{
    sigil_csc_session *s = *state;
    static const step steps[] = {
        { "auth/login", BASIC, "{}", 503, "<html>busy</html>" },
        { "auth/login", BASIC, "{}", 400, "" },
    };
    RUN(steps);
    assert_int_equal(sigil_csc_login(s, "alice", PASSWORD, strlen(PASSWORD)), SIGIL_RETRY_LATER);
    assert_string_equal(sigil_csc_last_error(s), "");
    assert_int_equal(sigil_csc_login(s, "alice", PASSWORD, strlen(PASSWORD)),
                     SIGIL_INVALID_ARGUMENT);
    assert_int_equal(sigil_csc_logged_in(s), 0);
}

static void a_transport_failure_is_reported_as_network(void **state)
{
    sigil_csc_session *s = *state;
    static const step steps[] = { { "auth/login", BASIC, "{}", 0, "" } };
    RUN(steps);
    assert_int_equal(sigil_csc_login(s, "alice", PASSWORD, strlen(PASSWORD)), SIGIL_NETWORK);
    assert_int_equal(sigil_csc_last_http_status(s), 0);
}

static void malformed_info_answers_are_parse_errors_and_not_cached(void **state)
{
    (void)state;
    static const char *const answers[] = {
        "not json", "{", "[]", "{}", "{\"key\": 1}", "{\"key\": {}}",
        "{\"key\": {\"algo\": \"x\", \"len\": 2048}}",
        "{\"key\": {\"algo\": [], \"len\": 2048}}",
        "{\"key\": {\"algo\": [1], \"len\": 2048}}",
        "{\"key\": {\"algo\": [\"1.2\"], \"len\": \"2048\"}}",
        "{\"key\": {\"algo\": [\"1.2\"], \"len\": 0}}",
        "{\"key\": {\"algo\": [\"1.2\"], \"len\": 99999999999999999999}}",
        "{\"key\": {\"algo\": [\"1.2\"], \"len\": 2048}, \"cert\": {\"certificates\": [\"MII\"]}}",
        "{\"key\": {\"algo\": [\"1.2\"], \"len\": 2048}, \"cert\": {\"certificates\": "
        "[\"MIIBCg==\", \"M A==\"]}}",
        "{\"key\": {\"algo\": [\"1.2\"], \"len\": 2048}, \"cert\": {\"certificates\": [\"\"]}}",
        "{\"key\": {\"algo\": [\"1.2\"], \"len\": 2048}, \"auth\": {\"objects\": [{}]}}",
        "{\"key\": {\"algo\": [\"1.2\"], \"len\": 2048}, \"auth\": {\"objects\": {}}}",
        "{\"key\": {\"algo\": [\"1.2\"], \"len\": 2048}, \"multisign\": 0}",
        "{\"key\": {\"algo\": [\"1.2\"], \"len\": 2048}, \"SCAL\": 2}",
        "{\"key\": {\"algo\": [\"1.2\"], \"len\": 2048, \"len\": 4096}}",
    };
    for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++) {
        sigil_csc_session *s;
        assert_int_equal(sigil_csc_session_new(&transport, &s), SIGIL_OK);
        step steps[] = {
            login_step,
            { "credentials/info", BEARER, info_request, 200, answers[i] },
            { "credentials/info", BEARER, info_request, 200, info_answer },
        };
        RUN(steps);
        assert_int_equal(sigil_csc_login(s, "alice", PASSWORD, strlen(PASSWORD)), SIGIL_OK);
        const sigil_csc_credential_info *info;
        sigil_status st = sigil_csc_info(s, "demo", &info);
        if (st != SIGIL_PARSE_ERROR)
            fail_msg("answer %zu (%s): %s", i, answers[i], sigil_status_name(st));
        assert_null(info);
        assert_int_equal(sigil_csc_info(s, "demo", &info), SIGIL_OK); /* asked again */
        sigil_csc_session_free(s);
    }
}

static void malformed_login_authorize_and_sign_answers_are_parse_errors(void **state)
{
    sigil_csc_session *s = *state;
    static const char *const login_answers[] = { "{}", "{\"access_token\": 5}",
                                                 "{\"access_token\": \"\"}", "\"tok\"" };
    for (size_t i = 0; i < sizeof login_answers / sizeof login_answers[0]; i++) {
        step steps[] = { { "auth/login", BASIC, "{}", 200, login_answers[i] } };
        RUN(steps);
        assert_int_equal(sigil_csc_login(s, "alice", PASSWORD, strlen(PASSWORD)),
                         SIGIL_PARSE_ERROR);
    }
    login(s);
    static const char *const authorize_answers[] = {
        "{\"SAD\": \"" SAD "\"}", "{\"SAD\": \"" SAD "\", \"expiresIn\": \"300\"}",
        "{\"expiresIn\": 300}", "{\"SAD\": \"\", \"expiresIn\": 300}",
        "{\"SAD\": \"" SAD "\", \"expiresIn\": 300} x",
    };
    for (size_t i = 0; i < sizeof authorize_answers / sizeof authorize_answers[0]; i++) {
        step steps[] = {
            { "credentials/authorize", BEARER,
              "{\"credentialID\":\"demo\",\"numSignatures\":1,\"hashes\":[\"" H1_B64 "\"],"
              "\"hashAlgorithmOID\":\"" SHA256 "\"}", 200, authorize_answers[i] },
        };
        RUN(steps);
        char *sad;
        int64_t expires;
        assert_int_equal(sigil_csc_authorize(s, "demo", hashes, 32, 1, SHA256, NULL, NULL, &sad,
                                             &expires), SIGIL_PARSE_ERROR);
        assert_null(sad);
    }
    static const char *const sign_answers[] = {
        "{}", "{\"signatures\": []}", "{\"signatures\": [\"U0lHLU9ORQ==\", \"U0lHLVRXTw==\"]}",
        "{\"signatures\": [\"U0lHLU9ORQ\"]}", "{\"signatures\": [\"\"]}", "{\"signatures\": [7]}",
    };
    for (size_t i = 0; i < sizeof sign_answers / sizeof sign_answers[0]; i++) {
        step steps[] = {
            { "signatures/signHash", BEARER,
              "{\"credentialID\":\"demo\",\"SAD\":\"" SAD "\",\"hashes\":[\"" H1_B64 "\"],"
              "\"hashAlgorithmOID\":\"" SHA256 "\",\"signAlgo\":\"1.2.840.113549.1.1.11\"}",
              200, sign_answers[i] },
        };
        RUN(steps);
        sigil_buffer *sigs;
        size_t n;
        assert_int_equal(sigil_csc_sign_hash(s, "demo", SAD, hashes, 32, 1, SHA256,
                                             "1.2.840.113549.1.1.11", NULL, 0, &sigs, &n),
                         SIGIL_PARSE_ERROR);
        assert_null(sigs);
        assert_int_equal(n, 0);
    }
}

/* ---- secrets ---- */

static void the_free_hook_detects_a_secret_left_in_a_freed_block(void **state)
{
    (void)state;
    /* The control experiment: without it, a zero count could mean the hook sees nothing. The
     * core's sigil_csc_free_strings frees credential ids without zeroing them (they are not
     * secret); handed a PIN, its free() must be seen holding it. */
    char **strings = malloc(sizeof *strings);
    assert_non_null(strings);
    strings[0] = malloc(32);
    assert_non_null(strings[0]);
    strcpy(strings[0], "x" PIN "y");
    sigil_csc_free_strings(strings, 1);
    assert_int_equal(secrets_left_in_freed_blocks, 1);
    secrets_left_in_freed_blocks = 0;
}

static void a_whole_flow_leaves_no_secret_in_freed_memory(void **state)
{
    sigil_csc_session *s = *state;
    static const step steps[] = {
        login_step,
        { "credentials/info", BEARER, info_request, 200, info_answer },
        { "credentials/authorize", BEARER,
          "{\"credentialID\":\"demo\",\"numSignatures\":1,\"hashes\":[\"" H1_B64 "\"],"
          "\"hashAlgorithmOID\":\"" SHA256 "\",\"PIN\":\"" PIN "\",\"OTP\":\"" OTP "\"}",
          200, "{\"SAD\": \"" SAD "\", \"expiresIn\": 300}" },
        { "signatures/signHash", BEARER,
          "{\"credentialID\":\"demo\",\"SAD\":\"" SAD "\",\"hashes\":[\"" H1_B64 "\"],"
          "\"hashAlgorithmOID\":\"" SHA256 "\",\"signAlgo\":\"1.2.840.113549.1.1.11\"}",
          200, "{\"signatures\": [\"U0lHLU9ORQ==\"]}" },
        { "auth/revoke", BEARER, "{}", 204, "" },
    };
    RUN(steps);
    assert_int_equal(sigil_csc_login(s, "alice", PASSWORD, strlen(PASSWORD)), SIGIL_OK);
    const sigil_csc_credential_info *info;
    assert_int_equal(sigil_csc_info(s, "demo", &info), SIGIL_OK);
    char *sad;
    int64_t expires;
    assert_int_equal(sigil_csc_authorize(s, "demo", hashes, 32, 1, SHA256, PIN, OTP, &sad,
                                         &expires), SIGIL_OK);
    sigil_buffer *sigs;
    size_t n;
    assert_int_equal(sigil_csc_sign_hash(s, "demo", sad, hashes, 32, 1, SHA256,
                                         "1.2.840.113549.1.1.11", NULL, 0, &sigs, &n), SIGIL_OK);
    sigil_csc_free_buffers(sigs, n);
    sigil_free_secret(sad);
    assert_int_equal(sigil_csc_revoke(s), SIGIL_OK);
    assert_int_equal(secrets_left_in_freed_blocks, 0); /* and again after the session is freed */
}

static void null_arguments_are_rejected(void **state)
{
    sigil_csc_session *s = *state;
    sigil_csc_session *other;
    sigil_transport none = { NULL, NULL, 0 };
    assert_int_equal(sigil_csc_session_new(&none, &other), SIGIL_INVALID_ARGUMENT);
    assert_int_equal(sigil_csc_session_new(NULL, &other), SIGIL_INVALID_ARGUMENT);
    assert_int_equal(sigil_csc_login(s, NULL, "x", 1), SIGIL_INVALID_ARGUMENT);
    assert_int_equal(sigil_csc_login(s, "alice", NULL, 1), SIGIL_INVALID_ARGUMENT);
    const sigil_csc_credential_info *info;
    assert_int_equal(sigil_csc_info(s, NULL, &info), SIGIL_INVALID_ARGUMENT);
    assert_int_equal(sigil_csc_revoke(NULL), SIGIL_INVALID_ARGUMENT);
    sigil_csc_session_free(NULL);
    sigil_free_secret(NULL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(login_sends_basic_auth_and_later_calls_the_bearer_token),
        T(calls_before_login_are_refused_without_a_request),
        T(login_refuses_a_username_with_a_colon),
        T(info_sends_the_exact_request_parses_every_field_and_is_cached),
        T(info_reads_an_ec_key_without_certificates_or_auth_objects),
        T(the_server_says_when_a_credential_cannot_sign),
        T(a_new_login_empties_the_info_cache),
        T(authorize_sends_hashes_pin_and_otp_in_the_body_only),
        T(authorize_checks_the_hashes_before_sending_anything),
        T(sign_hash_sends_the_exact_request_and_decodes_the_signatures),
        T(revoke_forgets_the_token),
        T(every_error_row_maps_to_its_status_and_keeps_the_description),
        T(an_error_answer_that_is_not_json_maps_by_status_alone),
        T(a_transport_failure_is_reported_as_network),
        T(malformed_info_answers_are_parse_errors_and_not_cached),
        T(malformed_login_authorize_and_sign_answers_are_parse_errors),
        T(the_free_hook_detects_a_secret_left_in_a_freed_block),
        T(a_whole_flow_leaves_no_secret_in_freed_memory),
        T(null_arguments_are_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
