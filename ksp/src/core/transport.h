/* The seam between the protocol client and the network.
 *
 * A transport sends one HTTPS POST of a JSON body to the server and hands back the status and the
 * body of the answer. It knows nothing of CSC: the client builds the requests and reads the answers.
 * Implementations: libcurl (curl_transport.h), WinHTTP (winhttp_transport.h) and the scripted
 * transport of the tests.
 *
 *   sigil_transport t = { .ctx = my_ctx, .post = my_post, .timeout_ms = 30000 };
 *   int status; sigil_buffer answer = {0};
 *   st = t.post(t.ctx, "credentials/list", "Bearer ...", body, len, t.timeout_ms, &status, &answer);
 *   ...
 *   sigil_buffer_free(&answer);
 */
#ifndef SIGIL_TRANSPORT_H
#define SIGIL_TRANSPORT_H

#include <stddef.h>
#include "status.h"

/* A byte buffer allocated with malloc. The answer of a post belongs to the caller, who releases it
 * with sigil_buffer_free (which zeroes it first: answers carry bearer tokens and SADs). */
typedef struct sigil_buffer {
    unsigned char *data; /* NULL when len is 0 */
    size_t len;
} sigil_buffer;

/* Zeroes and frees b->data and resets *b to empty. b may be NULL; an empty buffer is ignored. */
void sigil_buffer_free(sigil_buffer *b);

/* Appends data[0..n) to *b, whose allocation holds *cap bytes (0 for an empty buffer): how the
 * transports collect an answer. Grows by doubling and zeroes every block it leaves behind (answers
 * carry tokens and SADs). LIMIT_EXCEEDED when the total would pass max_len, NO_MEMORY; on error
 * *b is unchanged. */
sigil_status sigil_buffer_append(sigil_buffer *b, size_t *cap, const void *data, size_t n,
                                 size_t max_len);

typedef struct sigil_transport {
    /* Sends POST <base URL>/csc/v2/<path> with Content-Type: application/json.
     *   path           the method, "auth/login", "credentials/info", ... (never NULL);
     *   authorization  the complete Authorization header value ("Basic ...", "Bearer ...") or NULL
     *                  for none; borrowed for the call only, the transport must not keep or log it;
     *   body, body_len the request body (borrowed; body may be NULL only when body_len is 0); it
     *                  may carry a PIN or OTP, so the transport must not keep or log it either;
     *   timeout_ms     the bound of the whole exchange (connect, send, receive);
     *   *http_status   on OK: the HTTP status of the answer (also for 4xx/5xx);
     *   *response      on OK: the answer body, owned by the caller from then on (free it with
     *                  sigil_buffer_free); left empty on error.
     * Returns OK when an answer was received, whatever its status; NETWORK when the server could
     * not be reached, the TLS handshake or the certificate check failed or the timeout passed;
     * NO_MEMORY; LIMIT_EXCEEDED when the answer exceeds SIGIL_JSON_MAX_DOCUMENT.
     * Thread safety: one call at a time per ctx unless the implementation says otherwise. */
    sigil_status (*post)(void *ctx, const char *path, const char *authorization,
                         const unsigned char *body, size_t body_len, unsigned timeout_ms,
                         int *http_status, sigil_buffer *response);
    void *ctx;           /* the implementation's state; owned by whoever built the transport */
    unsigned timeout_ms; /* passed to every post; 0 means the implementation's default */
} sigil_transport;

#endif
