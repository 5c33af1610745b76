#include "handles.h"

#include <stdlib.h>

#include "compat.h"

/* Open addressing with linear probing over a power-of-two array; handles are uniformly random, so
 * their low bits are a good hash. Removal uses backward-shift deletion, so there are no
 * tombstones and lookups stay short. The array is at least twice max_entries. */
typedef struct slot {
    uint64_t handle;   /* 0 = empty */
    void *object;
} slot;

struct sigil_handles {
    sigil_mutex *mutex;
    slot *slots;
    size_t mask;       /* slot count - 1 */
    size_t count, max;
};

sigil_status sigil_handles_new(size_t max_entries, sigil_handles **out)
{
    if (!out || max_entries == 0 || max_entries > (size_t)1 << 24)
        return SIGIL_INVALID_ARGUMENT;
    size_t n = 16;
    while (n < 2 * max_entries)
        n *= 2;
    sigil_handles *t = calloc(1, sizeof *t);
    if (!t)
        return SIGIL_NO_MEMORY;
    t->slots = calloc(n, sizeof *t->slots);
    sigil_status st = t->slots ? sigil_mutex_new(&t->mutex) : SIGIL_NO_MEMORY;
    if (st != SIGIL_OK) {
        free(t->slots);
        free(t);
        return st;
    }
    t->mask = n - 1;
    t->max = max_entries;
    *out = t;
    return SIGIL_OK;
}

void sigil_handles_free(sigil_handles *t)
{
    if (!t)
        return;
    sigil_mutex_free(t->mutex);
    free(t->slots);
    free(t);
}

/* The slot holding handle, or the empty slot where the probe ended. Caller holds the mutex. */
static size_t find(const sigil_handles *t, uint64_t handle)
{
    size_t i = (size_t)handle & t->mask;
    while (t->slots[i].handle != 0 && t->slots[i].handle != handle)
        i = (i + 1) & t->mask;
    return i;
}

sigil_status sigil_handles_add(sigil_handles *t, void *object, uint64_t *handle)
{
    if (!t || !object || !handle)
        return SIGIL_INVALID_ARGUMENT;
    sigil_mutex_lock(t->mutex);
    sigil_status st = SIGIL_OK;
    if (t->count == t->max) {
        st = SIGIL_LIMIT_EXCEEDED;
        goto out;
    }
    for (;;) {
        uint64_t h;
        if ((st = sigil_random_bytes(&h, sizeof h)) != SIGIL_OK)
            goto out;
        h &= (uint64_t)UINTPTR_MAX;  /* as wide as a pointer: CNG handles are ULONG_PTR */
        if (h == 0)
            continue;                /* 0 is CK_INVALID_HANDLE and "no handle" for CNG */
        size_t i = find(t, h);
        if (t->slots[i].handle == h)
            continue;                /* a collision with a live handle: draw again */
        t->slots[i].handle = h;
        t->slots[i].object = object;
        t->count++;
        *handle = h;
        break;
    }
out:
    sigil_mutex_unlock(t->mutex);
    return st;
}

sigil_status sigil_handles_get(sigil_handles *t, uint64_t handle, void **object)
{
    if (!t || !object)
        return SIGIL_INVALID_ARGUMENT;
    if (handle == 0)
        return SIGIL_NOT_FOUND;
    sigil_mutex_lock(t->mutex);
    size_t i = find(t, handle);
    sigil_status st = t->slots[i].handle == handle ? SIGIL_OK : SIGIL_NOT_FOUND;
    if (st == SIGIL_OK)
        *object = t->slots[i].object;
    sigil_mutex_unlock(t->mutex);
    return st;
}

sigil_status sigil_handles_remove(sigil_handles *t, uint64_t handle, void **object)
{
    if (!t)
        return SIGIL_INVALID_ARGUMENT;
    if (handle == 0)
        return SIGIL_NOT_FOUND;
    sigil_mutex_lock(t->mutex);
    size_t i = find(t, handle);
    if (t->slots[i].handle != handle) {
        sigil_mutex_unlock(t->mutex);
        return SIGIL_NOT_FOUND;
    }
    if (object)
        *object = t->slots[i].object;
    /* Backward-shift deletion: move later members of the probe run into the hole when their home
     * slot does not lie cyclically in (hole, j]. */
    size_t hole = i, j = i;
    for (;;) {
        j = (j + 1) & t->mask;
        if (t->slots[j].handle == 0)
            break;
        size_t home = (size_t)t->slots[j].handle & t->mask;
        int stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
        if (!stays) {
            t->slots[hole] = t->slots[j];
            hole = j;
        }
    }
    t->slots[hole].handle = 0;
    t->slots[hole].object = NULL;
    t->count--;
    sigil_mutex_unlock(t->mutex);
    return SIGIL_OK;
}

size_t sigil_handles_count(sigil_handles *t)
{
    if (!t)
        return 0;
    sigil_mutex_lock(t->mutex);
    size_t n = t->count;
    sigil_mutex_unlock(t->mutex);
    return n;
}
