#include "algorithms.h"

#include <string.h>

static const sigil_hash_info hashes[] = {
    { SIGIL_HASH_SHA256, "SHA-256", "2.16.840.1.101.3.4.2.1", 32, "SHA256", 0x250, 0x2 },
    { SIGIL_HASH_SHA384, "SHA-384", "2.16.840.1.101.3.4.2.2", 48, "SHA384", 0x260, 0x3 },
    { SIGIL_HASH_SHA512, "SHA-512", "2.16.840.1.101.3.4.2.3", 64, "SHA512", 0x270, 0x4 },
};

static const sigil_curve_info curves[] = {
    { "P-256", "1.2.840.10045.3.1.7", 32, 256, "ECDSA_P256" },
    { "P-384", "1.3.132.0.34", 48, 384, "ECDSA_P384" },
    { "P-521", "1.3.132.0.35", 66, 521, "ECDSA_P521" },
};

static const sigil_sign_algo_info sign_algos[] = {
    { "1.2.840.113549.1.1.11", "sha256WithRSAEncryption", SIGIL_KEY_RSA, SIGIL_PAD_PKCS1, SIGIL_HASH_SHA256 },
    { "1.2.840.113549.1.1.12", "sha384WithRSAEncryption", SIGIL_KEY_RSA, SIGIL_PAD_PKCS1, SIGIL_HASH_SHA384 },
    { "1.2.840.113549.1.1.13", "sha512WithRSAEncryption", SIGIL_KEY_RSA, SIGIL_PAD_PKCS1, SIGIL_HASH_SHA512 },
    { SIGIL_OID_RSASSA_PSS, "RSASSA-PSS", SIGIL_KEY_RSA, SIGIL_PAD_PSS, SIGIL_HASH_NONE },
    { "1.2.840.10045.4.3.2", "ecdsa-with-SHA256", SIGIL_KEY_EC, SIGIL_PAD_NONE, SIGIL_HASH_SHA256 },
    { "1.2.840.10045.4.3.3", "ecdsa-with-SHA384", SIGIL_KEY_EC, SIGIL_PAD_NONE, SIGIL_HASH_SHA384 },
    { "1.2.840.10045.4.3.4", "ecdsa-with-SHA512", SIGIL_KEY_EC, SIGIL_PAD_NONE, SIGIL_HASH_SHA512 },
    { SIGIL_OID_RSA_ENCRYPTION, "rsaEncryption", SIGIL_KEY_RSA, SIGIL_PAD_PKCS1, SIGIL_HASH_NONE },
    { SIGIL_OID_EC_PUBLIC_KEY, "id-ecPublicKey", SIGIL_KEY_EC, SIGIL_PAD_NONE, SIGIL_HASH_NONE },
};

static const sigil_mechanism_info mechanisms[] = {
    { 0x0001, "CKM_RSA_PKCS", SIGIL_KEY_RSA, SIGIL_PAD_PKCS1, SIGIL_HASH_NONE },
    { 0x000d, "CKM_RSA_PKCS_PSS", SIGIL_KEY_RSA, SIGIL_PAD_PSS, SIGIL_HASH_NONE },
    { 0x0040, "CKM_SHA256_RSA_PKCS", SIGIL_KEY_RSA, SIGIL_PAD_PKCS1, SIGIL_HASH_SHA256 },
    { 0x0041, "CKM_SHA384_RSA_PKCS", SIGIL_KEY_RSA, SIGIL_PAD_PKCS1, SIGIL_HASH_SHA384 },
    { 0x0042, "CKM_SHA512_RSA_PKCS", SIGIL_KEY_RSA, SIGIL_PAD_PKCS1, SIGIL_HASH_SHA512 },
    { 0x0043, "CKM_SHA256_RSA_PKCS_PSS", SIGIL_KEY_RSA, SIGIL_PAD_PSS, SIGIL_HASH_SHA256 },
    { 0x0044, "CKM_SHA384_RSA_PKCS_PSS", SIGIL_KEY_RSA, SIGIL_PAD_PSS, SIGIL_HASH_SHA384 },
    { 0x0045, "CKM_SHA512_RSA_PKCS_PSS", SIGIL_KEY_RSA, SIGIL_PAD_PSS, SIGIL_HASH_SHA512 },
    { 0x1041, "CKM_ECDSA", SIGIL_KEY_EC, SIGIL_PAD_NONE, SIGIL_HASH_NONE },
    { 0x1044, "CKM_ECDSA_SHA256", SIGIL_KEY_EC, SIGIL_PAD_NONE, SIGIL_HASH_SHA256 },
    { 0x1045, "CKM_ECDSA_SHA384", SIGIL_KEY_EC, SIGIL_PAD_NONE, SIGIL_HASH_SHA384 },
    { 0x1046, "CKM_ECDSA_SHA512", SIGIL_KEY_EC, SIGIL_PAD_NONE, SIGIL_HASH_SHA512 },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* OIDs and names are compared exactly (CSC sends them verbatim); NULL never matches. */
static int same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

const sigil_hash_info *sigil_hash_info_of(sigil_hash hash)
{
    for (size_t i = 0; i < COUNT(hashes); i++)
        if (hashes[i].hash == hash)
            return &hashes[i];
    return NULL;
}

const sigil_hash_info *sigil_hash_by_oid(const char *oid)
{
    for (size_t i = 0; i < COUNT(hashes); i++)
        if (same(hashes[i].oid, oid))
            return &hashes[i];
    return NULL;
}

const sigil_hash_info *sigil_hash_by_cng_name(const char *name)
{
    for (size_t i = 0; i < COUNT(hashes); i++)
        if (same(hashes[i].cng_name, name))
            return &hashes[i];
    return NULL;
}

const sigil_hash_info *sigil_hash_by_ckm(unsigned long ckm)
{
    for (size_t i = 0; i < COUNT(hashes); i++)
        if (hashes[i].ckm == ckm)
            return &hashes[i];
    return NULL;
}

const sigil_hash_info *sigil_hash_by_digest_len(size_t len)
{
    for (size_t i = 0; i < COUNT(hashes); i++)
        if (hashes[i].digest_len == len)
            return &hashes[i];
    return NULL;
}

const sigil_curve_info *sigil_curve_by_oid(const char *oid)
{
    for (size_t i = 0; i < COUNT(curves); i++)
        if (same(curves[i].oid, oid))
            return &curves[i];
    return NULL;
}

const sigil_curve_info *sigil_curve_by_cng_name(const char *name)
{
    for (size_t i = 0; i < COUNT(curves); i++)
        if (same(curves[i].cng_name, name))
            return &curves[i];
    return NULL;
}

const sigil_sign_algo_info *sigil_sign_algo_by_oid(const char *oid)
{
    for (size_t i = 0; i < COUNT(sign_algos); i++)
        if (same(sign_algos[i].oid, oid))
            return &sign_algos[i];
    return NULL;
}

const sigil_sign_algo_info *sigil_sign_algo_find(sigil_key_type key, sigil_padding padding,
                                                 sigil_hash hash)
{
    if (hash == SIGIL_HASH_NONE && padding != SIGIL_PAD_PSS)
        return NULL;
    for (size_t i = 0; i < COUNT(sign_algos); i++) {
        const sigil_sign_algo_info *a = &sign_algos[i];
        if (a->key != key || a->padding != padding)
            continue;
        /* PSS has one OID for every hash; the hash travels in signAlgoParams. */
        if (padding == SIGIL_PAD_PSS || a->hash == hash)
            return a;
    }
    return NULL;
}

const sigil_mechanism_info *sigil_mechanism_by_ckm(unsigned long ckm)
{
    for (size_t i = 0; i < COUNT(mechanisms); i++)
        if (mechanisms[i].ckm == ckm)
            return &mechanisms[i];
    return NULL;
}

const sigil_mechanism_info *sigil_mechanisms(size_t *count)
{
    if (count)
        *count = COUNT(mechanisms);
    return mechanisms;
}
