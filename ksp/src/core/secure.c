#include "secure.h"

#include <stdlib.h>
#include <string.h>

void sigil_secure_zero(void *p, size_t len)
{
    /* A store through a volatile pointer is an observable side effect, so it is never elided.
     * This is portable to mingw (no explicit_bzero there) and cheap for the short secrets we hold. */
    volatile unsigned char *v = (volatile unsigned char *)p;
    while (len--)
        *v++ = 0;
}

void sigil_free_secret(char *secret)
{
    if (secret == NULL)
        return;
    sigil_secure_zero(secret, strlen(secret));
    free(secret);
}
