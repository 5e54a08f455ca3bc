/* status.c - status names, the per-thread last error, logging, env switches, name lists. */
#include "fart.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

_Static_assert(FADSL_OK == (int)FA_OK && FADSL_ERR_SYNTAX == (int)FA_ERR_SYNTAX &&
                   FADSL_ERR_UNSUPPORTED == (int)FA_ERR_UNSUPPORTED &&
                   FADSL_ERR_INVALID == (int)FA_ERR_INVALID && FADSL_ERR_NOMEM == (int)FA_ERR_NOMEM &&
                   FADSL_ERR_EMPTY_PAGED_CACHE == (int)FA_ERR__COMPILER,
               "fadsl_status must extend fa_status");

static const char *const status_names[] = {
#define X(id, text) text,
    FADSL_STATUS_LIST(X)
#undef X
};

/* Long enough for an NVRTC log's useful head; longer details are cut. */
static _Thread_local char last_error[8192];

const char *fadsl_status_name(fadsl_status s)
{
    return (unsigned)s < FADSL__STATUS_COUNT ? status_names[s] : "unknown status";
}

const char *fadsl_last_error(void)
{
    return last_error;
}

fadsl_status fart_fail(fadsl_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return s;
}

void fart_clear_error(void)
{
    last_error[0] = '\0';
}

bool fart_env_flag(const char *name)
{
    static const char *const off[] = {"0", "false", "no", "off"};
    const char *v = getenv(name);
    if (!v || !*v)
        return false;
    for (size_t i = 0; i < sizeof off / sizeof off[0]; i++)
        if (strcasecmp(v, off[i]) == 0)
            return false;
    return true;
}

/* One stderr line in a single write, so lines of concurrent threads do not interleave. */
static void put_line(const char *prefix, const char *fmt, va_list ap)
{
    char line[1024];
    vsnprintf(line, sizeof line, fmt, ap);
    fprintf(stderr, "fadsl: %s%s\n", prefix, line);
}

void fart_log(const char *fmt, ...)
{
    const char *v = getenv("FADSL_LOG");
    if (v && *v && !fart_env_flag("FADSL_LOG")) /* set to an "off" value */
        return;
    va_list ap;
    va_start(ap, fmt);
    put_line("", fmt, ap);
    va_end(ap);
}

void fart_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    put_line("warning: ", fmt, ap);
    va_end(ap);
}

double fart_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void fart_names_add(fart_names *l, const char *name)
{
    if (l->full)
        return;
    const char *sep = l->len ? ", " : "";
    size_t room = sizeof l->text - l->len, need = strlen(sep) + strlen(name) + 1;
    /* Keep room for ", ..." so that a cut list says so. */
    l->full = need + strlen(", ...") > room;
    snprintf(l->text + l->len, room, "%s%s", sep, l->full ? "..." : name);
    l->len += strlen(l->text + l->len);
}
