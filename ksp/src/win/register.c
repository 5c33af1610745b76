/* sigil-ksp-register: registers sigil-ksp.dll with CNG and writes its configuration.
 *
 *   sigil-ksp-register install --server URL (--ca FILE | --pin SHA256) --username NAME
 *                              [--client-cert-thumbprint SHA1] [--dll PATH] [--user]
 *   sigil-ksp-register uninstall [--user]
 *   sigil-ksp-register status
 *
 * install: BCryptRegisterProvider + BCryptAddContextFunctionProvider (what Windows' router reads),
 * and the same entries written directly in the documented registry layout (Wine's bcrypt accepts
 * the calls and writes nothing), then the configuration in HKLM\Software\Sigil (HKCU with --user),
 * checked by the same strict parser the KSP uses. Needs an administrator for HKLM.
 * Exit codes: 0 done, 1 failed (one line saying why), 2 a wrong command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ksp.h"

#define PROVIDERS L"SYSTEM\\CurrentControlSet\\Control\\Cryptography\\Providers\\"
#define PROVIDER_KEY PROVIDERS KSP_PROVIDER_NAME
#define CONTEXT_KEY L"SYSTEM\\CurrentControlSet\\Control\\Cryptography\\Configuration\\Local\\" \
                    L"Default\\00010001\\" NCRYPT_KEY_STORAGE_ALGORITHM
#define CONFIG_KEY L"Software\\Sigil"

static int usage(void)
{
    fprintf(stderr,
            "usage: sigil-ksp-register install --server URL (--ca FILE | --pin SHA256) "
            "--username NAME\n"
            "                          [--client-cert-thumbprint SHA1] [--dll PATH] [--user]\n"
            "       sigil-ksp-register uninstall [--user]\n"
            "       sigil-ksp-register status\n");
    return 2;
}

static int fail(const char *what, LONG code)
{
    fprintf(stderr, "sigil-ksp-register: %s (error %ld)\n", what, (long)code);
    return 1;
}

static LONG set_string(HKEY root, const wchar_t *path, const wchar_t *name, const wchar_t *value,
                       DWORD type)
{
    HKEY key;
    LONG rc = RegCreateKeyExW(root, path, 0, NULL, 0, KEY_WRITE, NULL, &key, NULL);
    if (rc != ERROR_SUCCESS)
        return rc;
    DWORD size = (DWORD)((wcslen(value) + 1) * sizeof(wchar_t));
    if (type == REG_MULTI_SZ)
        size += sizeof(wchar_t); /* the list's closing empty string (value has room for it) */
    rc = RegSetValueExW(key, name, 0, type, (const BYTE *)value, size);
    RegCloseKey(key);
    return rc;
}

/* The provider list of the KEY_STORAGE context, as a REG_MULTI_SZ, with our name added or
 * removed. */
static LONG update_context(int add)
{
    HKEY key;
    LONG rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, CONTEXT_KEY, 0, NULL, 0,
                              KEY_READ | KEY_WRITE, NULL, &key, NULL);
    if (rc != ERROR_SUCCESS)
        return rc;
    wchar_t list[4096] = { 0 }, out[4096] = { 0 };
    DWORD size = sizeof list - 2 * sizeof(wchar_t), type = 0;
    if (RegQueryValueExW(key, L"Providers", NULL, &type, (BYTE *)list, &size) != ERROR_SUCCESS
        || type != REG_MULTI_SZ)
        memset(list, 0, sizeof list);
    size_t at = 0;
    for (const wchar_t *s = list; *s; s += wcslen(s) + 1) {
        if (wcscmp(s, KSP_PROVIDER_NAME) == 0)
            continue;
        size_t n = wcslen(s) + 1;
        if (at + n + 2 >= sizeof out / sizeof out[0])
            break;
        memcpy(out + at, s, n * sizeof(wchar_t));
        at += n;
    }
    if (add) {
        size_t n = wcslen(KSP_PROVIDER_NAME) + 1;
        memcpy(out + at, KSP_PROVIDER_NAME, n * sizeof(wchar_t));
        at += n;
    }
    out[at++] = L'\0';
    if (at == 1)
        rc = RegDeleteValueW(key, L"Providers");
    else
        rc = RegSetValueExW(key, L"Providers", 0, REG_MULTI_SZ, (const BYTE *)out,
                            (DWORD)(at * sizeof(wchar_t)));
    RegCloseKey(key);
    return rc == ERROR_FILE_NOT_FOUND ? ERROR_SUCCESS : rc;
}

static int install(int argc, char **argv)
{
    /* Each option is one configuration value (config.h's key, the registry value's name). */
    struct { const char *option; const char *key; const char *value; } values[] = {
        { "--server", "server_url", NULL }, { "--username", "username", NULL },
        { "--ca", "ca_file", NULL }, { "--pin", "pinned_sha256", NULL },
        { "--client-cert-thumbprint", "client_cert_thumbprint", NULL },
    };
    enum { N_VALUES = sizeof values / sizeof values[0] };
    const char *dll = NULL;
    int per_user = 0;
    for (int i = 2; i < argc; i++) {
        const char **slot = NULL;
        for (size_t v = 0; v < N_VALUES; v++)
            if (strcmp(argv[i], values[v].option) == 0)
                slot = &values[v].value;
        if (strcmp(argv[i], "--dll") == 0) slot = &dll;
        else if (strcmp(argv[i], "--user") == 0) { per_user = 1; continue; }
        if (slot == NULL || i + 1 >= argc)
            return usage();
        *slot = argv[++i];
    }
    if (values[0].value == NULL || values[1].value == NULL
        || (values[2].value == NULL && values[3].value == NULL))
        return usage();

    /* The configuration first: nothing is registered for a configuration the KSP would refuse. */
    char text[4096];
    size_t len = 0;
    for (size_t v = 0; v < N_VALUES; v++) {
        if (values[v].value == NULL)
            continue;
        int n = snprintf(text + len, sizeof text - len, "%s = %s\n", values[v].key,
                         values[v].value);
        if (n < 0 || (size_t)n >= sizeof text - len) {
            fprintf(stderr, "sigil-ksp-register: the values are too long\n");
            return 1;
        }
        len += (size_t)n;
    }
    sigil_config cfg;
    char err[160];
    if (sigil_config_parse(text, len, &cfg, err, sizeof err) != SIGIL_OK) {
        fprintf(stderr, "sigil-ksp-register: %s\n", err);
        return 1;
    }
    sigil_config_clear(&cfg);

    wchar_t path[MAX_PATH];
    if (dll != NULL) {
        wchar_t *w = sigil_widen(dll);
        DWORD n = w != NULL ? GetFullPathNameW(w, MAX_PATH, path, NULL) : 0;
        free(w);
        if (n == 0 || n >= MAX_PATH)
            return fail("cannot resolve --dll", (LONG)GetLastError());
    } else {
        /* sigil-ksp.dll beside this program. */
        DWORD n = GetModuleFileNameW(NULL, path, MAX_PATH);
        wchar_t *slash = n > 0 && n < MAX_PATH ? wcsrchr(path, L'\\') : NULL;
        if (slash == NULL || (size_t)(slash - path) + 15 >= MAX_PATH)
            return fail("cannot find the program's directory", (LONG)GetLastError());
        wcscpy(slash + 1, L"sigil-ksp.dll");
    }
    if (GetFileAttributesW(path) == INVALID_FILE_ATTRIBUTES)
        return fail("the DLL does not exist (give --dll PATH)", (LONG)GetLastError());

    /* What Windows' router reads, through the documented API... */
    PWSTR functions[] = { (PWSTR)NCRYPT_KEY_STORAGE_ALGORITHM };
    CRYPT_INTERFACE_REG iface = { NCRYPT_KEY_STORAGE_INTERFACE, CRYPT_LOCAL, 1, functions };
    PCRYPT_INTERFACE_REG ifaces[] = { &iface };
    CRYPT_IMAGE_REG image = { path, 1, ifaces };
    CRYPT_PROVIDER_REG reg = { 0, NULL, &image, NULL };
    NTSTATUS ns = BCryptRegisterProvider(KSP_PROVIDER_NAME, 0, &reg);
    if (ns < 0)
        return fail("BCryptRegisterProvider failed", (LONG)ns);
    ns = BCryptAddContextFunctionProvider(CRYPT_LOCAL, NULL, NCRYPT_KEY_STORAGE_INTERFACE,
                                          NCRYPT_KEY_STORAGE_ALGORITHM, KSP_PROVIDER_NAME,
                                          CRYPT_PRIORITY_BOTTOM);
    if (ns < 0)
        return fail("BCryptAddContextFunctionProvider failed", (LONG)ns);
    /* ...and the same entries written directly (Wine's bcrypt writes nothing). */
    wchar_t multi[32] = NCRYPT_KEY_STORAGE_ALGORITHM; /* zero-filled: a valid REG_MULTI_SZ */
    LONG rc = set_string(HKEY_LOCAL_MACHINE, PROVIDER_KEY L"\\UM", L"Image", path, REG_SZ);
    if (rc == ERROR_SUCCESS)
        rc = set_string(HKEY_LOCAL_MACHINE, PROVIDER_KEY L"\\UM\\00010001", L"Functions", multi,
                        REG_MULTI_SZ);
    if (rc == ERROR_SUCCESS)
        rc = update_context(1);
    if (rc != ERROR_SUCCESS)
        return fail("cannot write the provider registration (run as administrator)", rc);

    HKEY root = per_user ? HKEY_CURRENT_USER : HKEY_LOCAL_MACHINE;
    RegDeleteTreeW(root, CONFIG_KEY); /* a configuration is replaced as a whole */
    for (size_t v = 0; v < N_VALUES && rc == ERROR_SUCCESS; v++) {
        if (values[v].value == NULL)
            continue;
        wchar_t *name = sigil_widen(values[v].key), *w = sigil_widen(values[v].value);
        rc = name != NULL && w != NULL ? set_string(root, CONFIG_KEY, name, w, REG_SZ)
                                       : ERROR_NOT_ENOUGH_MEMORY;
        free(name);
        free(w);
    }
    if (rc != ERROR_SUCCESS)
        return fail("cannot write the configuration", rc);
    printf("registered %ls (%ls); configuration in %s\\Software\\Sigil\n", KSP_PROVIDER_NAME,
           path, per_user ? "HKCU" : "HKLM");
    return 0;
}

static int uninstall(int argc, char **argv)
{
    int per_user = argc == 3 && strcmp(argv[2], "--user") == 0;
    if (argc > 3 || (argc == 3 && !per_user))
        return usage();
    (void)BCryptRemoveContextFunctionProvider(CRYPT_LOCAL, NULL, NCRYPT_KEY_STORAGE_INTERFACE,
                                              NCRYPT_KEY_STORAGE_ALGORITHM, KSP_PROVIDER_NAME);
    (void)BCryptUnregisterProvider(KSP_PROVIDER_NAME);
    LONG rc = RegDeleteTreeW(HKEY_LOCAL_MACHINE, PROVIDER_KEY);
    if (rc == ERROR_SUCCESS || rc == ERROR_FILE_NOT_FOUND)
        rc = RegDeleteKeyW(HKEY_LOCAL_MACHINE, PROVIDER_KEY);
    if (rc != ERROR_SUCCESS && rc != ERROR_FILE_NOT_FOUND)
        return fail("cannot remove the provider registration (run as administrator)", rc);
    if ((rc = update_context(0)) != ERROR_SUCCESS)
        return fail("cannot update the KEY_STORAGE context", rc);
    HKEY root = per_user ? HKEY_CURRENT_USER : HKEY_LOCAL_MACHINE;
    RegDeleteTreeW(root, CONFIG_KEY);
    RegDeleteKeyW(root, CONFIG_KEY);
    printf("unregistered %ls; configuration removed from %s\\Software\\Sigil\n", KSP_PROVIDER_NAME,
           per_user ? "HKCU" : "HKLM");
    return 0;
}

static int status(void)
{
    wchar_t image[MAX_PATH] = L"";
    DWORD size = sizeof image - sizeof(wchar_t);
    LONG rc = RegGetValueW(HKEY_LOCAL_MACHINE, PROVIDER_KEY L"\\UM", L"Image", RRF_RT_REG_SZ, NULL,
                           image, &size);
    int registered = rc == ERROR_SUCCESS;
    printf("provider:      %ls %s%ls\n", KSP_PROVIDER_NAME,
           registered ? "registered, image " : "not registered", registered ? image : L"");
    if (registered && GetFileAttributesW(image) == INVALID_FILE_ATTRIBUTES)
        printf("               the image does not exist\n");
    sigil_config cfg;
    char err[256];
    sigil_status st = ksp_config_from_registry(&cfg, err, sizeof err);
    if (st == SIGIL_OK) {
        printf("configuration: %s as %s, trust %s%s%s\n", cfg.server_url, cfg.username,
               cfg.ca_file ? "CA file " : "", cfg.ca_file ? cfg.ca_file : "",
               cfg.has_pinned ? (cfg.ca_file ? " and a key pin" : "a key pin") : "");
        if (cfg.has_client_thumbprint) {
            /* Made as the KSP makes it, so the store look-up and its refusals are the KSP's. */
            sigil_winhttp_transport *wt = NULL;
            if (sigil_winhttp_transport_new(&cfg, &wt, err, sizeof err) == SIGIL_OK)
                printf("client cert:   found in the store, with a private key\n");
            else {
                printf("client cert:   %s\n", err);
                st = SIGIL_NOT_FOUND;
            }
            sigil_winhttp_transport_free(wt);
        }
        sigil_config_clear(&cfg);
    } else {
        printf("configuration: %s\n", err);
    }
    return registered && st == SIGIL_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    if (strcmp(argv[1], "install") == 0)
        return install(argc, argv);
    if (strcmp(argv[1], "uninstall") == 0)
        return uninstall(argc, argv);
    if (strcmp(argv[1], "status") == 0 && argc == 2)
        return status();
    return usage();
}
