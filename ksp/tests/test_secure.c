#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "secure.h"

static void zeroes_exactly_the_given_range(void **state)
{
    (void)state;
    unsigned char buf[32];
    memset(buf, 0xa5, sizeof buf);
    sigil_secure_zero(buf + 4, 20);
    for (size_t i = 0; i < sizeof buf; i++)
        assert_int_equal(buf[i], i >= 4 && i < 24 ? 0x00 : 0xa5);
}

static void zero_length_with_null_is_a_no_op(void **state)
{
    (void)state;
    sigil_secure_zero(NULL, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(zeroes_exactly_the_given_range),
        cmocka_unit_test(zero_length_with_null_is_a_no_op),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
