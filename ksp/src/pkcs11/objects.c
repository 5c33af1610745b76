/* The token's objects: for each credential with a certificate, the certificate, its public key and
 * the private key (which never leaves the server: CKA_SENSITIVE, not extractable), all three with
 * CKA_ID and CKA_LABEL set to the credential id. The public values come from the certificate,
 * parsed with OpenSSL. */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "p11.h"

static CK_RV add_attr(p11_object *o, CK_ATTRIBUTE_TYPE type, const void *value, size_t len)
{
    p11_attr *grown = realloc(o->attrs, (o->attr_count + 1) * sizeof *grown);
    if (grown == NULL)
        return CKR_HOST_MEMORY;
    o->attrs = grown;
    p11_attr *a = &o->attrs[o->attr_count];
    a->type = type;
    a->len = (CK_ULONG)len;
    a->value = NULL;
    if (len > 0) {
        if ((a->value = malloc(len)) == NULL)
            return CKR_HOST_MEMORY;
        memcpy(a->value, value, len);
    }
    o->attr_count++;
    return CKR_OK;
}

static CK_RV add_bool(p11_object *o, CK_ATTRIBUTE_TYPE type, CK_BBOOL v)
{
    return add_attr(o, type, &v, sizeof v);
}

static CK_RV add_ulong(p11_object *o, CK_ATTRIBUTE_TYPE type, CK_ULONG v)
{
    return add_attr(o, type, &v, sizeof v);
}

static void free_object(p11_object *o)
{
    if (o == NULL)
        return;
    for (size_t i = 0; i < o->attr_count; i++)
        free(o->attrs[i].value);
    free(o->attrs);
    free(o);
}

/* The public values of the signer certificate, each DER or big-endian as PKCS#11 wants them. */
typedef struct cert_values {
    unsigned char *subject, *issuer, *serial, *ec_params, *ec_point, *modulus, *exponent;
    int subject_len, issuer_len, serial_len, ec_params_len, ec_point_len, modulus_len,
        exponent_len;
    sigil_key_type key;
    CK_ULONG bits;
    size_t field_len;
} cert_values;

static void cert_values_free(cert_values *v)
{
    OPENSSL_free(v->subject);
    OPENSSL_free(v->issuer);
    OPENSSL_free(v->serial);
    OPENSSL_free(v->ec_params);
    free(v->ec_point);
    free(v->modulus);
    free(v->exponent);
}

static int bn_param(EVP_PKEY *pkey, const char *name, unsigned char **out, int *len)
{
    BIGNUM *bn = NULL;
    if (!EVP_PKEY_get_bn_param(pkey, name, &bn))
        return 0;
    *len = BN_num_bytes(bn);
    *out = malloc(*len > 0 ? (size_t)*len : 1);
    if (*out != NULL)
        BN_bn2bin(bn, *out);
    BN_free(bn);
    return *out != NULL;
}

/* Reads what the objects need from the DER certificate; 0 when it is not one we can use. */
static int read_certificate(const unsigned char *der, size_t der_len, cert_values *v)
{
    memset(v, 0, sizeof *v);
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)der_len);
    if (x == NULL || p != der + der_len) {
        X509_free(x);
        return 0;
    }
    int ok = 0;
    v->subject_len = i2d_X509_NAME(X509_get_subject_name(x), &v->subject);
    v->issuer_len = i2d_X509_NAME(X509_get_issuer_name(x), &v->issuer);
    v->serial_len = i2d_ASN1_INTEGER(X509_get0_serialNumber(x), &v->serial);
    if (v->subject_len <= 0 || v->issuer_len <= 0 || v->serial_len <= 0)
        goto out;
    X509_PUBKEY *xpk = X509_get_X509_PUBKEY(x);
    ASN1_OBJECT *alg_oid = NULL;
    const unsigned char *pk = NULL;
    int pk_len = 0;
    X509_ALGOR *alg = NULL;
    if (xpk == NULL || !X509_PUBKEY_get0_param(&alg_oid, &pk, &pk_len, &alg, xpk))
        goto out;
    EVP_PKEY *pkey = X509_get0_pubkey(x);
    if (pkey == NULL)
        goto out;
    switch (OBJ_obj2nid(alg_oid)) {
    case NID_rsaEncryption:
        v->key = SIGIL_KEY_RSA;
        if (!bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &v->modulus, &v->modulus_len)
            || !bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &v->exponent, &v->exponent_len))
            goto out;
        v->bits = (CK_ULONG)EVP_PKEY_get_bits(pkey);
        break;
    case NID_X9_62_id_ecPublicKey: {
        v->key = SIGIL_KEY_EC;
        int ptype = 0;
        const void *pval = NULL;
        X509_ALGOR_get0(NULL, &ptype, &pval, alg);
        if (ptype != V_ASN1_OBJECT)
            goto out; /* explicit curve parameters: not a named curve we sign with */
        char oid[64];
        if (OBJ_obj2txt(oid, sizeof oid, pval, 1) <= 0)
            goto out;
        const sigil_curve_info *curve = sigil_curve_by_oid(oid);
        if (curve == NULL || pk_len <= 0 || pk_len > 200)
            goto out;
        v->ec_params_len = i2d_ASN1_OBJECT(pval, &v->ec_params);
        if (v->ec_params_len <= 0)
            goto out;
        /* CKA_EC_POINT: the DER OCTET STRING around the X9.62 point. */
        v->ec_point = malloc((size_t)pk_len + 3);
        if (v->ec_point == NULL)
            goto out;
        size_t h = 0;
        v->ec_point[h++] = 0x04;
        if (pk_len >= 128)
            v->ec_point[h++] = 0x81;
        v->ec_point[h++] = (unsigned char)pk_len;
        memcpy(v->ec_point + h, pk, (size_t)pk_len);
        v->ec_point_len = (int)h + pk_len;
        v->bits = curve->bits;
        v->field_len = curve->field_len;
        break;
    }
    default:
        goto out;
    }
    ok = 1;
out:
    X509_free(x);
    if (!ok)
        cert_values_free(v);
    return ok;
}

static CK_RV new_object(p11_slot *slot, CK_OBJECT_CLASS cls, const char *id, p11_object **out)
{
    p11_object **grown = realloc(slot->objects, (slot->object_count + 1) * sizeof *grown);
    if (grown == NULL)
        return CKR_HOST_MEMORY;
    slot->objects = grown;
    p11_object *o = calloc(1, sizeof *o);
    if (o == NULL)
        return CKR_HOST_MEMORY;
    o->slot = slot;
    o->cls = cls;
    o->cred = slot->cred_count - 1;
    uint64_t h;
    sigil_status st = sigil_handles_add(p11.objects, o, &h);
    if (st != SIGIL_OK) {
        free(o);
        return p11_rv(st);
    }
    o->handle = (CK_OBJECT_HANDLE)h;
    slot->objects[slot->object_count++] = o;
    *out = o;
    size_t id_len = strlen(id);
    CK_RV rv = add_ulong(o, CKA_CLASS, cls);
    if (rv == CKR_OK) rv = add_bool(o, CKA_TOKEN, CK_TRUE);
    if (rv == CKR_OK) rv = add_bool(o, CKA_PRIVATE, cls == CKO_PRIVATE_KEY ? CK_TRUE : CK_FALSE);
    if (rv == CKR_OK) rv = add_bool(o, CKA_MODIFIABLE, CK_FALSE);
    if (rv == CKR_OK) rv = add_bool(o, CKA_COPYABLE, CK_FALSE);
    if (rv == CKR_OK) rv = add_bool(o, CKA_DESTROYABLE, CK_FALSE);
    if (rv == CKR_OK) rv = add_attr(o, CKA_LABEL, id, id_len);
    if (rv == CKR_OK) rv = add_attr(o, CKA_ID, id, id_len);
    return rv;
}

static CK_RV add_key_common(p11_object *o, const cert_values *v)
{
    CK_RV rv = add_ulong(o, CKA_KEY_TYPE, v->key == SIGIL_KEY_RSA ? CKK_RSA : CKK_EC);
    if (rv == CKR_OK) rv = add_attr(o, CKA_SUBJECT, v->subject, (size_t)v->subject_len);
    if (rv == CKR_OK) rv = add_attr(o, CKA_START_DATE, NULL, 0);
    if (rv == CKR_OK) rv = add_attr(o, CKA_END_DATE, NULL, 0);
    if (rv == CKR_OK) rv = add_bool(o, CKA_DERIVE, CK_FALSE);
    if (rv == CKR_OK) rv = add_bool(o, CKA_LOCAL, CK_FALSE);
    if (rv == CKR_OK) rv = add_ulong(o, CKA_KEY_GEN_MECHANISM, CK_UNAVAILABLE_INFORMATION);
    if (v->key == SIGIL_KEY_RSA) {
        if (rv == CKR_OK) rv = add_attr(o, CKA_MODULUS, v->modulus, (size_t)v->modulus_len);
        if (rv == CKR_OK) rv = add_ulong(o, CKA_MODULUS_BITS, v->bits);
        if (rv == CKR_OK)
            rv = add_attr(o, CKA_PUBLIC_EXPONENT, v->exponent, (size_t)v->exponent_len);
    } else {
        if (rv == CKR_OK) rv = add_attr(o, CKA_EC_PARAMS, v->ec_params, (size_t)v->ec_params_len);
    }
    return rv;
}

CK_RV p11_objects_add(p11_slot *slot, const sigil_csc_credential_info *info)
{
    if (info->certificate_count == 0) {
        p11_debug("credential %s has no certificate yet: not shown", info->credential_id);
        return CKR_OK;
    }
    cert_values v;
    if (!read_certificate(info->certificates[0].data, info->certificates[0].len, &v)) {
        p11_error("credential %s: its certificate is not an RSA or named-curve EC certificate "
                  "this module can use; not shown", info->credential_id);
        return CKR_OK;
    }
    p11_credential *grown = realloc(slot->creds, (slot->cred_count + 1) * sizeof *grown);
    if (grown == NULL) {
        cert_values_free(&v);
        return CKR_HOST_MEMORY;
    }
    slot->creds = grown;
    p11_credential *c = &slot->creds[slot->cred_count];
    memset(c, 0, sizeof *c);
    size_t id_len = strlen(info->credential_id);
    if ((c->id = malloc(id_len + 1)) == NULL) {
        cert_values_free(&v);
        return CKR_HOST_MEMORY;
    }
    memcpy(c->id, info->credential_id, id_len + 1);
    slot->cred_count++;
    c->key = v.key;
    c->bits = v.bits;
    c->field_len = v.field_len;
    c->sig_len = v.key == SIGIL_KEY_RSA ? (size_t)v.modulus_len : 2 * v.field_len;
    c->pin_required = info->pin_required;
    c->otp_required = info->otp_required;
    const char *id = c->id;
    /* Always authenticate unless an OTP command answers for the user (see docs/pkcs11.md). */
    CK_BBOOL always_auth = slot->cfg.otp_command == NULL && c->otp_required ? CK_TRUE : CK_FALSE;

    p11_object *o;
    CK_RV rv = new_object(slot, CKO_CERTIFICATE, id, &o);
    if (rv == CKR_OK) rv = add_ulong(o, CKA_CERTIFICATE_TYPE, CKC_X_509);
    if (rv == CKR_OK) rv = add_bool(o, CKA_TRUSTED, CK_FALSE);
    if (rv == CKR_OK) rv = add_ulong(o, CKA_CERTIFICATE_CATEGORY, 1); /* token user */
    if (rv == CKR_OK) rv = add_attr(o, CKA_SUBJECT, v.subject, (size_t)v.subject_len);
    if (rv == CKR_OK) rv = add_attr(o, CKA_ISSUER, v.issuer, (size_t)v.issuer_len);
    if (rv == CKR_OK) rv = add_attr(o, CKA_SERIAL_NUMBER, v.serial, (size_t)v.serial_len);
    if (rv == CKR_OK)
        rv = add_attr(o, CKA_VALUE, info->certificates[0].data, info->certificates[0].len);
    if (rv == CKR_OK) rv = add_attr(o, CKA_START_DATE, NULL, 0);
    if (rv == CKR_OK) rv = add_attr(o, CKA_END_DATE, NULL, 0);

    if (rv == CKR_OK) rv = new_object(slot, CKO_PUBLIC_KEY, id, &o);
    if (rv == CKR_OK) rv = add_key_common(o, &v);
    if (rv == CKR_OK && v.key == SIGIL_KEY_EC)
        rv = add_attr(o, CKA_EC_POINT, v.ec_point, (size_t)v.ec_point_len);
    /* Verification is the application's business with the public key: the token only signs. */
    if (rv == CKR_OK) rv = add_bool(o, CKA_VERIFY, CK_FALSE);
    if (rv == CKR_OK) rv = add_bool(o, CKA_VERIFY_RECOVER, CK_FALSE);
    if (rv == CKR_OK) rv = add_bool(o, CKA_ENCRYPT, CK_FALSE);
    if (rv == CKR_OK) rv = add_bool(o, CKA_WRAP, CK_FALSE);
    if (rv == CKR_OK) rv = add_bool(o, CKA_TRUSTED, CK_FALSE);

    if (rv == CKR_OK) rv = new_object(slot, CKO_PRIVATE_KEY, id, &o);
    if (rv == CKR_OK) rv = add_key_common(o, &v);
    if (rv == CKR_OK) rv = add_bool(o, CKA_SIGN, CK_TRUE);
    if (rv == CKR_OK) rv = add_bool(o, CKA_SIGN_RECOVER, CK_FALSE);
    if (rv == CKR_OK) rv = add_bool(o, CKA_DECRYPT, CK_FALSE);
    if (rv == CKR_OK) rv = add_bool(o, CKA_UNWRAP, CK_FALSE);
    if (rv == CKR_OK) rv = add_bool(o, CKA_SENSITIVE, CK_TRUE);
    if (rv == CKR_OK) rv = add_bool(o, CKA_ALWAYS_SENSITIVE, CK_TRUE);
    if (rv == CKR_OK) rv = add_bool(o, CKA_EXTRACTABLE, CK_FALSE);
    if (rv == CKR_OK) rv = add_bool(o, CKA_NEVER_EXTRACTABLE, CK_TRUE);
    if (rv == CKR_OK) rv = add_bool(o, CKA_WRAP_WITH_TRUSTED, CK_FALSE);
    if (rv == CKR_OK) rv = add_bool(o, CKA_ALWAYS_AUTHENTICATE, always_auth);
    cert_values_free(&v);
    return rv;
}

void p11_objects_clear(p11_slot *slot)
{
    for (size_t i = 0; i < slot->object_count; i++) {
        (void)sigil_handles_remove(p11.objects, (uint64_t)slot->objects[i]->handle, NULL);
        free_object(slot->objects[i]);
    }
    free(slot->objects);
    slot->objects = NULL;
    slot->object_count = 0;
    for (size_t i = 0; i < slot->cred_count; i++)
        free(slot->creds[i].id);
    free(slot->creds);
    slot->creds = NULL;
    slot->cred_count = 0;
}

static const p11_attr *find_attr(const p11_object *o, CK_ATTRIBUTE_TYPE type)
{
    for (size_t i = 0; i < o->attr_count; i++)
        if (o->attrs[i].type == type)
            return &o->attrs[i];
    return NULL;
}

int p11_object_matches(const p11_object *o, const CK_ATTRIBUTE *tmpl, CK_ULONG count)
{
    for (CK_ULONG i = 0; i < count; i++) {
        const p11_attr *a = find_attr(o, tmpl[i].type);
        if (a == NULL || a->len != tmpl[i].ulValueLen
            || (a->len > 0 && (tmpl[i].pValue == NULL || memcmp(a->value, tmpl[i].pValue, a->len) != 0)))
            return 0;
    }
    return 1;
}

/* The private key's secret parts: present in the key, never revealed. */
static int is_sensitive(CK_ATTRIBUTE_TYPE t)
{
    return t == CKA_VALUE || t == CKA_PRIVATE_EXPONENT || t == CKA_PRIME_1 || t == CKA_PRIME_2
           || t == CKA_EXPONENT_1 || t == CKA_EXPONENT_2 || t == CKA_COEFFICIENT;
}

CK_RV p11_object_get_attributes(const p11_object *o, CK_ATTRIBUTE *tmpl, CK_ULONG count)
{
    /* Every entry is answered; the worst problem decides the return value, as the standard
     * says (sensitive or unknown attributes get CK_UNAVAILABLE_INFORMATION). */
    CK_RV rv = CKR_OK;
    for (CK_ULONG i = 0; i < count; i++) {
        if (o->cls == CKO_PRIVATE_KEY && is_sensitive(tmpl[i].type)) {
            tmpl[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
            rv = CKR_ATTRIBUTE_SENSITIVE;
            continue;
        }
        const p11_attr *a = find_attr(o, tmpl[i].type);
        if (a == NULL) {
            tmpl[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
            if (rv == CKR_OK)
                rv = CKR_ATTRIBUTE_TYPE_INVALID;
            continue;
        }
        if (tmpl[i].pValue == NULL) {
            tmpl[i].ulValueLen = a->len;
        } else if (tmpl[i].ulValueLen < a->len) {
            tmpl[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
            if (rv == CKR_OK)
                rv = CKR_BUFFER_TOO_SMALL;
        } else {
            if (a->len > 0)
                memcpy(tmpl[i].pValue, a->value, a->len);
            tmpl[i].ulValueLen = a->len;
        }
    }
    return rv;
}
