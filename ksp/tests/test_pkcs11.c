/* libsigil-pkcs11.so without a server: loaded with dlopen as applications load it, driven through
 * its function list. Initialisation arguments, configuration files, slots, tokens, mechanisms,
 * sessions and their handles, the refusals that need no network, threads, and the status -> CK_RV
 * table (rv.c is compiled into this test). What needs the server is tests/e2e/. */
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "p11.h"

static void *lib;
static CK_FUNCTION_LIST_PTR f;

static void write_file(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", SIGIL_TEST_DIR, name);
    FILE *out = fopen(path, "wb");
    assert_non_null(out);
    fputs(text, out);
    fclose(out);
}

static void use_config(const char *names)
{
    char list[1024] = "";
    char copy[256];
    snprintf(copy, sizeof copy, "%s", names);
    char *save = NULL;
    for (char *n = strtok_r(copy, ":", &save); n != NULL; n = strtok_r(NULL, ":", &save)) {
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s%s/%s", used ? ":" : "", SIGIL_TEST_DIR, n);
    }
    setenv("SIGIL_PKCS11_CONFIG", list, 1);
}

static int load(void **state)
{
    (void)state;
    write_file("p11_a.conf", "server_url = https://127.0.0.1:1\nca_file = /nonexistent.pem\n"
                             "username = alice\nlabel = Alice test\ntimeout_seconds = 2\n");
    write_file("p11_b.conf", "server_url = https://127.0.0.1:2\npinned_sha256 = "
                             "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n"
                             "username = bob\n");
    write_file("p11_bad.conf", "server_url = https://127.0.0.1:1\nusername = carol\nca_file = x\n"
                               "colour = blue\n");
    setenv("SIGIL_PKCS11_LOG", "off", 1);
    use_config("p11_a.conf");
    lib = dlopen(SIGIL_MODULE_PATH, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL)
        return -1;
    CK_C_GetFunctionList get;
    *(void **)&get = dlsym(lib, "C_GetFunctionList");
    return get != NULL && get(&f) == CKR_OK ? 0 : -1;
}

static int unload(void **state)
{
    (void)state;
    f->C_Finalize(NULL); /* whatever a test left initialised */
    /* No dlclose: libcurl and OpenSSL keep process-wide state that would read as leaks to the
     * sanitizer build once unmapped; an application unloading the module is not what this tests. */
    return 0;
}

static void the_function_list_is_v2_40_and_only_c_functions_are_exported(void **state)
{
    (void)state;
    assert_int_equal(f->version.major, 2);
    assert_int_equal(f->version.minor, 40);
    CK_C_GetFunctionList get;
    *(void **)&get = dlsym(lib, "C_GetFunctionList");
    assert_int_equal(get(NULL), CKR_ARGUMENTS_BAD);
    assert_non_null(dlsym(lib, "C_Sign"));
    assert_null(dlsym(lib, "sigil_csc_login"));       /* the core stays inside */
    assert_null(dlsym(lib, "p11_rv"));
}

static void nothing_works_before_c_initialize(void **state)
{
    (void)state;
    CK_ULONG n = 0;
    CK_INFO info;
    CK_SESSION_HANDLE s;
    assert_int_equal(f->C_GetInfo(&info), CKR_CRYPTOKI_NOT_INITIALIZED);
    assert_int_equal(f->C_GetSlotList(CK_TRUE, NULL, &n), CKR_CRYPTOKI_NOT_INITIALIZED);
    assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &s),
                     CKR_CRYPTOKI_NOT_INITIALIZED);
    assert_int_equal(f->C_Finalize(NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
}

static void c_initialize_checks_its_arguments(void **state)
{
    (void)state;
    CK_C_INITIALIZE_ARGS reserved = { NULL, NULL, NULL, NULL, 0, (void *)1 };
    assert_int_equal(f->C_Initialize(&reserved), CKR_ARGUMENTS_BAD);
    CK_C_INITIALIZE_ARGS partial = { (CK_CREATEMUTEX)1, NULL, NULL, NULL, CKF_OS_LOCKING_OK, NULL };
    assert_int_equal(f->C_Initialize(&partial), CKR_ARGUMENTS_BAD);
    CK_C_INITIALIZE_ARGS theirs = { (CK_CREATEMUTEX)1, (CK_DESTROYMUTEX)1, (CK_LOCKMUTEX)1,
                                    (CK_UNLOCKMUTEX)1, 0, NULL };
    assert_int_equal(f->C_Initialize(&theirs), CKR_CANT_LOCK);
    theirs.flags = CKF_OS_LOCKING_OK; /* theirs or ours: we take ours */
    assert_int_equal(f->C_Initialize(&theirs), CKR_OK);
    assert_int_equal(f->C_Initialize(NULL), CKR_CRYPTOKI_ALREADY_INITIALIZED);
    assert_int_equal(f->C_Finalize((void *)1), CKR_ARGUMENTS_BAD);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

static void a_broken_configuration_fails_c_initialize(void **state)
{
    (void)state;
    use_config("p11_bad.conf");
    assert_int_equal(f->C_Initialize(NULL), CKR_GENERAL_ERROR);
    use_config("p11_missing.conf");
    assert_int_equal(f->C_Initialize(NULL), CKR_GENERAL_ERROR);
    use_config("p11_a.conf:p11_bad.conf");   /* the first slot's resources are freed again */
    assert_int_equal(f->C_Initialize(NULL), CKR_GENERAL_ERROR);
    use_config("p11_a.conf");
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

static void without_any_configuration_there_are_no_slots(void **state)
{
    (void)state;
    unsetenv("SIGIL_PKCS11_CONFIG");
    char *home = getenv("HOME") != NULL ? strdup(getenv("HOME")) : NULL;
    setenv("HOME", SIGIL_TEST_DIR "/no-such-home", 1);
    unsetenv("XDG_CONFIG_HOME");
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    CK_ULONG n = 99;
    assert_int_equal(f->C_GetSlotList(CK_FALSE, NULL, &n), CKR_OK);
    assert_int_equal(n, 0);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
    if (home != NULL) {
        setenv("HOME", home, 1);
        free(home);
    }
    use_config("p11_a.conf");
}

static void one_slot_per_configuration_file(void **state)
{
    (void)state;
    use_config("p11_a.conf:p11_b.conf");
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    CK_SLOT_ID slots[2];
    CK_ULONG n = 1;
    assert_int_equal(f->C_GetSlotList(CK_TRUE, slots, &n), CKR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 2);
    assert_int_equal(f->C_GetSlotList(CK_TRUE, slots, &n), CKR_OK);
    assert_int_equal(slots[0], 0);
    assert_int_equal(slots[1], 1);

    CK_SLOT_INFO si;
    assert_int_equal(f->C_GetSlotInfo(1, &si), CKR_OK);
    assert_memory_equal(si.slotDescription, "Sigil https://127.0.0.1:2 ", 26);
    assert_true(si.flags & CKF_TOKEN_PRESENT);
    assert_int_equal(f->C_GetSlotInfo(2, &si), CKR_SLOT_ID_INVALID);

    CK_TOKEN_INFO a, b;
    assert_int_equal(f->C_GetTokenInfo(0, &a), CKR_OK);
    assert_int_equal(f->C_GetTokenInfo(1, &b), CKR_OK);
    assert_memory_equal(a.label, "Alice test                      ", 32);
    assert_memory_equal(b.label, "Sigil bob                       ", 32);
    assert_memory_equal(a.manufacturerID, "Sigil", 5);
    assert_true(a.flags & CKF_LOGIN_REQUIRED);
    assert_true(a.flags & CKF_WRITE_PROTECTED);
    assert_true(a.flags & CKF_TOKEN_INITIALIZED);
    assert_true(memcmp(a.serialNumber, b.serialNumber, 16) != 0);
    assert_int_equal(f->C_GetTokenInfo(7, &a), CKR_SLOT_ID_INVALID);
    assert_int_equal(f->C_GetTokenInfo(0, NULL), CKR_ARGUMENTS_BAD);

    CK_INFO info;
    assert_int_equal(f->C_GetInfo(&info), CKR_OK);
    assert_int_equal(info.cryptokiVersion.major, 2);
    assert_int_equal(info.cryptokiVersion.minor, 40);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
    use_config("p11_a.conf");
}

static void mechanisms_are_listed_with_their_key_sizes(void **state)
{
    (void)state;
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    CK_ULONG n = 0;
    assert_int_equal(f->C_GetMechanismList(0, NULL, &n), CKR_OK);
    assert_int_equal(n, 12);
    CK_MECHANISM_TYPE list[12];
    CK_ULONG small = 3;
    assert_int_equal(f->C_GetMechanismList(0, list, &small), CKR_BUFFER_TOO_SMALL);
    assert_int_equal(small, 12);
    assert_int_equal(f->C_GetMechanismList(0, list, &n), CKR_OK);
    int rsa_pkcs = 0, ecdsa = 0, pss_sha512 = 0;
    for (CK_ULONG i = 0; i < n; i++) {
        rsa_pkcs |= list[i] == CKM_RSA_PKCS;
        ecdsa |= list[i] == CKM_ECDSA;
        pss_sha512 |= list[i] == CKM_SHA512_RSA_PKCS_PSS;
    }
    assert_true(rsa_pkcs && ecdsa && pss_sha512);
    CK_MECHANISM_INFO mi;
    assert_int_equal(f->C_GetMechanismInfo(0, CKM_ECDSA, &mi), CKR_OK);
    assert_int_equal(mi.ulMinKeySize, 256);
    assert_int_equal(mi.ulMaxKeySize, 521);
    assert_true(mi.flags & CKF_SIGN);
    assert_true(mi.flags & CKF_EC_NAMEDCURVE);
    assert_false(mi.flags & CKF_VERIFY);
    assert_int_equal(f->C_GetMechanismInfo(0, CKM_SHA256_RSA_PKCS, &mi), CKR_OK);
    assert_int_equal(mi.ulMinKeySize, 2048);
    assert_int_equal(f->C_GetMechanismInfo(0, CKM_SHA1_RSA_PKCS, &mi), CKR_MECHANISM_INVALID);
    assert_int_equal(f->C_GetMechanismInfo(9, CKM_ECDSA, &mi), CKR_SLOT_ID_INVALID);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

static void sessions_and_the_refusals_that_need_no_server(void **state)
{
    (void)state;
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    CK_SESSION_HANDLE s, s2;
    assert_int_equal(f->C_OpenSession(0, 0, NULL, NULL, &s), CKR_SESSION_PARALLEL_NOT_SUPPORTED);
    assert_int_equal(f->C_OpenSession(3, CKF_SERIAL_SESSION, NULL, NULL, &s),
                     CKR_SLOT_ID_INVALID);
    assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK);
    assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s2),
                     CKR_OK);
    assert_true(s != 0 && s2 != 0 && s != s2);
    CK_SESSION_INFO si;
    assert_int_equal(f->C_GetSessionInfo(s, &si), CKR_OK);
    assert_int_equal(si.state, CKS_RO_PUBLIC_SESSION);
    assert_int_equal(f->C_GetSessionInfo(s2, &si), CKR_OK);
    assert_int_equal(si.state, CKS_RW_PUBLIC_SESSION);
    CK_TOKEN_INFO ti;
    assert_int_equal(f->C_GetTokenInfo(0, &ti), CKR_OK);
    assert_int_equal(ti.ulSessionCount, 2);

    /* Login: the server is unreachable (port 1); other user types are refused first. */
    assert_int_equal(f->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR)"x", 1), CKR_USER_TYPE_INVALID);
    assert_int_equal(f->C_Login(s, 7, (CK_UTF8CHAR_PTR)"x", 1), CKR_USER_TYPE_INVALID);
    assert_int_equal(f->C_Login(s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR)"123456", 6),
                     CKR_USER_NOT_LOGGED_IN);
    assert_int_equal(f->C_Login(s, CKU_USER, NULL, 0), CKR_PIN_INCORRECT);
    assert_int_equal(f->C_Login(s, CKU_USER, NULL, 4), CKR_ARGUMENTS_BAD);
    assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)"a\0b", 3), CKR_PIN_INVALID);
    assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)"password:123456", 15),
                     CKR_DEVICE_ERROR);
    assert_int_equal(f->C_Logout(s), CKR_USER_NOT_LOGGED_IN);

    /* Objects: none before a login, and the find protocol is enforced. */
    CK_OBJECT_HANDLE objects[4];
    CK_ULONG n = 9;
    assert_int_equal(f->C_FindObjects(s, objects, 4, &n), CKR_OPERATION_NOT_INITIALIZED);
    assert_int_equal(f->C_FindObjectsInit(s, NULL, 0), CKR_OK);
    assert_int_equal(f->C_FindObjectsInit(s, NULL, 0), CKR_OPERATION_ACTIVE);
    assert_int_equal(f->C_FindObjects(s, objects, 4, &n), CKR_OK);
    assert_int_equal(n, 0);
    assert_int_equal(f->C_FindObjectsFinal(s), CKR_OK);
    assert_int_equal(f->C_FindObjectsFinal(s), CKR_OPERATION_NOT_INITIALIZED);
    CK_ATTRIBUTE a = { CKA_CLASS, NULL, 0 };
    assert_int_equal(f->C_GetAttributeValue(s, 42, &a, 1), CKR_OBJECT_HANDLE_INVALID);
    CK_MECHANISM m = { CKM_ECDSA, NULL, 0 };
    assert_int_equal(f->C_SignInit(s, &m, 42), CKR_USER_NOT_LOGGED_IN);
    assert_int_equal(f->C_SignInit(s, NULL, 42), CKR_ARGUMENTS_BAD);
    CK_BYTE sig[8];
    CK_ULONG sig_len = sizeof sig;
    assert_int_equal(f->C_Sign(s, sig, 1, sig, &sig_len), CKR_OPERATION_NOT_INITIALIZED);
    assert_int_equal(f->C_SignUpdate(s, sig, 1), CKR_OPERATION_NOT_INITIALIZED);
    assert_int_equal(f->C_SignFinal(s, sig, &sig_len), CKR_OPERATION_NOT_INITIALIZED);

    /* Unsupported functions. */
    assert_int_equal(f->C_GenerateRandom(s, sig, sizeof sig), CKR_FUNCTION_NOT_SUPPORTED);
    assert_int_equal(f->C_VerifyInit(s, &m, 42), CKR_FUNCTION_NOT_SUPPORTED);
    assert_int_equal(f->C_DecryptInit(s, &m, 42), CKR_FUNCTION_NOT_SUPPORTED);
    assert_int_equal(f->C_InitToken(0, NULL, 0, NULL), CKR_FUNCTION_NOT_SUPPORTED);
    assert_int_equal(f->C_WaitForSlotEvent(0, NULL, NULL), CKR_FUNCTION_NOT_SUPPORTED);
    assert_int_equal(f->C_GetFunctionStatus(s), CKR_FUNCTION_NOT_PARALLEL);

    /* Closing: once, then the handle is gone; C_CloseAllSessions takes the rest. */
    assert_int_equal(f->C_CloseSession(s), CKR_OK);
    assert_int_equal(f->C_CloseSession(s), CKR_SESSION_HANDLE_INVALID);
    assert_int_equal(f->C_GetSessionInfo(s, &si), CKR_SESSION_HANDLE_INVALID);
    assert_int_equal(f->C_CloseAllSessions(0), CKR_OK);
    assert_int_equal(f->C_GetSessionInfo(s2, &si), CKR_SESSION_HANDLE_INVALID);
    assert_int_equal(f->C_CloseAllSessions(5), CKR_SLOT_ID_INVALID);
    assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);   /* frees the open session */
    assert_int_equal(f->C_GetSessionInfo(s, &si), CKR_CRYPTOKI_NOT_INITIALIZED);
}

#define THREADS 8
#define ROUNDS 300

static void *session_churn(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        CK_SESSION_HANDLE s;
        CK_SESSION_INFO si;
        CK_ULONG n = 0;
        if (f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &s) != CKR_OK
            || f->C_GetSessionInfo(s, &si) != CKR_OK || f->C_FindObjectsInit(s, NULL, 0) != CKR_OK
            || f->C_GetSlotList(CK_TRUE, NULL, &n) != CKR_OK || n != 1
            || f->C_CloseSession(s) != CKR_OK)
            return (void *)1;
    }
    return NULL;
}

static void sessions_from_many_threads_at_once(void **state)
{
    (void)state;
    CK_C_INITIALIZE_ARGS os = { NULL, NULL, NULL, NULL, CKF_OS_LOCKING_OK, NULL };
    assert_int_equal(f->C_Initialize(&os), CKR_OK);
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, session_churn, NULL), 0);
    for (int i = 0; i < THREADS; i++) {
        void *result = (void *)1;
        assert_int_equal(pthread_join(threads[i], &result), 0);
        assert_null(result);
    }
    CK_TOKEN_INFO ti;
    assert_int_equal(f->C_GetTokenInfo(0, &ti), CKR_OK);
    assert_int_equal(ti.ulSessionCount, 0);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

static void every_status_has_its_ck_rv(void **state)
{
    (void)state;
    assert_int_equal(p11_rv(SIGIL_OK), CKR_OK);
    assert_int_equal(p11_rv(SIGIL_INVALID_ARGUMENT), CKR_ARGUMENTS_BAD);
    assert_int_equal(p11_rv(SIGIL_BUFFER_TOO_SMALL), CKR_BUFFER_TOO_SMALL);
    assert_int_equal(p11_rv(SIGIL_NO_MEMORY), CKR_HOST_MEMORY);
    assert_int_equal(p11_rv(SIGIL_PARSE_ERROR), CKR_DEVICE_ERROR);
    assert_int_equal(p11_rv(SIGIL_NOT_FOUND), CKR_KEY_HANDLE_INVALID);
    assert_int_equal(p11_rv(SIGIL_AUTH_FAILED), CKR_PIN_INCORRECT);
    assert_int_equal(p11_rv(SIGIL_PIN_LOCKED), CKR_PIN_LOCKED);
    assert_int_equal(p11_rv(SIGIL_NETWORK), CKR_DEVICE_ERROR);
    assert_int_equal(p11_rv(SIGIL_SERVER_ERROR), CKR_DEVICE_ERROR);
    assert_int_equal(p11_rv(SIGIL_UNSUPPORTED), CKR_MECHANISM_INVALID);
    assert_int_equal(p11_rv(SIGIL_LIMIT_EXCEEDED), CKR_DATA_LEN_RANGE);
    assert_int_equal(p11_rv(SIGIL_INTERNAL), CKR_GENERAL_ERROR);
    assert_int_equal(p11_rv(SIGIL_SESSION_EXPIRED), CKR_USER_NOT_LOGGED_IN);
    assert_int_equal(p11_rv(SIGIL_RETRY_LATER), CKR_DEVICE_ERROR);
    assert_int_equal(p11_rv(SIGIL_STATUS_COUNT_), CKR_GENERAL_ERROR);
    assert_int_equal(p11_rv((sigil_status)1000), CKR_GENERAL_ERROR);
    /* No status but OK maps to CKR_OK. */
    for (int st = 1; st < SIGIL_STATUS_COUNT_; st++)
        assert_true(p11_rv((sigil_status)st) != CKR_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_function_list_is_v2_40_and_only_c_functions_are_exported),
        cmocka_unit_test(nothing_works_before_c_initialize),
        cmocka_unit_test(c_initialize_checks_its_arguments),
        cmocka_unit_test(a_broken_configuration_fails_c_initialize),
        cmocka_unit_test(without_any_configuration_there_are_no_slots),
        cmocka_unit_test(one_slot_per_configuration_file),
        cmocka_unit_test(mechanisms_are_listed_with_their_key_sizes),
        cmocka_unit_test(sessions_and_the_refusals_that_need_no_server),
        cmocka_unit_test(sessions_from_many_threads_at_once),
        cmocka_unit_test(every_status_has_its_ck_rv),
    };
    return cmocka_run_group_tests(tests, load, unload);
}
