#include <stdlib.h>

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
