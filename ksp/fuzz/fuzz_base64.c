/* libFuzzer target: strict base64 decoding accepts only canonical text, so whatever it accepts
 * must encode back to exactly the input; and any bytes must survive encode then decode. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t cap = sigil_base64_decoded_max(size) + 1;
    unsigned char *bytes = malloc(cap);
    size_t text_cap = sigil_base64_encoded_len(size) + 1;
    char *text = malloc(text_cap > cap * 2 ? text_cap : cap * 2);
    unsigned char *back = malloc(size + 3);
    if (!bytes || !text || !back)
        abort();
    size_t n, m;
    if (sigil_base64_decode((const char *)data, size, bytes, cap, &n) == SIGIL_OK) {
        if (sigil_base64_encode(bytes, n, text, cap * 2, &m) != SIGIL_OK || m != size ||
            memcmp(text, data, size) != 0)
            abort();
    }
    if (sigil_base64_encode(data, size, text, text_cap, &m) != SIGIL_OK ||
        sigil_base64_decode(text, m, back, size + 3, &n) != SIGIL_OK || n != size ||
        memcmp(back, data, size) != 0)
        abort();
    free(bytes);
    free(text);
    free(back);
    return 0;
}
