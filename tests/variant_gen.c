/* variant_gen.c - random well-typed variants and their evaluator (see variant_gen.h). */
#include "variant_gen.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { VG_LIT, VG_VAR, VG_PARAM, VG_LOAD, VG_LET, VG_OP, VG_CALL } vg_kind;

struct vg_node {
    vg_kind kind;
    fa_type type;
    int aux;             /* VAR: fa_builtin_var; PARAM, LOAD: slot; LET: index; OP: fa_op; CALL: fa_builtin_fn */
    fa_ir_val lit;
    char text[24];       /* LIT: as written */
    int nargs;
    vg_node *arg[4];     /* LOAD: the indices */
    bool parens;         /* written in redundant parentheses */
};

/* ---- randomness ------------------------------------------------------------------ */

static uint32_t vg_rand(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*s >> 33);
}

static int vg_range(uint64_t *s, int lo, int hi)
{
    return lo + (int)(vg_rand(s) % (uint32_t)(hi - lo + 1));
}

static bool vg_chance(uint64_t *s, int percent)
{
    return (int)(vg_rand(s) % 100) < percent;
}

/* ---- building -------------------------------------------------------------------- */

/* Where an expression is generated: which names it may read. */
typedef struct vg_ctx {
    vg_variant *v;
    uint64_t *st;
    vg_mode mode;
    bool allow_s, allow_qk, allow_lets;
    bool params_only;   /* a require: scalar params, literals, functions and lets of those */
    int lets_visible;
} vg_ctx;

static vg_node *vg_new(vg_ctx *g, vg_kind kind, fa_type type, int aux)
{
    if (g->v->npool == VG_MAX_NODES)
        abort(); /* the depth limits keep variants far below this */
    vg_node *n = &g->v->pool[g->v->npool++];
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->type = type;
    n->aux = aux;
    return n;
}

static vg_node *vg_int(vg_ctx *g, int32_t value)
{
    vg_node *n = vg_new(g, VG_LIT, FA_TY_INT, 0);
    n->lit.i = value;
    snprintf(n->text, sizeof n->text, "%d", value);
    return n;
}

static vg_node *vg_op(vg_ctx *g, fa_op op, fa_type type, vg_node *a, vg_node *b)
{
    vg_node *n = vg_new(g, VG_OP, type, op);
    n->nargs = b ? 2 : 1;
    n->arg[0] = a;
    n->arg[1] = b;
    return n;
}

static vg_node *vg_call(vg_ctx *g, fa_builtin_fn fn, fa_type type, int nargs, vg_node *a, vg_node *b, vg_node *c)
{
    vg_node *n = vg_new(g, VG_CALL, type, fn);
    n->nargs = nargs;
    n->arg[0] = a;
    n->arg[1] = b;
    n->arg[2] = c;
    return n;
}

/* A random param slot of the given kind, or -1. */
static int vg_pick_param(vg_ctx *g, bool tensor, bool is_f32)
{
    int slots[FA_MAX_PARAMS], n = 0;
    for (int i = 0; i < g->v->nparams; i++) {
        const vg_param *p = &g->v->params[i];
        if (p->tensor != tensor || p->is_f32 != is_f32)
            continue;
        /* tame sink logits depend on the head only: tensors over heads and literals */
        bool heads_only = true;
        for (int d = 0; d < p->ndims; d++)
            heads_only &= p->dim[d] == FA_EXTENT_Q_HEADS || p->dim[d] == FA_EXTENT_KV_HEADS ||
                          p->dim[d] == FA_EXTENT_CONST;
        if (g->mode == VG_TAME && !g->allow_qk && !heads_only)
            continue;
        slots[n++] = i;
    }
    return n ? slots[vg_rand(g->st) % (uint32_t)n] : -1;
}

static bool vg_reads(const vg_variant *v, const vg_node *n, bool any);

/* A random visible let of the given type, or -1. */
static int vg_pick_let(vg_ctx *g, fa_type type)
{
    int idx[VG_MAX_LETS], n = 0;
    for (int i = 0; g->allow_lets && i < g->lets_visible; i++)
        if (g->v->let_expr[i]->type == type && (g->allow_qk || !vg_reads(g->v, g->v->let_expr[i], false)) &&
            !(g->params_only && vg_reads(g->v, g->v->let_expr[i], true)))
            idx[n++] = i;
    return n ? idx[vg_rand(g->st) % (uint32_t)n] : -1;
}

static vg_node *vg_expr(vg_ctx *g, fa_type type, int depth);

static vg_node *vg_var(vg_ctx *g, fa_builtin_var var)
{
    return vg_new(g, VG_VAR, var == FA_VAR_S ? FA_TY_FLOAT : FA_TY_INT, var);
}

/* An index for dimension d of p: mostly the natural one (h for q_heads, k for kv_len...),
 * in range for any position the kernels evaluate; in VG_WILD sometimes anything. */
static vg_node *vg_index(vg_ctx *g, const vg_param *p, int d, int depth)
{
    if (g->mode == VG_WILD && vg_chance(g->st, 30)) {
        vg_node *e = vg_expr(g, FA_TY_INT, depth);
        /* a literal (or negated literal) below 0 or past a literal dimension does not compile */
        const vg_node *lit = e->kind == VG_OP && e->aux == FA_OP_NEG ? e->arg[0] : e;
        int64_t v = lit->kind != VG_LIT ? 0 : lit == e ? lit->lit.i : -(int64_t)lit->lit.i;
        if (v >= 0 && (p->dim[d] != FA_EXTENT_CONST || v < p->const_dim[d]))
            return e;
    }
    switch (p->dim[d]) {
    case FA_EXTENT_Q_HEADS: return vg_var(g, FA_VAR_H);
    case FA_EXTENT_KV_HEADS: return vg_var(g, FA_VAR_HK);
    case FA_EXTENT_BATCH: return vg_var(g, FA_VAR_B);
    case FA_EXTENT_KV_LEN:
        if (!g->allow_qk)
            return vg_op(g, FA_OP_SUB, FA_TY_INT, vg_var(g, FA_VAR_KV_LEN), vg_int(g, 1));
        return vg_var(g, vg_chance(g->st, 70) ? FA_VAR_K : FA_VAR_Q);
    case FA_EXTENT_Q_LEN:
        if (!g->allow_qk)
            return vg_int(g, 0);
        /* the query's index in its sequence: q - kv_len + q_len */
        return vg_op(g, FA_OP_ADD, FA_TY_INT,
                     vg_op(g, FA_OP_SUB, FA_TY_INT, vg_var(g, FA_VAR_Q), vg_var(g, FA_VAR_KV_LEN)),
                     vg_var(g, FA_VAR_Q_LEN));
    default:
        return vg_int(g, vg_range(g->st, 0, p->const_dim[d] - 1));
    }
}

static vg_node *vg_load(vg_ctx *g, int slot, int depth)
{
    const vg_param *p = &g->v->params[slot];
    vg_node *n = vg_new(g, VG_LOAD, p->is_f32 ? FA_TY_FLOAT : FA_TY_INT, slot);
    n->nargs = p->ndims;
    for (int d = 0; d < p->ndims; d++)
        n->arg[d] = vg_index(g, p, d, depth - 1);
    return n;
}

static vg_node *vg_int_leaf(vg_ctx *g, int depth)
{
    static const int32_t special[] = {3, 7, 64, 100, 1000, 65536, 2147483647};
    int slot;
    switch (vg_rand(g->st) % 10) {
    case 0: return vg_int(g, vg_range(g->st, 0, 20));
    case 1:
        return vg_int(g, g->mode == VG_WILD ? special[vg_rand(g->st) % 7] : vg_range(g->st, 0, 300));
    case 2: case 3: case 4:
        if (g->params_only) /* a require reads params where others read positions */
            return (slot = vg_pick_param(g, false, false)) >= 0 ? vg_new(g, VG_PARAM, FA_TY_INT, slot)
                                                               : vg_int(g, vg_range(g->st, -3, 9));
        if (g->allow_qk)
            return vg_var(g, vg_chance(g->st, 50) ? FA_VAR_Q : FA_VAR_K);
        return vg_var(g, vg_chance(g->st, 50) ? FA_VAR_H : FA_VAR_HK);
    case 5: {
        static const fa_builtin_var others[] = {FA_VAR_H, FA_VAR_HK, FA_VAR_B, FA_VAR_Q_LEN, FA_VAR_KV_LEN};
        if (g->params_only)
            break;
        /* tame learned sinks see the head only */
        int n = g->mode == VG_TAME && !g->allow_qk ? 2 : 5;
        return vg_var(g, others[vg_rand(g->st) % (uint32_t)n]);
    }
    case 6:
        if ((slot = vg_pick_param(g, false, false)) >= 0)
            return vg_new(g, VG_PARAM, FA_TY_INT, slot);
        break;
    case 7:
        if (depth > 0 && !g->params_only && (slot = vg_pick_param(g, true, false)) >= 0)
            return vg_load(g, slot, depth);
        break;
    case 8:
        if ((slot = vg_pick_let(g, FA_TY_INT)) >= 0)
            return vg_new(g, VG_LET, FA_TY_INT, slot);
        break;
    default: break;
    }
    return vg_int(g, vg_range(g->st, 1, 9));
}

static vg_node *vg_float_lit(vg_ctx *g)
{
    static const char *const wild[] = {"0.5", "1.5", "2.0", "0.1", "3.", ".25", "1e-3", "2.5E+1", "1e30", "0.75"};
    static const char *const tame[] = {"0.5", "1.5", "0.25", "0.75", "2.0", "0.1"};
    const char *text = g->mode == VG_WILD ? wild[vg_rand(g->st) % 10] : tame[vg_rand(g->st) % 6];
    vg_node *n = vg_new(g, VG_LIT, FA_TY_FLOAT, 0);
    n->lit.f = strtof(text, NULL);
    snprintf(n->text, sizeof n->text, "%s", text);
    return n;
}

static vg_node *vg_float_leaf(vg_ctx *g, int depth)
{
    int slot;
    switch (vg_rand(g->st) % 6) {
    case 0: case 1:
        if (g->allow_s)
            return vg_var(g, FA_VAR_S);
        if (g->params_only && (slot = vg_pick_param(g, false, true)) >= 0)
            return vg_new(g, VG_PARAM, FA_TY_FLOAT, slot);
        break;
    case 2:
        if ((slot = vg_pick_param(g, false, true)) >= 0)
            return vg_new(g, VG_PARAM, FA_TY_FLOAT, slot);
        break;
    case 3:
        if (depth > 0 && !g->params_only && (slot = vg_pick_param(g, true, true)) >= 0)
            return vg_load(g, slot, depth);
        break;
    case 4:
        if ((slot = vg_pick_let(g, FA_TY_FLOAT)) >= 0)
            return vg_new(g, VG_LET, FA_TY_FLOAT, slot);
        break;
    default: break;
    }
    return vg_float_lit(g);
}

static vg_node *vg_number(vg_ctx *g, int depth)
{
    return vg_expr(g, vg_chance(g->st, 50) ? FA_TY_INT : FA_TY_FLOAT, depth);
}

/* Tame masks and lets stay in ints; divisors are positive literals there. */
static vg_node *vg_int_op(vg_ctx *g, int depth)
{
    vg_node *a = vg_expr(g, FA_TY_INT, depth - 1);
    switch (vg_rand(g->st) % 10) {
    case 0: case 1: return vg_op(g, FA_OP_ADD, FA_TY_INT, a, vg_expr(g, FA_TY_INT, depth - 1));
    case 2: case 3: return vg_op(g, FA_OP_SUB, FA_TY_INT, a, vg_expr(g, FA_TY_INT, depth - 1));
    case 4:
        return vg_op(g, FA_OP_MUL, FA_TY_INT, a,
                     g->mode == VG_TAME ? vg_int(g, vg_range(g->st, 0, 3)) : vg_expr(g, FA_TY_INT, depth - 1));
    case 5: case 6: {
        fa_op op = vg_chance(g->st, 50) ? FA_OP_DIV : FA_OP_MOD;
        return vg_op(g, op, FA_TY_INT, a,
                     g->mode == VG_TAME ? vg_int(g, vg_range(g->st, 1, 64)) : vg_expr(g, FA_TY_INT, depth - 1));
    }
    case 7: return vg_op(g, FA_OP_NEG, FA_TY_INT, a, NULL);
    case 8: {
        fa_builtin_fn fn = (fa_builtin_fn)(FA_FN_ABS + vg_rand(g->st) % 3); /* abs, min, max */
        return fn == FA_FN_ABS ? vg_call(g, fn, FA_TY_INT, 1, a, NULL, NULL)
                               : vg_call(g, fn, FA_TY_INT, 2, a, vg_expr(g, FA_TY_INT, depth - 1), NULL);
    }
    default: {
        vg_node *c = vg_expr(g, FA_TY_BOOL, depth - 1);
        return vg_call(g, FA_FN_WHERE, FA_TY_INT, 3, c, a, vg_expr(g, FA_TY_INT, depth - 1));
    }
    }
}

static vg_node *vg_float_op(vg_ctx *g, int depth)
{
    vg_node *a = vg_expr(g, FA_TY_FLOAT, depth - 1), *b = vg_number(g, depth - 1), *t;
    if (vg_chance(g->st, 50))
        t = a, a = b, b = t;
    switch (vg_rand(g->st) % 10) {
    case 0: case 1: return vg_op(g, FA_OP_ADD, FA_TY_FLOAT, a, b);
    case 2: return vg_op(g, FA_OP_SUB, FA_TY_FLOAT, a, b);
    case 3: return vg_op(g, FA_OP_MUL, FA_TY_FLOAT, a, b);
    case 4: return vg_op(g, FA_OP_DIV, FA_TY_FLOAT, a, b);
    case 5: return vg_op(g, FA_OP_NEG, FA_TY_FLOAT, a->type == FA_TY_FLOAT ? a : b, NULL);
    case 6: {
        fa_builtin_fn fn = (fa_builtin_fn)(FA_FN_TANH + vg_rand(g->st) % 4); /* tanh exp exp2 log */
        return vg_call(g, fn, FA_TY_FLOAT, 1, vg_number(g, depth - 1), NULL, NULL);
    }
    case 7: return vg_call(g, FA_FN_ABS, FA_TY_FLOAT, 1, a->type == FA_TY_FLOAT ? a : b, NULL, NULL);
    case 8: return vg_call(g, vg_chance(g->st, 50) ? FA_FN_MIN : FA_FN_MAX, FA_TY_FLOAT, 2, a, b, NULL);
    default: return vg_call(g, FA_FN_WHERE, FA_TY_FLOAT, 3, vg_expr(g, FA_TY_BOOL, depth - 1), a, b);
    }
}

/* A comparison of position terms, the shape masks take (k <= q, q - k < w, k >= q - w,
 * k / c == q / c, k < t[b]...): what the tile analysis reasons about. */
static vg_node *vg_position_atom(vg_ctx *g)
{
    static const fa_op cmps[] = {FA_OP_LT, FA_OP_LE, FA_OP_GT, FA_OP_GE, FA_OP_EQ, FA_OP_NE};
    vg_node *q = vg_var(g, FA_VAR_Q), *k = vg_var(g, FA_VAR_K), *lhs, *rhs;
    int c = vg_range(g->st, 1, 70);
    switch (vg_rand(g->st) % 8) {
    case 0: case 1: lhs = k; break;
    case 2: lhs = vg_op(g, FA_OP_SUB, FA_TY_INT, q, k); break;
    case 3: lhs = vg_op(g, FA_OP_SUB, FA_TY_INT, k, q); break;
    case 4: lhs = vg_op(g, vg_chance(g->st, 50) ? FA_OP_DIV : FA_OP_MOD, FA_TY_INT, k, vg_int(g, c)); break;
    case 5: lhs = vg_call(g, FA_FN_ABS, FA_TY_INT, 1, vg_op(g, FA_OP_SUB, FA_TY_INT, q, k), NULL, NULL); break;
    case 6: lhs = vg_op(g, FA_OP_ADD, FA_TY_INT, k, vg_int(g, c)); break;
    default: lhs = vg_op(g, FA_OP_MUL, FA_TY_INT, k, vg_int(g, vg_range(g->st, 2, 3))); break;
    }
    switch (vg_rand(g->st) % 6) {
    case 0: case 1: rhs = q; break;
    case 2: rhs = vg_op(g, FA_OP_SUB, FA_TY_INT, q, vg_int_leaf(g, 1)); break;
    case 3: rhs = lhs->kind == VG_OP && lhs->aux != FA_OP_SUB ? vg_op(g, (fa_op)lhs->aux, FA_TY_INT, q, lhs->arg[1])
                                                           : vg_int_leaf(g, 1);
        break;
    default: rhs = vg_int_leaf(g, 1); break;
    }
    if (lhs->nargs == 2 && lhs->arg[0] == k && rhs->kind == VG_OP && rhs->arg[0] == q && vg_chance(g->st, 50))
        return vg_op(g, FA_OP_EQ, FA_TY_BOOL, lhs, rhs); /* k / c == q / c: chunks */
    uint32_t n_cmps = vg_chance(g->st, 80) ? 4u : 6u; /* mostly orderings */
    return vg_op(g, cmps[vg_rand(g->st) % n_cmps], FA_TY_BOOL, lhs, rhs);
}

static vg_node *vg_bool_op(vg_ctx *g, int depth)
{
    if (g->allow_qk && vg_chance(g->st, 40))
        return vg_position_atom(g);
    static const fa_op cmps[] = {FA_OP_LT, FA_OP_LE, FA_OP_GT, FA_OP_GE, FA_OP_EQ, FA_OP_NE};
    uint32_t op_kind = vg_rand(g->st) % 10;
    switch (op_kind) {
    case 0: case 1: case 2: case 3: {
        /* mostly ints (positions); wild masks also compare floats */
        bool floats = g->mode == VG_WILD && vg_chance(g->st, 25);
        vg_node *a = floats ? vg_number(g, depth - 1) : vg_expr(g, FA_TY_INT, depth - 1);
        vg_node *b = floats ? vg_expr(g, FA_TY_FLOAT, depth - 1) : vg_expr(g, FA_TY_INT, depth - 1);
        return vg_op(g, cmps[vg_rand(g->st) % 6], FA_TY_BOOL, a, b);
    }
    case 4: case 5: case 6: case 7: {
        vg_node *a = vg_expr(g, FA_TY_BOOL, depth - 1);
        return vg_op(g, op_kind < 6 ? FA_OP_AND : FA_OP_OR, FA_TY_BOOL, a, vg_expr(g, FA_TY_BOOL, depth - 1));
    }
    case 8: {
        vg_node *a = vg_expr(g, FA_TY_BOOL, depth - 1);
        if (vg_chance(g->st, 50))
            return vg_op(g, FA_OP_NOT, FA_TY_BOOL, a, NULL);
        fa_op op = vg_chance(g->st, 50) ? FA_OP_EQ : FA_OP_NE;
        return vg_op(g, op, FA_TY_BOOL, a, vg_expr(g, FA_TY_BOOL, depth - 1));
    }
    default: {
        vg_node *c = vg_expr(g, FA_TY_BOOL, depth - 1), *a = vg_expr(g, FA_TY_BOOL, depth - 1);
        return vg_call(g, FA_FN_WHERE, FA_TY_BOOL, 3, c, a, vg_expr(g, FA_TY_BOOL, depth - 1));
    }
    }
}

static vg_node *vg_expr(vg_ctx *g, fa_type type, int depth)
{
    vg_node *n;
    if (type == FA_TY_BOOL) {
        int let;
        if (depth <= 0 || vg_chance(g->st, 10)) {
            if ((let = vg_pick_let(g, FA_TY_BOOL)) >= 0 && vg_chance(g->st, 60))
                return vg_new(g, VG_LET, FA_TY_BOOL, let);
            if (vg_chance(g->st, 20)) {
                n = vg_new(g, VG_LIT, FA_TY_BOOL, 0);
                n->lit.b = vg_chance(g->st, 50);
                snprintf(n->text, sizeof n->text, "%s", n->lit.b ? "true" : "false");
                return n;
            }
            static const fa_op cmps[] = {FA_OP_LT, FA_OP_LE, FA_OP_GT, FA_OP_GE, FA_OP_EQ, FA_OP_NE};
            if (g->allow_qk && vg_chance(g->st, 60)) {
                n = vg_position_atom(g);
            } else {
                fa_op op = cmps[vg_rand(g->st) % 6];
                vg_node *a = vg_int_leaf(g, 0);
                n = vg_op(g, op, FA_TY_BOOL, a, vg_int_leaf(g, 0));
            }
        } else {
            n = vg_bool_op(g, depth);
        }
    } else if (depth <= 0 || vg_chance(g->st, 25)) {
        n = type == FA_TY_INT ? vg_int_leaf(g, depth) : vg_float_leaf(g, depth);
    } else {
        n = type == FA_TY_INT ? vg_int_op(g, depth) : vg_float_op(g, depth);
    }
    n->parens = vg_chance(g->st, 8);
    return n;
}

/* ---- tame scores and learned sinks ------------------------------------------------ */

static vg_node *vg_tame_float(vg_ctx *g, const char *text)
{
    vg_node *n = vg_new(g, VG_LIT, FA_TY_FLOAT, 0);
    n->lit.f = strtof(text, NULL);
    snprintf(n->text, sizeof n->text, "%s", text);
    return n;
}

/* A bias of bounded size: literals, f32 params and tensors, small multiples of positions
 * (ALiBi-like), selections. */
static vg_node *vg_tame_bias(vg_ctx *g, int depth)
{
    int slot;
    switch (vg_rand(g->st) % 6) {
    case 0:
        if ((slot = vg_pick_param(g, false, true)) >= 0)
            return vg_new(g, VG_PARAM, FA_TY_FLOAT, slot);
        break;
    case 1:
        if ((slot = vg_pick_param(g, true, true)) >= 0)
            return vg_load(g, slot, 2);
        break;
    case 2: case 3: {
        /* a slope of at most 3 (a literal, an f32 param or tensor): never a distance again,
         * whose square would take logits past what f32 LSEs hold to 1e-3 */
        int fp = vg_pick_param(g, false, true), ft = vg_pick_param(g, true, true);
        vg_node *slope = vg_chance(g->st, 50) || (fp < 0 && ft < 0)
                             ? vg_tame_float(g, vg_chance(g->st, 50) ? "0.01" : "0.125")
                         : fp >= 0 ? vg_new(g, VG_PARAM, FA_TY_FLOAT, fp)
                                   : vg_load(g, ft, 2);
        vg_node *dist = g->allow_qk ? vg_op(g, FA_OP_SUB, FA_TY_INT, vg_var(g, FA_VAR_Q), vg_var(g, FA_VAR_K))
                                    : vg_var(g, FA_VAR_H);
        return vg_op(g, FA_OP_MUL, FA_TY_FLOAT, slope, dist);
    }
    case 4:
        if (depth > 0) {
            vg_node *c = vg_expr(g, FA_TY_BOOL, 2), *a = vg_tame_bias(g, depth - 1);
            return vg_call(g, FA_FN_WHERE, FA_TY_FLOAT, 3, c, a, vg_tame_bias(g, depth - 1));
        }
        break;
    default: break;
    }
    return vg_float_lit(g);
}

/* A score of s scaled, capped or selected, plus biases. */
static vg_node *vg_tame_score(vg_ctx *g, int depth)
{
    if (depth <= 0)
        return vg_var(g, FA_VAR_S);
    vg_node *x;
    switch (vg_rand(g->st) % 7) {
    case 0:
        x = vg_tame_score(g, depth - 1);
        return vg_op(g, FA_OP_MUL, FA_TY_FLOAT, x, vg_float_lit(g));
    case 1: {
        /* c * tanh(x / c), c a literal cap or an f32 param */
        int slot = vg_pick_param(g, false, true);
        vg_node *c = slot >= 0 ? vg_new(g, VG_PARAM, FA_TY_FLOAT, slot) : vg_tame_float(g, "5.0");
        vg_node *inner = vg_op(g, FA_OP_DIV, FA_TY_FLOAT, vg_tame_score(g, depth - 1), c);
        return vg_op(g, FA_OP_MUL, FA_TY_FLOAT, c, vg_call(g, FA_FN_TANH, FA_TY_FLOAT, 1, inner, NULL, NULL));
    }
    case 2: case 3: {
        fa_op op = vg_chance(g->st, 50) ? FA_OP_ADD : FA_OP_SUB;
        x = vg_tame_score(g, depth - 1);
        return vg_op(g, op, FA_TY_FLOAT, x, vg_tame_bias(g, 1));
    }
    case 4: {
        vg_node *c = vg_expr(g, FA_TY_BOOL, 2);
        x = vg_tame_score(g, depth - 1);
        return vg_call(g, FA_FN_WHERE, FA_TY_FLOAT, 3, c, x, vg_tame_score(g, depth - 1));
    }
    case 5: {
        fa_builtin_fn fn = vg_chance(g->st, 50) ? FA_FN_MIN : FA_FN_MAX;
        x = vg_tame_score(g, depth - 1);
        return vg_call(g, fn, FA_TY_FLOAT, 2, x, vg_tame_bias(g, 0), NULL);
    }
    default: return vg_var(g, FA_VAR_S);
    }
}

/* ---- the variant ------------------------------------------------------------------ */

static void vg_make_params(vg_ctx *g)
{
    static const fa_extent dims[] = {FA_EXTENT_Q_HEADS, FA_EXTENT_KV_HEADS, FA_EXTENT_BATCH, FA_EXTENT_Q_LEN,
                                     FA_EXTENT_KV_LEN, FA_EXTENT_CONST};
    vg_variant *v = g->v;
    v->nparams = vg_range(g->st, 0, 5);
    for (int i = 0; i < v->nparams; i++) {
        vg_param *p = &v->params[i];
        p->tensor = vg_chance(g->st, 40);
        p->is_f32 = vg_chance(g->st, 50);
        snprintf(p->name, sizeof p->name, "%c%d", p->tensor ? 't' : 'p', i);
        if (!p->tensor)
            continue;
        p->ndims = vg_range(g->st, 1, g->mode == VG_WILD ? 3 : 2);
        for (int d = 0; d < p->ndims; d++) {
            p->dim[d] = dims[vg_rand(g->st) % 6];
            p->const_dim[d] = p->dim[d] == FA_EXTENT_CONST ? vg_range(g->st, 1, 5) : 0;
        }
    }
}

/* Does n read (through lets too) q or k, or, with `any`, any launch data: a builtin
 * variable or a tensor element? */
static bool vg_reads(const vg_variant *v, const vg_node *n, bool any)
{
    if (n->kind == VG_VAR || n->kind == VG_LOAD)
        return any || (n->kind == VG_VAR && (n->aux == FA_VAR_Q || n->aux == FA_VAR_K));
    if (n->kind == VG_LET)
        return vg_reads(v, v->let_expr[n->aux], any);
    for (int i = 0; i < n->nargs; i++)
        if (vg_reads(v, n->arg[i], any))
            return true;
    return false;
}

/* Operator precedence as in C, loosest first; 7: unary, 8: primary. */
static int vg_op_prec(fa_op op, int nargs)
{
    if (nargs == 1)
        return 7;
    switch (op) {
    case FA_OP_OR: return 1;
    case FA_OP_AND: return 2;
    case FA_OP_EQ: case FA_OP_NE: return 3;
    case FA_OP_LT: case FA_OP_LE: case FA_OP_GT: case FA_OP_GE: return 4;
    case FA_OP_ADD: case FA_OP_SUB: return 5;
    default: return 6;
    }
}

static int vg_prec(const vg_node *n)
{
    return n->kind == VG_OP && !n->parens ? vg_op_prec((fa_op)n->aux, n->nargs) : 8;
}

static void vg_put(fa_buf *b, const vg_variant *v, const vg_node *n);

static void vg_put_sub(fa_buf *b, const vg_variant *v, const vg_node *n, bool parens)
{
    fa_buf_puts(b, parens ? "(" : "");
    vg_put(b, v, n);
    fa_buf_puts(b, parens ? ")" : "");
}

/* Writes n with the parentheses its precedence needs (binaries associate to the left) and
 * the redundant ones it was drawn with. */
static void vg_put(fa_buf *b, const vg_variant *v, const vg_node *n)
{
    static const char *const var_names[] = {"s", "q", "k", "h", "hk", "b", "q_len", "kv_len"};
    static const char *const fn_names[] = {"tanh", "exp", "exp2", "log", "abs", "min", "max", "where"};
    static const char *const op_text[] = {"+", "-", "*", "/", "%", "<", "<=", ">", ">=", "==", "!=", "&&", "||",
                                          "!", "-"};
    fa_buf_puts(b, n->parens ? "(" : "");
    switch (n->kind) {
    case VG_LIT: fa_buf_puts(b, n->text); break;
    case VG_VAR: fa_buf_puts(b, var_names[n->aux]); break;
    case VG_PARAM: fa_buf_puts(b, v->params[n->aux].name); break;
    case VG_LET: fa_buf_puts(b, v->let_name[n->aux]); break;
    case VG_LOAD:
    case VG_CALL:
        fa_buf_puts(b, n->kind == VG_CALL ? fn_names[n->aux] : v->params[n->aux].name);
        fa_buf_puts(b, n->kind == VG_CALL ? "(" : "[");
        for (int i = 0; i < n->nargs; i++) {
            fa_buf_puts(b, i ? ", " : "");
            vg_put(b, v, n->arg[i]);
        }
        fa_buf_puts(b, n->kind == VG_CALL ? ")" : "]");
        break;
    case VG_OP: {
        int p = vg_op_prec((fa_op)n->aux, n->nargs);
        if (n->nargs == 1) {
            fa_buf_printf(b, "%s ", op_text[n->aux]); /* the space keeps "- -x" apart */
            vg_put_sub(b, v, n->arg[0], vg_prec(n->arg[0]) < 7);
        } else {
            vg_put_sub(b, v, n->arg[0], vg_prec(n->arg[0]) < p);
            fa_buf_printf(b, " %s ", op_text[n->aux]);
            vg_put_sub(b, v, n->arg[1], vg_prec(n->arg[1]) <= p);
        }
        break;
    }
    }
    fa_buf_puts(b, n->parens ? ")" : "");
}

static void vg_put_param(fa_buf *b, vg_param *p, uint64_t *st)
{
    static const char *const extents[] = {"q_heads", "kv_heads", "batch", "q_len", "kv_len"};
    fa_buf_printf(b, "    param %s : %s", p->name, p->is_f32 ? "f32" : "i32");
    if (p->tensor) {
        for (int d = 0; d < p->ndims; d++) {
            fa_buf_puts(b, d ? ", " : "[");
            if (p->dim[d] == FA_EXTENT_CONST)
                fa_buf_printf(b, "%d", p->const_dim[d]);
            else
                fa_buf_puts(b, extents[p->dim[d]]);
        }
        fa_buf_puts(b, "]");
    } else if ((p->has_default = vg_chance(st, 50))) {
        static const char *const f32_defaults[] = {"2.5", "-1", "3", "1e-2"};
        if (p->is_f32) {
            const char *text = f32_defaults[vg_rand(st) % 4];
            float f = strtof(text, NULL);
            memcpy(&p->default_bits, &f, 4);
            fa_buf_printf(b, " = %s", text);
        } else {
            int32_t i = vg_range(st, -50, 500);
            p->default_bits = (uint32_t)i;
            fa_buf_printf(b, " = %d", i);
        }
    }
    fa_buf_puts(b, ";\n");
}

/* "sink N;" as a constant expression, with its value. */
static int vg_put_sink(fa_buf *b, uint64_t *st)
{
    int a = vg_range(st, 0, 40), c = vg_range(st, 1, 9);
    switch (vg_rand(st) % 4) {
    case 0: fa_buf_printf(b, "    sink %d;\n", a); return a;
    case 1: fa_buf_printf(b, "    sink %d + %d;\n", a, c); return a + c;
    case 2: fa_buf_printf(b, "    sink (%d + %d) / %d;\n", a, c, c); return (a + c) / c;
    default: fa_buf_printf(b, "    sink %d * %d %% 50;\n", a, c); return a * c % 50;
    }
}

static fa_ir_val vg_eval(const vg_variant *v, const vg_node *n, const fa_ir_env *env, bool *fr);

/* Sets env's slot of every param n reads (through lets) to its default; false when one has
 * none. */
static bool vg_defaults(const vg_variant *v, const vg_node *n, fa_ir_env *env)
{
    if (n->kind == VG_PARAM) {
        env->vparam[n->aux] = v->params[n->aux].default_bits;
        return v->params[n->aux].has_default;
    }
    if (n->kind == VG_LET)
        return vg_defaults(v, v->let_expr[n->aux], env);
    bool all = true;
    for (int i = 0; i < n->nargs; i++)
        all &= vg_defaults(v, n->arg[i], env);
    return all;
}

/* Writes the requires. A variant must compile, so one that the params' defaults (all it
 * reads having one) fail is written negated, and one whose value there is fragile is
 * dropped. */
static void vg_put_requires(fa_buf *b, vg_ctx *g)
{
    vg_variant *v = g->v;
    int kept = 0;
    for (int i = 0; i < v->nrequires; i++) {
        vg_node *r = v->require[i];
        fa_ir_env env = {0};
        bool fragile = false;
        if (vg_defaults(v, r, &env) && !vg_eval(v, r, &env, &fragile).b)
            r = vg_op(g, FA_OP_NOT, FA_TY_BOOL, r, NULL);
        if (fragile)
            continue;
        v->require[kept++] = r;
        fa_buf_puts(b, "    require ");
        vg_put(b, v, r);
        fa_buf_puts(b, ";\n");
    }
    v->nrequires = kept;
}

void vg_generate(vg_variant *v, uint64_t *state, vg_mode mode, int serial)
{
    memset(v, 0, sizeof *v);
    v->pool = calloc(VG_MAX_NODES, sizeof *v->pool);
    vg_ctx g = {.v = v, .st = state, .mode = mode, .allow_lets = true};
    bool tame = mode == VG_TAME;
    vg_make_params(&g);
    v->nlets = vg_range(state, 0, 3);
    for (int i = 0; i < v->nlets; i++) {
        static const fa_type types[] = {FA_TY_INT, FA_TY_BOOL, FA_TY_FLOAT};
        g.allow_qk = tame || vg_chance(state, 70);
        g.lets_visible = i;
        snprintf(v->let_name[i], sizeof v->let_name[i], "l%d", i);
        fa_type type = types[vg_rand(state) % (tame ? 2u : 3u)];
        v->let_expr[i] = vg_expr(&g, type, vg_range(state, 1, 3));
    }
    g.lets_visible = v->nlets;
    g.allow_qk = true;
    if (vg_chance(state, 90))
        v->mask = vg_expr(&g, FA_TY_BOOL, vg_range(state, 1, 4));
    g.allow_s = true;
    if (vg_chance(state, 60)) {
        fa_type type = tame || vg_chance(state, 85) ? FA_TY_FLOAT : FA_TY_INT;
        v->score = tame ? vg_tame_score(&g, vg_range(state, 1, 3)) : vg_expr(&g, type, vg_range(state, 1, 4));
    }
    g.allow_s = g.allow_qk = false;
    g.allow_lets = !tame;
    if (vg_chance(state, 25))
        v->sink_logit = tame ? vg_tame_bias(&g, 2) : vg_number(&g, vg_range(state, 1, 3));
    /* Requires in wild variants only (tame launches draw values they could refuse), from a
     * stream of their own: the rest of the variant is what the seed made before them. */
    uint64_t rstate = *state ^ 0x9e3779b97f4a7c15ULL;
    vg_ctx r = {.v = v, .st = &rstate, .mode = mode, .allow_lets = true, .params_only = true,
                .lets_visible = v->nlets};
    v->nrequires = !tame && vg_chance(&rstate, 40) ? vg_range(&rstate, 1, VG_MAX_REQUIRES) : 0;
    for (int i = 0; i < v->nrequires; i++)
        v->require[i] = vg_expr(&r, FA_TY_BOOL, vg_range(&rstate, 1, 3));

    fa_buf b = {0};
    bool params_last = vg_chance(state, 30); /* params are visible before their declaration */
    fa_buf_printf(&b, "# random variant %d\nvariant g%d {\n", serial, serial);
    for (int i = 0; !params_last && i < v->nparams; i++)
        vg_put_param(&b, &v->params[i], state);
    for (int i = 0; i < v->nlets; i++) {
        fa_buf_printf(&b, "    let %s = ", v->let_name[i]);
        vg_put(&b, v, v->let_expr[i]);
        fa_buf_puts(&b, ";\n");
    }
    static const char *const roots[] = {"mask", "score", "sink_logit"};
    vg_node *const exprs[] = {v->mask, v->score, v->sink_logit};
    for (int i = 0; i < 3; i++) {
        if (!exprs[i])
            continue;
        fa_buf_printf(&b, "    %s = ", roots[i]);
        vg_put(&b, v, exprs[i]);
        fa_buf_puts(&b, ";\n");
    }
    if (vg_chance(state, 30))
        v->sink = vg_put_sink(&b, state);
    for (int i = 0; params_last && i < v->nparams; i++)
        vg_put_param(&b, &v->params[i], state);
    vg_put_requires(&b, &r);
    fa_buf_puts(&b, "}\n");
    v->source = fa_buf_take(&b);
}

void vg_free(vg_variant *v)
{
    free(v->source);
    free(v->pool);
    memset(v, 0, sizeof *v);
}

/* ---- evaluation --------------------------------------------------------------------- */

long long vg_tensor_size(const vg_param *p, const int32_t *extent)
{
    long long n = 1;
    for (int d = 0; d < p->ndims; d++)
        n *= p->dim[d] == FA_EXTENT_CONST ? p->const_dim[d] : extent[p->dim[d]];
    return n;
}

static float vg_as_float(fa_ir_val x, fa_type t)
{
    return t == FA_TY_FLOAT ? x.f : (float)x.i;
}

/* Could f32 rounding done another way flip a comparison of a and b? */
static bool vg_close(float a, float b)
{
    if (!isfinite(a) || !isfinite(b))
        return true;
    return fabs((double)a - (double)b) <= 1e-5 * fmax(fabs((double)a), fabs((double)b)) + 1e-30;
}

/* A float result below float32's normal range is 0, as the kernels flush it. */
static fa_ir_val vg_flush(fa_ir_val r, fa_type t)
{
    if (t == FA_TY_FLOAT && fabsf(r.f) < FLT_MIN)
        r.f = 0.0f * r.f;
    return r;
}

static fa_ir_val vg_eval_load(const vg_variant *v, const vg_node *n, const fa_ir_env *env, bool *fr)
{
    const vg_param *p = &v->params[n->aux];
    int64_t index = 0;
    bool inside = true;   /* every index inside its dimension, else the element reads 0 */
    for (int d = 0; d < p->ndims; d++) {
        int32_t size = p->dim[d] == FA_EXTENT_CONST ? p->const_dim[d] : env->extent[p->dim[d]];
        int32_t i = vg_eval(v, n->arg[d], env, fr).i;
        inside &= i >= 0 && i < size;
        index = index * size + i;
    }
    fa_ir_val r = {0};
    if (inside)
        memcpy(&r, (const char *)(uintptr_t)env->vparam[n->aux] + 4 * (size_t)index, 4);
    return r;
}

static fa_ir_val vg_eval_op(const vg_variant *v, const vg_node *n, const fa_ir_env *env, bool *fr)
{
    fa_ir_val r = {0}, a, b = {0};
    bool fa = false, fb = false;
    a = vg_eval(v, n->arg[0], env, &fa);
    if (n->nargs == 2)
        b = vg_eval(v, n->arg[1], env, &fb);
    fa_type ta = n->arg[0]->type, tb = n->nargs == 2 ? n->arg[1]->type : ta;
    bool fl = ta == FA_TY_FLOAT || tb == FA_TY_FLOAT;
    float x = vg_as_float(a, ta), y = vg_as_float(b, tb);
    bool doubt = fa || fb;
    switch ((fa_op)n->aux) {
    case FA_OP_ADD: if (fl) r.f = x + y; else r.i = fa_wadd(a.i, b.i); break;
    case FA_OP_SUB: if (fl) r.f = x - y; else r.i = fa_wsub(a.i, b.i); break;
    case FA_OP_MUL: if (fl) r.f = x * y; else r.i = fa_wmul(a.i, b.i); break;
    case FA_OP_DIV: if (fl) r.f = x / y; else r.i = fa_idiv(a.i, b.i); break;
    case FA_OP_MOD: r.i = fa_imod(a.i, b.i); break;
    case FA_OP_NEG: if (fl) r.f = -x; else r.i = fa_wneg(a.i); break;
    case FA_OP_NOT: r.b = !a.b; break;
    case FA_OP_AND:
    case FA_OP_OR: {
        /* a side that settles the result without doubt makes the other side's doubt moot */
        bool settle = n->aux == FA_OP_OR;
        r.b = settle ? a.b || b.b : a.b && b.b;
        if ((a.b == settle && !fa) || (b.b == settle && !fb))
            doubt = false;
        break;
    }
    default: {
        if (fl)
            doubt |= vg_close(x, y);
        int c = fl ? (x < y ? -1 : x > y ? 1 : x == y ? 0 : 2) /* 2: unordered */
                   : ta == FA_TY_BOOL ? (int)a.b - (int)b.b : (a.i < b.i ? -1 : a.i > b.i);
        switch ((fa_op)n->aux) {
        case FA_OP_LT: r.b = c == -1; break;
        case FA_OP_LE: r.b = c == -1 || c == 0; break;
        case FA_OP_GT: r.b = c == 1; break;
        case FA_OP_GE: r.b = c == 1 || c == 0; break;
        case FA_OP_EQ: r.b = c == 0; break;
        default: r.b = c != 0; break;
        }
    }
    }
    *fr |= doubt;
    return vg_flush(r, n->type);
}

static fa_ir_val vg_eval_call(const vg_variant *v, const vg_node *n, const fa_ir_env *env, bool *fr)
{
    fa_ir_val a[3] = {{0}}, r = {0};
    float x[3] = {0};
    bool doubt[3] = {false};
    for (int i = 0; i < n->nargs; i++) {
        a[i] = vg_eval(v, n->arg[i], env, &doubt[i]);
        x[i] = vg_as_float(a[i], n->arg[i]->type);
    }
    bool fl = n->type == FA_TY_FLOAT;
    switch ((fa_builtin_fn)n->aux) {
    case FA_FN_TANH: r.f = tanhf(x[0]); break;
    case FA_FN_EXP: r.f = expf(x[0]); break;
    case FA_FN_EXP2: r.f = exp2f(x[0]); break;
    case FA_FN_LOG: r.f = logf(x[0]); break;
    case FA_FN_ABS: if (fl) r.f = fabsf(x[0]); else r.i = a[0].i < 0 ? fa_wneg(a[0].i) : a[0].i; break;
    case FA_FN_MIN: if (fl) r.f = fminf(x[0], x[1]); else r.i = a[0].i < a[1].i ? a[0].i : a[1].i; break;
    case FA_FN_MAX: if (fl) r.f = fmaxf(x[0], x[1]); else r.i = a[0].i > a[1].i ? a[0].i : a[1].i; break;
    default: { /* where */
        int pick = a[0].b ? 1 : 2;
        if (fl)
            r.f = x[pick];
        else
            r = a[pick];
        *fr |= doubt[0] || doubt[pick];
        return r;
    }
    }
    *fr |= doubt[0] || doubt[1];
    return vg_flush(r, n->type);
}

static fa_ir_val vg_eval(const vg_variant *v, const vg_node *n, const fa_ir_env *env, bool *fr)
{
    fa_ir_val r = {0};
    switch (n->kind) {
    case VG_LIT: return n->lit;
    case VG_VAR:
        if (n->aux == FA_VAR_S)
            r.f = env->s;
        else
            r.i = env->var[n->aux];
        return r;
    case VG_PARAM: {
        uint32_t bits = (uint32_t)env->vparam[n->aux];
        memcpy(&r, &bits, 4);
        return r;
    }
    case VG_LOAD: return vg_eval_load(v, n, env, fr);
    case VG_LET: return vg_eval(v, v->let_expr[n->aux], env, fr);
    case VG_OP: return vg_eval_op(v, n, env, fr);
    default: return vg_eval_call(v, n, env, fr);
    }
}

fa_ir_val vg_eval_mask(const vg_variant *v, const fa_ir_env *env, bool *fragile)
{
    fa_ir_val r = {.b = true};
    return v->mask ? vg_eval(v, v->mask, env, fragile) : r;
}

bool vg_eval_visible(const vg_variant *v, const fa_ir_env *env, bool *fragile)
{
    int q = env->var[FA_VAR_Q], k = env->var[FA_VAR_K];
    bool doubt = false, mask = vg_eval_mask(v, env, &doubt).b;
    if (k < v->sink && k <= q)
        return true;
    *fragile |= doubt;
    return mask;
}

/* An int result becomes a float, as for score and sink_logit. */
static float vg_eval_number(const vg_variant *v, const vg_node *n, const fa_ir_env *env, bool *fragile)
{
    return vg_as_float(vg_eval(v, n, env, fragile), n->type);
}

float vg_eval_score(const vg_variant *v, const fa_ir_env *env, bool *fragile)
{
    return v->score ? vg_eval_number(v, v->score, env, fragile) : env->s;
}

float vg_eval_sink_logit(const vg_variant *v, const fa_ir_env *env, bool *fragile)
{
    return v->sink_logit ? vg_eval_number(v, v->sink_logit, env, fragile) : -INFINITY;
}

int vg_eval_requires(const vg_variant *v, const fa_ir_env *env, bool *fragile)
{
    for (int i = 0; i < v->nrequires; i++) {
        bool doubt = false;
        bool holds = vg_eval(v, v->require[i], env, &doubt).b;
        *fragile |= doubt;
        if (!holds)
            return i;
    }
    return -1;
}

/* ---- tame parameter values ------------------------------------------------------------ */

void vg_tame_params(const vg_variant *v, uint64_t *state, const int32_t *extent, uint64_t *vparam, void **host)
{
    for (int i = 0; i < v->nparams; i++) {
        const vg_param *p = &v->params[i];
        host[i] = NULL;
        if (!p->tensor) {
            float f = (float)vg_range(state, 50, 300) / 100.0f;
            f = vg_chance(state, 30) ? -f : f;
            uint32_t bits;
            memcpy(&bits, &f, 4);
            vparam[i] = p->is_f32 ? bits : (uint32_t)vg_range(state, 1, 300);
            continue;
        }
        long long n = vg_tensor_size(p, extent);
        int32_t *t = malloc((size_t)(n > 0 ? n : 1) * 4);
        int32_t id = 0;
        for (long long j = 0; j < n; j++) {
            if (p->is_f32) {
                float f = (float)vg_range(state, -100, 100) / 100.0f;
                memcpy(&t[j], &f, 4);
            } else {
                id += vg_chance(state, 5); /* runs of ids, as documents */
                t[j] = vg_chance(state, 10) ? vg_range(state, 0, 300) : id;
            }
        }
        host[i] = t;
        vparam[i] = (uint64_t)(uintptr_t)t;
    }
}
