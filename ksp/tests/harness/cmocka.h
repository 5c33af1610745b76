/* A tiny stand-in for the part of cmocka's API that the core's tests use, so that the same test
 * sources build with mingw-w64 (Debian packages no mingw cmocka) and run under Wine. Only the
 * Windows build puts this directory on the include path; Linux builds use the real cmocka.
 *
 * Each test runs between setjmp and a failed assertion's longjmp; setup/teardown fixtures are
 * honoured; the program prints one line per test and a closing "N passed, N failed", and exits
 * non-zero when a test failed (or when none ran). */
#ifndef SIGIL_MINI_CMOCKA_H
#define SIGIL_MINI_CMOCKA_H

#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef void (*CMUnitTestFunction)(void **state);
typedef int (*CMFixtureFunction)(void **state);

struct CMUnitTest {
    const char *name;
    CMUnitTestFunction test_func;
    CMFixtureFunction setup_func;
    CMFixtureFunction teardown_func;
    void *initial_state;
};

#define cmocka_unit_test(f) { #f, f, NULL, NULL, NULL }
#define cmocka_unit_test_setup_teardown(f, setup, teardown) { #f, f, setup, teardown, NULL }
#define cmocka_run_group_tests(tests, group_setup, group_teardown) \
    sigil_mini_run(tests, sizeof(tests) / sizeof((tests)[0]))

static jmp_buf sigil_mini_jump;

static inline void sigil_mini_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stdout, "    %s:%d: ", file, line);
    vfprintf(stdout, fmt, ap);
    fprintf(stdout, "\n");
    va_end(ap);
    longjmp(sigil_mini_jump, 1);
}

#define SIGIL_MINI_CHECK(cond, ...) \
    do { if (!(cond)) sigil_mini_fail(__FILE__, __LINE__, __VA_ARGS__); } while (0)

#define assert_true(c) SIGIL_MINI_CHECK((c), "%s is false", #c)
#define assert_false(c) SIGIL_MINI_CHECK(!(c), "%s is true", #c)
#define assert_null(p) SIGIL_MINI_CHECK((p) == NULL, "%s is not NULL", #p)
#define assert_non_null(p) SIGIL_MINI_CHECK((p) != NULL, "%s is NULL", #p)
#define assert_int_equal(a, b) \
    do { uintmax_t a_ = (uintmax_t)(a), b_ = (uintmax_t)(b); \
         SIGIL_MINI_CHECK(a_ == b_, "%s == %s: %" PRIuMAX " != %" PRIuMAX, #a, #b, a_, b_); } while (0)
#define assert_ptr_equal(a, b) \
    do { const void *a_ = (const void *)(a), *b_ = (const void *)(b); \
         SIGIL_MINI_CHECK(a_ == b_, "%s == %s: %p != %p", #a, #b, a_, b_); } while (0)
#define assert_string_equal(a, b) \
    do { const char *a_ = (a), *b_ = (b); \
         SIGIL_MINI_CHECK(a_ != NULL && b_ != NULL && strcmp(a_, b_) == 0, "\"%s\" != \"%s\"", \
                          a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } while (0)
#define assert_string_not_equal(a, b) \
    do { const char *a_ = (a), *b_ = (b); \
         SIGIL_MINI_CHECK(a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0, "\"%s\" == \"%s\"", \
                          a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } while (0)
#define assert_memory_equal(a, b, n) \
    SIGIL_MINI_CHECK(memcmp((a), (b), (n)) == 0, "%s and %s differ in their first %zu bytes", \
                     #a, #b, (size_t)(n))
#define fail_msg(...) sigil_mini_fail(__FILE__, __LINE__, __VA_ARGS__)

/* One test with its fixtures; 1 when it passed. Everything that lives across a longjmp is
 * static or volatile. */
static void *sigil_mini_state;

static inline int sigil_mini_run_one(const struct CMUnitTest *t)
{
    volatile int stage = 0, ok = 0;
    sigil_mini_state = t->initial_state;
    if (setjmp(sigil_mini_jump) == 0) {
        if (t->setup_func != NULL && t->setup_func(&sigil_mini_state) != 0)
            sigil_mini_fail(__FILE__, __LINE__, "setup failed");
        stage = 1;
        t->test_func(&sigil_mini_state);
        stage = 2;
    }
    ok = stage == 2;
    /* The teardown also runs after a failed test, as cmocka does; a failing teardown fails. */
    if (t->teardown_func != NULL && stage >= 1) {
        if (setjmp(sigil_mini_jump) == 0) {
            if (t->teardown_func(&sigil_mini_state) != 0)
                ok = 0;
        } else {
            ok = 0;
        }
    }
    return ok;
}

static inline int sigil_mini_run(const struct CMUnitTest *tests, size_t count)
{
    int passed = 0, failed = 0;
    for (size_t i = 0; i < count; i++) {
        int ok = sigil_mini_run_one(&tests[i]);
        printf("[ %s ] %s\n", ok ? "    OK" : "FAILED", tests[i].name);
        if (ok)
            passed++;
        else
            failed++;
    }
    printf("%d passed, %d failed\n", passed, failed);
    fflush(stdout);
    return failed == 0 && passed > 0 ? 0 : 1;
}

#endif
