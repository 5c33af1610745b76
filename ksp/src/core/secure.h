/* Zeroing of secrets (password, PIN, OTP, SAD, bearer token) that the compiler may not remove. */
#ifndef SIGIL_SECURE_H
#define SIGIL_SECURE_H

#include <stddef.h>

/* Overwrites len bytes at p with zeros, even when p is never read again (dead-store elimination
 * does not apply). p may be NULL only when len is 0. Thread-safe for distinct buffers. */
void sigil_secure_zero(void *p, size_t len);

/* Zeroes and frees a NUL-terminated secret from malloc (password, PIN, OTP, token, SAD). NULL is
 * ignored. The one such function for the core and both edges. */
void sigil_free_secret(char *secret);

#endif
