/* require.c - a variant's `require` conditions: each lowered to an IR of its own (the
 * condition as its mask root), checked on the host under a launch's parameter values
 * (fa_ir_eval: the language's own arithmetic), and against the params' defaults when the
 * variant compiles. */
#include "ir.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Characters of a condition quoted in a launch's error message. */
#define FA_REQUIRE_TEXT_MAX 160

/* The condition as written back (fa_ast_print_expr, less the outer parentheses of an
 * operator). */
static char *fa_require_text(const fa_expr *e)
{
    fa_buf b = {0};
    fa_ast_print_expr(&b, e);
    char *t = fa_buf_take(&b);
    size_t n = strlen(t);
    if ((e->kind == FA_E_BINARY || e->kind == FA_E_UNARY) && n >= 2) {
        memmove(t, t + 1, n - 2);
        t[n - 2] = '\0';
    }
    return t;
}

/* Slot bits of a scalar param's value, as the runtime passes it (args.c). */
static unsigned long long fa_require_bits(const fa_param_info *pi, double v)
{
    uint32_t bits;
    if (pi->type == FA_PARAM_I32) {
        bits = (uint32_t)(int32_t)v;
    } else {
        float f = (float)v;
        memcpy(&bits, &f, sizeof bits);
    }
    return bits;
}

/* Appends "name = value" for each scalar param the condition reads, in declaration order. */
static void fa_require_values(fa_buf *b, const fa_ir *ir, const unsigned long long *vparam)
{
    bool read[FA_MAX_PARAMS] = {0};
    for (int i = 0; i < ir->n_nodes; i++)
        if (ir->nodes[i]->op == FA_IR_PARAM)
            read[ir->nodes[i]->aux] = true;
    int n = 0;
    for (int slot = 0; slot < ir->nparams; slot++) {
        if (!read[slot])
            continue;
        const fa_param_info *pi = &ir->params[slot];
        uint32_t bits = (uint32_t)vparam[slot];
        fa_buf_printf(b, "%s%s = ", n++ ? ", " : "", pi->name);
        if (pi->type == FA_PARAM_I32) {
            fa_buf_printf(b, "%" PRId32, (int32_t)bits);
        } else {
            float f;
            memcpy(&f, &bits, sizeof f);
            fa_buf_printf(b, "%.9g", (double)f);
        }
    }
}

static bool fa_require_eval(const fa_ir *ir, const unsigned long long *vparam)
{
    fa_ir_env env = {0};
    for (int i = 0; i < ir->nparams; i++)
        env.vparam[i] = vparam[i];
    fa_ir_val *vals = fa_xcalloc((size_t)ir->n_nodes + 1, sizeof *vals);
    fa_ir_eval(ir, &env, vals);
    bool ok = vals[ir->root[FA_IR_ROOT_MASK]->id].b;
    free(vals);
    return ok;
}

bool fa_requires_lower(const fa_unit *u, fa_diags *d, fa_requires *out)
{
    *out = (fa_requires){0};
    for (const fa_decl *x = u->variants->decls; x; x = x->next)
        out->n += x->kind == FA_D_REQUIRE;
    out->v = fa_xcalloc((size_t)out->n + 1, sizeof *out->v);
    int i = 0;
    for (const fa_decl *x = u->variants->decls; x; x = x->next) {
        if (x->kind != FA_D_REQUIRE)
            continue;
        fa_require *r = &out->v[i++];
        r->ir = fa_lower_require(u, x);
        r->line = x->loc.line;
        r->text = fa_require_text(x->value);
        char *why = fa_ir_verify(r->ir);
        if (why) {
            fa_diag_error(d, x->loc, "internal compiler error: the IR of this require is invalid: %s", why);
            free(why);
            continue;
        }
        /* with a default for every param it reads, the condition must hold for them */
        unsigned long long vparam[FA_MAX_PARAMS] = {0};
        bool defaults = true;
        for (int k = 0; k < r->ir->n_nodes; k++) {
            const fa_ir_node *n = r->ir->nodes[k];
            if (n->op != FA_IR_PARAM)
                continue;
            const fa_param_info *pi = &r->ir->params[n->aux];
            defaults &= pi->has_default;
            vparam[n->aux] = fa_require_bits(pi, pi->default_value);
        }
        if (defaults && !fa_require_eval(r->ir, vparam)) {
            fa_buf vals = {0};
            fa_require_values(&vals, r->ir, vparam);
            if (vals.len) {
                fa_diag_error(d, x->value->loc, "the defaults fail this require (%s)", vals.data);
                fa_diag_hint(d, "change a default, or remove it so that every launch must pass a value");
            } else {
                fa_diag_error(d, x->value->loc, "this require never holds: it reads no parameter");
                fa_diag_hint(d, "require states a condition on parameters, e.g. require window > 0;");
            }
            fa_buf_free(&vals);
        }
    }
    return d->n_errors == 0;
}

void fa_requires_free(fa_requires *r)
{
    for (int i = 0; i < r->n; i++) {
        fa_ir_free(r->v[i].ir);
        free(r->v[i].text);
    }
    free(r->v);
    *r = (fa_requires){0};
}

bool fa_requires_hold(const fa_requires *r, const unsigned long long *vparam, char *msg, size_t n)
{
    for (int i = 0; i < r->n; i++) {
        if (fa_require_eval(r->v[i].ir, vparam))
            continue;
        fa_buf vals = {0};
        fa_require_values(&vals, r->v[i].ir, vparam);
        /* a long condition is cut so that the values still fit */
        const char *text = r->v[i].text;
        snprintf(msg, n, "requires %.*s%s (line %d), but %s", FA_REQUIRE_TEXT_MAX, text,
                 strlen(text) > FA_REQUIRE_TEXT_MAX ? "..." : "", r->v[i].line,
                 vals.len ? vals.data : "it reads no parameter");
        fa_buf_free(&vals);
        return false;
    }
    return true;
}
