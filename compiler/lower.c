/* lower.c - the checked AST of one variant to IR: implicit int->float conversions become
 * itof, > and >= become < and <= with swapped operands, lets become shared nodes, tensor
 * indices become one row-major linear index, and the roots get their sink rule. */
#include "ir.h"

#include <stdlib.h>
#include <string.h>

typedef struct fa_lower_ctx {
    fa_ir *ir;
    fa_ir_node **let_nodes;   /* a lowered let's node, by its decl's order */
} fa_lower_ctx;

static fa_ir_node *fa_lower_expr(fa_lower_ctx *L, const fa_expr *e);

static fa_ir_node *fa_lower_to(fa_lower_ctx *L, fa_ir_node *n, fa_type t)
{
    return n->type == FA_TY_INT && t == FA_TY_FLOAT ? fa_ir_make(L->ir, FA_IR_ITOF, n, NULL, NULL) : n;
}

/* Lowers e converted to type t (an int operand of a float operation). */
static fa_ir_node *fa_lower_as(fa_lower_ctx *L, const fa_expr *e, fa_type t)
{
    return fa_lower_to(L, fa_lower_expr(L, e), t);
}

static fa_ir_node *fa_lower_let(fa_lower_ctx *L, const fa_decl *d)
{
    if (!L->let_nodes[d->order])
        L->let_nodes[d->order] = fa_lower_expr(L, d->value);
    return L->let_nodes[d->order];
}

/* Whether index `ix` of a dimension of extent `extent` is inside it wherever its value
 * matters: h, hk and b always are in q_heads, kv_heads and batch, and k in kv_len for every
 * key a query may see (k < kv_len <= seqlen_k; keys past kv_len are never visible, so what
 * they read is dropped). The check would cost a bias[h, k] score 24% (H200, 8k tokens). */
static bool fa_lower_index_inside(const fa_expr *ix, fa_extent extent)
{
    if (ix->kind != FA_E_NAME || ix->sym_kind != FA_SYM_BUILTIN)
        return false;
    return (ix->sym_index == FA_VAR_H && extent == FA_EXTENT_Q_HEADS) ||
           (ix->sym_index == FA_VAR_HK && extent == FA_EXTENT_KV_HEADS) ||
           (ix->sym_index == FA_VAR_B && extent == FA_EXTENT_BATCH) ||
           (ix->sym_index == FA_VAR_K && extent == FA_EXTENT_KV_LEN);
}

/* tensor[i0, i1, ...] -> load at ((i0 * d1 + i1) * d2 + ...). With several dimensions,
 * at -1 (which reads 0, as the load's own bound makes every offset outside the tensor)
 * unless every index is inside its dimension: t[h, 5] of f32[q_heads, 4] must not read
 * t[h + 1, 1]. */
static fa_ir_node *fa_lower_index(fa_lower_ctx *L, const fa_expr *e)
{
    const fa_decl *d = e->sym_decl;
    fa_ir_node *index = NULL, *inside = NULL;
    for (int i = 0; i < e->call.nargs; i++) {
        const fa_dim *dim = &d->dims[i];
        fa_ir_node *extent = dim->extent == FA_EXTENT_CONST ? fa_ir_const_int(L->ir, dim->value)
                                                            : fa_ir_dim(L->ir, dim->extent);
        fa_ir_node *ix = fa_lower_expr(L, e->call.args[i]);
        index = i ? fa_ir_make(L->ir, FA_IR_ADD, fa_ir_make(L->ir, FA_IR_MUL, index, extent, NULL), ix, NULL) : ix;
        if (e->call.nargs == 1 || fa_lower_index_inside(e->call.args[i], dim->extent))
            continue;
        fa_ir_node *ok = fa_ir_make(L->ir, FA_IR_AND, fa_ir_make(L->ir, FA_IR_LE, fa_ir_const_int(L->ir, 0), ix, NULL),
                                    fa_ir_make(L->ir, FA_IR_LT, ix, extent, NULL), NULL);
        inside = inside ? fa_ir_make(L->ir, FA_IR_AND, inside, ok, NULL) : ok;
    }
    if (inside)
        index = fa_ir_make(L->ir, FA_IR_SELECT, inside, index, fa_ir_const_int(L->ir, -1));
    return fa_ir_load(L->ir, e->sym_index, index);
}

static fa_ir_node *fa_lower_call(fa_lower_ctx *L, const fa_expr *e)
{
    fa_expr *const *a = e->call.args;
    switch ((fa_builtin_fn)e->sym_index) {
    case FA_FN_TANH: return fa_ir_make(L->ir, FA_IR_TANH, fa_lower_as(L, a[0], FA_TY_FLOAT), NULL, NULL);
    case FA_FN_EXP: return fa_ir_make(L->ir, FA_IR_EXP, fa_lower_as(L, a[0], FA_TY_FLOAT), NULL, NULL);
    case FA_FN_EXP2: return fa_ir_make(L->ir, FA_IR_EXP2, fa_lower_as(L, a[0], FA_TY_FLOAT), NULL, NULL);
    case FA_FN_LOG: return fa_ir_make(L->ir, FA_IR_LOG, fa_lower_as(L, a[0], FA_TY_FLOAT), NULL, NULL);
    case FA_FN_ABS: return fa_ir_make(L->ir, FA_IR_ABS, fa_lower_expr(L, a[0]), NULL, NULL);
    case FA_FN_MIN:
    case FA_FN_MAX:
        return fa_ir_make(L->ir, e->sym_index == FA_FN_MIN ? FA_IR_MIN : FA_IR_MAX, fa_lower_as(L, a[0], e->type),
                        fa_lower_as(L, a[1], e->type), NULL);
    case FA_FN_WHERE:
        return fa_ir_make(L->ir, FA_IR_SELECT, fa_lower_expr(L, a[0]), fa_lower_as(L, a[1], e->type),
                        fa_lower_as(L, a[2], e->type));
    case FA_FN__COUNT: break;
    }
    return NULL;
}

static fa_ir_node *fa_lower_binary(fa_lower_ctx *L, const fa_expr *e)
{
    static const fa_ir_op ops[FA_OP__COUNT] = {
        [FA_OP_ADD] = FA_IR_ADD, [FA_OP_SUB] = FA_IR_SUB, [FA_OP_MUL] = FA_IR_MUL, [FA_OP_DIV] = FA_IR_DIV,
        [FA_OP_MOD] = FA_IR_MOD, [FA_OP_LT] = FA_IR_LT,   [FA_OP_LE] = FA_IR_LE,   [FA_OP_GT] = FA_IR_LT,
        [FA_OP_GE] = FA_IR_LE,   [FA_OP_EQ] = FA_IR_EQ,   [FA_OP_NE] = FA_IR_NE,   [FA_OP_AND] = FA_IR_AND,
        [FA_OP_OR] = FA_IR_OR,
    };
    fa_op op = e->op.op;
    /* Operands share one type: the result's for arithmetic, the wider one for comparisons. */
    fa_type ta = e->op.a->type, tb = e->op.b->type;
    fa_type t = e->type != FA_TY_BOOL ? e->type : (ta == FA_TY_FLOAT || tb == FA_TY_FLOAT) ? FA_TY_FLOAT : ta;
    fa_ir_node *a = fa_lower_as(L, e->op.a, t), *b = fa_lower_as(L, e->op.b, t);
    bool swap = op == FA_OP_GT || op == FA_OP_GE;
    return fa_ir_make(L->ir, ops[op], swap ? b : a, swap ? a : b, NULL);
}

static fa_ir_node *fa_lower_expr(fa_lower_ctx *L, const fa_expr *e)
{
    switch (e->kind) {
    case FA_E_INT: return fa_ir_const_int(L->ir, e->ival);
    case FA_E_FLOAT: return fa_ir_const_float(L->ir, (float)e->fval);
    case FA_E_BOOL: return fa_ir_const_bool(L->ir, e->bval);
    case FA_E_NAME:
        if (e->sym_kind == FA_SYM_BUILTIN)
            return fa_ir_var(L->ir, (fa_builtin_var)e->sym_index);
        if (e->sym_kind == FA_SYM_LET)
            return fa_lower_let(L, e->sym_decl);
        return fa_ir_param(L->ir, e->sym_index);
    case FA_E_INDEX: return fa_lower_index(L, e);
    case FA_E_CALL: return fa_lower_call(L, e);
    case FA_E_UNARY:
        return fa_ir_make(L->ir, e->op.op == FA_OP_NOT ? FA_IR_NOT : FA_IR_NEG, fa_lower_expr(L, e->op.a), NULL, NULL);
    case FA_E_BINARY: return fa_lower_binary(L, e);
    }
    return NULL;
}

static void fa_lower_param(fa_lower_ctx *L, const fa_decl *d)
{
    fa_param_info *p = &L->ir->params[d->param_index];
    p->name = fa_arena_strndup(L->ir->arena, d->name, strlen(d->name));
    p->type = d->ptype;
    p->is_tensor = d->is_tensor;
    p->ndims = d->ndims;
    for (int i = 0; i < d->ndims; i++) {
        p->dims[i] = d->dims[i].extent;
        p->const_dims[i] = d->dims[i].value;
    }
    if (d->value) {
        p->has_default = true;
        p->default_value = d->value->kind == FA_E_INT ? (double)d->value->ival : d->value->fval;
    }
    if (d->param_index >= L->ir->nparams)
        L->ir->nparams = d->param_index + 1;
}

/* visible = mask || (k < N && k <= q) for `sink N`, N > 0. */
static fa_ir_node *fa_lower_visible(fa_ir *ir, fa_ir_node *mask)
{
    if (ir->sink_tokens <= 0)
        return mask;
    fa_ir_node *q = fa_ir_var(ir, FA_VAR_Q), *k = fa_ir_var(ir, FA_VAR_K);
    fa_ir_node *sink = fa_ir_make(ir, FA_IR_AND, fa_ir_make(ir, FA_IR_LT, k, fa_ir_const_int(ir, ir->sink_tokens), NULL),
                                fa_ir_make(ir, FA_IR_LE, k, q, NULL), NULL);
    return fa_ir_make(ir, FA_IR_OR, mask, sink, NULL);
}

/* A context over u's variant: an IR of its name holding its params, no lets lowered yet. */
static fa_lower_ctx fa_lower_begin(const fa_unit *u)
{
    const fa_variant *v = u->variants;
    int n_decls = 0;
    for (const fa_decl *d = v->decls; d; d = d->next)
        n_decls++;
    fa_lower_ctx L = {.ir = fa_ir_new(v->name)};
    L.let_nodes = fa_xcalloc((size_t)n_decls + 1, sizeof *L.let_nodes);
    for (const fa_decl *d = v->decls; d; d = d->next)
        if (d->kind == FA_D_PARAM)
            fa_lower_param(&L, d);
    return L;
}

fa_ir *fa_lower(const fa_unit *u)
{
    fa_lower_ctx L = fa_lower_begin(u);
    fa_ir *ir = L.ir;
    fa_ir_node *mask = NULL;
    for (const fa_decl *d = u->variants->decls; d; d = d->next) {
        switch (d->kind) {
        case FA_D_MASK: mask = fa_lower_expr(&L, d->value); break;
        case FA_D_SCORE: ir->root[FA_IR_ROOT_SCORE] = fa_lower_as(&L, d->value, FA_TY_FLOAT); break;
        case FA_D_SINK: ir->sink_tokens = (int)d->value->ival; break;
        case FA_D_SINK_LOGIT:
            ir->root[FA_IR_ROOT_SINK_LOGIT] = fa_lower_as(&L, d->value, FA_TY_FLOAT);
            break;
        case FA_D_PARAM:
        case FA_D_LET:
        case FA_D_REQUIRE: break;
        }
    }
    free(L.let_nodes);
    if (!mask)
        mask = fa_ir_const_bool(ir, true);
    ir->root[FA_IR_ROOT_MASK] = mask;
    ir->root[FA_IR_ROOT_VISIBLE] = fa_lower_visible(ir, mask);
    fa_ir_number(ir);
    return ir;
}

fa_ir *fa_lower_require(const fa_unit *u, const fa_decl *require)
{
    fa_lower_ctx L = fa_lower_begin(u);
    L.ir->root[FA_IR_ROOT_MASK] = L.ir->root[FA_IR_ROOT_VISIBLE] = fa_lower_expr(&L, require->value);
    free(L.let_nodes);
    fa_ir_number(L.ir);
    return L.ir;
}
