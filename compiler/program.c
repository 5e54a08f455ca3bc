/* program.c - fa_program_compile: parse -> sema -> lower -> passes, with the verifier
 * after every pass and an IR dump after any named pass; the program accessors; the
 * standard library and the variant fields of a key. */
#include "ir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *fa_embedded_stdlib(const char *file_name);

struct fa_program {
    fa_ir *ir;
    fa_requires requires;
    fa_kr *kr;          /* key-range derivation (in ir's arena) */
    uint64_t hash;
    bool stdlib;        /* the standard library's variant of its name */
};

/* ---- standard library ------------------------------------------------------------------
 * One entry a file stdlib/<name>.fa, with the seed features it stands for (the runtime
 * maps its convenience flags onto these names). `causal` means the mask implies k <= q. */
static const struct fa_stdlib_entry {
    const char *name;
    bool causal, sliding_window, alibi, softcap;
} fa_stdlib[] = {
    {"none", false, false, false, false},
    {"causal", true, false, false, false},
    {"sliding_window", false, true, false, false},
    {"causal_alibi", true, false, true, false},
    {"sink_window", true, true, false, false},
    {"softcap", true, false, false, true},
    {"gpt_oss", true, true, false, false},
    {"document", true, false, false, false},
    {"prefix_lm", false, false, false, false},
    {"chunked_local", true, false, false, false},
};
enum { FA_STDLIB_COUNT = sizeof fa_stdlib / sizeof fa_stdlib[0] };

static const struct fa_stdlib_entry *fa_stdlib_find(const char *name)
{
    for (int i = 0; i < FA_STDLIB_COUNT; i++)
        if (strcmp(fa_stdlib[i].name, name) == 0)
            return &fa_stdlib[i];
    return NULL;
}

const char *fa_stdlib_name(int i)
{
    return i >= 0 && i < FA_STDLIB_COUNT ? fa_stdlib[i].name : NULL;
}

const char *fa_stdlib_source(const char *name)
{
    char file[64];
    if (!name || !fa_stdlib_find(name) || snprintf(file, sizeof file, "%s.fa", name) >= (int)sizeof file)
        return NULL;
    return fa_embedded_stdlib(file);
}

/* ---- the pipeline ------------------------------------------------------------------------ */

typedef struct fa_pipeline {
    fa_diags *diags;
    const char *dump_after;
    char **dump;
} fa_pipeline;

/* Verifies `ir` after `pass` (an internal error becomes a diagnostic) and dumps it when
 * asked. Returns ir, or NULL after freeing it. */
static fa_ir *fa_program_check(fa_pipeline *pl, fa_ir *ir, const char *pass)
{
    char *why = fa_ir_verify(ir);
    if (why) {
        fa_diag_error(pl->diags, (fa_loc){1, 1, 1, 1}, "internal compiler error: IR invalid after %s: %s", pass, why);
        free(why);
        fa_ir_free(ir);
        return NULL;
    }
    if (pl->dump_after && strcmp(pl->dump_after, pass) == 0 && pl->dump && !*pl->dump)
        *pl->dump = fa_ir_dump(ir);
    return ir;
}

/* Runs one pass over ir (freeing it) and checks the result. */
static fa_ir *fa_program_pass(fa_pipeline *pl, fa_ir *ir, fa_ir *(*pass)(const fa_ir *), const char *name)
{
    if (!ir)
        return NULL;
    fa_ir *out = pass(ir);
    fa_ir_free(ir);
    return fa_program_check(pl, out, name);
}

/* Parse, check, lower, optimise; no standard-library recognition. */
static fa_program *fa_program_build(const char *filename, const char *source, const char *dump_after, char **dump,
                                    char **diagnostics, int *n_errors)
{
    fa_diags d;
    fa_diag_init(&d, filename, source);
    fa_unit u = {.arena = fa_arena_new(), .diags = &d};
    fa_pipeline pl = {&d, dump_after, dump};
    fa_ir *ir = NULL;
    fa_requires requires = {0};
    if (fa_parse(&u) == 0 && fa_sema_check(&u) == 0 && d.n_errors == 0 && fa_requires_lower(&u, &d, &requires))
        ir = fa_lower(&u);
    fa_arena_free(u.arena);

    if (ir)
        ir = fa_program_check(&pl, ir, "lower");
    ir = fa_program_pass(&pl, ir, fa_pass_cse, "cse");
    ir = fa_program_pass(&pl, ir, fa_pass_fold, "fold");
    ir = fa_program_pass(&pl, ir, fa_pass_cse, "cse2");

    fa_program *p = NULL;
    if (ir) {
        p = fa_xcalloc(1, sizeof *p);
        p->ir = ir;
        p->requires = requires;
        p->kr = fa_tile_key_range_plan(ir);
        p->hash = fa_ir_hash(ir);
        if (dump_after && strcmp(dump_after, "tile") == 0 && dump && !*dump)
            *dump = fa_program_dump_ir(p);
    }
    if (!p)
        fa_requires_free(&requires);
    if (n_errors)
        *n_errors = d.n_errors;
    if (diagnostics)
        *diagnostics = d.text.len ? fa_buf_take(&d.text) : NULL;
    fa_buf_free(&d.text);
    return p;
}

fa_program *fa_program_compile_dump(const char *filename, const char *source, const char *dump_after, char **dump,
                                    char **diagnostics, int *n_errors)
{
    if (dump)
        *dump = NULL;
    fa_program *p = fa_program_build(filename, source, dump_after, dump, diagnostics, n_errors);
    const char *std_source = p ? fa_stdlib_source(p->ir->name) : NULL;
    if (std_source && strcmp(std_source, source) == 0) {
        p->stdlib = true;
    } else if (std_source) {
        fa_program *std = fa_program_build(p->ir->name, std_source, NULL, NULL, NULL, NULL);
        p->stdlib = std && std->hash == p->hash;
        fa_program_free(std);
    }
    return p;
}

fa_program *fa_program_compile(const char *filename, const char *source, char **diagnostics, int *n_errors)
{
    const char *dump_after = getenv("FA_DUMP_IR");
    char *dump = NULL;
    fa_program *p = fa_program_compile_dump(filename, source, dump_after, &dump, diagnostics, n_errors);
    if (dump) {
        fprintf(stderr, "%s", dump);
        free(dump);
    }
    return p;
}

void fa_program_free(fa_program *p)
{
    if (!p)
        return;
    fa_ir_free(p->ir);
    fa_requires_free(&p->requires);
    free(p);
}

/* ---- accessors ---------------------------------------------------------------------------- */

const fa_ir *fa_program_ir(const fa_program *p)
{
    return p->ir;
}

const fa_kr *fa_program_key_range(const fa_program *p)
{
    return p->kr;
}

const char *fa_program_name(const fa_program *p)
{
    return p->ir->name;
}

uint64_t fa_program_hash(const fa_program *p)
{
    return p->hash;
}

int fa_program_num_params(const fa_program *p)
{
    return p->ir->nparams;
}

const fa_param_info *fa_program_param(const fa_program *p, int i)
{
    return i >= 0 && i < p->ir->nparams ? &p->ir->params[i] : NULL;
}

int fa_program_sink_tokens(const fa_program *p)
{
    return p->ir->sink_tokens;
}

bool fa_program_learned_sinks(const fa_program *p)
{
    return p->ir->root[FA_IR_ROOT_SINK_LOGIT] != NULL;
}

bool fa_program_has_score(const fa_program *p)
{
    return p->ir->root[FA_IR_ROOT_SCORE] != NULL;
}

bool fa_program_check_requires(const fa_program *p, const unsigned long long *vparam, char *msg, size_t n)
{
    return fa_requires_hold(&p->requires, vparam, msg, n);
}

char *fa_program_dump_ir(const fa_program *p)
{
    char *ir = fa_ir_dump(p->ir);
    fa_buf b = {0};
    fa_buf_puts(&b, ir);
    free(ir);
    fa_buf_puts(&b, "keyrange ");
    fa_tile_kr_dump(&b, p->kr);
    fa_buf_puts(&b, "\n");
    fa_tile_scan_dump(&b, p->ir);
    for (int i = 0; i < p->requires.n; i++)
        fa_buf_printf(&b, "require (line %d) %s\n", p->requires.v[i].line, p->requires.v[i].text);
    return fa_buf_take(&b);
}

void fa_key_set_variant(fa_key *key, const fa_program *p)
{
    const struct fa_stdlib_entry *e = p->stdlib ? fa_stdlib_find(p->ir->name) : NULL;
    snprintf(key->variant, sizeof key->variant, "%s", p->ir->name);
    key->variant_hash = p->hash;
    key->stdlib = e != NULL;
    key->causal = e && e->causal;
    key->sliding_window = e && e->sliding_window;
    key->alibi = e && e->alibi;
    key->softcap = e && e->softcap;
    key->sink_tokens = p->ir->sink_tokens;
    key->learned_sinks = fa_program_learned_sinks(p);
    key->tile_scan = fa_tile_scans(p->ir);
    key->light = fa_tile_light(p->ir);
    key->plain_score = key->light && !fa_program_has_score(p);
}
