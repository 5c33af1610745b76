#include "compat.h"

#include <stdlib.h>

#ifdef _WIN32
#include <windows.h>
#include <bcrypt.h>

struct sigil_mutex { SRWLOCK lock; };

sigil_status sigil_mutex_new(sigil_mutex **out)
{
    if (!out)
        return SIGIL_INVALID_ARGUMENT;
    sigil_mutex *m = malloc(sizeof *m);
    if (!m)
        return SIGIL_NO_MEMORY;
    InitializeSRWLock(&m->lock);
    *out = m;
    return SIGIL_OK;
}

void sigil_mutex_free(sigil_mutex *m) { free(m); }
void sigil_mutex_lock(sigil_mutex *m) { AcquireSRWLockExclusive(&m->lock); }
void sigil_mutex_unlock(sigil_mutex *m) { ReleaseSRWLockExclusive(&m->lock); }

sigil_status sigil_random_bytes(void *buf, size_t len)
{
    unsigned char *p = buf;
    while (len > 0) {
        ULONG chunk = len > 0x40000000u ? 0x40000000u : (ULONG)len;
        if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, p, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
            return SIGIL_INTERNAL;
        p += chunk;
        len -= chunk;
    }
    return SIGIL_OK;
}

#else
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/random.h>
#endif

struct sigil_mutex { pthread_mutex_t mutex; };

sigil_status sigil_mutex_new(sigil_mutex **out)
{
    if (!out)
        return SIGIL_INVALID_ARGUMENT;
    sigil_mutex *m = malloc(sizeof *m);
    if (!m)
        return SIGIL_NO_MEMORY;
    if (pthread_mutex_init(&m->mutex, NULL) != 0) {
        free(m);
        return SIGIL_INTERNAL;
    }
    *out = m;
    return SIGIL_OK;
}

void sigil_mutex_free(sigil_mutex *m)
{
    if (!m)
        return;
    pthread_mutex_destroy(&m->mutex);
    free(m);
}

/* pthread_mutex_lock on a valid default mutex fails only on deadlock detection, which a default
 * mutex does not do; an error here is a bug in the caller, so abort rather than run unlocked. */
void sigil_mutex_lock(sigil_mutex *m)
{
    if (pthread_mutex_lock(&m->mutex) != 0)
        abort();
}

void sigil_mutex_unlock(sigil_mutex *m)
{
    if (pthread_mutex_unlock(&m->mutex) != 0)
        abort();
}

static sigil_status read_urandom(unsigned char *p, size_t len)
{
    int fd;
    do {
        fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return SIGIL_INTERNAL;
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close(fd);
            return SIGIL_INTERNAL;
        }
        p += n;
        len -= (size_t)n;
    }
    close(fd);
    return SIGIL_OK;
}

sigil_status sigil_random_bytes(void *buf, size_t len)
{
    unsigned char *p = buf;
    if (!buf && len)
        return SIGIL_INVALID_ARGUMENT;
#if defined(__linux__)
    while (len > 0) {
        ssize_t n = getrandom(p, len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno == ENOSYS ? read_urandom(p, len) : SIGIL_INTERNAL;
        p += n;
        len -= (size_t)n;
    }
    return SIGIL_OK;
#else
    return read_urandom(p, len);
#endif
}
#endif
