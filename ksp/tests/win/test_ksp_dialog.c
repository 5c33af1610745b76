/* The KSP's prompt, driven by a person's keystrokes (xdotool under Xvfb, see tests/e2e/win_run.sh):
 * OpenKey without a password shows the password prompt; SignHash without PIN and code shows the
 * PIN and code prompt, owned by the window the application set; Escape cancels; a wrong code
 * typed in is refused, and the prompt after that refusal asks for the PIN again.
 *
 *   test_ksp_dialog <server URL> <CA file>      (the typing is done from outside)
 *
 * Each prompt's title is "Sigil: sign with alice-rsa". Prints "N passed, N failed". */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "ksp_harness.h"

static NCRYPT_KEY_STORAGE_FUNCTION_TABLE *t;
static char **args;

static void set_config(void) { ksp_harness_config_for(args[1], args[2]); }

/* Waits for the KSP's prompt (60 s at most), stores how many fields it asks for in *arg (an
 * int) and cancels it as Escape would. */
static DWORD WINAPI count_fields_and_cancel(LPVOID arg)
{
    for (int i = 0; i < 600; i++) {
        HWND prompt = FindWindowW(L"SigilKspPrompt", NULL);
        if (prompt != NULL && IsWindowVisible(prompt)) {
            int n = 0;
            for (HWND c = FindWindowExW(prompt, NULL, L"Edit", NULL); c != NULL;
                 c = FindWindowExW(prompt, c, L"Edit", NULL))
                n++;
            *(int *)arg = n;
            PostMessageW(prompt, WM_COMMAND, IDCANCEL, 0);
            return 0;
        }
        Sleep(100);
    }
    return 1;
}

static void the_prompts_ask_for_what_is_missing_and_cancel_is_honoured(void **state)
{
    (void)state;
    set_config();
    NCRYPT_PROV_HANDLE p = 0;
    NCRYPT_KEY_HANDLE k = 0;
    assert_int_equal(t->OpenProvider(&p, L"Sigil Key Storage Provider", 0), ERROR_SUCCESS);
    /* 1: the password prompt (typed: the password, Enter). */
    assert_int_equal(t->OpenKey(p, &k, L"alice-rsa", 0, 0), ERROR_SUCCESS);

    /* The application's window owns the prompt. */
    HWND app = CreateWindowExW(0, L"STATIC", L"Sigil test application", WS_OVERLAPPEDWINDOW,
                               0, 0, 300, 200, NULL, NULL, GetModuleHandleW(NULL), NULL);
    assert_non_null(app);
    assert_int_equal(t->SetKeyProperty(p, k, NCRYPT_WINDOW_HANDLE_PROPERTY, (PBYTE)&app,
                                       sizeof app, 0), ERROR_SUCCESS);
    BYTE hash[32], sig[512];
    memset(hash, 0x5a, sizeof hash);
    BCRYPT_PKCS1_PADDING_INFO pkcs1 = { BCRYPT_SHA256_ALGORITHM };
    DWORD len = 0;
    /* 2: the PIN and code prompt (typed: PIN, Tab, code, Enter). */
    assert_int_equal(t->SignHash(p, k, &pkcs1, hash, 32, sig, sizeof sig, &len, BCRYPT_PAD_PKCS1),
                     ERROR_SUCCESS);
    assert_int_equal(len, 256);

    /* The signature verifies with the certificate's key (Wine's bcrypt). */
    BYTE der[4096];
    DWORD der_len = 0;
    assert_int_equal(t->GetKeyProperty(p, k, NCRYPT_CERTIFICATE_PROPERTY, der, sizeof der,
                                       &der_len, 0), ERROR_SUCCESS);
    PCCERT_CONTEXT cert = CertCreateCertificateContext(X509_ASN_ENCODING, der, der_len);
    BCRYPT_KEY_HANDLE pub = NULL;
    assert_true(cert != NULL && CryptImportPublicKeyInfoEx2(X509_ASN_ENCODING,
                                                            &cert->pCertInfo->SubjectPublicKeyInfo,
                                                            0, NULL, &pub));
    assert_true(BCryptVerifySignature(pub, &pkcs1, hash, 32, sig, len, BCRYPT_PAD_PKCS1) >= 0);
    BCryptDestroyKey(pub);
    CertFreeCertificateContext(cert);

    /* 3: the PIN is kept for the key, so only the code is asked; Escape cancels. */
    assert_int_equal(t->SignHash(p, k, &pkcs1, hash, 32, sig, sizeof sig, &len, BCRYPT_PAD_PKCS1),
                     SCARD_W_CANCELLED_BY_USER);
    assert_true(IsWindowEnabled(app)); /* the owner is enabled again */
    /* 4: a wrong code typed into the prompt: SCARD_W_WRONG_CHV, nothing written. */
    memset(sig, 0xAA, sizeof sig);
    assert_int_equal(t->SignHash(p, k, &pkcs1, hash, 32, sig, sizeof sig, &len, BCRYPT_PAD_PKCS1),
                     SCARD_W_WRONG_CHV);
    for (size_t i = 0; i < sizeof sig; i++)
        assert_int_equal(sig[i], 0xAA);
    /* 5: the refused PIN was forgotten with the code: the prompt asks for both again. A thread
     * of this program counts its fields and cancels it. */
    int fields = 0;
    HANDLE watcher = CreateThread(NULL, 0, count_fields_and_cancel, &fields, 0, NULL);
    assert_non_null(watcher);
    assert_int_equal(t->SignHash(p, k, &pkcs1, hash, 32, sig, sizeof sig, &len, BCRYPT_PAD_PKCS1),
                     SCARD_W_CANCELLED_BY_USER);
    WaitForSingleObject(watcher, INFINITE);
    CloseHandle(watcher);
    assert_int_equal(fields, 2); /* PIN and code, not the code alone */
    DestroyWindow(app);
    assert_int_equal(t->FreeKey(p, k), ERROR_SUCCESS);
    assert_int_equal(t->FreeProvider(p), ERROR_SUCCESS);
    ksp_harness_remove_config();
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        printf("usage: test_ksp_dialog <URL> <CA file>\n");
        return 2;
    }
    args = argv;
    if ((t = ksp_harness_load()) == NULL) {
        printf("cannot load sigil-ksp.dll\n0 passed, 1 failed\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_prompts_ask_for_what_is_missing_and_cancel_is_honoured),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
