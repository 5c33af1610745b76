/* The KSP's own prompt for the password, the PIN and the one-time code: a small modal Win32
 * window (CredUI is not available everywhere, and is a stub under Wine), owned by the window the
 * application set with NCRYPT_WINDOW_HANDLE_PROPERTY. It asks only for what is missing. Secrets
 * are read once into buffers that are zeroed, and the edit controls are emptied before the window
 * is destroyed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ksp.h"
#include "secure.h"

enum { ID_PASSWORD = 101, ID_PIN, ID_OTP };

typedef struct prompt_state {
    int done;
    int ok;
    HWND edits[3];
} prompt_state;

static LRESULT CALLBACK prompt_proc(HWND wnd, UINT msg, WPARAM wp, LPARAM lp)
{
    prompt_state *st = (prompt_state *)GetWindowLongPtrW(wnd, GWLP_USERDATA);
    switch (msg) {
    case WM_COMMAND:
        if (st != NULL && (LOWORD(wp) == IDOK || LOWORD(wp) == IDCANCEL)) {
            st->ok = LOWORD(wp) == IDOK;
            st->done = 1;
            return 0;
        }
        break;
    case WM_CLOSE:
        if (st != NULL) {
            st->ok = 0;
            st->done = 1;
        }
        return 0;
    default:
        break;
    }
    return DefWindowProcW(wnd, msg, wp, lp);
}

/* The text of an edit control as UTF-8 (malloc'd); the control is emptied. */
static char *take_text(HWND edit)
{
    wchar_t buf[257];
    int n = GetWindowTextW(edit, buf, 257);
    SetWindowTextW(edit, L"");
    char *out = NULL;
    int len = n > 0 ? WideCharToMultiByte(CP_UTF8, 0, buf, n, NULL, 0, NULL, NULL) : 0;
    if (len > 0 && (out = malloc((size_t)len + 1)) != NULL) {
        WideCharToMultiByte(CP_UTF8, 0, buf, n, out, len, NULL, NULL);
        out[len] = '\0';
    }
    sigil_secure_zero(buf, sizeof buf);
    return out;
}

SECURITY_STATUS ksp_prompt(HWND parent, const wchar_t *key_name, int need_password, int need_pin,
                           int need_otp, char **password, char **pin, char **otp)
{
    static const wchar_t cls[] = L"SigilKspPrompt";
    HINSTANCE instance = GetModuleHandleW(NULL);
    WNDCLASSW wc;
    memset(&wc, 0, sizeof wc);
    wc.lpfnWndProc = prompt_proc;
    wc.hInstance = instance;
    wc.hCursor = LoadCursorW(NULL, (LPCWSTR)IDC_ARROW);
    wc.hbrBackground = (HBRUSH)(COLOR_BTNFACE + 1);
    wc.lpszClassName = cls;
    RegisterClassW(&wc); /* fails harmlessly when registered already */

    wchar_t title[160];
    swprintf(title, 160, L"Sigil: sign with %ls", key_name != NULL ? key_name : L"your key");
    const int rows = (need_password != 0) + (need_pin != 0) + (need_otp != 0);
    const int width = 360, height = 90 + 34 * rows;
    HWND wnd = CreateWindowExW(WS_EX_DLGMODALFRAME | WS_EX_TOPMOST, cls, title,
                               WS_POPUP | WS_CAPTION | WS_SYSMENU, CW_USEDEFAULT, CW_USEDEFAULT,
                               width, height, parent, NULL, instance, NULL);
    if (wnd == NULL)
        return NTE_FAIL;
    prompt_state st;
    memset(&st, 0, sizeof st);
    SetWindowLongPtrW(wnd, GWLP_USERDATA, (LONG_PTR)&st);
    HFONT font = (HFONT)GetStockObject(DEFAULT_GUI_FONT);
    static const wchar_t *const labels[3] = { L"Password:", L"PIN:", L"One-time code:" };
    const int need[3] = { need_password, need_pin, need_otp };
    int y = 14;
    HWND first = NULL;
    for (int i = 0; i < 3; i++) {
        if (!need[i])
            continue;
        HWND label = CreateWindowExW(0, L"STATIC", labels[i], WS_CHILD | WS_VISIBLE, 14, y + 3,
                                     110, 20, wnd, NULL, instance, NULL);
        DWORD style = WS_CHILD | WS_VISIBLE | WS_TABSTOP | WS_BORDER | ES_AUTOHSCROLL
                      | (i == 2 ? ES_NUMBER : ES_PASSWORD);
        st.edits[i] = CreateWindowExW(WS_EX_CLIENTEDGE, L"EDIT", L"", style, 130, y, 200, 24, wnd,
                                      (HMENU)(INT_PTR)(ID_PASSWORD + i), instance, NULL);
        SendMessageW(label, WM_SETFONT, (WPARAM)font, TRUE);
        SendMessageW(st.edits[i], WM_SETFONT, (WPARAM)font, TRUE);
        SendMessageW(st.edits[i], EM_LIMITTEXT, 256, 0);
        if (first == NULL)
            first = st.edits[i];
        y += 34;
    }
    HWND ok = CreateWindowExW(0, L"BUTTON", L"Sign", WS_CHILD | WS_VISIBLE | WS_TABSTOP
                              | BS_DEFPUSHBUTTON, width - 200, y + 6, 80, 26, wnd,
                              (HMENU)(INT_PTR)IDOK, instance, NULL);
    HWND cancel = CreateWindowExW(0, L"BUTTON", L"Cancel", WS_CHILD | WS_VISIBLE | WS_TABSTOP,
                                  width - 110, y + 6, 80, 26, wnd, (HMENU)(INT_PTR)IDCANCEL,
                                  instance, NULL);
    SendMessageW(ok, WM_SETFONT, (WPARAM)font, TRUE);
    SendMessageW(cancel, WM_SETFONT, (WPARAM)font, TRUE);

    /* Modal: the owner is disabled while the prompt is up, as a dialog box does. */
    int parent_enabled = parent != NULL && IsWindowEnabled(parent);
    if (parent_enabled)
        EnableWindow(parent, FALSE);
    ShowWindow(wnd, SW_SHOW);
    SetForegroundWindow(wnd);
    SetFocus(first);
    MSG msg;
    while (!st.done && GetMessageW(&msg, NULL, 0, 0) > 0) {
        /* Enter in a field means Sign; Escape means Cancel; Tab moves between the fields. */
        if (msg.message == WM_KEYDOWN && msg.wParam == VK_RETURN)
            SendMessageW(wnd, WM_COMMAND, IDOK, 0);
        else if (msg.message == WM_KEYDOWN && msg.wParam == VK_ESCAPE)
            SendMessageW(wnd, WM_COMMAND, IDCANCEL, 0);
        else if (!IsDialogMessageW(wnd, &msg)) {
            TranslateMessage(&msg);
            DispatchMessageW(&msg);
        }
    }
    SECURITY_STATUS result = SCARD_W_CANCELLED_BY_USER;
    if (st.ok) {
        char *values[3] = { NULL, NULL, NULL };
        int complete = 1;
        for (int i = 0; i < 3; i++)
            if (need[i] && (values[i] = take_text(st.edits[i])) == NULL)
                complete = 0;
        if (complete) {
            if (password != NULL) *password = values[0];
            if (pin != NULL) *pin = values[1];
            if (otp != NULL) *otp = values[2];
            result = ERROR_SUCCESS;
        } else {
            for (int i = 0; i < 3; i++)
                sigil_free_secret(values[i]);
            result = SCARD_W_WRONG_CHV; /* an empty field: nothing to send */
        }
    }
    for (int i = 0; i < 3; i++)
        if (st.edits[i] != NULL)
            SetWindowTextW(st.edits[i], L"");
    if (parent_enabled)
        EnableWindow(parent, TRUE);
    DestroyWindow(wnd);
    return result;
}
