#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "status.h"

static void every_status_has_its_own_name(void **state)
{
    (void)state;
    for (int i = 0; i < SIGIL_STATUS_COUNT_; i++) {
        const char *name = sigil_status_name((sigil_status)i);
        assert_non_null(name);
        assert_string_not_equal(name, "UNKNOWN");
        for (int j = 0; j < i; j++)
            assert_string_not_equal(name, sigil_status_name((sigil_status)j));
    }
}

static void names_match_the_enumerators(void **state)
{
    (void)state;
    assert_string_equal(sigil_status_name(SIGIL_OK), "OK");
    assert_string_equal(sigil_status_name(SIGIL_PARSE_ERROR), "PARSE_ERROR");
    assert_string_equal(sigil_status_name(SIGIL_PIN_LOCKED), "PIN_LOCKED");
    assert_string_equal(sigil_status_name(SIGIL_INTERNAL), "INTERNAL");
    assert_string_equal(sigil_status_name(SIGIL_SESSION_EXPIRED), "SESSION_EXPIRED");
    assert_string_equal(sigil_status_name(SIGIL_RETRY_LATER), "RETRY_LATER");
}

static void values_outside_the_enumeration_are_unknown(void **state)
{
    (void)state;
    assert_string_equal(sigil_status_name(SIGIL_STATUS_COUNT_), "UNKNOWN");
    assert_string_equal(sigil_status_name((sigil_status)-1), "UNKNOWN");
    assert_string_equal(sigil_status_name((sigil_status)1000), "UNKNOWN");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_status_has_its_own_name),
        cmocka_unit_test(names_match_the_enumerators),
        cmocka_unit_test(values_outside_the_enumeration_are_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
