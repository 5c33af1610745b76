/* The algorithm table: what CSC, PKCS#11 and CNG call the same hash, curve and signature scheme.
 *
 * All tables are static constant data; every lookup is thread-safe and returns either a pointer
 * into a table (never to be freed, valid for the life of the program) or NULL when the name or
 * number is unknown. CNG names are given here as ASCII; the Windows glue compares them against the
 * wide-character names that the router passes (BCRYPT_SHA256_ALGORITHM is L"SHA256"). */
#ifndef SIGIL_ALGORITHMS_H
#define SIGIL_ALGORITHMS_H

#include <stddef.h>

typedef enum sigil_hash {
    SIGIL_HASH_NONE = 0,   /* not fixed by the mechanism: the input is a digest or a DigestInfo */
    SIGIL_HASH_SHA256,
    SIGIL_HASH_SHA384,
    SIGIL_HASH_SHA512
} sigil_hash;

typedef enum sigil_key_type { SIGIL_KEY_RSA = 1, SIGIL_KEY_EC } sigil_key_type;

typedef enum sigil_padding {
    SIGIL_PAD_NONE = 0,    /* ECDSA */
    SIGIL_PAD_PKCS1,       /* RSASSA-PKCS1-v1_5 */
    SIGIL_PAD_PSS          /* RSASSA-PSS */
} sigil_padding;

typedef struct sigil_hash_info {
    sigil_hash hash;
    const char *name;            /* "SHA-256" */
    const char *oid;             /* "2.16.840.1.101.3.4.2.1", CSC hashAlgorithmOID */
    size_t digest_len;           /* bytes */
    const char *cng_name;        /* "SHA256" (BCRYPT_SHA256_ALGORITHM) */
    unsigned long ckm;           /* CKM_SHA256 = 0x250, for CK_RSA_PKCS_PSS_PARAMS.hashAlg */
    unsigned long ckg_mgf;       /* CKG_MGF1_SHA256 = 0x2 */
} sigil_hash_info;

typedef struct sigil_curve_info {
    const char *name;            /* "P-256" */
    const char *oid;             /* "1.2.840.10045.3.1.7", CSC key.curve */
    size_t field_len;            /* bytes of r or s in a raw r||s signature */
    unsigned bits;
    const char *cng_name;        /* "ECDSA_P256" (BCRYPT_ECDSA_P256_ALGORITHM) */
} sigil_curve_info;

/* A CSC signAlgo OID. Combined OIDs fix the hash; rsaEncryption, RSASSA-PSS and id-ecPublicKey
 * do not (hash = SIGIL_HASH_NONE: it comes from hashAlgorithmOID or the PSS parameters). */
typedef struct sigil_sign_algo_info {
    const char *oid;
    const char *name;            /* "sha256WithRSAEncryption" */
    sigil_key_type key;
    sigil_padding padding;
    sigil_hash hash;
} sigil_sign_algo_info;

/* A PKCS#11 signing mechanism. hash is the hash the module computes locally before sending the
 * digest (hash-and-sign mechanisms), or NONE when the application passes a digest (CKM_ECDSA,
 * CKM_RSA_PKCS_PSS) or a DigestInfo (CKM_RSA_PKCS). */
typedef struct sigil_mechanism_info {
    unsigned long ckm;
    const char *name;            /* "CKM_SHA256_RSA_PKCS" */
    sigil_key_type key;
    sigil_padding padding;
    sigil_hash hash;
} sigil_mechanism_info;

#define SIGIL_OID_RSA_ENCRYPTION "1.2.840.113549.1.1.1"
#define SIGIL_OID_RSASSA_PSS "1.2.840.113549.1.1.10"
#define SIGIL_OID_EC_PUBLIC_KEY "1.2.840.10045.2.1"
#define SIGIL_MAX_DIGEST_LEN 64

const sigil_hash_info *sigil_hash_info_of(sigil_hash hash);
const sigil_hash_info *sigil_hash_by_oid(const char *oid);
const sigil_hash_info *sigil_hash_by_cng_name(const char *name);
const sigil_hash_info *sigil_hash_by_ckm(unsigned long ckm);
/* The SHA-2 hash whose digest has this length (32, 48, 64): how CKM_ECDSA's input is named. */
const sigil_hash_info *sigil_hash_by_digest_len(size_t len);

const sigil_curve_info *sigil_curve_by_oid(const char *oid);
const sigil_curve_info *sigil_curve_by_cng_name(const char *name);

const sigil_sign_algo_info *sigil_sign_algo_by_oid(const char *oid);
/* The combined signAlgo OID for (key, padding, hash): sha256WithRSAEncryption for
 * (RSA, PKCS1, SHA256), ecdsa-with-SHA384 for (EC, NONE, SHA384), RSASSA-PSS for (RSA, PSS, any
 * hash). NULL for a combination that has none (such as a hash of NONE with PKCS1). */
const sigil_sign_algo_info *sigil_sign_algo_find(sigil_key_type key, sigil_padding padding,
                                                 sigil_hash hash);

const sigil_mechanism_info *sigil_mechanism_by_ckm(unsigned long ckm);
/* The table itself, for C_GetMechanismList: *count receives the number of entries. */
const sigil_mechanism_info *sigil_mechanisms(size_t *count);

#endif
