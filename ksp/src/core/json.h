/* A small strict JSON (RFC 8259) reader and writer for the CSC messages.
 *
 * Reader: sigil_json_parse builds a tree the caller owns and frees with sigil_json_free. It accepts
 * only well-formed UTF-8 JSON and is stricter than the RFC where ambiguity would be a risk:
 *   - duplicate member names in one object are rejected (which one would a server have meant?);
 *   - nesting deeper than SIGIL_JSON_MAX_DEPTH and documents larger than SIGIL_JSON_MAX_DOCUMENT
 *     are rejected with LIMIT_EXCEEDED;
 *   - numbers follow the RFC grammar exactly (no leading zeros, no '+', no bare '.'), at most
 *     SIGIL_JSON_MAX_NUMBER characters; they are kept as text and converted on request;
 *   - strings must be valid UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF),
 *     without raw control characters; \uXXXX escapes must pair surrogates correctly;
 *   - nothing but whitespace may follow the top-level value.
 * Parsing is all-or-nothing: on any error *out stays NULL and nothing is leaked. The tree is
 * immutable after parsing; reading it from several threads at once is safe. Strings are zeroed
 * when the tree is freed, because answers carry bearer tokens and SADs.
 *
 * Usage:
 *   sigil_json *doc;
 *   if (sigil_json_parse(body, body_len, &doc) != SIGIL_OK) ...;
 *   const char *sad; int64_t expires;
 *   st = sigil_json_get_string(doc, "SAD", &sad, NULL);
 *   st = sigil_json_get_int64(doc, "expiresIn", &expires);
 *   sigil_json_free(doc);
 *
 * Writer: sigil_json_writer builds one document into a growing buffer. Errors are sticky: after the
 * first failing call the others do nothing, and sigil_jw_finish reports it, so a request can be
 * built without checking every call. The buffer is zeroed whenever it moves and when it is
 * disposed, because requests carry PINs, OTPs and SADs.
 *
 *   sigil_json_writer w;
 *   sigil_jw_init(&w);
 *   sigil_jw_begin_object(&w);
 *   sigil_jw_member_string(&w, "credentialID", id);
 *   sigil_jw_member_int64(&w, "numSignatures", 1);
 *   sigil_jw_member_string_array(&w, "hashes", hashes, n);
 *   sigil_jw_end_object(&w);
 *   char *body; size_t len;
 *   st = sigil_jw_finish(&w, &body, &len);    // on OK the caller owns body: sigil_json_free_text
 */
#ifndef SIGIL_JSON_H
#define SIGIL_JSON_H

#include <stddef.h>
#include <stdint.h>
#include "status.h"

#define SIGIL_JSON_MAX_DEPTH 32
#define SIGIL_JSON_MAX_DOCUMENT (4u * 1024u * 1024u)
#define SIGIL_JSON_MAX_NUMBER 64

typedef enum sigil_json_type {
    SIGIL_JSON_NULL,
    SIGIL_JSON_BOOL,
    SIGIL_JSON_NUMBER,
    SIGIL_JSON_STRING,
    SIGIL_JSON_ARRAY,
    SIGIL_JSON_OBJECT
} sigil_json_type;

typedef struct sigil_json sigil_json;

/* Parses text[0..len) (need not be NUL-terminated; text may be NULL only when len is 0, which is a
 * PARSE_ERROR). On OK *out is a tree owned by the caller. Errors: INVALID_ARGUMENT, PARSE_ERROR,
 * LIMIT_EXCEEDED, NO_MEMORY. */
sigil_status sigil_json_parse(const char *text, size_t len, sigil_json **out);

/* Frees a tree from sigil_json_parse (zeroing its strings). NULL is ignored. Frees only roots:
 * never pass a node obtained from a getter. */
void sigil_json_free(sigil_json *root);

/* The type of a node; node must not be NULL. */
sigil_json_type sigil_json_type_of(const sigil_json *node);

/* The number of elements of an array or members of an object; 0 for other types or NULL. */
size_t sigil_json_count(const sigil_json *node);

/* The i-th element of an array or the value of the i-th member of an object (document order), or
 * NULL when out of range or node is not a container. Borrowed: valid until the root is freed. */
const sigil_json *sigil_json_at(const sigil_json *node, size_t i);

/* The name of the i-th member of an object (NUL-terminated, borrowed), or NULL. */
const char *sigil_json_key_at(const sigil_json *node, size_t i);

/* The value of member key (a C string) of an object, or NULL when node is not an object or has no
 * such member. Borrowed. */
const sigil_json *sigil_json_get(const sigil_json *node, const char *key);

/* A string node's value: *s is NUL-terminated and borrowed; *len (if not NULL) its length.
 * NOT_FOUND when node is NULL, PARSE_ERROR when it is not a string or contains U+0000 (every
 * consumer uses the value as a C string, so an embedded NUL would silently truncate it). */
sigil_status sigil_json_string(const sigil_json *node, const char **s, size_t *len);

/* A number node's value as an integer. PARSE_ERROR for a non-number or a number with a fraction
 * or exponent; LIMIT_EXCEEDED outside the int64 range; NOT_FOUND for NULL. */
sigil_status sigil_json_int64(const sigil_json *node, int64_t *value);

/* A boolean node's value (0 or 1). PARSE_ERROR for another type, NOT_FOUND for NULL. */
sigil_status sigil_json_bool(const sigil_json *node, int *value);

/* Member shorthands: sigil_json_get followed by the getter; NOT_FOUND when the member is missing. */
sigil_status sigil_json_get_string(const sigil_json *obj, const char *key, const char **s,
                                   size_t *len);
sigil_status sigil_json_get_int64(const sigil_json *obj, const char *key, int64_t *value);
sigil_status sigil_json_get_bool(const sigil_json *obj, const char *key, int *value);

/* Checks that member key of obj is an array of strings and returns it in *array (borrowed);
 * elements are then read with sigil_json_at + sigil_json_string. NOT_FOUND when missing,
 * PARSE_ERROR when it is not an array or an element is not a string. */
sigil_status sigil_json_get_string_array(const sigil_json *obj, const char *key,
                                         const sigil_json **array);

/* ---- writer ---- */

typedef struct sigil_json_writer {
    char *data;          /* private: the text so far */
    size_t len, cap;
    sigil_status error;  /* the first error, sticky */
    int depth;
    unsigned char frame[SIGIL_JSON_MAX_DEPTH]; /* per level: container kind and expectations */
} sigil_json_writer;

/* Prepares an empty writer; no allocation yet. w must not be NULL. */
void sigil_jw_init(sigil_json_writer *w);
/* Zeroes and frees the buffer; the writer may be initialised again. Safe after finish. */
void sigil_jw_dispose(sigil_json_writer *w);

void sigil_jw_begin_object(sigil_json_writer *w);
void sigil_jw_end_object(sigil_json_writer *w);
void sigil_jw_begin_array(sigil_json_writer *w);
void sigil_jw_end_array(sigil_json_writer *w);
/* A member name; only directly inside an object, before its value. */
void sigil_jw_key(sigil_json_writer *w, const char *key);
/* A string value of len bytes of UTF-8 (INVALID_ARGUMENT if it is not valid UTF-8), escaped. */
void sigil_jw_string_n(sigil_json_writer *w, const char *s, size_t len);
void sigil_jw_string(sigil_json_writer *w, const char *s);
void sigil_jw_int64(sigil_json_writer *w, int64_t v);
void sigil_jw_bool(sigil_json_writer *w, int v);
void sigil_jw_null(sigil_json_writer *w);

void sigil_jw_member_string(sigil_json_writer *w, const char *key, const char *value);
void sigil_jw_member_int64(sigil_json_writer *w, const char *key, int64_t value);
void sigil_jw_member_bool(sigil_json_writer *w, const char *key, int value);
/* values[0..n) are C strings; n may be 0 (an empty array). */
void sigil_jw_member_string_array(sigil_json_writer *w, const char *key,
                                  const char *const *values, size_t n);

/* Ends the document. On OK, *out (NUL-terminated) and *out_len are handed to the caller, who frees
 * them with sigil_json_free_text, and the writer is left empty. Otherwise returns the first error
 * (INVALID_ARGUMENT for misuse such as an unclosed container or a value without a key, NO_MEMORY,
 * LIMIT_EXCEEDED for nesting deeper than SIGIL_JSON_MAX_DEPTH) and disposes of the buffer. */
sigil_status sigil_jw_finish(sigil_json_writer *w, char **out, size_t *out_len);

/* Zeroes and frees text returned by sigil_jw_finish; len is its length. NULL is ignored. */
void sigil_json_free_text(char *text, size_t len);

#endif
