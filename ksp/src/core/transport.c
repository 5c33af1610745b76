#include <stdlib.h>
#include <string.h>

#include "secure.h"
#include "transport.h"

void sigil_buffer_free(sigil_buffer *b)
{
    if (b == NULL || b->data == NULL)
        return;
    sigil_secure_zero(b->data, b->len);
    free(b->data);
    b->data = NULL;
    b->len = 0;
}

sigil_status sigil_buffer_append(sigil_buffer *b, size_t *cap, const void *data, size_t n,
                                 size_t max_len)
{
    if (b == NULL || cap == NULL || (data == NULL && n > 0) || b->len > max_len)
        return SIGIL_INVALID_ARGUMENT;
    if (n > max_len - b->len)
        return SIGIL_LIMIT_EXCEEDED;
    if (b->len + n > *cap) {
        size_t grown_cap = *cap == 0 ? 4096 : *cap;
        while (grown_cap < b->len + n)
            grown_cap *= 2;
        unsigned char *grown = malloc(grown_cap);
        if (grown == NULL)
            return SIGIL_NO_MEMORY;
        if (b->len > 0)
            memcpy(grown, b->data, b->len);
        if (b->data != NULL) {
            sigil_secure_zero(b->data, *cap);
            free(b->data);
        }
        b->data = grown;
        *cap = grown_cap;
    }
    if (n > 0)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    return SIGIL_OK;
}
