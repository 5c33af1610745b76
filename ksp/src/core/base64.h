/* Standard base64 (RFC 4648 section 4, alphabet A-Z a-z 0-9 + /, '=' padding), as CSC uses for
 * hashes, signatures, certificates and signAlgoParams. No line breaks, no URL-safe alphabet. */
#ifndef SIGIL_BASE64_H
#define SIGIL_BASE64_H

#include <stddef.h>
#include "status.h"

/* Characters needed to encode len bytes, without a terminating NUL; 0 if that would overflow. */
size_t sigil_base64_encoded_len(size_t len);

/* An upper bound of the bytes that decoding text_len characters can produce. */
size_t sigil_base64_decoded_max(size_t text_len);

/* Encodes in[0..len) into out, NUL-terminated. out_cap must be at least
 * sigil_base64_encoded_len(len) + 1; otherwise BUFFER_TOO_SMALL and *out_len (if not NULL) is set
 * to the needed size including the NUL. in may be NULL only when len is 0. On OK, *out_len (if not
 * NULL) is the number of characters written without the NUL. */
sigil_status sigil_base64_encode(const void *in, size_t len, char *out, size_t out_cap,
                                 size_t *out_len);

/* Strictly decodes text[0..text_len) into out. Rejects (PARSE_ERROR): a length that is not a
 * multiple of 4, any character outside the alphabet (including whitespace and NUL), '=' anywhere
 * but the last one or two positions, and non-zero bits in the last symbol before the padding (a
 * non-canonical encoding). The empty string decodes to zero bytes. out_cap must be at least
 * sigil_base64_decoded_max(text_len) (BUFFER_TOO_SMALL otherwise, with *out_len the bound).
 * On OK *out_len is the number of bytes written. On error out's content is unspecified. */
sigil_status sigil_base64_decode(const char *text, size_t text_len, unsigned char *out,
                                 size_t out_cap, size_t *out_len);

#endif
