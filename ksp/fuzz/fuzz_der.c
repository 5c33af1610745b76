/* libFuzzer target: the DER parsers must never crash or read out of bounds, and because they
 * accept only DER, anything they accept must re-encode to exactly the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "der.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t fields[] = { 32, 48, 66 };
    unsigned char raw[132], der[160];
    size_t raw_len, der_len;

    for (size_t f = 0; f < 3; f++) {
        if (sigil_ecdsa_der_to_raw(data, size, fields[f], raw, sizeof raw, &raw_len) != SIGIL_OK)
            continue;
        if (sigil_ecdsa_raw_to_der(raw, raw_len, der, sizeof der, &der_len) != SIGIL_OK ||
            der_len != size || memcmp(der, data, size) != 0)
            abort();
    }

    /* The input as raw r||s: encoding then decoding gives it back. */
    if (size >= 2 && size % 2 == 0 && size <= 132 &&
        sigil_ecdsa_raw_to_der(data, size, der, sizeof der, &der_len) == SIGIL_OK) {
        if (der_len > sigil_ecdsa_der_max_len(size / 2) ||
            sigil_ecdsa_der_to_raw(der, der_len, size / 2, raw, sizeof raw, &raw_len) != SIGIL_OK ||
            raw_len != size || memcmp(raw, data, size) != 0)
            abort();
    }

    sigil_hash hash;
    const unsigned char *digest;
    size_t digest_len;
    if (sigil_digestinfo_parse(data, size, &hash, &digest, &digest_len) == SIGIL_OK) {
        unsigned char di[96];
        size_t di_len;
        if (sigil_digestinfo_build(hash, digest, digest_len, di, sizeof di, &di_len) != SIGIL_OK ||
            di_len != size || memcmp(di, data, size) != 0)
            abort();
    }
    return 0;
}
