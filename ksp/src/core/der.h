/* The DER the clients need: ECDSA signatures (CNG and PKCS#11 want raw r||s, CSC returns
 * SEQUENCE { INTEGER r, INTEGER s }) and PKCS#1 v1.5 DigestInfo (CKM_RSA_PKCS passes one in).
 *
 * All functions are pure: no allocation, no global state, thread-safe. Parsers are strict DER:
 * definite minimal lengths, minimal INTEGERs, nothing after the structure. */
#ifndef SIGIL_DER_H
#define SIGIL_DER_H

#include <stddef.h>
#include "algorithms.h"
#include "status.h"

/* The longest DER ECDSA signature for field_len (32, 48, 66) bytes per scalar: 72, 104, 141. */
size_t sigil_ecdsa_der_max_len(size_t field_len);

/* Encodes raw = r||s (raw_len even, each half field_len = raw_len/2 bytes, big-endian, as CNG and
 * PKCS#11 produce) as DER. r and s must be non-zero (INVALID_ARGUMENT otherwise, also for an odd
 * or zero raw_len or a half longer than 66 bytes). On OK *out_len is the DER length; when out_cap
 * is too small, BUFFER_TOO_SMALL and *out_len is the needed size. */
sigil_status sigil_ecdsa_raw_to_der(const unsigned char *raw, size_t raw_len, unsigned char *out,
                                    size_t out_cap, size_t *out_len);

/* Decodes a DER ECDSA signature into raw r||s with each half left-padded to field_len bytes
 * (out gets 2*field_len bytes; BUFFER_TOO_SMALL with *out_len = 2*field_len if out_cap is less).
 * PARSE_ERROR for anything but exactly SEQUENCE { INTEGER, INTEGER } in DER: wrong tags,
 * non-minimal or indefinite lengths, lengths past the input, trailing bytes, an INTEGER with a
 * redundant leading 0x00/0xFF, a negative or zero r or s, or a value longer than field_len. */
sigil_status sigil_ecdsa_der_to_raw(const unsigned char *der, size_t der_len, size_t field_len,
                                    unsigned char *out, size_t out_cap, size_t *out_len);

/* The DER DigestInfo prefix for hash (SEQUENCE { AlgorithmIdentifier { oid, NULL }, OCTET STRING
 * header }), *len set to its length (19 for SHA-2); NULL for an unknown hash. Static data. */
const unsigned char *sigil_digestinfo_prefix(sigil_hash hash, size_t *len);

/* Builds DigestInfo = prefix || digest. digest_len must equal the hash's length
 * (INVALID_ARGUMENT otherwise); BUFFER_TOO_SMALL with *out_len the needed size. */
sigil_status sigil_digestinfo_build(sigil_hash hash, const unsigned char *digest,
                                    size_t digest_len, unsigned char *out, size_t out_cap,
                                    size_t *out_len);

/* Recognises a DigestInfo for SHA-256/384/512 (with the NULL parameters that PKCS#1 and every
 * signer we talk to use) and returns the hash and a pointer into in at the digest (borrowed,
 * *digest_len bytes). NOT_FOUND when in is not exactly such a DigestInfo: the caller cannot learn
 * the hash, so it cannot ask the server for the signature the application expects. */
sigil_status sigil_digestinfo_parse(const unsigned char *in, size_t in_len, sigil_hash *hash,
                                    const unsigned char **digest, size_t *digest_len);

/* The DER RSASSA-PSS-params (RFC 4055) that the server accepts for hash: hashAlgorithm = hash,
 * maskGenAlgorithm = MGF1 with the same hash, saltLength = the digest length, the default trailer
 * field (omitted). Sent base64 as signAlgoParams. BUFFER_TOO_SMALL with *out_len the needed size
 * (54 bytes for each SHA-2 hash); INVALID_ARGUMENT for an unknown hash. */
sigil_status sigil_pss_params_build(sigil_hash hash, unsigned char *out, size_t out_cap,
                                    size_t *out_len);

#endif
