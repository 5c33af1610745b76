/* The WinHTTP transport (Windows): HTTPS POSTs to the Sigil server as the configuration says.
 *
 * TLS trust, checked before anything is sent (in WinHTTP's SENDING_REQUEST callback, after the
 * handshake and before the first byte of the request):
 *   - ca_file = system: WinHTTP's own checks against the Windows trust store (chain, host name,
 *     validity), as for any HTTPS site;
 *   - ca_file = a file: the server certificate must be issued by that CA certificate (signature
 *     and validity checked here; host name checked by WinHTTP); the system's roots are not needed;
 *   - pinned_sha256: the SHA-256 of the server certificate's SubjectPublicKeyInfo must match
 *     (alone, it is the only check, as with the libcurl transport);
 *   - neither: not allowed by the configuration parser.
 * The certificate last found trusted by a transport is, when it comes again (the kept-alive
 * connection serves both requests of a signature), only checked for its validity period.
 * The TLS client certificate, for a server or reverse proxy that asks for one, comes from the
 * Windows certificate store: client_cert_thumbprint names it (SHA-1 thumbprint), looked up in
 * CurrentUser\MY, then LocalMachine\MY, when the transport is made; it must have a private key
 * (in any key storage provider but Sigil's own: the key that opens the connection cannot be one
 * that needs the connection) and be within its validity. client_cert/client_key files are refused
 * here with UNSUPPORTED. Without a thumbprint no client certificate is sent, also when the server
 * merely asks for one.
 *
 *   sigil_winhttp_transport *wt; char err[256];
 *   if (sigil_winhttp_transport_new(&cfg, &wt, err, sizeof err) != SIGIL_OK) log(err);
 *   sigil_transport t; sigil_winhttp_transport_bind(wt, &t);
 *   ... sigil_winhttp_transport_free(wt);
 *
 * One post at a time per transport. */
#ifndef SIGIL_WINHTTP_TRANSPORT_H
#define SIGIL_WINHTTP_TRANSPORT_H

#include <stddef.h>
#include <wchar.h>
#include "config.h"
#include "status.h"
#include "transport.h"

typedef struct sigil_winhttp_transport sigil_winhttp_transport;

/* The name the KSP registers under (also the provider the importer writes into certificates). */
#define SIGIL_KSP_PROVIDER_NAME L"Sigil Key Storage Provider"

sigil_status sigil_winhttp_transport_new(const sigil_config *cfg, sigil_winhttp_transport **out,
                                         char *err, size_t err_cap);
void sigil_winhttp_transport_bind(sigil_winhttp_transport *wt, sigil_transport *t);
/* Why the last post returned NETWORK ("the server certificate does not match the pin", "WinHTTP
 * error 12029 ..."), "" otherwise. Borrowed until the next post. */
const char *sigil_winhttp_transport_last_error(const sigil_winhttp_transport *wt);
void sigil_winhttp_transport_free(sigil_winhttp_transport *wt);

/* A malloc'd UTF-16 copy of the UTF-8 string s; NULL for invalid UTF-8 or no memory. The Windows
 * clients' one conversion (the KSP, sigil-ksp-register and the importer use it too). */
wchar_t *sigil_widen(const char *s);

#endif
