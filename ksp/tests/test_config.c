#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "config.h"

static const char *const pin_hex =
    "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF";

static sigil_status parse(const char *text, sigil_config *cfg, char *err, size_t cap)
{
    return sigil_config_parse(text, strlen(text), cfg, err, cap);
}

static void parses_a_full_file_with_comments_and_whitespace(void **state)
{
    (void)state;
    char text[1024];
    snprintf(text, sizeof text,
             "# Sigil client\n"
             "\n"
             "  server_url = https://sigil.example:8443  \n"
             "ca_file=/etc/sigil/ca.pem\r\n"
             "\tpinned_sha256 = %s\n"
             "client_cert = /etc/sigil/client.pem\n"
             "client_key = /etc/sigil/client.key\n"
             "   # indented comment\n"
             "username = alice smith\n"
             "label = Alice at Example\n"
             "otp_command = /usr/local/bin/otp --account alice\n"
             "timeout_seconds = 45", pin_hex);
    sigil_config cfg;
    char err[128];
    assert_int_equal(parse(text, &cfg, err, sizeof err), SIGIL_OK);
    assert_string_equal(err, "");
    assert_string_equal(cfg.server_url, "https://sigil.example:8443");
    assert_string_equal(cfg.ca_file, "/etc/sigil/ca.pem");
    assert_int_equal(cfg.has_pinned, 1);
    assert_int_equal(cfg.pinned_sha256[0], 0x00);
    assert_int_equal(cfg.pinned_sha256[15], 0xff);
    assert_int_equal(cfg.pinned_sha256[31], 0xff);
    assert_string_equal(cfg.client_cert, "/etc/sigil/client.pem");
    assert_string_equal(cfg.client_key, "/etc/sigil/client.key");
    assert_string_equal(cfg.username, "alice smith");
    assert_int_equal(cfg.timeout_seconds, 45);
    assert_string_equal(cfg.label, "Alice at Example");
    assert_string_equal(cfg.otp_command, "/usr/local/bin/otp --account alice");
    sigil_config_clear(&cfg);
    assert_null(cfg.server_url);
}

static void optional_keys_have_defaults(void **state)
{
    (void)state;
    sigil_config cfg;
    assert_int_equal(parse("server_url = https://s\nusername = bob\nca_file = ca.pem\n", &cfg,
                           NULL, 0), SIGIL_OK);
    assert_null(cfg.client_cert);
    assert_null(cfg.client_key);
    assert_int_equal(cfg.has_pinned, 0);
    assert_int_equal(cfg.timeout_seconds, 30);
    assert_null(cfg.label);
    assert_null(cfg.otp_command);
    sigil_config_clear(&cfg);
}

static void expect_error(const char *text, const char *message)
{
    sigil_config cfg;
    char err[128];
    assert_int_equal(parse(text, &cfg, err, sizeof err), SIGIL_PARSE_ERROR);
    assert_string_equal(err, message);
    assert_null(cfg.server_url);
    assert_null(cfg.username);
}

static void refuses_unknown_keys_with_the_line_number(void **state)
{
    (void)state;
    expect_error("# c\nserver_url = https://s\n\nsever_url = https://t\n",
                 "line 4: unknown key 'sever_url'");
}

static void refuses_repeated_keys(void **state)
{
    (void)state;
    expect_error("username = a\nusername = b\n", "line 2: username repeated (first on line 1)");
}

static void refuses_lines_without_an_equals_sign_and_empty_values(void **state)
{
    (void)state;
    expect_error("username\n", "line 1: expected key = value");
    expect_error("username = a\nca_file =   \n", "line 2: ca_file has an empty value");
}

static void refuses_missing_required_keys(void **state)
{
    (void)state;
    expect_error("username = a\nca_file = c\n", "missing required key server_url");
    expect_error("server_url = https://s\nca_file = c\n", "missing required key username");
    expect_error("server_url = https://s\nusername = a\n",
                 "missing ca_file or pinned_sha256: the server certificate must be checked");
    expect_error("server_url = https://s\nusername = a\nca_file = c\nclient_cert = x\n",
                 "client_cert and client_key must be given together");
    expect_error("", "missing required key server_url");
}

static void refuses_bad_values(void **state)
{
    (void)state;
    expect_error("server_url = http://s\n",
                 "line 1: server_url must start with https:// and not end with /");
    expect_error("server_url = https://s/\n",
                 "line 1: server_url must start with https:// and not end with /");
    expect_error("pinned_sha256 = 0011\n", "line 1: pinned_sha256 must be 64 hex digits");
    expect_error("pinned_sha256 = 0g112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n",
                 "line 1: pinned_sha256 must be 64 hex digits");
    expect_error("timeout_seconds = 0\n", "line 1: timeout_seconds must be an integer from 1 to 600");
    expect_error("timeout_seconds = 601\n",
                 "line 1: timeout_seconds must be an integer from 1 to 600");
    expect_error("timeout_seconds = 99999999999999999999\n",
                 "line 1: timeout_seconds must be an integer from 1 to 600");
    expect_error("label = 123456789012345678901234567890123\n",
                 "line 1: label is longer than 32 bytes (a PKCS#11 token label)");
    expect_error("timeout_seconds = 3s\n",
                 "line 1: timeout_seconds must be an integer from 1 to 600");
}

static void a_client_certificate_thumbprint_is_read_and_excludes_the_files(void **state)
{
    (void)state;
    sigil_config cfg;
    assert_int_equal(parse("server_url = https://s\nusername = a\nca_file = system\n"
                           "client_cert_thumbprint = 00112233445566778899aAbBcCdDeEfF0A1b2C3d\n",
                           &cfg, NULL, 0), SIGIL_OK);
    assert_int_equal(cfg.has_client_thumbprint, 1);
    static const unsigned char want[20] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
                                           0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x0a, 0x1b,
                                           0x2c, 0x3d};
    assert_memory_equal(cfg.client_cert_sha1, want, sizeof want);
    assert_null(cfg.client_cert);
    sigil_config_clear(&cfg);
    assert_int_equal(cfg.has_client_thumbprint, 0);

    const char *bad = "line 1: client_cert_thumbprint must be 40 hex digits (the SHA-1 "
                      "thumbprint Windows shows, without spaces)";
    expect_error("client_cert_thumbprint = 00112233445566778899aabbccddeeff0a1b2c3\n", bad);
    expect_error("client_cert_thumbprint = 00112233445566778899aabbccddeeff0a1b2c3d4\n", bad);
    expect_error("client_cert_thumbprint = 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff 0a 1b\n",
                 bad);
    expect_error("client_cert_thumbprint = 00112233445566778899aabbccddeeff0a1b2c3g\n", bad);
    expect_error("server_url = https://s\nusername = a\nca_file = c\nclient_cert = x\n"
                 "client_key = y\nclient_cert_thumbprint = 00112233445566778899aabbccddeeff0a1b2c3d\n",
                 "client_cert_thumbprint (line 6) and client_cert/client_key (files) exclude each "
                 "other: give one client certificate");
}

static void an_error_after_allocations_leaks_nothing(void **state)
{
    (void)state;
    /* Three strings are allocated before the failure; the sanitizer build catches a leak. */
    expect_error("server_url = https://s\nusername = a\nca_file = c\nbogus = 1\n",
                 "line 4: unknown key 'bogus'");
}

static void loads_a_file_and_reports_a_missing_one(void **state)
{
    (void)state;
    const char *path = SIGIL_TEST_DIR "/test_config.conf";
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("server_url = https://f\nusername = u\nca_file = c\n", f);
    fclose(f);
    sigil_config cfg;
    char err[128];
    assert_int_equal(sigil_config_load_file(path, &cfg, err, sizeof err), SIGIL_OK);
    assert_string_equal(cfg.server_url, "https://f");
    sigil_config_clear(&cfg);
    remove(path);
    assert_int_equal(sigil_config_load_file(path, &cfg, err, sizeof err), SIGIL_NOT_FOUND);
    assert_non_null(strstr(err, "cannot open"));
}

static void refuses_oversized_files_and_null_arguments(void **state)
{
    (void)state;
    static char big[SIGIL_CONFIG_MAX_FILE + 2];
    memset(big, '#', sizeof big - 1);
    sigil_config cfg;
    assert_int_equal(sigil_config_parse(big, sizeof big - 1, &cfg, NULL, 0),
                     SIGIL_LIMIT_EXCEEDED);
    assert_int_equal(sigil_config_parse(NULL, 1, &cfg, NULL, 0), SIGIL_INVALID_ARGUMENT);
    assert_int_equal(sigil_config_parse("x", 1, NULL, NULL, 0), SIGIL_INVALID_ARGUMENT);
    sigil_config_clear(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_a_full_file_with_comments_and_whitespace),
        cmocka_unit_test(optional_keys_have_defaults),
        cmocka_unit_test(refuses_unknown_keys_with_the_line_number),
        cmocka_unit_test(refuses_repeated_keys),
        cmocka_unit_test(refuses_lines_without_an_equals_sign_and_empty_values),
        cmocka_unit_test(refuses_missing_required_keys),
        cmocka_unit_test(refuses_bad_values),
        cmocka_unit_test(a_client_certificate_thumbprint_is_read_and_excludes_the_files),
        cmocka_unit_test(an_error_after_allocations_leaks_nothing),
        cmocka_unit_test(loads_a_file_and_reports_a_missing_one),
        cmocka_unit_test(refuses_oversized_files_and_null_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
