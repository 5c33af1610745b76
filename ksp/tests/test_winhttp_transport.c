/* The WinHTTP transport's set-up and refusals, under Wine (its exchanges: tests/e2e/win_run.sh
 * with the real server, tests/e2e/client_cert.sh with a server that requires a client
 * certificate). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "winhttp_transport.h"

/* A self-signed P-256 certificate ("CN=Sigil test CA"), as a ca_file would hold. */
static const char ca_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBhzCCAS2gAwIBAgIUT++vf8AuDllFkuxYZ2CMk92gLI4wCgYIKoZIzj0EAwIw\n"
    "GDEWMBQGA1UEAwwNU2lnaWwgdGVzdCBDQTAgFw0yNjExMzAwNTEyMDJaGA8yMTI2\n"
    "MTEwNjA1MTIwMlowGDEWMBQGA1UEAwwNU2lnaWwgdGVzdCBDQTBZMBMGByqGSM49\n"
    "AgEGCCqGSM49AwEHA0IABO9Qerp+q7iHIre1t+6MSNGM0NWkrrExdCcCZ1ypPIG8\n"
    "tyLUUMM8T610X74k+dR91mHLXq0n8nQwZufFCzPQUzqjUzBRMB0GA1UdDgQWBBQL\n"
    "inUtXSAsEkbWkopJpZVnavWXVTAfBgNVHSMEGDAWgBQLinUtXSAsEkbWkopJpZVn\n"
    "avWXVTAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIBQYTHwVfT5w\n"
    "aEkoWAbPOEwWuERXrDf1MF/76mzQ6OmQAiEAuApmF/r2Jt1TLJUd1u9zOpQGwT4N\n"
    "+EoXvXEXBVbkwpQ=\n"
    "-----END CERTIFICATE-----\n";

static sigil_config config(const char *url)
{
    sigil_config c;
    memset(&c, 0, sizeof c);
    c.server_url = (char *)url;
    c.username = (char *)"alice";
    c.timeout_seconds = 5;
    return c;
}

static void a_pin_alone_makes_a_transport(void **state)
{
    (void)state;
    sigil_config c = config("https://localhost:8443");
    c.has_pinned = 1;
    sigil_winhttp_transport *wt = NULL;
    char err[256];
    assert_int_equal(sigil_winhttp_transport_new(&c, &wt, err, sizeof err), SIGIL_OK);
    assert_string_equal(err, "");
    sigil_transport t;
    sigil_winhttp_transport_bind(wt, &t);
    assert_ptr_equal(t.ctx, wt);
    assert_non_null(t.post);
    assert_int_equal(t.timeout_ms, 5000);
    sigil_winhttp_transport_free(wt);
}

static void a_pem_ca_file_is_read(void **state)
{
    (void)state;
    FILE *f = fopen("test_winhttp_ca.pem", "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(ca_pem, 1, sizeof ca_pem - 1, f), sizeof ca_pem - 1);
    fclose(f);
    sigil_config c = config("https://localhost:8443/sigil");
    c.ca_file = (char *)"test_winhttp_ca.pem";
    sigil_winhttp_transport *wt = NULL;
    char err[256];
    assert_int_equal(sigil_winhttp_transport_new(&c, &wt, err, sizeof err), SIGIL_OK);
    sigil_winhttp_transport_free(wt);
    remove("test_winhttp_ca.pem");
}

static void refuses_what_it_cannot_use(void **state)
{
    (void)state;
    char err[256];
    sigil_winhttp_transport *wt = NULL;
    sigil_config c = config("https://localhost:8443");
    c.ca_file = (char *)"no-such-ca.pem";
    assert_int_equal(sigil_winhttp_transport_new(&c, &wt, err, sizeof err), SIGIL_INVALID_ARGUMENT);
    assert_string_equal(err, "WinHTTP: cannot open ca_file");
    assert_null(wt);

    /* Read whole or not at all: a file over the limit is refused, not cut. */
    FILE *big = fopen("test_winhttp_big_ca.pem", "wb");
    assert_non_null(big);
    static const char line[] = "-----BEGIN CERTIFICATE-----\n";
    for (size_t written = 0; written <= 256u * 1024u; written += sizeof line - 1)
        assert_int_equal(fwrite(line, 1, sizeof line - 1, big), sizeof line - 1);
    fclose(big);
    c.ca_file = (char *)"test_winhttp_big_ca.pem";
    assert_int_equal(sigil_winhttp_transport_new(&c, &wt, err, sizeof err), SIGIL_INVALID_ARGUMENT);
    assert_string_equal(err, "WinHTTP: ca_file is larger than 256 KiB");
    assert_null(wt);
    remove("test_winhttp_big_ca.pem");

    c = config("https://localhost:8443");
    c.has_pinned = 1;
    c.client_cert = (char *)"client.pem";
    c.client_key = (char *)"client.key";
    assert_int_equal(sigil_winhttp_transport_new(&c, &wt, err, sizeof err), SIGIL_UNSUPPORTED);
    assert_null(wt);

    c = config("http://localhost:8443");
    c.has_pinned = 1;
    assert_int_equal(sigil_winhttp_transport_new(&c, &wt, err, sizeof err), SIGIL_INVALID_ARGUMENT);
    assert_string_equal(err, "WinHTTP: server_url is not an https:// URL WinHTTP can parse");
    assert_int_equal(sigil_winhttp_transport_new(NULL, &wt, err, sizeof err), SIGIL_INVALID_ARGUMENT);
}

static void an_unreachable_server_is_a_network_error(void **state)
{
    (void)state;
    sigil_config c = config("https://127.0.0.1:1");
    c.has_pinned = 1;
    sigil_winhttp_transport *wt = NULL;
    assert_int_equal(sigil_winhttp_transport_new(&c, &wt, NULL, 0), SIGIL_OK);
    sigil_transport t;
    sigil_winhttp_transport_bind(wt, &t);
    int status = -1;
    sigil_buffer answer = {0};
    assert_int_equal(t.post(t.ctx, "info", NULL, (const unsigned char *)"{}", 2, 3000, &status,
                            &answer), SIGIL_NETWORK);
    assert_int_equal(status, 0);
    assert_null(answer.data);
    assert_string_not_equal(sigil_winhttp_transport_last_error(wt), "");
    sigil_winhttp_transport_free(wt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_pin_alone_makes_a_transport),
        cmocka_unit_test(a_pem_ca_file_is_read),
        cmocka_unit_test(refuses_what_it_cannot_use),
        cmocka_unit_test(an_unreachable_server_is_a_network_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
