/* C_SignInit, C_Sign, C_SignUpdate, C_SignFinal: the digest is made (or taken) here, only the
 * digest leaves; credentials/authorize binds it with the PIN and the one-time code, then
 * signatures/signHash signs it on the server. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "der.h"
#include "p11.h"
#include "secure.h"

void p11_sign_op_end(p11_sign_op *op)
{
    EVP_MD_CTX_free(op->md);
    sigil_free_secret(op->otp);
    sigil_free_secret(op->pin);
    sigil_secure_zero(op, sizeof *op);
}

static const EVP_MD *evp_md(sigil_hash h)
{
    switch (h) {
    case SIGIL_HASH_SHA256: return EVP_sha256();
    case SIGIL_HASH_SHA384: return EVP_sha384();
    case SIGIL_HASH_SHA512: return EVP_sha512();
    default: return NULL;
    }
}

/* The hash that CK_RSA_PKCS_PSS_PARAMS name, if they are what the server signs: MGF1 with the same
 * hash and a salt as long as the digest. */
static CK_RV pss_hash(const CK_MECHANISM *m, sigil_hash *out)
{
    if (m->pParameter == NULL || m->ulParameterLen != sizeof(CK_RSA_PKCS_PSS_PARAMS))
        return CKR_MECHANISM_PARAM_INVALID;
    const CK_RSA_PKCS_PSS_PARAMS *p = m->pParameter;
    const sigil_hash_info *h = sigil_hash_by_ckm(p->hashAlg);
    if (h == NULL || p->mgf != h->ckg_mgf || p->sLen != h->digest_len) {
        p11_error("RSA-PSS: the server signs with MGF1 over the same SHA-2 hash and a salt as "
                  "long as the digest");
        return CKR_MECHANISM_PARAM_INVALID;
    }
    *out = h->hash;
    return CKR_OK;
}

CK_RV C_SignInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
    if (pMechanism == NULL)
        return CKR_ARGUMENTS_BAD;
    p11_lock();
    p11_session *s;
    p11_object *key;
    CK_RV rv = p11_session_get(hSession, &s);
    if (rv != CKR_OK)
        goto out;
    if (s->sign.active) {
        rv = CKR_OPERATION_ACTIVE;
        goto out;
    }
    if (!s->slot->logged_in) {
        rv = CKR_USER_NOT_LOGGED_IN;
        goto out;
    }
    if ((rv = p11_object_get(s, hKey, &key)) != CKR_OK) {
        rv = CKR_KEY_HANDLE_INVALID;
        goto out;
    }
    if (key->cls != CKO_PRIVATE_KEY) {
        rv = CKR_KEY_FUNCTION_NOT_PERMITTED;
        goto out;
    }
    const p11_credential *cred = &s->slot->creds[key->cred];
    const sigil_mechanism_info *m = sigil_mechanism_by_ckm(pMechanism->mechanism);
    if (m == NULL) {
        rv = CKR_MECHANISM_INVALID;
        goto out;
    }
    if (m->key != cred->key) {
        rv = CKR_KEY_TYPE_INCONSISTENT;
        goto out;
    }
    p11_sign_op op = {0};
    op.mech = m;
    op.cred = key->cred;
    op.hash = m->hash;
    if (m->padding == SIGIL_PAD_PSS) {
        sigil_hash h;
        if ((rv = pss_hash(pMechanism, &h)) != CKR_OK)
            goto out;
        if (m->hash != SIGIL_HASH_NONE && m->hash != h) {
            rv = CKR_MECHANISM_PARAM_INVALID;
            goto out;
        }
        op.hash = h;
    } else if (pMechanism->pParameter != NULL || pMechanism->ulParameterLen != 0) {
        rv = CKR_MECHANISM_PARAM_INVALID;
        goto out;
    }
    if (m->hash != SIGIL_HASH_NONE) {
        op.md = EVP_MD_CTX_new();
        if (op.md == NULL || !EVP_DigestInit_ex(op.md, evp_md(m->hash), NULL)) {
            EVP_MD_CTX_free(op.md);
            rv = CKR_HOST_MEMORY;
            goto out;
        }
    }
    op.active = 1;
    s->sign = op;
    p11_debug("C_SignInit %s with %s", cred->id, m->name);
out:
    p11_unlock();
    return rv;
}

static CK_RV update(p11_sign_op *op, const CK_BYTE *data, CK_ULONG len)
{
    if (op->md != NULL)
        return len == 0 || EVP_DigestUpdate(op->md, data, len) ? CKR_OK : CKR_GENERAL_ERROR;
    if (len > sizeof op->data - op->data_len)
        return CKR_DATA_LEN_RANGE;
    if (len > 0)
        memcpy(op->data + op->data_len, data, len);
    op->data_len += len;
    return CKR_OK;
}

/* The digest to authorize and sign, and its hash; digest points into op or into digest_buf. */
static CK_RV final_digest(p11_sign_op *op, unsigned char *digest_buf, sigil_hash *hash,
                          const unsigned char **digest, size_t *digest_len)
{
    if (op->md != NULL) {
        unsigned int n = 0;
        if (!EVP_DigestFinal_ex(op->md, digest_buf, &n))
            return CKR_GENERAL_ERROR;
        *hash = op->mech->hash;
        *digest = digest_buf;
        *digest_len = n;
        return CKR_OK;
    }
    if (op->mech->key == SIGIL_KEY_RSA && op->mech->padding == SIGIL_PAD_PKCS1) {
        /* CKM_RSA_PKCS gets the DigestInfo; the server needs to know the hash. */
        if (sigil_digestinfo_parse(op->data, op->data_len, hash, digest, digest_len) != SIGIL_OK) {
            p11_error("CKM_RSA_PKCS signs a DigestInfo of SHA-256, SHA-384 or SHA-512 only");
            return CKR_DATA_INVALID;
        }
        return CKR_OK;
    }
    const sigil_hash_info *h = op->hash != SIGIL_HASH_NONE ? sigil_hash_info_of(op->hash)
                                                           : sigil_hash_by_digest_len(op->data_len);
    if (h == NULL || h->digest_len != op->data_len) {
        p11_error("%s signs a SHA-256, SHA-384 or SHA-512 digest (32, 48 or 64 bytes), not %zu "
                  "bytes", op->mech->name, op->data_len);
        return CKR_DATA_LEN_RANGE;
    }
    *hash = h->hash;
    *digest = op->data;
    *digest_len = op->data_len;
    return CKR_OK;
}

/* The server refused the PIN and code of a signature (it does not say which of the two was
 * wrong): the PIN is forgotten at once, the one of this operation and the one kept from
 * C_Login("password:PIN"), so that the next signature asks for it (PIN:code at the
 * context-specific login) instead of spending another of the attempts the server allows on a
 * PIN known to be refused. The code was used up already. */
static void forget_refused_pin(p11_slot *slot, p11_sign_op *op, const p11_credential *cred)
{
    if (op->pin == NULL && slot->pin != NULL) {
        sigil_free_secret(slot->pin);
        slot->pin = NULL;
    }
    sigil_free_secret(op->pin);
    op->pin = NULL;
    p11_error("the server refused the PIN or the one-time code for %s: the PIN is forgotten; "
              "give PIN:code at the next context-specific login", cred->id);
}

/* The secrets for this signature, then the core's one signature; out gets cred->sig_len bytes. */
static CK_RV remote_sign(p11_slot *slot, p11_sign_op *op, sigil_hash hash,
                         const unsigned char *digest, size_t digest_len, unsigned char *out)
{
    const p11_credential *cred = &slot->creds[op->cred];
    if (sigil_sign_algo_find(cred->key, op->mech->padding, hash) == NULL)
        return CKR_MECHANISM_INVALID; /* before a code is spent */
    const char *pin = op->pin != NULL ? op->pin : slot->pin;
    if (cred->pin_required && pin == NULL) {
        p11_error("credential %s needs its PIN: log in with password:PIN, or give PIN:code at "
                  "the context-specific login", cred->id);
        return CKR_USER_NOT_LOGGED_IN;
    }
    char *otp = NULL;
    if (op->otp != NULL) {
        otp = op->otp;
        op->otp = NULL;
    } else if (cred->otp_required && slot->cfg.otp_command != NULL) {
        sigil_status st = p11_run_otp_command(slot->cfg.otp_command, &otp);
        if (st != SIGIL_OK) {
            p11_error("otp_command failed: it must print the one-time code (6 to 10 digits) on "
                      "its first line and exit with 0");
            return CKR_FUNCTION_FAILED;
        }
    } else if (cred->otp_required) {
        p11_error("credential %s needs a one-time code for each signature: give it with "
                  "C_Login(CKU_CONTEXT_SPECIFIC) after C_SignInit, or configure otp_command",
                  cred->id);
        return CKR_USER_NOT_LOGGED_IN;
    }

    sigil_status st = sigil_csc_sign_digest(slot->csc, cred->id, cred->key, op->mech->padding,
                                            hash, digest, digest_len,
                                            cred->pin_required ? pin : NULL, otp, cred->field_len,
                                            out, cred->sig_len);
    sigil_free_secret(otp);
    if ((st == SIGIL_AUTH_FAILED || st == SIGIL_PIN_LOCKED) && cred->pin_required)
        forget_refused_pin(slot, op, cred);
    if (st == SIGIL_PARSE_ERROR)
        p11_error("the server's answer or signature for %s is not what %s returns", cred->id,
                  op->mech->name);
    else if (st != SIGIL_OK)
        p11_error("signing with %s refused: %s %s", cred->id, sigil_csc_last_error(slot->csc),
                  sigil_csc_last_error_description(slot->csc));
    return p11_rv(st);
}

/* The end of C_Sign and C_SignFinal: the size protocol, then the remote signature. */
static CK_RV finish(p11_session *s, CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
    p11_sign_op *op = &s->sign;
    size_t need = s->slot->creds[op->cred].sig_len;
    if (pSignature == NULL) {
        *pulSignatureLen = need; /* a size query: no round trip, the operation goes on */
        return CKR_OK;
    }
    if (*pulSignatureLen < need) {
        *pulSignatureLen = need;
        return CKR_BUFFER_TOO_SMALL;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    unsigned long long busy0 = sigil_curl_transport_busy_us(s->slot->transport);
    unsigned char digest_buf[EVP_MAX_MD_SIZE];
    const unsigned char *digest;
    size_t digest_len;
    sigil_hash hash;
    CK_RV rv = final_digest(op, digest_buf, &hash, &digest, &digest_len);
    if (rv == CKR_OK)
        rv = remote_sign(s->slot, op, hash, digest, digest_len, pSignature);
    if (rv == CKR_OK) {
        *pulSignatureLen = need;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double total = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
        double server = (double)(sigil_curl_transport_busy_us(s->slot->transport) - busy0) / 1e3;
        p11_debug("C_Sign timing: %.3f ms in all, %.3f ms in the two HTTPS exchanges, %.3f ms in "
                  "the module", total, server, total - server);
    }
    if (rv == CKR_USER_NOT_LOGGED_IN && !sigil_csc_logged_in(s->slot->csc)) {
        p11_error("the server ended the session (expired or revoked): log in again");
        p11_forget_login(s->slot);
    }
    sigil_secure_zero(digest_buf, sizeof digest_buf);
    p11_sign_op_end(op);
    return rv;
}

CK_RV C_Sign(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
             CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
    if ((pData == NULL && ulDataLen > 0) || pulSignatureLen == NULL)
        return CKR_ARGUMENTS_BAD;
    p11_lock();
    p11_session *s;
    CK_RV rv = p11_session_get(hSession, &s);
    if (rv == CKR_OK && !s->sign.active)
        rv = CKR_OPERATION_NOT_INITIALIZED;
    if (rv == CKR_OK && s->sign.multipart)
        rv = CKR_OPERATION_ACTIVE; /* C_Sign cannot end a multi-part operation */
    if (rv == CKR_OK) {
        /* The size protocol comes first and takes no data, so a repeated call does not add its
         * data twice; the real call takes the data and ends the operation whatever happens. */
        size_t need = s->slot->creds[s->sign.cred].sig_len;
        if (pSignature == NULL || *pulSignatureLen < need) {
            rv = finish(s, pSignature, pulSignatureLen);
        } else if ((rv = update(&s->sign, pData, ulDataLen)) == CKR_OK) {
            rv = finish(s, pSignature, pulSignatureLen);
        } else {
            p11_sign_op_end(&s->sign);
        }
    }
    p11_unlock();
    return rv;
}

CK_RV C_SignUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
    if (pPart == NULL && ulPartLen > 0)
        return CKR_ARGUMENTS_BAD;
    p11_lock();
    p11_session *s;
    CK_RV rv = p11_session_get(hSession, &s);
    if (rv == CKR_OK && !s->sign.active)
        rv = CKR_OPERATION_NOT_INITIALIZED;
    if (rv == CKR_OK) {
        s->sign.multipart = 1;
        rv = update(&s->sign, pPart, ulPartLen);
        if (rv != CKR_OK)
            p11_sign_op_end(&s->sign);
    }
    p11_unlock();
    return rv;
}

CK_RV C_SignFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature,
                  CK_ULONG_PTR pulSignatureLen)
{
    if (pulSignatureLen == NULL)
        return CKR_ARGUMENTS_BAD;
    p11_lock();
    p11_session *s;
    CK_RV rv = p11_session_get(hSession, &s);
    if (rv == CKR_OK && !s->sign.active)
        rv = CKR_OPERATION_NOT_INITIALIZED;
    if (rv == CKR_OK)
        rv = finish(s, pSignature, pulSignatureLen);
    p11_unlock();
    return rv;
}
