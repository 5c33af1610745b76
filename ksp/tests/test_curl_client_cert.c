/* The libcurl transport's TLS client certificate, against a server that requires one
 * (tests/e2e/client_cert.sh starts it and passes: URL, pin, client cert PEM, client key PEM, PFX,
 * a certificate without its key). */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "curl_transport.h"

static const char *url, *pin_hex, *cert_pem, *key_pem, *keyless_pem;

static sigil_config config(void)
{
    char text[2048];
    snprintf(text, sizeof text, "server_url = %s\nusername = alice\npinned_sha256 = %s\n"
             "timeout_seconds = 10\n", url, pin_hex);
    sigil_config c;
    char err[160];
    if (sigil_config_parse(text, strlen(text), &c, err, sizeof err) != SIGIL_OK)
        fail_msg("configuration refused: %s", err);
    return c;
}

/* One POST through a transport for c; returns its status, *http and *body filled. */
static sigil_status post(const sigil_config *c, int *http, char *body, size_t cap, char *why,
                         size_t why_cap)
{
    sigil_curl_transport *ct = NULL;
    sigil_status st = sigil_curl_transport_new(c, &ct, why, why_cap);
    if (st != SIGIL_OK)
        return st;
    sigil_transport t;
    sigil_curl_transport_bind(ct, &t);
    sigil_buffer answer = {0};
    st = t.post(t.ctx, "info", NULL, (const unsigned char *)"{}", 2, 0, http, &answer);
    snprintf(why, why_cap, "%s", sigil_curl_transport_last_error(ct));
    snprintf(body, cap, "%.*s", (int)answer.len, answer.data != NULL ? (char *)answer.data : "");
    sigil_buffer_free(&answer);
    sigil_curl_transport_free(ct);
    return st;
}

static void without_a_client_certificate_the_server_refuses_the_handshake(void **state)
{
    (void)state;
    sigil_config c = config();
    int http = -1;
    char body[256], why[256];
    assert_int_equal(post(&c, &http, body, sizeof body, why, sizeof why), SIGIL_NETWORK);
    assert_int_equal(http, 0);
    assert_string_not_equal(why, "");
    print_message("    (libcurl: %s)\n", why);
    sigil_config_clear(&c);
}

static void the_configured_client_certificate_is_presented(void **state)
{
    (void)state;
    sigil_config c = config();
    c.client_cert = strdup(cert_pem);
    c.client_key = strdup(key_pem);
    int http = -1;
    char body[256], why[256];
    assert_int_equal(post(&c, &http, body, sizeof body, why, sizeof why), SIGIL_OK);
    assert_int_equal(http, 200);
    assert_string_equal(body, "{\"client\": \"sigil-test-client\"}");
    sigil_config_clear(&c);
}

static void a_certificate_without_its_key_is_a_network_error_that_says_so(void **state)
{
    (void)state;
    sigil_config c = config();
    c.client_cert = strdup(keyless_pem);
    c.client_key = strdup(keyless_pem);
    int http = -1;
    char body[256], why[256];
    assert_int_equal(post(&c, &http, body, sizeof body, why, sizeof why), SIGIL_NETWORK);
    assert_non_null(strstr(why, "key"));
    print_message("    (libcurl: %s)\n", why);
    sigil_config_clear(&c);
}

static void a_windows_store_thumbprint_is_refused_here(void **state)
{
    (void)state;
    sigil_config c = config();
    c.has_client_thumbprint = 1;
    sigil_curl_transport *ct = NULL;
    char err[256];
    assert_int_equal(sigil_curl_transport_new(&c, &ct, err, sizeof err), SIGIL_UNSUPPORTED);
    assert_null(ct);
    assert_string_equal(err, "libcurl: client_cert_thumbprint names a certificate in the Windows "
                             "certificate store; here give client_cert and client_key files");
    sigil_config_clear(&c);
}

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: %s URL PIN CLIENT_CERT CLIENT_KEY CLIENT_PFX KEYLESS_CERT "
                        "(tests/e2e/client_cert.sh runs it)\n", argv[0]);
        return 2;
    }
    url = argv[1];
    pin_hex = argv[2];
    cert_pem = argv[3];
    key_pem = argv[4];
    keyless_pem = argv[6];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(without_a_client_certificate_the_server_refuses_the_handshake),
        cmocka_unit_test(the_configured_client_certificate_is_presented),
        cmocka_unit_test(a_certificate_without_its_key_is_a_network_error_that_says_so),
        cmocka_unit_test(a_windows_store_thumbprint_is_refused_here),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
