#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>

#include "handles.h"

static void added_objects_are_found_by_their_handle(void **state)
{
    (void)state;
    sigil_handles *t;
    assert_int_equal(sigil_handles_new(64, &t), SIGIL_OK);
    int objects[50];
    uint64_t handles[50];
    for (int i = 0; i < 50; i++) {
        assert_int_equal(sigil_handles_add(t, &objects[i], &handles[i]), SIGIL_OK);
        assert_true(handles[i] != 0);
        for (int j = 0; j < i; j++)
            assert_true(handles[i] != handles[j]);
    }
    assert_int_equal(sigil_handles_count(t), 50);
    for (int i = 0; i < 50; i++) {
        void *o = NULL;
        assert_int_equal(sigil_handles_get(t, handles[i], &o), SIGIL_OK);
        assert_ptr_equal(o, &objects[i]);
    }
    sigil_handles_free(t);
}

static void handles_are_not_the_object_addresses(void **state)
{
    (void)state;
    sigil_handles *t;
    assert_int_equal(sigil_handles_new(8, &t), SIGIL_OK);
    int object;
    uint64_t h1, h2;
    assert_int_equal(sigil_handles_add(t, &object, &h1), SIGIL_OK);
    assert_int_equal(sigil_handles_add(t, &object, &h2), SIGIL_OK);
    assert_true(h1 != (uint64_t)(uintptr_t)&object);
    assert_true(h1 != h2);          /* the same object twice gets two handles */
    sigil_handles_free(t);
}

static void unknown_and_zero_handles_are_not_found(void **state)
{
    (void)state;
    sigil_handles *t;
    assert_int_equal(sigil_handles_new(8, &t), SIGIL_OK);
    int object;
    uint64_t h;
    assert_int_equal(sigil_handles_add(t, &object, &h), SIGIL_OK);
    void *o = &object;
    assert_int_equal(sigil_handles_get(t, 0, &o), SIGIL_NOT_FOUND);
    assert_int_equal(sigil_handles_get(t, h ^ 1, &o), SIGIL_NOT_FOUND);
    assert_int_equal(sigil_handles_get(t, (uint64_t)(uintptr_t)&object, &o), SIGIL_NOT_FOUND);
    assert_int_equal(sigil_handles_remove(t, 0, NULL), SIGIL_NOT_FOUND);
    assert_int_equal(sigil_handles_remove(t, h + 1, NULL), SIGIL_NOT_FOUND);
    assert_int_equal(sigil_handles_count(t), 1);
    sigil_handles_free(t);
}

static void a_removed_handle_is_gone_and_a_second_remove_fails(void **state)
{
    (void)state;
    sigil_handles *t;
    assert_int_equal(sigil_handles_new(8, &t), SIGIL_OK);
    int a, b;
    uint64_t ha, hb;
    assert_int_equal(sigil_handles_add(t, &a, &ha), SIGIL_OK);
    assert_int_equal(sigil_handles_add(t, &b, &hb), SIGIL_OK);
    void *o = NULL;
    assert_int_equal(sigil_handles_remove(t, ha, &o), SIGIL_OK);
    assert_ptr_equal(o, &a);
    assert_int_equal(sigil_handles_get(t, ha, &o), SIGIL_NOT_FOUND);
    assert_int_equal(sigil_handles_remove(t, ha, &o), SIGIL_NOT_FOUND);
    assert_int_equal(sigil_handles_get(t, hb, &o), SIGIL_OK);
    assert_ptr_equal(o, &b);
    assert_int_equal(sigil_handles_count(t), 1);
    sigil_handles_free(t);
}

static void a_full_table_refuses_more_until_one_is_removed(void **state)
{
    (void)state;
    sigil_handles *t;
    assert_int_equal(sigil_handles_new(4, &t), SIGIL_OK);
    int objects[5];
    uint64_t h[5];
    for (int i = 0; i < 4; i++)
        assert_int_equal(sigil_handles_add(t, &objects[i], &h[i]), SIGIL_OK);
    assert_int_equal(sigil_handles_add(t, &objects[4], &h[4]), SIGIL_LIMIT_EXCEEDED);
    assert_int_equal(sigil_handles_remove(t, h[1], NULL), SIGIL_OK);
    assert_int_equal(sigil_handles_add(t, &objects[4], &h[4]), SIGIL_OK);
    sigil_handles_free(t);
}

/* Many adds and removes in a random order keep every remaining handle reachable (exercises the
 * backward-shift deletion across probe runs and the wrap-around at the end of the array). */
static void survives_churn_with_every_live_handle_reachable(void **state)
{
    (void)state;
    enum { N = 1000 };
    sigil_handles *t;
    assert_int_equal(sigil_handles_new(N, &t), SIGIL_OK);
    static int objects[N];
    static uint64_t h[N];
    static int live[N];
    unsigned seed = 12345;
    for (int round = 0; round < 20000; round++) {
        seed = seed * 1103515245u + 12345u;
        int i = (int)((seed >> 8) % N);
        if (live[i]) {
            void *o;
            assert_int_equal(sigil_handles_remove(t, h[i], &o), SIGIL_OK);
            assert_ptr_equal(o, &objects[i]);
            live[i] = 0;
        } else {
            assert_int_equal(sigil_handles_add(t, &objects[i], &h[i]), SIGIL_OK);
            live[i] = 1;
        }
    }
    size_t count = 0;
    for (int i = 0; i < N; i++) {
        void *o;
        if (live[i]) {
            count++;
            assert_int_equal(sigil_handles_get(t, h[i], &o), SIGIL_OK);
            assert_ptr_equal(o, &objects[i]);
        }
    }
    assert_int_equal(sigil_handles_count(t), count);
    sigil_handles_free(t);
}

/* Threads share one table: each adds its own objects, looks up its own and probes handles that
 * were never issued, then all race to remove the same handles. Exactly one remove of each handle
 * may succeed. */
enum { THREADS = 8, PER_THREAD = 200 };

typedef struct worker {
    sigil_handles *table;
    int objects[PER_THREAD];
    uint64_t handles[PER_THREAD];
    const uint64_t *shared;          /* handles every thread tries to remove */
    size_t shared_count;
    int removed;                     /* how many of the shared removes succeeded for this thread */
    int failures;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < PER_THREAD; i++)
        if (sigil_handles_add(w->table, &w->objects[i], &w->handles[i]) != SIGIL_OK)
            w->failures++;
    for (int i = 0; i < PER_THREAD; i++) {
        void *o;
        if (sigil_handles_get(w->table, w->handles[i], &o) != SIGIL_OK || o != &w->objects[i])
            w->failures++;
        if (sigil_handles_get(w->table, w->handles[i] ^ 0x8000000000000000u, &o) != SIGIL_NOT_FOUND)
            w->failures++;           /* astronomically unlikely to collide with a real handle */
    }
    for (size_t i = 0; i < w->shared_count; i++)
        if (sigil_handles_remove(w->table, w->shared[i], NULL) == SIGIL_OK)
            w->removed++;
    for (int i = 0; i < PER_THREAD; i++) {
        if (sigil_handles_remove(w->table, w->handles[i], NULL) != SIGIL_OK)
            w->failures++;
        if (sigil_handles_remove(w->table, w->handles[i], NULL) != SIGIL_NOT_FOUND)
            w->failures++;
    }
    return NULL;
}

static void concurrent_use_keeps_handles_consistent_and_removes_each_once(void **state)
{
    (void)state;
    sigil_handles *t;
    assert_int_equal(sigil_handles_new(THREADS * PER_THREAD + 100, &t), SIGIL_OK);
    static int shared_objects[100];
    static uint64_t shared[100];
    for (int i = 0; i < 100; i++)
        assert_int_equal(sigil_handles_add(t, &shared_objects[i], &shared[i]), SIGIL_OK);
    static worker workers[THREADS];
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (worker){ .table = t, .shared = shared, .shared_count = 100 };
        assert_int_equal(pthread_create(&threads[i], NULL, work, &workers[i]), 0);
    }
    int removed = 0;
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_join(threads[i], NULL), 0);
        assert_int_equal(workers[i].failures, 0);
        removed += workers[i].removed;
    }
    assert_int_equal(removed, 100);
    assert_int_equal(sigil_handles_count(t), 0);
    sigil_handles_free(t);
}

static void rejects_bad_arguments(void **state)
{
    (void)state;
    sigil_handles *t;
    uint64_t h;
    void *o;
    assert_int_equal(sigil_handles_new(0, &t), SIGIL_INVALID_ARGUMENT);
    assert_int_equal(sigil_handles_new(((size_t)1 << 24) + 1, &t), SIGIL_INVALID_ARGUMENT);
    assert_int_equal(sigil_handles_new(4, NULL), SIGIL_INVALID_ARGUMENT);
    assert_int_equal(sigil_handles_new(4, &t), SIGIL_OK);
    assert_int_equal(sigil_handles_add(t, NULL, &h), SIGIL_INVALID_ARGUMENT);
    assert_int_equal(sigil_handles_add(NULL, &h, &h), SIGIL_INVALID_ARGUMENT);
    assert_int_equal(sigil_handles_get(NULL, 1, &o), SIGIL_INVALID_ARGUMENT);
    assert_int_equal(sigil_handles_get(t, 1, NULL), SIGIL_INVALID_ARGUMENT);
    assert_int_equal(sigil_handles_remove(NULL, 1, NULL), SIGIL_INVALID_ARGUMENT);
    sigil_handles_free(t);
    sigil_handles_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(added_objects_are_found_by_their_handle),
        cmocka_unit_test(handles_are_not_the_object_addresses),
        cmocka_unit_test(unknown_and_zero_handles_are_not_found),
        cmocka_unit_test(a_removed_handle_is_gone_and_a_second_remove_fails),
        cmocka_unit_test(a_full_table_refuses_more_until_one_is_removed),
        cmocka_unit_test(survives_churn_with_every_live_handle_reachable),
        cmocka_unit_test(concurrent_use_keeps_handles_consistent_and_removes_each_once),
        cmocka_unit_test(rejects_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
