/* The client's configuration: where the server is, how to trust it, who the user is.
 *
 * A small text file of `key = value` lines; `#` starts a comment line, blank lines are ignored,
 * whitespace around keys and values is trimmed. Strict: an unknown key, a repeated key, a line
 * without '=', an empty value or a missing required key is refused with the line number in the
 * message. No secrets belong here (no password, PIN, OTP, key passphrase).
 *
 *   server_url      = https://sigil.example:8443     (required, https:// only, no trailing '/')
 *   ca_file         = /etc/sigil/ca.pem               (one of ca_file and pinned_sha256 required;
 *                                                      "system": the operating system's trust store)
 *   pinned_sha256   = 64 hex digits: SHA-256 of the server's public key (its DER
 *                     SubjectPublicKeyInfo), as curl's --pinnedpubkey and HPKP pin it
 *   client_cert     = /etc/sigil/client.pem           (optional; client_key then required)
 *   client_key      = /etc/sigil/client.key
 *   client_cert_thumbprint = 40 hex digits       (Windows only, instead of the two files: the
 *                     SHA-1 thumbprint of a certificate with its private key in the
 *                     CurrentUser or LocalMachine MY store)
 *   username        = alice                           (required)
 *   timeout_seconds = 30                              (optional, 1..600, default 30)
 *   label           = Alice at Example                (optional, at most 32 bytes: the PKCS#11
 *                                                      token label; default "Sigil <username>")
 *   otp_command     = /usr/local/bin/my-otp           (optional: a command whose first output
 *                     line is the one-time code, for applications that cannot give it; see
 *                     docs/pkcs11.md for what that does to sole control)
 *
 * Usage:
 *   sigil_config cfg; char err[160];
 *   if (sigil_config_load_file(path, &cfg, err, sizeof err) != SIGIL_OK) log(err);
 *   ... sigil_config_clear(&cfg);
 */
#ifndef SIGIL_CONFIG_H
#define SIGIL_CONFIG_H

#include <stddef.h>
#include "status.h"

#define SIGIL_CONFIG_MAX_FILE (64u * 1024u)

typedef struct sigil_config {
    char *server_url;          /* malloc'd, never NULL after a successful parse */
    char *ca_file;             /* NULL when not given */
    unsigned char pinned_sha256[32];
    int has_pinned;            /* 1 when pinned_sha256 was given */
    char *client_cert;         /* NULL when not given */
    char *client_key;          /* NULL when not given */
    unsigned char client_cert_sha1[20];
    int has_client_thumbprint; /* 1 when client_cert_thumbprint was given */
    char *username;            /* never NULL after a successful parse */
    unsigned timeout_seconds;
    char *label;               /* NULL when not given */
    char *otp_command;         /* NULL when not given */
} sigil_config;

/* The ca_file value that means "the operating system's trust store". */
#define SIGIL_CA_FILE_SYSTEM "system"

/* Parses text[0..len) into *out (which the caller clears with sigil_config_clear). On any error
 * *out holds nothing to free, the status is PARSE_ERROR (or NO_MEMORY, LIMIT_EXCEEDED for a text
 * over SIGIL_CONFIG_MAX_FILE, INVALID_ARGUMENT for NULL) and, when err is not NULL, err[0..err_cap)
 * holds a NUL-terminated message such as "line 3: unknown key 'sever_url'". */
sigil_status sigil_config_parse(const char *text, size_t len, sigil_config *out, char *err,
                                size_t err_cap);

/* Reads the file at path and parses it as sigil_config_parse does. NOT_FOUND when it cannot be
 * opened. */
sigil_status sigil_config_load_file(const char *path, sigil_config *out, char *err,
                                    size_t err_cap);

/* Frees what a successful parse allocated and zeroes *cfg. NULL is ignored. */
void sigil_config_clear(sigil_config *cfg);

#endif
