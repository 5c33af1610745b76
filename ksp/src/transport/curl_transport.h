/* The libcurl transport (Linux, macOS): HTTPS POSTs to the Sigil server as the configuration says.
 *
 * TLS: the server certificate is checked against ca_file (chain and host name) and, when
 * pinned_sha256 is given, its public key must match the pin (curl's CURLOPT_PINNEDPUBLICKEY, checked
 * before anything is sent); a pin without a CA file checks the key only. Only https:// is spoken,
 * redirects are not followed, the client certificate is used when configured. One connection is
 * kept open between calls (keep-alive, HTTP/2 when the server offers it), so a signature costs no
 * new handshake.
 *
 *   sigil_curl_transport *ct; char err[256];
 *   if (sigil_curl_transport_new(&cfg, &ct, err, sizeof err) != SIGIL_OK) log(err);
 *   sigil_transport t; sigil_curl_transport_bind(ct, &t);   // t.post sends through ct
 *   ... sigil_csc_session_new(&t, &s) ...
 *   sigil_curl_transport_free(ct);                          // after the session
 *
 * One post at a time per transport (the edges hold a lock per slot). */
#ifndef SIGIL_CURL_TRANSPORT_H
#define SIGIL_CURL_TRANSPORT_H

#include <stddef.h>
#include "config.h"
#include "status.h"
#include "transport.h"

typedef struct sigil_curl_transport sigil_curl_transport;

/* Creates a transport for cfg (copied: cfg may be cleared afterwards). INVALID_ARGUMENT with err
 * filled when libcurl cannot be set up as configured (for example a libcurl built without TLS);
 * NO_MEMORY. Initialises libcurl once per process (never cleaned up: a library must not call
 * curl_global_cleanup behind its host's back). */
sigil_status sigil_curl_transport_new(const sigil_config *cfg, sigil_curl_transport **out,
                                      char *err, size_t err_cap);

/* Fills *t so that t->post sends through ct (t->ctx = ct, t->timeout_ms from the configuration). */
void sigil_curl_transport_bind(sigil_curl_transport *ct, sigil_transport *t);

/* Why the last post returned NETWORK (curl's message: "SSL peer certificate or SSH remote key was
 * not OK", "Failed to connect to ..."), "" otherwise. Borrowed until the next post. */
const char *sigil_curl_transport_last_error(const sigil_curl_transport *ct);

/* Microseconds spent in posts since the transport was made (connect, send, the server's work,
 * receive): what a caller subtracts from its own time to see its own overhead. */
unsigned long long sigil_curl_transport_busy_us(const sigil_curl_transport *ct);

/* Closes the connection and frees the transport. NULL is ignored. */
void sigil_curl_transport_free(sigil_curl_transport *ct);

#endif
