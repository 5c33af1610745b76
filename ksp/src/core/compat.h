/* The portability layer of the core: a mutex and a source of random bytes. windows.h appears only
 * in compat.c and in ksp/src/win/, never in a core header. */
#ifndef SIGIL_COMPAT_H
#define SIGIL_COMPAT_H

#include <stddef.h>
#include "status.h"

/* An opaque mutex: a pthread mutex on POSIX, an SRWLOCK on Windows. Allocated by
 * sigil_mutex_new, released by sigil_mutex_free; lock/unlock pairs must be on the same thread and
 * are not recursive. */
typedef struct sigil_mutex sigil_mutex;

/* Creates an unlocked mutex into *out (the caller owns it). NO_MEMORY or INTERNAL on failure. */
sigil_status sigil_mutex_new(sigil_mutex **out);
/* Frees a mutex that no thread holds. NULL is accepted and ignored. */
void sigil_mutex_free(sigil_mutex *m);
void sigil_mutex_lock(sigil_mutex *m);
void sigil_mutex_unlock(sigil_mutex *m);

/* Fills buf with len bytes from the operating system's CSPRNG (getrandom, else /dev/urandom;
 * BCryptGenRandom on Windows). Returns OK or INTERNAL; on failure buf's content is unspecified
 * and must not be used. Thread-safe. */
sigil_status sigil_random_bytes(void *buf, size_t len);

#endif
