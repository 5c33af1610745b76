#include "json.h"

#include <stdlib.h>
#include <string.h>

#include "secure.h"

struct sigil_json {
    sigil_json_type type;
    int boolean;
    char *text;          /* string value (decoded, NUL-terminated) or number lexeme */
    size_t text_len;
    char *key;           /* member name when this node is an object member */
    size_t key_len;
    sigil_json **items;
    size_t count, cap;
};

/* ---- UTF-8 ---- */

/* The length of the well-formed UTF-8 sequence at p[0..n) (RFC 3629 table 3-7), or 0. */
static size_t utf8_sequence(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        return n >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
            return 0;
        if (c == 0xe0 && p[1] < 0xa0)
            return 0;                       /* overlong */
        if (c == 0xed && p[1] > 0x9f)
            return 0;                       /* UTF-16 surrogate */
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        if (n < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
            return 0;
        if (c == 0xf0 && p[1] < 0x90)
            return 0;                       /* overlong */
        if (c == 0xf4 && p[1] > 0x8f)
            return 0;                       /* above U+10FFFF */
        return 4;
    }
    return 0;
}

static size_t utf8_put(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* ---- tree ---- */

static void node_free(sigil_json *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->count; i++)
        node_free(n->items[i]);
    free(n->items);
    if (n->text) {
        sigil_secure_zero(n->text, n->text_len);
        free(n->text);
    }
    if (n->key) {
        sigil_secure_zero(n->key, n->key_len);
        free(n->key);
    }
    free(n);
}

void sigil_json_free(sigil_json *root)
{
    node_free(root);
}

static sigil_status append_child(sigil_json *parent, sigil_json *child)
{
    if (parent->count == parent->cap) {
        size_t cap = parent->cap ? parent->cap * 2 : 4;
        if (cap > SIZE_MAX / sizeof *parent->items)
            return SIGIL_NO_MEMORY;
        sigil_json **items = realloc(parent->items, cap * sizeof *items);
        if (!items)
            return SIGIL_NO_MEMORY;
        parent->items = items;
        parent->cap = cap;
    }
    parent->items[parent->count++] = child;
    return SIGIL_OK;
}

/* ---- parser ---- */

typedef struct parser {
    const unsigned char *p, *end;
    int depth;
} parser;

static void skip_ws(parser *ps)
{
    while (ps->p < ps->end &&
           (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static int hex4(const unsigned char *p, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return 0;
    }
    *out = v;
    return 1;
}

/* Parses a string starting at the opening quote into a fresh NUL-terminated buffer. The decoded
 * form is never longer than the source (an escape of 6 or 12 characters yields at most 4 bytes),
 * so one allocation of the source length suffices. */
static sigil_status parse_string(parser *ps, char **out, size_t *out_len)
{
    const unsigned char *start = ++ps->p;  /* after '"' */
    const unsigned char *q = start;
    while (q < ps->end && *q != '"') {
        if (*q == '\\')
            q++;                             /* the escaped character cannot close the string */
        if (q < ps->end)
            q++;
    }
    if (q >= ps->end)
        return SIGIL_PARSE_ERROR;
    char *buf = malloc((size_t)(q - start) + 1);
    if (!buf)
        return SIGIL_NO_MEMORY;
    size_t o = 0;
    const unsigned char *p = start;
    while (p < q) {
        unsigned char c = *p;
        if (c < 0x20)
            goto bad;                        /* raw control character */
        if (c != '\\') {
            size_t n = utf8_sequence(p, (size_t)(q - p));
            if (n == 0)
                goto bad;
            memcpy(buf + o, p, n);
            o += n;
            p += n;
            continue;
        }
        if (q - p < 2)
            goto bad;
        unsigned char e = p[1];
        p += 2;
        switch (e) {
        case '"': buf[o++] = '"'; break;
        case '\\': buf[o++] = '\\'; break;
        case '/': buf[o++] = '/'; break;
        case 'b': buf[o++] = '\b'; break;
        case 'f': buf[o++] = '\f'; break;
        case 'n': buf[o++] = '\n'; break;
        case 'r': buf[o++] = '\r'; break;
        case 't': buf[o++] = '\t'; break;
        case 'u': {
            uint32_t cp;
            if (q - p < 4 || !hex4(p, &cp))
                goto bad;
            p += 4;
            if (cp >= 0xdc00 && cp <= 0xdfff)
                goto bad;                    /* a low surrogate without a high one */
            if (cp >= 0xd800 && cp <= 0xdbff) {
                uint32_t lo;
                if (q - p < 6 || p[0] != '\\' || p[1] != 'u' || !hex4(p + 2, &lo) ||
                    lo < 0xdc00 || lo > 0xdfff)
                    goto bad;                /* a high surrogate not followed by a low one */
                p += 6;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            }
            o += utf8_put(buf + o, cp);
            break;
        }
        default:
            goto bad;
        }
    }
    buf[o] = '\0';
    ps->p = q + 1;
    *out = buf;
    *out_len = o;
    return SIGIL_OK;
bad:
    sigil_secure_zero(buf, o);
    free(buf);
    return SIGIL_PARSE_ERROR;
}

static int is_digit(const parser *ps)
{
    return ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9';
}

static sigil_status parse_number(parser *ps, sigil_json *n)
{
    const unsigned char *start = ps->p;
    if (ps->p < ps->end && *ps->p == '-')
        ps->p++;
    if (!is_digit(ps))
        return SIGIL_PARSE_ERROR;
    if (*ps->p == '0') {
        ps->p++;
        if (is_digit(ps))
            return SIGIL_PARSE_ERROR;        /* leading zero */
    } else {
        while (is_digit(ps))
            ps->p++;
    }
    if (ps->p < ps->end && *ps->p == '.') {
        ps->p++;
        if (!is_digit(ps))
            return SIGIL_PARSE_ERROR;
        while (is_digit(ps))
            ps->p++;
    }
    if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
        ps->p++;
        if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
            ps->p++;
        if (!is_digit(ps))
            return SIGIL_PARSE_ERROR;
        while (is_digit(ps))
            ps->p++;
    }
    size_t len = (size_t)(ps->p - start);
    if (len > SIGIL_JSON_MAX_NUMBER)
        return SIGIL_LIMIT_EXCEEDED;
    n->text = malloc(len + 1);
    if (!n->text)
        return SIGIL_NO_MEMORY;
    memcpy(n->text, start, len);
    n->text[len] = '\0';
    n->text_len = len;
    n->type = SIGIL_JSON_NUMBER;
    return SIGIL_OK;
}

static int literal(parser *ps, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return 0;
    ps->p += n;
    return 1;
}

static sigil_status parse_value(parser *ps, sigil_json **out);

static int has_key(const sigil_json *obj, const char *key, size_t key_len)
{
    for (size_t i = 0; i < obj->count; i++)
        if (obj->items[i]->key_len == key_len && memcmp(obj->items[i]->key, key, key_len) == 0)
            return 1;
    return 0;
}

static sigil_status parse_container(parser *ps, sigil_json *n)
{
    int object = *ps->p == '{';
    unsigned char close = object ? '}' : ']';
    n->type = object ? SIGIL_JSON_OBJECT : SIGIL_JSON_ARRAY;
    if (++ps->depth > SIGIL_JSON_MAX_DEPTH)
        return SIGIL_LIMIT_EXCEEDED;
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        ps->depth--;
        return SIGIL_OK;
    }
    for (;;) {
        char *key = NULL;
        size_t key_len = 0;
        sigil_status st;
        if (object) {
            if (ps->p >= ps->end || *ps->p != '"')
                return SIGIL_PARSE_ERROR;
            if ((st = parse_string(ps, &key, &key_len)) != SIGIL_OK)
                return st;
            if (has_key(n, key, key_len)) {
                free(key);
                return SIGIL_PARSE_ERROR;    /* duplicate member name */
            }
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':') {
                free(key);
                return SIGIL_PARSE_ERROR;
            }
            ps->p++;
        }
        sigil_json *child = NULL;
        if ((st = parse_value(ps, &child)) == SIGIL_OK && (st = append_child(n, child)) != SIGIL_OK)
            node_free(child);
        if (st != SIGIL_OK) {
            free(key);
            return st;
        }
        child->key = key;
        child->key_len = key_len;
        skip_ws(ps);
        if (ps->p >= ps->end)
            return SIGIL_PARSE_ERROR;
        if (*ps->p == ',') {
            ps->p++;
            skip_ws(ps);
            continue;
        }
        if (*ps->p != close)
            return SIGIL_PARSE_ERROR;
        ps->p++;
        ps->depth--;
        return SIGIL_OK;
    }
}

/* Parses one value (with leading whitespace) into a new node in *out. On error nothing is left
 * allocated: a partially built node is freed here. */
static sigil_status parse_value(parser *ps, sigil_json **out)
{
    skip_ws(ps);
    if (ps->p >= ps->end)
        return SIGIL_PARSE_ERROR;
    sigil_json *n = calloc(1, sizeof *n);
    if (!n)
        return SIGIL_NO_MEMORY;
    sigil_status st = SIGIL_OK;
    unsigned char c = *ps->p;
    if (c == '{' || c == '[') {
        st = parse_container(ps, n);
    } else if (c == '"') {
        n->type = SIGIL_JSON_STRING;
        st = parse_string(ps, &n->text, &n->text_len);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        st = parse_number(ps, n);
    } else if (literal(ps, "true")) {
        n->type = SIGIL_JSON_BOOL;
        n->boolean = 1;
    } else if (literal(ps, "false")) {
        n->type = SIGIL_JSON_BOOL;
    } else if (literal(ps, "null")) {
        n->type = SIGIL_JSON_NULL;
    } else {
        st = SIGIL_PARSE_ERROR;
    }
    if (st != SIGIL_OK) {
        node_free(n);
        return st;
    }
    *out = n;
    return SIGIL_OK;
}

sigil_status sigil_json_parse(const char *text, size_t len, sigil_json **out)
{
    if (!out || (!text && len))
        return SIGIL_INVALID_ARGUMENT;
    *out = NULL;
    if (len > SIGIL_JSON_MAX_DOCUMENT)
        return SIGIL_LIMIT_EXCEEDED;
    parser ps = { (const unsigned char *)text, (const unsigned char *)text + len, 0 };
    sigil_json *root = NULL;
    sigil_status st = parse_value(&ps, &root);
    if (st != SIGIL_OK)
        return st;
    skip_ws(&ps);
    if (ps.p != ps.end) {
        node_free(root);
        return SIGIL_PARSE_ERROR;            /* trailing data */
    }
    *out = root;
    return SIGIL_OK;
}

/* ---- getters ---- */

sigil_json_type sigil_json_type_of(const sigil_json *node)
{
    return node->type;
}

size_t sigil_json_count(const sigil_json *node)
{
    if (!node || (node->type != SIGIL_JSON_ARRAY && node->type != SIGIL_JSON_OBJECT))
        return 0;
    return node->count;
}

const sigil_json *sigil_json_at(const sigil_json *node, size_t i)
{
    return i < sigil_json_count(node) ? node->items[i] : NULL;
}

const char *sigil_json_key_at(const sigil_json *node, size_t i)
{
    if (!node || node->type != SIGIL_JSON_OBJECT || i >= node->count)
        return NULL;
    return node->items[i]->key;
}

const sigil_json *sigil_json_get(const sigil_json *node, const char *key)
{
    if (!node || !key || node->type != SIGIL_JSON_OBJECT)
        return NULL;
    size_t key_len = strlen(key);
    for (size_t i = 0; i < node->count; i++)
        if (node->items[i]->key_len == key_len && memcmp(node->items[i]->key, key, key_len) == 0)
            return node->items[i];
    return NULL;
}

sigil_status sigil_json_string(const sigil_json *node, const char **s, size_t *len)
{
    if (!s)
        return SIGIL_INVALID_ARGUMENT;
    if (!node)
        return SIGIL_NOT_FOUND;
    if (node->type != SIGIL_JSON_STRING || strlen(node->text) != node->text_len)
        return SIGIL_PARSE_ERROR;
    *s = node->text;
    if (len)
        *len = node->text_len;
    return SIGIL_OK;
}

sigil_status sigil_json_int64(const sigil_json *node, int64_t *value)
{
    if (!value)
        return SIGIL_INVALID_ARGUMENT;
    if (!node)
        return SIGIL_NOT_FOUND;
    if (node->type != SIGIL_JSON_NUMBER || strpbrk(node->text, ".eE"))
        return SIGIL_PARSE_ERROR;
    const char *p = node->text;
    int negative = *p == '-';
    if (negative)
        p++;
    /* Accumulate as a negative number so that INT64_MIN is representable. */
    int64_t v = 0;
    for (; *p; p++) {
        int d = *p - '0';
        if (v < (INT64_MIN + d) / 10)
            return SIGIL_LIMIT_EXCEEDED;
        v = v * 10 - d;
    }
    if (!negative) {
        if (v == INT64_MIN)
            return SIGIL_LIMIT_EXCEEDED;
        v = -v;
    }
    *value = v;
    return SIGIL_OK;
}

sigil_status sigil_json_bool(const sigil_json *node, int *value)
{
    if (!value)
        return SIGIL_INVALID_ARGUMENT;
    if (!node)
        return SIGIL_NOT_FOUND;
    if (node->type != SIGIL_JSON_BOOL)
        return SIGIL_PARSE_ERROR;
    *value = node->boolean;
    return SIGIL_OK;
}

sigil_status sigil_json_get_string(const sigil_json *obj, const char *key, const char **s,
                                   size_t *len)
{
    return sigil_json_string(sigil_json_get(obj, key), s, len);
}

sigil_status sigil_json_get_int64(const sigil_json *obj, const char *key, int64_t *value)
{
    return sigil_json_int64(sigil_json_get(obj, key), value);
}

sigil_status sigil_json_get_bool(const sigil_json *obj, const char *key, int *value)
{
    return sigil_json_bool(sigil_json_get(obj, key), value);
}

sigil_status sigil_json_get_string_array(const sigil_json *obj, const char *key,
                                         const sigil_json **array)
{
    if (!array)
        return SIGIL_INVALID_ARGUMENT;
    const sigil_json *a = sigil_json_get(obj, key);
    if (!a)
        return SIGIL_NOT_FOUND;
    if (a->type != SIGIL_JSON_ARRAY)
        return SIGIL_PARSE_ERROR;
    for (size_t i = 0; i < a->count; i++) {
        const char *s;
        sigil_status st = sigil_json_string(a->items[i], &s, NULL);
        if (st != SIGIL_OK)
            return st;
    }
    *array = a;
    return SIGIL_OK;
}

/* ---- writer ---- */

/* Frame bits: which container, and whether a comma or a value is due. */
enum { F_OBJECT = 1, F_HAS_ITEM = 2, F_KEY_DONE = 4 };

void sigil_jw_init(sigil_json_writer *w)
{
    memset(w, 0, sizeof *w);
}

void sigil_jw_dispose(sigil_json_writer *w)
{
    if (w->data) {
        sigil_secure_zero(w->data, w->cap);
        free(w->data);
    }
    sigil_jw_init(w);
}

static void fail(sigil_json_writer *w, sigil_status st)
{
    if (w->error == SIGIL_OK)
        w->error = st;
}

/* Grows by allocating a new buffer and zeroing the old one: realloc could leave a copy of a PIN
 * in freed memory. */
static int reserve(sigil_json_writer *w, size_t extra)
{
    if (w->error != SIGIL_OK)
        return 0;
    if (extra > SIZE_MAX - w->len - 1) {
        fail(w, SIGIL_NO_MEMORY);
        return 0;
    }
    size_t need = w->len + extra + 1;
    if (need <= w->cap)
        return 1;
    size_t cap = w->cap ? w->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *data = malloc(cap);
    if (!data) {
        fail(w, SIGIL_NO_MEMORY);
        return 0;
    }
    if (w->data) {
        memcpy(data, w->data, w->len);
        sigil_secure_zero(w->data, w->cap);
        free(w->data);
    }
    w->data = data;
    w->cap = cap;
    return 1;
}

static void put(sigil_json_writer *w, const char *s, size_t n)
{
    if (!reserve(w, n))
        return;
    memcpy(w->data + w->len, s, n);
    w->len += n;
    w->data[w->len] = '\0';
}

/* Called before every value: emits the separating comma and checks that a value is allowed here
 * (at the top level only once; in an object only after a key). */
static int before_value(sigil_json_writer *w)
{
    if (w->error != SIGIL_OK)
        return 0;
    if (w->depth == 0) {
        if (w->len != 0) {
            fail(w, SIGIL_INVALID_ARGUMENT);  /* a second top-level value */
            return 0;
        }
        return 1;
    }
    unsigned char *f = &w->frame[w->depth - 1];
    if (*f & F_OBJECT) {
        if (!(*f & F_KEY_DONE)) {
            fail(w, SIGIL_INVALID_ARGUMENT);  /* a value without a key */
            return 0;
        }
        *f = (unsigned char)(*f & ~F_KEY_DONE);
        return 1;
    }
    if (*f & F_HAS_ITEM)
        put(w, ",", 1);
    *f |= F_HAS_ITEM;
    return w->error == SIGIL_OK;
}

static void begin(sigil_json_writer *w, int object)
{
    if (!before_value(w))
        return;
    if (w->depth == SIGIL_JSON_MAX_DEPTH) {
        fail(w, SIGIL_LIMIT_EXCEEDED);
        return;
    }
    put(w, object ? "{" : "[", 1);
    w->frame[w->depth++] = object ? F_OBJECT : 0;
}

static void end(sigil_json_writer *w, int object)
{
    if (w->error != SIGIL_OK)
        return;
    if (w->depth == 0 || ((w->frame[w->depth - 1] & F_OBJECT) != 0) != object ||
        (w->frame[w->depth - 1] & F_KEY_DONE)) {
        fail(w, SIGIL_INVALID_ARGUMENT);
        return;
    }
    w->depth--;
    put(w, object ? "}" : "]", 1);
}

void sigil_jw_begin_object(sigil_json_writer *w) { begin(w, 1); }
void sigil_jw_end_object(sigil_json_writer *w) { end(w, 1); }
void sigil_jw_begin_array(sigil_json_writer *w) { begin(w, 0); }
void sigil_jw_end_array(sigil_json_writer *w) { end(w, 0); }

static void put_string(sigil_json_writer *w, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    if (!s && len) {
        fail(w, SIGIL_INVALID_ARGUMENT);
        return;
    }
    put(w, "\"", 1);
    size_t i = 0;
    while (i < len && w->error == SIGIL_OK) {
        unsigned char c = p[i];
        char esc[6] = { '\\', 0, 0, 0, 0, 0 };
        size_t esc_len = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            if (c < 0x20) {
                esc[1] = 'u';
                esc[2] = '0';
                esc[3] = '0';
                esc[4] = hex[c >> 4];
                esc[5] = hex[c & 15];
                esc_len = 6;
            } else {
                size_t n = utf8_sequence(p + i, len - i);
                if (n == 0) {
                    fail(w, SIGIL_INVALID_ARGUMENT);
                    return;
                }
                put(w, s + i, n);
                i += n;
                continue;
            }
        }
        put(w, esc, esc_len);
        i++;
    }
    put(w, "\"", 1);
}

void sigil_jw_key(sigil_json_writer *w, const char *key)
{
    if (w->error != SIGIL_OK)
        return;
    if (!key || w->depth == 0 || !(w->frame[w->depth - 1] & F_OBJECT) ||
        (w->frame[w->depth - 1] & F_KEY_DONE)) {
        fail(w, SIGIL_INVALID_ARGUMENT);
        return;
    }
    unsigned char *f = &w->frame[w->depth - 1];
    if (*f & F_HAS_ITEM)
        put(w, ",", 1);
    put_string(w, key, strlen(key));
    put(w, ":", 1);
    *f |= F_HAS_ITEM | F_KEY_DONE;
}

void sigil_jw_string_n(sigil_json_writer *w, const char *s, size_t len)
{
    if (before_value(w))
        put_string(w, s, len);
}

void sigil_jw_string(sigil_json_writer *w, const char *s)
{
    if (!s) {
        fail(w, SIGIL_INVALID_ARGUMENT);
        return;
    }
    sigil_jw_string_n(w, s, strlen(s));
}

void sigil_jw_int64(sigil_json_writer *w, int64_t v)
{
    if (!before_value(w))
        return;
    char buf[24];
    size_t i = sizeof buf;
    /* Work on the negative magnitude so that INT64_MIN needs no special case. */
    int64_t n = v < 0 ? v : -v;
    do {
        buf[--i] = (char)('0' - n % 10);
        n /= 10;
    } while (n != 0);
    if (v < 0)
        buf[--i] = '-';
    put(w, buf + i, sizeof buf - i);
}

void sigil_jw_bool(sigil_json_writer *w, int v)
{
    if (before_value(w))
        put(w, v ? "true" : "false", v ? 4 : 5);
}

void sigil_jw_null(sigil_json_writer *w)
{
    if (before_value(w))
        put(w, "null", 4);
}

void sigil_jw_member_string(sigil_json_writer *w, const char *key, const char *value)
{
    sigil_jw_key(w, key);
    sigil_jw_string(w, value);
}

void sigil_jw_member_int64(sigil_json_writer *w, const char *key, int64_t value)
{
    sigil_jw_key(w, key);
    sigil_jw_int64(w, value);
}

void sigil_jw_member_bool(sigil_json_writer *w, const char *key, int value)
{
    sigil_jw_key(w, key);
    sigil_jw_bool(w, value);
}

void sigil_jw_member_string_array(sigil_json_writer *w, const char *key,
                                  const char *const *values, size_t n)
{
    if (!values && n) {
        fail(w, SIGIL_INVALID_ARGUMENT);
        return;
    }
    sigil_jw_key(w, key);
    sigil_jw_begin_array(w);
    for (size_t i = 0; i < n; i++)
        sigil_jw_string(w, values[i]);
    sigil_jw_end_array(w);
}

sigil_status sigil_jw_finish(sigil_json_writer *w, char **out, size_t *out_len)
{
    if (!out || !out_len) {
        sigil_jw_dispose(w);
        return SIGIL_INVALID_ARGUMENT;
    }
    if (w->error == SIGIL_OK && (w->depth != 0 || w->len == 0))
        w->error = SIGIL_INVALID_ARGUMENT;   /* unclosed container or no value at all */
    sigil_status st = w->error;
    if (st != SIGIL_OK) {
        sigil_jw_dispose(w);
        return st;
    }
    *out = w->data;
    *out_len = w->len;
    w->data = NULL;
    sigil_jw_dispose(w);
    return SIGIL_OK;
}

void sigil_json_free_text(char *text, size_t len)
{
    if (!text)
        return;
    sigil_secure_zero(text, len);
    free(text);
}
