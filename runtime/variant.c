/* variant.c - variant specs to compiled programs, cached for the process's life.
 * A spec is looked up as given first (no allocation on a hit); a new spec whose source
 * hashes like a known one shares that program. */
#include "fart.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct variant_entry {
    char *spec;
    fart_hash spec_hash, source_hash;
    char *source;              /* kept alive with the program */
    fa_program *program;
    struct variant_entry *next;
} variant_entry;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static variant_entry *entries;

static fart_hash hash_of(const char *s)
{
    fart_hash h;
    fart_hash_init(&h);
    fart_hash_str(&h, s);
    return h;
}

static bool hash_eq(fart_hash a, fart_hash b)
{
    return a.a == b.a && a.b == b.b;
}

/* Finds an entry by spec (spec non-NULL) or by source hash; caller holds the lock. */
static variant_entry *find(const char *spec, fart_hash h)
{
    for (variant_entry *e = entries; e; e = e->next)
        if (spec ? hash_eq(e->spec_hash, h) && strcmp(e->spec, spec) == 0 : hash_eq(e->source_hash, h))
            return e;
    return NULL;
}

/* The source text of a spec (malloc'd) and the file name its diagnostics use. */
static fadsl_status resolve(const char *spec, char **source, const char **filename)
{
    size_t n = strlen(spec);
    if (strchr(spec, '{')) {
        *filename = "<source>";
        *source = strdup(spec);
    } else if (strchr(spec, '/') || (n > 3 && strcmp(spec + n - 3, ".fa") == 0)) {
        *filename = spec;
        size_t len;
        int line, col;
        if (!(*source = fa_read_file(spec, FA_VARIANT_FILE_MAX, &len)))
            return errno == EFBIG ? fart_fail(FADSL_ERR_VARIANT, "cannot read variant file %s: it holds more than "
                                              "%zu bytes (the most a variant file may)", spec, FA_VARIANT_FILE_MAX)
                                  : fart_fail(FADSL_ERR_VARIANT, "cannot read variant file %s: %s", spec,
                                              fa_read_strerror(errno));
        if (fa_source_nul(*source, len, &line, &col)) {
            free(*source);
            *source = NULL;
            return fart_fail(FADSL_ERR_SYNTAX, "%s:%d:%d: error: NUL byte in the variant file (variants are text)",
                             spec, line, col);
        }
    } else {
        const char *text = fa_stdlib_source(spec);
        if (!text) {
            fart_names known = {0};
            for (int i = 0; fa_stdlib_name(i); i++)
                fart_names_add(&known, fa_stdlib_name(i));
            return fart_fail(FADSL_ERR_VARIANT, "unknown standard-library variant '%s' (known: %s)", spec, known.text);
        }
        *filename = spec;
        *source = strdup(text);
    }
    return *source ? FADSL_OK : fart_fail(FADSL_ERR_NOMEM, "no memory for the variant source");
}

fadsl_status fart_variant_get(const char *spec, const fa_program **out)
{
    if (!spec || !*spec)
        return fart_fail(FADSL_ERR_VARIANT, "no variant given (a standard-library name, a .fa path or source)");
    fart_hash sh = hash_of(spec);
    pthread_mutex_lock(&lock);
    variant_entry *e = find(spec, sh);
    pthread_mutex_unlock(&lock);
    if (e) {
        *out = e->program;
        return FADSL_OK;
    }

    char *source;
    const char *filename = NULL; /* set by resolve on success (silences -Wmaybe-uninitialized at -O2) */
    fadsl_status s = resolve(spec, &source, &filename);
    if (s)
        return s;
    fart_hash h = hash_of(source);
    pthread_mutex_lock(&lock);
    variant_entry *same = find(NULL, h);
    pthread_mutex_unlock(&lock);
    fa_program *prog = same ? same->program : NULL;
    if (!prog) {
        char *diags = NULL;
        prog = fa_program_compile(filename, source, &diags, NULL);
        if (!prog) {
            s = fart_fail(FADSL_ERR_SYNTAX, "%s", diags ? diags : "variant does not compile");
            free(diags);
            free(source);
            return s;
        }
        if (diags && *diags)
            fart_warn("variant %s:\n%s", filename, diags);
        free(diags);
    }
    if (!(e = calloc(1, sizeof *e)) || !(e->spec = strdup(spec))) {
        free(e);
        free(source);
        if (!same)
            fa_program_free(prog);
        return fart_fail(FADSL_ERR_NOMEM, "no memory for a variant cache entry");
    }
    e->spec_hash = sh;
    e->source_hash = h;
    e->source = source;
    e->program = prog;
    pthread_mutex_lock(&lock);
    e->next = entries;
    entries = e;
    pthread_mutex_unlock(&lock);
    *out = prog;
    return FADSL_OK;
}

fadsl_status fadsl_variant_params(const char *variant, fa_param_info *out, int max, int *count)
{
    fart_clear_error();
    if (!count || (max > 0 && !out))
        return fart_fail(FADSL_ERR_NULL_POINTER, "%s is NULL", count ? "out" : "count");
    const fa_program *p;
    fadsl_status s = fart_variant_get(variant, &p);
    if (s)
        return s;
    *count = fa_program_num_params(p);
    for (int i = 0; i < *count && i < max; i++)
        out[i] = *fa_program_param(p, i);
    return FADSL_OK;
}
