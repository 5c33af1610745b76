/* Opaque handles for objects handed to applications (CNG NCRYPT_PROV_HANDLE/NCRYPT_KEY_HANDLE,
 * PKCS#11 CK_SESSION_HANDLE/CK_OBJECT_HANDLE).
 *
 * A handle is a random non-zero value from the operating system's CSPRNG, as wide as a pointer
 * (64 bits on 64-bit platforms, 32 on 32-bit Windows, where NCRYPT_KEY_HANDLE is a ULONG_PTR),
 * never a cast pointer: a stale or forged handle from an application finds nothing instead of freed memory,
 * and a handle reveals nothing about the address space. The table is guarded by one mutex; every
 * function is thread-safe.
 *
 * The table does not own the objects: it stores the pointers it is given. sigil_handles_remove
 * returns the pointer so that exactly one caller (the one whose remove succeeded) frees the object;
 * a concurrent or repeated remove of the same handle gets NOT_FOUND. A pointer obtained from
 * sigil_handles_get stays valid only as long as the caller's own protocol guarantees that nobody
 * removes and frees it meanwhile (the PKCS#11 and CNG contracts forbid freeing a handle in use).
 *
 *   sigil_handles *t;  sigil_handles_new(1024, &t);
 *   uint64_t h;        sigil_handles_add(t, key, &h);
 *   void *k;           if (sigil_handles_get(t, h, &k) == SIGIL_OK) ...
 *   if (sigil_handles_remove(t, h, &k) == SIGIL_OK) free_key(k);
 *   sigil_handles_free(t);
 */
#ifndef SIGIL_HANDLES_H
#define SIGIL_HANDLES_H

#include <stddef.h>
#include <stdint.h>
#include "status.h"

typedef struct sigil_handles sigil_handles;

/* Creates an empty table holding at most max_entries objects (1..2^24); the caller owns it. */
sigil_status sigil_handles_new(size_t max_entries, sigil_handles **out);

/* Frees the table (not the objects it still maps). No other thread may use it concurrently.
 * NULL is ignored. */
void sigil_handles_free(sigil_handles *t);

/* Maps a fresh handle to object (not NULL) and returns it in *handle. LIMIT_EXCEEDED when the table
 * is full, INTERNAL when the random source fails, NO_MEMORY. */
sigil_status sigil_handles_add(sigil_handles *t, void *object, uint64_t *handle);

/* The object of handle in *object; NOT_FOUND for 0, unknown or removed handles. */
sigil_status sigil_handles_get(sigil_handles *t, uint64_t handle, void **object);

/* Unmaps handle and returns its object in *object (may be NULL if the caller does not want it);
 * NOT_FOUND for 0, unknown or already removed handles. */
sigil_status sigil_handles_remove(sigil_handles *t, uint64_t handle, void **object);

/* The number of mapped handles. */
size_t sigil_handles_count(sigil_handles *t);

#endif
