/* libFuzzer target: the JSON reader must never crash, leak or read out of bounds, and every string
 * it returns must survive a trip through the writer unchanged. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

static void check_string(const char *s, size_t len)
{
    sigil_json_writer w;
    sigil_jw_init(&w);
    sigil_jw_begin_array(&w);
    sigil_jw_string_n(&w, s, len);
    sigil_jw_end_array(&w);
    char *text;
    size_t text_len;
    if (sigil_jw_finish(&w, &text, &text_len) != SIGIL_OK)
        abort();                      /* a string the reader accepted is valid UTF-8 */
    sigil_json *back;
    if (sigil_json_parse(text, text_len, &back) != SIGIL_OK)
        abort();
    const sigil_json *v = sigil_json_at(back, 0);
    const char *s2;
    size_t len2;
    sigil_status st = sigil_json_string(v, &s2, &len2);
    if (st == SIGIL_OK && (len2 != len || memcmp(s, s2, len) != 0))
        abort();
    sigil_json_free(back);
    sigil_json_free_text(text, text_len);
}

static void walk(const sigil_json *n)
{
    const char *s;
    size_t len;
    int64_t i;
    int b;
    switch (sigil_json_type_of(n)) {
    case SIGIL_JSON_STRING:
        if (sigil_json_string(n, &s, &len) == SIGIL_OK)
            check_string(s, len);
        break;
    case SIGIL_JSON_NUMBER:
        (void)sigil_json_int64(n, &i);
        break;
    case SIGIL_JSON_BOOL:
        if (sigil_json_bool(n, &b) != SIGIL_OK)
            abort();
        break;
    case SIGIL_JSON_OBJECT:
        for (size_t k = 0; k < sigil_json_count(n); k++) {
            const char *key = sigil_json_key_at(n, k);
            if (!key)
                abort();
            (void)sigil_json_get(n, key);
            walk(sigil_json_at(n, k));
        }
        break;
    case SIGIL_JSON_ARRAY:
        for (size_t k = 0; k < sigil_json_count(n); k++)
            walk(sigil_json_at(n, k));
        break;
    case SIGIL_JSON_NULL:
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sigil_json *doc = NULL;
    if (sigil_json_parse((const char *)data, size, &doc) == SIGIL_OK) {
        walk(doc);
        sigil_json_free(doc);
    } else if (doc != NULL) {
        abort();                      /* a failed parse leaves *out NULL */
    }
    return 0;
}
