/* What the KSP, sigil-ksp-register and sigil-cert-importer share (the static library sigil_win):
 * the configuration.
 *
 * The KSP's configuration lives in the registry (HKCU or HKLM\Software\Sigil), one value per key
 * of config.h. The values are turned into the text of a configuration file and parsed by the same
 * strict parser, so the two clients share one vocabulary and one set of rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ksp.h"
#include "secure.h"

#define KSP_REG_PATH L"Software\\Sigil"

static void fail(char *err, size_t cap, const char *where, const char *fmt, const char *arg)
{
    if (err == NULL || cap == 0)
        return;
    int n = snprintf(err, cap, "%s\\Software\\Sigil: ", where);
    if (n > 0 && (size_t)n < cap)
        snprintf(err + n, cap - (size_t)n, fmt, arg);
}

/* Appends the UTF-8 of w to text (capacity cap); 0 when it does not fit or is not valid UTF-16. */
static int append_utf8(char *text, size_t cap, size_t *len, const wchar_t *w)
{
    int n = WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, w, -1, NULL, 0, NULL, NULL);
    if (n <= 0 || (size_t)n > cap - *len)
        return 0;
    WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, w, -1, text + *len, n, NULL, NULL);
    *len += (size_t)n - 1; /* without the NUL */
    return 1;
}

static int append(char *text, size_t cap, size_t *len, const char *s)
{
    size_t n = strlen(s);
    if (n >= cap - *len)
        return 0;
    memcpy(text + *len, s, n + 1);
    *len += n;
    return 1;
}

sigil_status ksp_config_from_registry(sigil_config *cfg, char *err, size_t err_cap)
{
    if (err != NULL && err_cap > 0)
        err[0] = '\0';
    memset(cfg, 0, sizeof *cfg);
    HKEY key;
    const char *where = "HKCU";
    if (RegOpenKeyExW(HKEY_CURRENT_USER, KSP_REG_PATH, 0, KEY_READ, &key) != ERROR_SUCCESS) {
        where = "HKLM";
        if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, KSP_REG_PATH, 0, KEY_READ, &key) != ERROR_SUCCESS) {
            if (err != NULL && err_cap > 0)
                snprintf(err, err_cap, "no configuration: neither HKCU nor HKLM\\Software\\Sigil "
                                       "exists (sigil-ksp-register install writes it)");
            return SIGIL_NOT_FOUND;
        }
    }
    static char text[SIGIL_CONFIG_MAX_FILE];
    size_t len = 0;
    text[0] = '\0';
    sigil_status st = SIGIL_OK;
    for (DWORD i = 0; st == SIGIL_OK; i++) {
        wchar_t name[64];
        DWORD name_len = sizeof name / sizeof name[0], type = 0;
        BYTE data[2048];
        DWORD data_len = sizeof data - sizeof(wchar_t);
        LONG rc = RegEnumValueW(key, i, name, &name_len, NULL, &type, data, &data_len);
        if (rc == ERROR_NO_MORE_ITEMS)
            break;
        char name8[128];
        size_t name8_len = 0;
        name8[0] = '\0';
        if (rc != ERROR_SUCCESS || !append_utf8(name8, sizeof name8, &name8_len, name)) {
            fail(err, err_cap, where, "a value name or value is too long or unreadable%s", "");
            st = SIGIL_PARSE_ERROR;
            break;
        }
        if (name8[0] == '\0')
            continue; /* the key's default value, which regedit shows for every key */
        if (!append(text, sizeof text, &len, name8) || !append(text, sizeof text, &len, " = ")) {
            st = SIGIL_LIMIT_EXCEEDED;
            break;
        }
        if (type == REG_SZ || type == REG_EXPAND_SZ) {
            data[data_len] = 0;
            data[data_len + 1] = 0;
            const wchar_t *w = (const wchar_t *)(void *)data;
            if (wcspbrk(w, L"\r\n") != NULL) {
                fail(err, err_cap, where, "value %s holds a line break", name8);
                st = SIGIL_PARSE_ERROR;
            } else if (!append_utf8(text, sizeof text, &len, w)) {
                st = SIGIL_LIMIT_EXCEEDED;
            }
        } else if (type == REG_DWORD && data_len == sizeof(DWORD)) {
            char number[16];
            DWORD v;
            memcpy(&v, data, sizeof v);
            snprintf(number, sizeof number, "%lu", (unsigned long)v);
            if (!append(text, sizeof text, &len, number))
                st = SIGIL_LIMIT_EXCEEDED;
        } else {
            fail(err, err_cap, where, "value %s must be a string (REG_SZ) or a REG_DWORD", name8);
            st = SIGIL_PARSE_ERROR;
        }
        if (st == SIGIL_OK && !append(text, sizeof text, &len, "\n"))
            st = SIGIL_LIMIT_EXCEEDED;
    }
    RegCloseKey(key);
    if (st == SIGIL_LIMIT_EXCEEDED)
        fail(err, err_cap, where, "the configuration is too large%s", "");
    if (st == SIGIL_OK) {
        char perr[160];
        st = sigil_config_parse(text, len, cfg, perr, sizeof perr);
        if (st != SIGIL_OK)
            fail(err, err_cap, where, "%s", perr);
    }
    sigil_secure_zero(text, len);
    return st;
}
