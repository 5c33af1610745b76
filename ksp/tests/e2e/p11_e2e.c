/* p11_e2e: drives libsigil-pkcs11.so through its function list against the real Sigil server, as
 * an application does, including what pkcs11-tool and the OpenSSL engine never exercise: the
 * context-specific login with the one-time code, the size protocol without a round trip,
 * multi-part signing, refusals and bad handles. Every signature is verified with OpenSSL against
 * the certificate read from the token.
 *
 *   p11_e2e <module> <password> <RSA credential PIN> <EC credential PIN> <OTP command>
 *
 * SIGIL_PKCS11_CONFIG names the module's configuration (one slot, user alice with the
 * credentials alice-rsa and alice-ec). Prints one line per check and "N passed, N failed". */
#define _DEFAULT_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <p11-kit/pkcs11.h>

static CK_FUNCTION_LIST_PTR f;
static int passed, failed;
static const char *otp_command;

static void check(int ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("  %s ", ok ? "ok  " : "FAIL");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    if (ok)
        passed++;
    else
        failed++;
}

#define CHECK_RV(call, want, what) do { \
        CK_RV rv_ = (call); \
        check(rv_ == (want), "%s: rv 0x%lx, expected 0x%lx", what, (unsigned long)rv_, \
              (unsigned long)(want)); \
    } while (0)

static void next_otp(char *out, size_t cap)
{
    FILE *p = popen(otp_command, "r");
    out[0] = '\0';
    if (p == NULL || fgets(out, (int)cap, p) == NULL)
        fprintf(stderr, "p11_e2e: %s gave no code\n", otp_command);
    if (p != NULL)
        pclose(p);
    out[strcspn(out, "\r\n")] = '\0';
}

static CK_RV context_login(CK_SESSION_HANDLE s, const char *pin)
{
    char otp[32], secret[96];
    next_otp(otp, sizeof otp);
    snprintf(secret, sizeof secret, "%s:%s", pin, otp);
    return f->C_Login(s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR)secret, strlen(secret));
}

/* The context-specific login with the next code alone (the PIN from C_Login, if any). */
static CK_RV code_only_login(CK_SESSION_HANDLE s)
{
    char otp[32];
    next_otp(otp, sizeof otp);
    return f->C_Login(s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR)otp, strlen(otp));
}

static CK_OBJECT_HANDLE find_one(CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls, const char *id)
{
    CK_ATTRIBUTE t[] = { { CKA_CLASS, &cls, sizeof cls }, { CKA_ID, (void *)id, strlen(id) } };
    CK_OBJECT_HANDLE h[2] = {0};
    CK_ULONG n = 0;
    if (f->C_FindObjectsInit(s, t, 2) != CKR_OK)
        return 0;
    f->C_FindObjects(s, h, 2, &n);
    f->C_FindObjectsFinal(s);
    return n == 1 ? h[0] : 0;
}

static EVP_PKEY *public_key_of(CK_SESSION_HANDLE s, const char *id)
{
    CK_OBJECT_HANDLE cert = find_one(s, CKO_CERTIFICATE, id);
    CK_ATTRIBUTE a = { CKA_VALUE, NULL, 0 };
    if (cert == 0 || f->C_GetAttributeValue(s, cert, &a, 1) != CKR_OK)
        return NULL;
    unsigned char *der = malloc(a.ulValueLen);
    a.pValue = der;
    EVP_PKEY *key = NULL;
    if (der != NULL && f->C_GetAttributeValue(s, cert, &a, 1) == CKR_OK) {
        const unsigned char *p = der;
        X509 *x = d2i_X509(NULL, &p, (long)a.ulValueLen);
        if (x != NULL)
            key = X509_get_pubkey(x);
        X509_free(x);
    }
    free(der);
    return key;
}

/* Verifies sig over data (or over a digest when md is NULL and digest is given). */
static int verify(EVP_PKEY *key, const EVP_MD *md, int pss, const unsigned char *data, size_t len,
                  const unsigned char *sig, size_t sig_len)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    int ok = ctx != NULL && EVP_DigestVerifyInit(ctx, &pctx, md, NULL, key) == 1;
    if (ok && pss)
        ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1
             && EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
    ok = ok && EVP_DigestVerify(ctx, sig, sig_len, data, len) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

/* Verifies an ECDSA signature (DER) over a digest as it is, without hashing it again. */
static int verify_digest(EVP_PKEY *key, const unsigned char *digest, size_t len,
                         const unsigned char *sig, size_t sig_len)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
    int ok = ctx != NULL && EVP_PKEY_verify_init(ctx) == 1
             && EVP_PKEY_verify(ctx, sig, sig_len, digest, len) == 1;
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

/* The raw r||s of CKM_ECDSA as the DER that OpenSSL verifies. */
static int ecdsa_raw_to_der(const unsigned char *raw, size_t len, unsigned char **der, int *der_len)
{
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(raw, (int)(len / 2), NULL), *s = BN_bin2bn(raw + len / 2, (int)(len / 2), NULL);
    if (sig == NULL || r == NULL || s == NULL || !ECDSA_SIG_set0(sig, r, s)) {
        ECDSA_SIG_free(sig);
        return 0;
    }
    *der = NULL;
    *der_len = i2d_ECDSA_SIG(sig, der);
    ECDSA_SIG_free(sig);
    return *der_len > 0;
}

static CK_RV login_user(CK_SESSION_HANDLE s, const char *secret)
{
    return f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)secret, strlen(secret));
}

/* A PIN the server refused is forgotten at once: the next signature asks for it (run.sh counts
 * the server's refused authorizations: exactly one for the one wrong PIN given). */
static void refused_pin_is_forgotten(CK_SESSION_HANDLE s, EVP_PKEY *ec_pub, const char *password,
                                     const char *pin)
{
    char secret[128];
    unsigned char digest[32], sig[128];
    CK_ULONG sig_len;
    CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 };
    memset(digest, 0x5a, sizeof digest);
    f->C_Logout(s);
    snprintf(secret, sizeof secret, "%s:%s", password, "999999");
    CHECK_RV(login_user(s, secret), CKR_OK, "C_Login(CKU_USER, password:wrong PIN)");
    CK_OBJECT_HANDLE ec = find_one(s, CKO_PRIVATE_KEY, "alice-ec");
    CHECK_RV(f->C_SignInit(s, &ecdsa, ec), CKR_OK, "C_SignInit for the wrong PIN");
    CHECK_RV(code_only_login(s), CKR_OK, "the context-specific login with the code only");
    sig_len = sizeof sig;
    CHECK_RV(f->C_Sign(s, digest, sizeof digest, sig, &sig_len), CKR_PIN_INCORRECT,
             "C_Sign with the wrong PIN of the login: CKR_PIN_INCORRECT");
    CHECK_RV(f->C_SignInit(s, &ecdsa, ec), CKR_OK, "C_SignInit after the refusal");
    CHECK_RV(code_only_login(s), CKR_OK, "the context-specific login with a new code only");
    sig_len = sizeof sig;
    CHECK_RV(f->C_Sign(s, digest, sizeof digest, sig, &sig_len), CKR_USER_NOT_LOGGED_IN,
             "the refused PIN was forgotten: the next C_Sign asks for it (CKR_USER_NOT_LOGGED_IN) "
             "instead of sending it again");
    CHECK_RV(f->C_SignInit(s, &ecdsa, ec), CKR_OK, "C_SignInit with the PIN asked again");
    CHECK_RV(context_login(s, pin), CKR_OK, "the context-specific login with PIN:code");
    sig_len = sizeof sig;
    CHECK_RV(f->C_Sign(s, digest, sizeof digest, sig, &sig_len), CKR_OK,
             "C_Sign with the right PIN given again");
    unsigned char *der = NULL;
    int der_len = 0;
    check(sig_len == 64 && ecdsa_raw_to_der(sig, sig_len, &der, &der_len)
              && verify_digest(ec_pub, digest, sizeof digest, der, (size_t)der_len),
          "and the signature verifies");
    OPENSSL_free(der);
}

/* C_Logout ends every session's signature operation: a C_Sign after it finds none, also after a
 * new login (whose credentials replace those the operation was started with). */
static void logout_ends_the_sign_operations(CK_SESSION_HANDLE s, const char *password,
                                            const char *pin)
{
    unsigned char digest[32], sig[512];
    CK_ULONG sig_len;
    CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 }, sha256_rsa = { CKM_SHA256_RSA_PKCS, NULL, 0 };
    memset(digest, 0x3c, sizeof digest);
    CK_OBJECT_HANDLE rsa = find_one(s, CKO_PRIVATE_KEY, "alice-rsa");
    CHECK_RV(f->C_SignInit(s, &sha256_rsa, rsa), CKR_OK, "C_SignInit, then C_Logout");
    CHECK_RV(f->C_Logout(s), CKR_OK, "C_Logout during a sign operation");
    sig_len = sizeof sig;
    CHECK_RV(f->C_Sign(s, digest, sizeof digest, sig, &sig_len), CKR_OPERATION_NOT_INITIALIZED,
             "C_SignInit, C_Logout, C_Sign: the operation ended with the login");
    CHECK_RV(login_user(s, password), CKR_OK, "C_Login again");

    /* Another session's operation, already given its code, does not outlive a logout either. */
    CK_SESSION_HANDLE other;
    CHECK_RV(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &other), CKR_OK,
             "a second session");
    CK_OBJECT_HANDLE ec = find_one(s, CKO_PRIVATE_KEY, "alice-ec");
    CHECK_RV(f->C_SignInit(other, &ecdsa, ec), CKR_OK, "C_SignInit in the second session");
    CHECK_RV(context_login(other, pin), CKR_OK, "its context-specific login with PIN:code");
    CHECK_RV(f->C_Logout(s), CKR_OK, "C_Logout in the first session");
    CHECK_RV(login_user(s, password), CKR_OK, "a new C_Login");
    sig_len = sizeof sig;
    CHECK_RV(f->C_Sign(other, digest, sizeof digest, sig, &sig_len), CKR_OPERATION_NOT_INITIALIZED,
             "the second session's operation ended with the first login: nothing signed after the "
             "new login");
    CHECK_RV(f->C_SignFinal(other, sig, &sig_len), CKR_OPERATION_NOT_INITIALIZED,
             "C_SignFinal finds no operation either");
    CHECK_RV(f->C_CloseSession(other), CKR_OK, "closing the second session");
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: p11_e2e <module> <password> <RSA PIN> <EC PIN> <OTP command>\n");
        return 2;
    }
    const char *password = argv[2], *pin_rsa = argv[3], *pin_ec = argv[4];
    otp_command = argv[5];
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        fprintf(stderr, "p11_e2e: %s\n", dlerror());
        return 1;
    }
    CK_C_GetFunctionList get = (CK_C_GetFunctionList)dlsym(lib, "C_GetFunctionList");
    check(get != NULL && get(&f) == CKR_OK && f->version.major == 2 && f->version.minor == 40,
          "C_GetFunctionList gives a v2.40 function list");
    if (f == NULL)
        return 1;

    CK_C_INITIALIZE_ARGS foreign = { (CK_CREATEMUTEX)1, (CK_DESTROYMUTEX)1, (CK_LOCKMUTEX)1,
                                     (CK_UNLOCKMUTEX)1, 0, NULL };
    CHECK_RV(f->C_Initialize(&foreign), CKR_CANT_LOCK,
             "C_Initialize with the application's mutexes only: CKR_CANT_LOCK");
    CK_C_INITIALIZE_ARGS os = { NULL, NULL, NULL, NULL, CKF_OS_LOCKING_OK, NULL };
    CHECK_RV(f->C_Initialize(&os), CKR_OK, "C_Initialize(CKF_OS_LOCKING_OK)");
    CHECK_RV(f->C_Initialize(NULL), CKR_CRYPTOKI_ALREADY_INITIALIZED, "a second C_Initialize");

    CK_SLOT_ID slots[4];
    CK_ULONG nslots = 0;
    CHECK_RV(f->C_GetSlotList(CK_TRUE, NULL, &nslots), CKR_OK, "C_GetSlotList size query");
    check(nslots == 1, "one slot for the one configuration file (%lu)", (unsigned long)nslots);
    nslots = 4;
    f->C_GetSlotList(CK_TRUE, slots, &nslots);
    CK_TOKEN_INFO ti;
    CHECK_RV(f->C_GetTokenInfo(slots[0], &ti), CKR_OK, "C_GetTokenInfo");
    check(memcmp(ti.label, "Alice e2e ", 10) == 0 && (ti.flags & CKF_LOGIN_REQUIRED),
          "the token's label is the configured one and it needs a login");

    CK_SESSION_HANDLE s;
    CHECK_RV(f->C_OpenSession(slots[0], CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK,
             "C_OpenSession");
    CK_OBJECT_HANDLE none[4];
    CK_ULONG n = 99;
    f->C_FindObjectsInit(s, NULL, 0);
    f->C_FindObjects(s, none, 4, &n);
    f->C_FindObjectsFinal(s);
    check(n == 0, "no objects before the login (%lu)", (unsigned long)n);

    CHECK_RV(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)"wrong", 5), CKR_PIN_INCORRECT,
             "C_Login with a wrong password");
    CHECK_RV(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)password, strlen(password)), CKR_OK,
             "C_Login(CKU_USER, password)");
    CHECK_RV(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)password, strlen(password)),
             CKR_USER_ALREADY_LOGGED_IN, "a second C_Login");

    CK_OBJECT_HANDLE rsa = find_one(s, CKO_PRIVATE_KEY, "alice-rsa");
    CK_OBJECT_HANDLE ec = find_one(s, CKO_PRIVATE_KEY, "alice-ec");
    check(rsa != 0 && ec != 0, "both private keys are found by CKA_CLASS and CKA_ID");
    CK_BBOOL always = CK_FALSE, sensitive = CK_FALSE;
    CK_ATTRIBUTE flags[] = { { CKA_ALWAYS_AUTHENTICATE, &always, sizeof always },
                             { CKA_SENSITIVE, &sensitive, sizeof sensitive } };
    CHECK_RV(f->C_GetAttributeValue(s, rsa, flags, 2), CKR_OK, "C_GetAttributeValue of flags");
    check(always == CK_TRUE && sensitive == CK_TRUE,
          "the private key has CKA_ALWAYS_AUTHENTICATE and CKA_SENSITIVE");
    unsigned char small[8];
    CK_ATTRIBUTE secret = { CKA_PRIVATE_EXPONENT, small, sizeof small };
    CHECK_RV(f->C_GetAttributeValue(s, rsa, &secret, 1), CKR_ATTRIBUTE_SENSITIVE,
             "the private exponent is sensitive");
    CK_ATTRIBUTE modulus = { CKA_MODULUS, NULL, 0 };
    CHECK_RV(f->C_GetAttributeValue(s, rsa, &modulus, 1), CKR_OK, "CKA_MODULUS size query");
    check(modulus.ulValueLen == 256, "the modulus has 256 bytes (%lu)",
          (unsigned long)modulus.ulValueLen);
    modulus.pValue = small;
    modulus.ulValueLen = sizeof small;
    CHECK_RV(f->C_GetAttributeValue(s, rsa, &modulus, 1), CKR_BUFFER_TOO_SMALL,
             "CKA_MODULUS into 8 bytes");

    EVP_PKEY *rsa_pub = public_key_of(s, "alice-rsa"), *ec_pub = public_key_of(s, "alice-ec");
    check(rsa_pub != NULL && ec_pub != NULL, "the certificates parse and give the public keys");

    const unsigned char msg[] = "Sigil: only what the user authorized.";
    unsigned char sig[512];
    CK_ULONG sig_len;

    /* Hash-and-sign with the whole protocol: size query, too small, no code, then the code. */
    CK_MECHANISM sha256_rsa = { CKM_SHA256_RSA_PKCS, NULL, 0 };
    CHECK_RV(f->C_SignInit(s, &sha256_rsa, rsa), CKR_OK, "C_SignInit(CKM_SHA256_RSA_PKCS)");
    sig_len = 0;
    CHECK_RV(f->C_Sign(s, (CK_BYTE_PTR)msg, sizeof msg, NULL, &sig_len), CKR_OK,
             "C_Sign size query");
    check(sig_len == 256, "the size query answers 256 without a server round trip");
    CHECK_RV(f->C_Sign(s, (CK_BYTE_PTR)msg, sizeof msg, sig, &sig_len), CKR_USER_NOT_LOGGED_IN,
             "C_Sign without the context-specific login");
    CHECK_RV(f->C_SignInit(s, &sha256_rsa, rsa), CKR_OK, "C_SignInit again");
    CHECK_RV(f->C_Login(s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR)password, strlen(password)),
             CKR_PIN_INVALID, "the password given as the context-specific PIN");
    CHECK_RV(context_login(s, pin_rsa), CKR_OK, "C_Login(CKU_CONTEXT_SPECIFIC, PIN:code)");
    sig_len = 10;
    CHECK_RV(f->C_Sign(s, (CK_BYTE_PTR)msg, sizeof msg, sig, &sig_len), CKR_BUFFER_TOO_SMALL,
             "C_Sign into 10 bytes");
    sig_len = sizeof sig;
    CHECK_RV(f->C_Sign(s, (CK_BYTE_PTR)msg, sizeof msg, sig, &sig_len), CKR_OK, "C_Sign");
    check(sig_len == 256 && verify(rsa_pub, EVP_sha256(), 0, msg, sizeof msg, sig, sig_len),
          "CKM_SHA256_RSA_PKCS signature verifies with the certificate");
    CHECK_RV(f->C_Sign(s, (CK_BYTE_PTR)msg, sizeof msg, sig, &sig_len),
             CKR_OPERATION_NOT_INITIALIZED, "the operation ended with the signature");

    /* A wrong one-time code. */
    CHECK_RV(f->C_SignInit(s, &sha256_rsa, rsa), CKR_OK, "C_SignInit for a wrong code");
    char wrong[64];
    snprintf(wrong, sizeof wrong, "%s:000000", pin_rsa);
    CHECK_RV(f->C_Login(s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR)wrong, strlen(wrong)), CKR_OK,
             "C_Login(CKU_CONTEXT_SPECIFIC) takes the code (the server checks it)");
    sig_len = sizeof sig;
    CHECK_RV(f->C_Sign(s, (CK_BYTE_PTR)msg, sizeof msg, sig, &sig_len), CKR_PIN_INCORRECT,
             "C_Sign with a wrong one-time code: CKR_PIN_INCORRECT");
    CHECK_RV(f->C_Sign(s, (CK_BYTE_PTR)msg, sizeof msg, sig, &sig_len),
             CKR_OPERATION_NOT_INITIALIZED, "and the operation is over");

    /* RSA-PSS on a digest, and parameters the server does not sign with. */
    unsigned char digest[32];
    unsigned int dlen = 0;
    EVP_Digest(msg, sizeof msg, digest, &dlen, EVP_sha256(), NULL);
    CK_RSA_PKCS_PSS_PARAMS bad = { CKM_SHA256, CKG_MGF1_SHA256, 20 };
    CK_MECHANISM pss_bad = { CKM_RSA_PKCS_PSS, &bad, sizeof bad };
    CHECK_RV(f->C_SignInit(s, &pss_bad, rsa), CKR_MECHANISM_PARAM_INVALID,
             "RSA-PSS with a 20-byte salt: CKR_MECHANISM_PARAM_INVALID");
    CK_RSA_PKCS_PSS_PARAMS good = { CKM_SHA256, CKG_MGF1_SHA256, 32 };
    CK_MECHANISM pss = { CKM_RSA_PKCS_PSS, &good, sizeof good };
    CHECK_RV(f->C_SignInit(s, &pss, rsa), CKR_OK, "C_SignInit(CKM_RSA_PKCS_PSS)");
    CHECK_RV(context_login(s, pin_rsa), CKR_OK, "context-specific login");
    sig_len = sizeof sig;
    CHECK_RV(f->C_Sign(s, digest, dlen, sig, &sig_len), CKR_OK, "C_Sign of the digest");
    check(verify(rsa_pub, EVP_sha256(), 1, msg, sizeof msg, sig, sig_len),
          "CKM_RSA_PKCS_PSS signature verifies (PSS, SHA-256, salt 32)");

    /* ECDSA: wrong key type, then multi-part hash-and-sign. */
    CK_MECHANISM ecdsa_sha256 = { CKM_ECDSA_SHA256, NULL, 0 };
    CHECK_RV(f->C_SignInit(s, &ecdsa_sha256, rsa), CKR_KEY_TYPE_INCONSISTENT,
             "CKM_ECDSA_SHA256 with the RSA key");
    CHECK_RV(f->C_SignInit(s, &ecdsa_sha256, ec), CKR_OK, "C_SignInit(CKM_ECDSA_SHA256)");
    CHECK_RV(f->C_SignUpdate(s, (CK_BYTE_PTR)msg, 10), CKR_OK, "C_SignUpdate 1");
    CHECK_RV(f->C_SignUpdate(s, (CK_BYTE_PTR)msg + 10, 0), CKR_OK, "C_SignUpdate of nothing");
    CHECK_RV(f->C_SignUpdate(s, (CK_BYTE_PTR)msg + 10, sizeof msg - 10), CKR_OK, "C_SignUpdate 2");
    sig_len = 0;
    CHECK_RV(f->C_SignFinal(s, NULL, &sig_len), CKR_OK, "C_SignFinal size query");
    check(sig_len == 64, "raw r||s of P-256 has 64 bytes (%lu)", (unsigned long)sig_len);
    CHECK_RV(context_login(s, pin_ec), CKR_OK, "context-specific login");
    CHECK_RV(f->C_SignFinal(s, sig, &sig_len), CKR_OK, "C_SignFinal");
    unsigned char *der = NULL;
    int der_len = 0;
    check(sig_len == 64 && ecdsa_raw_to_der(sig, sig_len, &der, &der_len)
              && verify(ec_pub, EVP_sha256(), 0, msg, sizeof msg, der, (size_t)der_len),
          "multi-part CKM_ECDSA_SHA256 signature verifies");
    OPENSSL_free(der);

    /* Latency: C_Sign's own time is measured by the module (SIGIL_PKCS11_LOG=debug prints it). */
    CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 };
    int latency_ok = 1;
    for (int i = 0; i < 3; i++) {
        latency_ok &= f->C_SignInit(s, &ecdsa, ec) == CKR_OK && context_login(s, pin_ec) == CKR_OK;
        sig_len = sizeof sig;
        latency_ok &= f->C_Sign(s, digest, dlen, sig, &sig_len) == CKR_OK && sig_len == 64;
    }
    check(latency_ok, "three more CKM_ECDSA signatures in a row (for the latency sample)");

    refused_pin_is_forgotten(s, ec_pub, password, pin_ec);
    logout_ends_the_sign_operations(s, password, pin_ec);
    rsa = find_one(s, CKO_PRIVATE_KEY, "alice-rsa");

    /* Bad and stale handles, unsupported functions. */
    CK_ATTRIBUTE cls = { CKA_CLASS, small, sizeof small };
    CHECK_RV(f->C_GetAttributeValue(s, 0x1234567, &cls, 1), CKR_OBJECT_HANDLE_INVALID,
             "an unknown object handle");
    CHECK_RV(f->C_GetAttributeValue(0x1234567, rsa, &cls, 1), CKR_SESSION_HANDLE_INVALID,
             "an unknown session handle");
    CHECK_RV(f->C_GenerateRandom(s, small, sizeof small), CKR_FUNCTION_NOT_SUPPORTED,
             "C_GenerateRandom is not supported");
    CHECK_RV(f->C_EncryptInit(s, &sha256_rsa, rsa), CKR_FUNCTION_NOT_SUPPORTED,
             "C_EncryptInit is not supported");
    CHECK_RV(f->C_Logout(s), CKR_OK, "C_Logout");
    CHECK_RV(f->C_GetAttributeValue(s, rsa, &cls, 1), CKR_OBJECT_HANDLE_INVALID,
             "the key handle is stale after C_Logout");
    CHECK_RV(f->C_CloseSession(s), CKR_OK, "C_CloseSession");
    CHECK_RV(f->C_CloseSession(s), CKR_SESSION_HANDLE_INVALID, "closing it again");
    CHECK_RV(f->C_Finalize(NULL), CKR_OK, "C_Finalize");
    CHECK_RV(f->C_GetSlotList(CK_TRUE, NULL, &nslots), CKR_CRYPTOKI_NOT_INITIALIZED,
             "calls after C_Finalize");

    EVP_PKEY_free(rsa_pub);
    EVP_PKEY_free(ec_pub);
    dlclose(lib);
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}
