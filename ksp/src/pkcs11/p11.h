/* The PKCS#11 module's internal state, shared by its files (never installed).
 *
 * The model: one slot per configuration file, its token is the user's credential set on that
 * server. C_Login(CKU_USER) logs in to the server and builds three objects per credential that has
 * a certificate (certificate, public key, private key sharing CKA_ID = CKA_LABEL = the credential
 * id); C_Logout forgets them. Every entry point takes the one module lock for its whole duration,
 * network calls included: the module is thread-safe (CKF_OS_LOCKING_OK) and simple; signatures are
 * serialised, which costs nothing where each one waits for a person's one-time code.
 *
 * Handles (sessions, objects) are random values from the core's handle tables, never indexes or
 * pointers, so a stale handle after C_CloseSession or C_Logout finds nothing. */
#ifndef SIGIL_P11_H
#define SIGIL_P11_H

#include <stddef.h>

#include <p11-kit/pkcs11.h>

#include "algorithms.h"
#include "config.h"
#include "csc_client.h"
#include "curl_transport.h"
#include "handles.h"
#include "status.h"

_Static_assert(sizeof(CK_ULONG) >= sizeof(uint64_t),
               "the module's random 64-bit handles need a 64-bit CK_ULONG (LP64 Linux and macOS)");

/* One attribute of an object: the exact bytes C_GetAttributeValue returns. */
typedef struct p11_attr {
    CK_ATTRIBUTE_TYPE type;
    unsigned char *value;
    CK_ULONG len;
} p11_attr;

struct p11_slot;

typedef struct p11_object {
    struct p11_slot *slot;
    CK_OBJECT_HANDLE handle;
    CK_OBJECT_CLASS cls;
    size_t cred;              /* index in the slot's credentials */
    p11_attr *attrs;
    size_t attr_count;
} p11_object;

/* What signing with a credential needs, read from its certificate and credentials/info. */
typedef struct p11_credential {
    char *id;
    sigil_key_type key;
    CK_ULONG bits;            /* RSA modulus bits or the curve's size */
    size_t sig_len;           /* RSA: modulus bytes; ECDSA: 2 * field length (raw r||s) */
    size_t field_len;         /* EC only */
    int pin_required;
    int otp_required;
} p11_credential;

typedef struct p11_slot {
    CK_SLOT_ID id;
    sigil_config cfg;
    char description[65];     /* "Sigil https://host:port", for CK_SLOT_INFO */
    char label[33];
    char serial[17];
    sigil_curl_transport *transport;
    sigil_csc_session *csc;
    int logged_in;
    char *pin;                /* the PIN given at C_Login as "password:PIN", zeroed at logout */
    p11_credential *creds;
    size_t cred_count;
    p11_object **objects;     /* each malloc'd: the handle table holds their addresses */
    size_t object_count;
    CK_ULONG session_count;
} p11_slot;

/* The signature operation of a session, from C_SignInit to the end of C_Sign/C_SignFinal. */
typedef struct p11_sign_op {
    int active;
    const sigil_mechanism_info *mech;
    size_t cred;              /* index in the slot's credentials: valid while active, because
                               * the end of a login ends every operation (p11_forget_login) */
    sigil_hash hash;          /* fixed by the mechanism or by CK_RSA_PKCS_PSS_PARAMS */
    void *md;                 /* EVP_MD_CTX of a hash-and-sign mechanism */
    unsigned char data[512];  /* the input of a raw mechanism (digest or DigestInfo) */
    size_t data_len;
    int multipart;            /* C_SignUpdate was called */
    char *otp;                /* from C_Login(CKU_CONTEXT_SPECIFIC), zeroed at the end */
    char *pin;
} p11_sign_op;

typedef struct p11_session {
    p11_slot *slot;
    CK_FLAGS flags;
    /* C_FindObjects: the matching object handles, collected at C_FindObjectsInit. */
    int find_active;
    CK_OBJECT_HANDLE *found;
    size_t found_count, found_pos;
    p11_sign_op sign;
} p11_session;

typedef struct p11_module {
    int initialized;
    p11_slot *slots;
    size_t slot_count;
    sigil_handles *sessions;  /* CK_SESSION_HANDLE -> p11_session */
    sigil_handles *objects;   /* CK_OBJECT_HANDLE -> p11_object */
} p11_module;

/* The module state; touched only with the lock held (p11_lock/p11_unlock). */
extern p11_module p11;
void p11_lock(void);
void p11_unlock(void);

/* The one status -> CK_RV table. */
CK_RV p11_rv(sigil_status st);

/* Diagnostics on stderr, prefixed "sigil-pkcs11: ". SIGIL_PKCS11_LOG=off|error|debug (default
 * error): errors say why a call failed (the server's words included), debug traces the calls.
 * Never a password, PIN, OTP, token or SAD. */
void p11_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void p11_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Looks up a session (CKR_SESSION_HANDLE_INVALID) with the module initialised
 * (CKR_CRYPTOKI_NOT_INITIALIZED). */
CK_RV p11_session_get(CK_SESSION_HANDLE h, p11_session **out);
/* Looks up an object of the session's slot (CKR_OBJECT_HANDLE_INVALID otherwise). */
CK_RV p11_object_get(p11_session *s, CK_OBJECT_HANDLE h, p11_object **out);

/* objects.c: builds the credential and its three objects from credentials/info (the signer
 * certificate's public key) into the slot; a credential without a certificate is skipped.
 * Frees them all again (p11_objects_clear), removing their handles. */
CK_RV p11_objects_add(p11_slot *slot, const sigil_csc_credential_info *info);
void p11_objects_clear(p11_slot *slot);
/* 1 when the object has every attribute of the template with exactly those bytes. */
int p11_object_matches(const p11_object *o, const CK_ATTRIBUTE *tmpl, CK_ULONG count);
CK_RV p11_object_get_attributes(const p11_object *o, CK_ATTRIBUTE *tmpl, CK_ULONG count);

/* module.c: forgets the slot's login (the sign operations of all its sessions, objects,
 * credentials, PIN) without telling the server. */
void p11_forget_login(p11_slot *slot);

/* sign.c: ends a session's signature operation, zeroing its secrets. */
void p11_sign_op_end(p11_sign_op *op);
/* otp_command.c: runs the configured command and returns the first line of its output (digits
 * only, 6 to 10 of them) in a malloc'd string that the caller zeroes and frees. */
sigil_status p11_run_otp_command(const char *command, char **otp);
/* 1 when s looks like a one-time code: 6 to 10 digits (what both ways of giving one accept). */
int p11_is_otp(const char *s);

/* Pads src into a fixed-width PKCS#11 text field with blanks (no NUL), truncating. */
void p11_pad(CK_UTF8CHAR *dst, size_t width, const char *src);

#endif
