/* The CSC v2 protocol client: one session with the Sigil server over a sigil_transport.
 *
 * It builds the requests of docs/protocol.md, reads the answers strictly and maps every error
 * answer through one table to a sigil_status; the server's `error` and `error_description` stay
 * available for logs (sigil_csc_last_error). Secrets are handled so that none outlives its use:
 * the Basic header and the "user:password" text it encodes, the request bodies carrying the PIN and
 * OTP, the answers carrying the token and the SAD and the Bearer headers are zeroed before they
 * are freed. The PIN and OTP travel only in the body, never in a header.
 *
 * A session is not thread-safe: the edges serialise calls on one session (a mutex per slot).
 *
 *   sigil_csc_session *s;
 *   st = sigil_csc_session_new(&transport, &s);
 *   st = sigil_csc_login(s, "alice", password, password_len);  // then zero password
 *   const sigil_csc_credential_info *info;
 *   st = sigil_csc_info(s, "demo", &info);                       // cached for the session
 *   char *sad; int64_t expires;
 *   st = sigil_csc_authorize(s, "demo", digest, 32, 1, SHA256_OID, pin, otp, &sad, &expires);
 *   sigil_buffer *sigs; size_t n;
 *   st = sigil_csc_sign_hash(s, "demo", sad, digest, 32, 1, SHA256_OID, algo, NULL, 0, &sigs, &n);
 *   sigil_free_secret(sad); sigil_csc_free_buffers(sigs, n);
 *   sigil_csc_session_free(s);
 */
#ifndef SIGIL_CSC_CLIENT_H
#define SIGIL_CSC_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include "algorithms.h"
#include "status.h"
#include "transport.h"

typedef struct sigil_csc_session sigil_csc_session;

/* What credentials/info says about one credential. Owned by the session; valid until it is freed. */
typedef struct sigil_csc_credential_info {
    char *credential_id;
    char *key_status;          /* "enabled", "disabled"; NULL when absent */
    char **algos;              /* key.algo: signature algorithm OIDs, then the key's own OID */
    size_t algo_count;
    int64_t key_len;           /* key.len in bits */
    char *curve;               /* key.curve OID for EC keys, NULL otherwise */
    char *cert_status;         /* cert.status: "valid", "expired", "revoked", "suspended"; NULL
                                * when absent */
    sigil_buffer *certificates; /* cert.certificates decoded to DER, signer first */
    size_t certificate_count;
    char *auth_mode;           /* auth.mode: "explicit", "implicit", "oauth2code"; NULL if absent */
    int pin_required;          /* an auth object with id "PIN" */
    int otp_required;          /* an auth object with id "OTP" */
    char *scal;                /* "1" or "2"; NULL when absent */
    int64_t multisign;         /* 1 when absent */
} sigil_csc_credential_info;

/* Creates a session over *transport (copied; its ctx must outlive the session). */
sigil_status sigil_csc_session_new(const sigil_transport *transport, sigil_csc_session **out);
/* Frees the session, its cache and its token (zeroed). Does not revoke: call sigil_csc_revoke
 * first when the token should stop working at once. NULL is ignored. */
void sigil_csc_session_free(sigil_csc_session *s);

/* auth/login with HTTP Basic. username must not contain ':'; password[0..password_len) is UTF-8,
 * borrowed and left for the caller to zero. On OK the session holds the bearer token (replacing an
 * earlier one) and the info cache is emptied. */
sigil_status sigil_csc_login(sigil_csc_session *s, const char *username, const char *password,
                             size_t password_len);

/* credentials/list. On OK *ids (count entries, each a C string) belongs to the caller:
 * sigil_csc_free_strings(*ids, *count). */
sigil_status sigil_csc_list(sigil_csc_session *s, char ***ids, size_t *count);

/* credentials/info with the certificate chain. The answer is cached: asking again for the same
 * credential in this session sends nothing. *info is borrowed from the session. */
sigil_status sigil_csc_info(sigil_csc_session *s, const char *credential_id,
                            const sigil_csc_credential_info **info);

/* Why the server's own answer says this credential cannot sign now, or NULL when it can: "no
 * certificate on the server", "disabled on the server" (key.status), "certificate revoked on the
 * server", "... suspended ...", "... expired ...", "certificate not valid according to the server"
 * (any other cert.status but "valid"). An absent status counts as usable. The caller still checks
 * the certificate's validity period against its own clock. */
const char *sigil_csc_unusable_reason(const sigil_csc_credential_info *info);

/* credentials/authorize for count (1..1000) hashes of hash_len bytes each, stored one after the
 * other in hashes (hash_len must be the digest length of hash_oid: INVALID_ARGUMENT otherwise,
 * UNSUPPORTED for an unknown hash OID, both before anything is sent). pin and otp (NUL-terminated, borrowed,
 * either may be NULL when the credential does not need it) travel as top-level PIN and OTP. On OK
 * *sad belongs to the caller (sigil_free_secret, secure.h) and *expires_in is in seconds. */
sigil_status sigil_csc_authorize(sigil_csc_session *s, const char *credential_id,
                                 const unsigned char *hashes, size_t hash_len, size_t count,
                                 const char *hash_oid, const char *pin, const char *otp,
                                 char **sad, int64_t *expires_in);

/* signatures/signHash for the hashes an authorization covered. sign_params[0..params_len) (the DER
 * RSASSA-PSS-params, or NULL and 0) is sent base64 as signAlgoParams. On OK *signatures is an
 * array of *count (== count) decoded signatures owned by the caller: sigil_csc_free_buffers. */
sigil_status sigil_csc_sign_hash(sigil_csc_session *s, const char *credential_id, const char *sad,
                                 const unsigned char *hashes, size_t hash_len, size_t count,
                                 const char *hash_oid, const char *sign_algo,
                                 const unsigned char *sign_params, size_t params_len,
                                 sigil_buffer **signatures, size_t *signature_count);

/* One signature, as both edges make it: credentials/authorize for exactly this digest (pin and
 * otp as sigil_csc_authorize takes them), then signatures/signHash with the signAlgo of (key,
 * padding, hash) and, for PSS, the RSASSA-PSS-params the server accepts; the SAD is zeroed. The
 * signature lands in out[0..out_len) as PKCS#11 and CNG return it: RSA as the server gives it,
 * ECDSA as raw r||s with each half field_len bytes (out_len = 2 * field_len).
 * UNSUPPORTED for a combination without a signAlgo or an unknown hash; PARSE_ERROR when the
 * server's signature does not have that form; SESSION_EXPIRED when the token had ended (from
 * authorize, before the code was looked at: log in and call again with the same code); the
 * error answer stays available through sigil_csc_last_error*. */
sigil_status sigil_csc_sign_digest(sigil_csc_session *s, const char *credential_id,
                                   sigil_key_type key, sigil_padding padding, sigil_hash hash,
                                   const unsigned char *digest, size_t digest_len,
                                   const char *pin, const char *otp, size_t field_len,
                                   unsigned char *out, size_t out_len);

/* auth/revoke of the session's token. On OK (and on SESSION_EXPIRED) the token is forgotten. */
sigil_status sigil_csc_revoke(sigil_csc_session *s);

/* 1 when the session holds a bearer token (it is forgotten on revoke and on SESSION_EXPIRED). */
int sigil_csc_logged_in(const sigil_csc_session *s);

/* The last call's error answer, for logs: HTTP status (0 when no answer came), CSC `error` and
 * `error_description` ("" when absent, truncated to 255 bytes). Borrowed until the next call on
 * the session; s must not be NULL. */
int sigil_csc_last_http_status(const sigil_csc_session *s);
const char *sigil_csc_last_error(const sigil_csc_session *s);
const char *sigil_csc_last_error_description(const sigil_csc_session *s);

/* The one table from an error answer to a status; error_name/description may be NULL. Exposed so
 * that the edges and the tests see the same mapping. */
sigil_status sigil_csc_map_error(int http_status, const char *error_name, const char *description);

void sigil_csc_free_strings(char **strings, size_t count);
void sigil_csc_free_buffers(sigil_buffer *buffers, size_t count);

#endif
