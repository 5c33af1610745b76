#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "algorithms.h"

static void hash_oids_names_and_lengths_match_the_standards(void **state)
{
    (void)state;
    const sigil_hash_info *h = sigil_hash_by_oid("2.16.840.1.101.3.4.2.1");
    assert_non_null(h);
    assert_int_equal(h->hash, SIGIL_HASH_SHA256);
    assert_int_equal(h->digest_len, 32);
    assert_string_equal(h->cng_name, "SHA256");
    assert_int_equal(h->ckm, 0x250);
    assert_int_equal(h->ckg_mgf, 0x2);
    h = sigil_hash_by_oid("2.16.840.1.101.3.4.2.2");
    assert_non_null(h);
    assert_int_equal(h->digest_len, 48);
    assert_int_equal(h->ckm, 0x260);
    h = sigil_hash_by_oid("2.16.840.1.101.3.4.2.3");
    assert_non_null(h);
    assert_int_equal(h->digest_len, 64);
    assert_int_equal(h->ckg_mgf, 0x4);
    assert_ptr_equal(sigil_hash_by_cng_name("SHA384"), sigil_hash_info_of(SIGIL_HASH_SHA384));
    assert_ptr_equal(sigil_hash_by_ckm(0x270), sigil_hash_info_of(SIGIL_HASH_SHA512));
    assert_ptr_equal(sigil_hash_by_digest_len(48), sigil_hash_info_of(SIGIL_HASH_SHA384));
}

static void unknown_hashes_are_not_found(void **state)
{
    (void)state;
    assert_null(sigil_hash_by_oid("1.3.14.3.2.26"));          /* SHA-1 */
    assert_null(sigil_hash_by_oid("2.16.840.1.101.3.4.2.4")); /* SHA-224 */
    assert_null(sigil_hash_by_oid("2.16.840.1.101.3.4.2.1 "));
    assert_null(sigil_hash_by_oid(""));
    assert_null(sigil_hash_by_oid(NULL));
    assert_null(sigil_hash_by_cng_name("SHA1"));
    assert_null(sigil_hash_by_cng_name("sha256"));
    assert_null(sigil_hash_by_ckm(0x220));                    /* CKM_SHA_1 */
    assert_null(sigil_hash_by_digest_len(20));
    assert_null(sigil_hash_info_of(SIGIL_HASH_NONE));
}

static void sign_algorithm_oids_map_to_key_padding_and_hash(void **state)
{
    (void)state;
    static const struct {
        const char *oid; sigil_key_type key; sigil_padding pad; sigil_hash hash;
    } cases[] = {
        { "1.2.840.113549.1.1.11", SIGIL_KEY_RSA, SIGIL_PAD_PKCS1, SIGIL_HASH_SHA256 },
        { "1.2.840.113549.1.1.12", SIGIL_KEY_RSA, SIGIL_PAD_PKCS1, SIGIL_HASH_SHA384 },
        { "1.2.840.113549.1.1.13", SIGIL_KEY_RSA, SIGIL_PAD_PKCS1, SIGIL_HASH_SHA512 },
        { "1.2.840.113549.1.1.10", SIGIL_KEY_RSA, SIGIL_PAD_PSS, SIGIL_HASH_NONE },
        { "1.2.840.10045.4.3.2", SIGIL_KEY_EC, SIGIL_PAD_NONE, SIGIL_HASH_SHA256 },
        { "1.2.840.10045.4.3.3", SIGIL_KEY_EC, SIGIL_PAD_NONE, SIGIL_HASH_SHA384 },
        { "1.2.840.10045.4.3.4", SIGIL_KEY_EC, SIGIL_PAD_NONE, SIGIL_HASH_SHA512 },
        { "1.2.840.113549.1.1.1", SIGIL_KEY_RSA, SIGIL_PAD_PKCS1, SIGIL_HASH_NONE },
        { "1.2.840.10045.2.1", SIGIL_KEY_EC, SIGIL_PAD_NONE, SIGIL_HASH_NONE },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const sigil_sign_algo_info *a = sigil_sign_algo_by_oid(cases[i].oid);
        assert_non_null(a);
        assert_int_equal(a->key, cases[i].key);
        assert_int_equal(a->padding, cases[i].pad);
        assert_int_equal(a->hash, cases[i].hash);
    }
    assert_null(sigil_sign_algo_by_oid("1.2.840.113549.1.1.5"));   /* sha1WithRSAEncryption */
    assert_null(sigil_sign_algo_by_oid("1.2.840.10045.4.1"));      /* ecdsa-with-SHA1 */
    assert_null(sigil_sign_algo_by_oid(NULL));
}

static void combined_oids_are_found_for_key_padding_and_hash(void **state)
{
    (void)state;
    assert_string_equal(sigil_sign_algo_find(SIGIL_KEY_RSA, SIGIL_PAD_PKCS1, SIGIL_HASH_SHA384)->oid,
                        "1.2.840.113549.1.1.12");
    assert_string_equal(sigil_sign_algo_find(SIGIL_KEY_EC, SIGIL_PAD_NONE, SIGIL_HASH_SHA512)->oid,
                        "1.2.840.10045.4.3.4");
    assert_string_equal(sigil_sign_algo_find(SIGIL_KEY_RSA, SIGIL_PAD_PSS, SIGIL_HASH_SHA256)->oid,
                        SIGIL_OID_RSASSA_PSS);
    assert_null(sigil_sign_algo_find(SIGIL_KEY_RSA, SIGIL_PAD_PKCS1, SIGIL_HASH_NONE));
    assert_null(sigil_sign_algo_find(SIGIL_KEY_EC, SIGIL_PAD_NONE, SIGIL_HASH_NONE));
    assert_null(sigil_sign_algo_find(SIGIL_KEY_EC, SIGIL_PAD_PSS, SIGIL_HASH_SHA256));
    assert_null(sigil_sign_algo_find(SIGIL_KEY_EC, SIGIL_PAD_PKCS1, SIGIL_HASH_SHA256));
}

static void pkcs11_mechanisms_have_their_standard_numbers(void **state)
{
    (void)state;
    static const struct {
        unsigned long ckm; const char *name; sigil_key_type key; sigil_padding pad; sigil_hash hash;
    } cases[] = {
        { 0x1, "CKM_RSA_PKCS", SIGIL_KEY_RSA, SIGIL_PAD_PKCS1, SIGIL_HASH_NONE },
        { 0xd, "CKM_RSA_PKCS_PSS", SIGIL_KEY_RSA, SIGIL_PAD_PSS, SIGIL_HASH_NONE },
        { 0x40, "CKM_SHA256_RSA_PKCS", SIGIL_KEY_RSA, SIGIL_PAD_PKCS1, SIGIL_HASH_SHA256 },
        { 0x41, "CKM_SHA384_RSA_PKCS", SIGIL_KEY_RSA, SIGIL_PAD_PKCS1, SIGIL_HASH_SHA384 },
        { 0x42, "CKM_SHA512_RSA_PKCS", SIGIL_KEY_RSA, SIGIL_PAD_PKCS1, SIGIL_HASH_SHA512 },
        { 0x43, "CKM_SHA256_RSA_PKCS_PSS", SIGIL_KEY_RSA, SIGIL_PAD_PSS, SIGIL_HASH_SHA256 },
        { 0x44, "CKM_SHA384_RSA_PKCS_PSS", SIGIL_KEY_RSA, SIGIL_PAD_PSS, SIGIL_HASH_SHA384 },
        { 0x45, "CKM_SHA512_RSA_PKCS_PSS", SIGIL_KEY_RSA, SIGIL_PAD_PSS, SIGIL_HASH_SHA512 },
        { 0x1041, "CKM_ECDSA", SIGIL_KEY_EC, SIGIL_PAD_NONE, SIGIL_HASH_NONE },
        { 0x1044, "CKM_ECDSA_SHA256", SIGIL_KEY_EC, SIGIL_PAD_NONE, SIGIL_HASH_SHA256 },
        { 0x1045, "CKM_ECDSA_SHA384", SIGIL_KEY_EC, SIGIL_PAD_NONE, SIGIL_HASH_SHA384 },
        { 0x1046, "CKM_ECDSA_SHA512", SIGIL_KEY_EC, SIGIL_PAD_NONE, SIGIL_HASH_SHA512 },
    };
    size_t count;
    const sigil_mechanism_info *all = sigil_mechanisms(&count);
    assert_non_null(all);
    assert_int_equal(count, sizeof cases / sizeof cases[0]);
    for (size_t i = 0; i < count; i++) {
        const sigil_mechanism_info *m = sigil_mechanism_by_ckm(cases[i].ckm);
        assert_non_null(m);
        assert_string_equal(m->name, cases[i].name);
        assert_int_equal(m->key, cases[i].key);
        assert_int_equal(m->padding, cases[i].pad);
        assert_int_equal(m->hash, cases[i].hash);
    }
    assert_null(sigil_mechanism_by_ckm(0x3));     /* CKM_RSA_X_509: raw RSA is never offered */
    assert_null(sigil_mechanism_by_ckm(0x6));     /* CKM_SHA1_RSA_PKCS */
    assert_null(sigil_mechanism_by_ckm(0x1042));  /* CKM_ECDSA_SHA1 */
}

/* Every hash-and-sign mechanism has a combined CSC OID, so the module never has to send a bare
 * rsaEncryption/id-ecPublicKey for them. */
static void every_hash_and_sign_mechanism_has_a_csc_oid(void **state)
{
    (void)state;
    size_t count;
    const sigil_mechanism_info *all = sigil_mechanisms(&count);
    for (size_t i = 0; i < count; i++) {
        if (all[i].hash == SIGIL_HASH_NONE)
            continue;
        const sigil_sign_algo_info *a = sigil_sign_algo_find(all[i].key, all[i].padding, all[i].hash);
        assert_non_null(a);
        assert_non_null(sigil_hash_info_of(all[i].hash));
    }
}

static void curves_map_between_oids_and_cng_names(void **state)
{
    (void)state;
    const sigil_curve_info *c = sigil_curve_by_oid("1.2.840.10045.3.1.7");
    assert_non_null(c);
    assert_string_equal(c->cng_name, "ECDSA_P256");
    assert_int_equal(c->field_len, 32);
    c = sigil_curve_by_cng_name("ECDSA_P384");
    assert_non_null(c);
    assert_string_equal(c->oid, "1.3.132.0.34");
    assert_int_equal(c->field_len, 48);
    c = sigil_curve_by_oid("1.3.132.0.35");
    assert_non_null(c);
    assert_int_equal(c->field_len, 66);
    assert_int_equal(c->bits, 521);
    assert_null(sigil_curve_by_oid("1.3.132.0.10"));               /* secp256k1 */
    assert_null(sigil_curve_by_cng_name("ECDH_P256"));
    assert_null(sigil_curve_by_cng_name(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hash_oids_names_and_lengths_match_the_standards),
        cmocka_unit_test(unknown_hashes_are_not_found),
        cmocka_unit_test(sign_algorithm_oids_map_to_key_padding_and_hash),
        cmocka_unit_test(combined_oids_are_found_for_key_padding_and_hash),
        cmocka_unit_test(pkcs11_mechanisms_have_their_standard_numbers),
        cmocka_unit_test(every_hash_and_sign_mechanism_has_a_csc_oid),
        cmocka_unit_test(curves_map_between_oids_and_cng_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
