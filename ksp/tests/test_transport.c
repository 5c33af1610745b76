#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "transport.h"

static void append_grows_and_keeps_the_content(void **state)
{
    (void)state;
    sigil_buffer b = {0};
    size_t cap = 0;
    unsigned char chunk[1000];
    for (size_t i = 0; i < sizeof chunk; i++)
        chunk[i] = (unsigned char)i;
    for (int i = 0; i < 10; i++)
        assert_int_equal(sigil_buffer_append(&b, &cap, chunk, sizeof chunk, 1u << 20), SIGIL_OK);
    assert_int_equal(b.len, 10000);
    assert_true(cap >= 10000);
    for (size_t i = 0; i < 10; i++)
        assert_memory_equal(b.data + i * sizeof chunk, chunk, sizeof chunk);
    assert_int_equal(sigil_buffer_append(&b, &cap, NULL, 0, 1u << 20), SIGIL_OK);
    assert_int_equal(b.len, 10000);
    sigil_buffer_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
}

static void append_refuses_to_pass_the_limit_and_changes_nothing(void **state)
{
    (void)state;
    sigil_buffer b = {0};
    size_t cap = 0;
    assert_int_equal(sigil_buffer_append(&b, &cap, "abcd", 4, 6), SIGIL_OK);
    assert_int_equal(sigil_buffer_append(&b, &cap, "efg", 3, 6), SIGIL_LIMIT_EXCEEDED);
    assert_int_equal(b.len, 4);
    assert_memory_equal(b.data, "abcd", 4);
    assert_int_equal(sigil_buffer_append(&b, &cap, "ef", 2, 6), SIGIL_OK);
    assert_memory_equal(b.data, "abcdef", 6);
    assert_int_equal(sigil_buffer_append(NULL, &cap, "x", 1, 6), SIGIL_INVALID_ARGUMENT);
    assert_int_equal(sigil_buffer_append(&b, NULL, "x", 1, 6), SIGIL_INVALID_ARGUMENT);
    assert_int_equal(sigil_buffer_append(&b, &cap, NULL, 1, 6), SIGIL_INVALID_ARGUMENT);
    sigil_buffer_free(&b);
    sigil_buffer_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(append_grows_and_keeps_the_content),
        cmocka_unit_test(append_refuses_to_pass_the_limit_and_changes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
