/* otp_command: for applications that cannot log in a second time per signature, a command the
 * user configured prints the one-time code (a password manager's CLI, a hardware token's tool).
 * It runs through /bin/sh as the calling user, for each signature; its first output line must be
 * the code and its exit status 0. The output buffer is zeroed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "p11.h"
#include "secure.h"

int p11_is_otp(const char *s)
{
    size_t n = strlen(s);
    if (n < 6 || n > 10)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

sigil_status p11_run_otp_command(const char *command, char **otp)
{
    *otp = NULL;
    FILE *f = popen(command, "r");
    if (f == NULL)
        return SIGIL_INTERNAL;
    char line[64];
    int got = fgets(line, sizeof line, f) != NULL;
    /* Read the rest, so the command does not die of SIGPIPE, then wait for it. */
    char rest[64];
    while (fgets(rest, sizeof rest, f) != NULL)
        ;
    sigil_secure_zero(rest, sizeof rest);
    int status = pclose(f);
    sigil_status st = SIGIL_PARSE_ERROR;
    if (got && status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        size_t n = strcspn(line, "\r\n");
        line[n] = '\0';
        if (p11_is_otp(line)) {
            if ((*otp = malloc(n + 1)) == NULL) {
                st = SIGIL_NO_MEMORY;
            } else {
                memcpy(*otp, line, n + 1);
                st = SIGIL_OK;
            }
        }
    }
    sigil_secure_zero(line, sizeof line);
    return st;
}
