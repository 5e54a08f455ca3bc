/* ir.c - the variant IR: builders, numbering, rewriting, verifier, text dump, hash and
 * the CPU evaluator (the reference semantics the emitted CUDA follows). */
#include "ir.h"

#include <float.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    int nargs;
} fa_ir_ops[] = {
#define X(id, name, nargs) {name, nargs},
    FA_IR_OP_LIST(X)
#undef X
};

static const char *const fa_ir_roots[] = {
#define X(id, name) name,
    FA_IR_ROOT_LIST(X)
#undef X
};

static const char *const fa_ir_vars[] = {
#define X(id, name, ty) name,
    FA_BUILTIN_VAR_LIST(X)
#undef X
};

static const char *const fa_ir_extents[] = {
#define X(id, name) name,
    FA_EXTENT_LIST(X)
#undef X
};

const char *fa_ir_op_name(fa_ir_op op)
{
    return fa_ir_ops[op].name;
}

int fa_ir_op_nargs(fa_ir_op op)
{
    return fa_ir_ops[op].nargs;
}

const char *fa_ir_root_name(fa_ir_root r)
{
    return fa_ir_roots[r];
}

bool fa_ir_commutative(fa_ir_op op)
{
    return op == FA_IR_ADD || op == FA_IR_MUL || op == FA_IR_EQ || op == FA_IR_NE || op == FA_IR_AND ||
           op == FA_IR_OR || op == FA_IR_MIN || op == FA_IR_MAX;
}

/* ---- building ------------------------------------------------------------------------ */

fa_ir *fa_ir_new(const char *name)
{
    fa_ir *ir = fa_xcalloc(1, sizeof *ir);
    ir->arena = fa_arena_new();
    ir->name = fa_arena_strndup(ir->arena, name, strlen(name));
    return ir;
}

fa_ir *fa_ir_new_like(const fa_ir *like)
{
    fa_ir *ir = fa_ir_new(like->name);
    ir->sink_tokens = like->sink_tokens;
    ir->nparams = like->nparams;
    for (int i = 0; i < like->nparams; i++) {
        ir->params[i] = like->params[i];
        ir->params[i].name = fa_arena_strndup(ir->arena, like->params[i].name, strlen(like->params[i].name));
    }
    return ir;
}

void fa_ir_free(fa_ir *ir)
{
    if (!ir)
        return;
    fa_arena_free(ir->arena);
    free(ir);
}

static fa_ir_node *fa_ir_node_new(fa_ir *ir, fa_ir_op op, fa_type type)
{
    fa_ir_node *n = fa_arena_alloc(ir->arena, sizeof *n);
    n->op = op;
    n->type = type;
    n->id = -1;
    n->serial = ir->n_created++;
    return n;
}

fa_ir_node *fa_ir_const_int(fa_ir *ir, int64_t v)
{
    fa_ir_node *n = fa_ir_node_new(ir, FA_IR_CONST, FA_TY_INT);
    n->ival = (int32_t)(uint32_t)(uint64_t)v;
    return n;
}

fa_ir_node *fa_ir_const_float(fa_ir *ir, float v)
{
    fa_ir_node *n = fa_ir_node_new(ir, FA_IR_CONST, FA_TY_FLOAT);
    n->fval = v;
    return n;
}

fa_ir_node *fa_ir_const_bool(fa_ir *ir, bool v)
{
    fa_ir_node *n = fa_ir_node_new(ir, FA_IR_CONST, FA_TY_BOOL);
    n->ival = v;
    return n;
}

fa_ir_node *fa_ir_var(fa_ir *ir, fa_builtin_var v)
{
    fa_ir_node *n = fa_ir_node_new(ir, FA_IR_VAR, v == FA_VAR_S ? FA_TY_FLOAT : FA_TY_INT);
    n->aux = v;
    n->vars = 1u << v;
    return n;
}

static fa_type fa_ir_param_type(const fa_ir *ir, int slot)
{
    return ir->params[slot].type == FA_PARAM_F32 ? FA_TY_FLOAT : FA_TY_INT;
}

fa_ir_node *fa_ir_param(fa_ir *ir, int slot)
{
    fa_ir_node *n = fa_ir_node_new(ir, FA_IR_PARAM, fa_ir_param_type(ir, slot));
    n->aux = slot;
    return n;
}

fa_ir_node *fa_ir_dim(fa_ir *ir, fa_extent e)
{
    fa_ir_node *n = fa_ir_node_new(ir, FA_IR_DIM, FA_TY_INT);
    n->aux = e;
    return n;
}

fa_ir_node *fa_ir_load(fa_ir *ir, int slot, fa_ir_node *index)
{
    fa_ir_node *n = fa_ir_node_new(ir, FA_IR_LOAD, fa_ir_param_type(ir, slot));
    n->aux = slot;
    n->arg[0] = index;
    n->vars = index->vars;
    return n;
}

/* The result type of an operator over operands a, b, c (the verifier checks operands). */
static fa_type fa_ir_result_type(fa_ir_op op, const fa_ir_node *a, const fa_ir_node *b)
{
    switch (op) {
    case FA_IR_LT: case FA_IR_LE: case FA_IR_EQ: case FA_IR_NE:
    case FA_IR_AND: case FA_IR_OR: case FA_IR_NOT:
        return FA_TY_BOOL;
    case FA_IR_TANH: case FA_IR_EXP: case FA_IR_EXP2: case FA_IR_LOG: case FA_IR_ITOF:
        return FA_TY_FLOAT;
    case FA_IR_SELECT:
        return b->type;
    default:
        return a->type;
    }
}

fa_ir_node *fa_ir_make(fa_ir *ir, fa_ir_op op, fa_ir_node *a, fa_ir_node *b, fa_ir_node *c)
{
    fa_ir_node *n = fa_ir_node_new(ir, op, fa_ir_result_type(op, a, b));
    n->arg[0] = a;
    n->arg[1] = b;
    n->arg[2] = c;
    n->vars = a->vars | (b ? b->vars : 0) | (c ? c->vars : 0);
    return n;
}

fa_ir_node *fa_ir_clone(fa_ir *ir, const fa_ir_node *n, fa_ir_node *const *args)
{
    fa_ir_node *m = fa_ir_node_new(ir, n->op, n->type);
    m->aux = n->aux;
    m->ival = n->ival;
    m->fval = n->fval;
    m->vars = n->op == FA_IR_VAR ? n->vars : 0;
    for (int i = 0; i < fa_ir_op_nargs(n->op); i++) {
        m->arg[i] = args[i];
        m->vars |= args[i]->vars;
    }
    return m;
}

bool fa_ir_is_const(const fa_ir_node *n)
{
    return n->op == FA_IR_CONST;
}

bool fa_ir_is_true(const fa_ir_node *n)
{
    return n->op == FA_IR_CONST && n->type == FA_TY_BOOL && n->ival;
}

bool fa_ir_is_false(const fa_ir_node *n)
{
    return n->op == FA_IR_CONST && n->type == FA_TY_BOOL && !n->ival;
}

bool fa_ir_uses_var(const fa_ir_node *n, fa_builtin_var v)
{
    return (n->vars >> v) & 1u;
}

/* ---- numbering and rewriting ------------------------------------------------------------ */

typedef struct fa_ir_order {
    fa_ir_node **nodes;
    int n, cap;
} fa_ir_order;

/* Post-order walk from n, visiting each node once (marked with the walk's epoch). */
static void fa_ir_place(fa_ir_order *o, fa_ir_node *n, unsigned epoch)
{
    if (n->mark == epoch)
        return;
    n->mark = epoch;
    for (int i = 0; i < fa_ir_op_nargs(n->op); i++)
        fa_ir_place(o, n->arg[i], epoch);
    if (o->n == o->cap) {
        o->cap = o->cap ? 2 * o->cap : 64;
        o->nodes = fa_xrealloc(o->nodes, (size_t)o->cap * sizeof *o->nodes);
    }
    n->id = o->n;
    o->nodes[o->n++] = n;
}

void fa_ir_number(fa_ir *ir)
{
    fa_ir_order o = {0};
    unsigned epoch = ++ir->epoch;
    for (int r = 0; r < FA_IR_ROOT__COUNT; r++)
        if (ir->root[r])
            fa_ir_place(&o, ir->root[r], epoch);
    ir->nodes = fa_arena_alloc(ir->arena, (size_t)(o.n ? o.n : 1) * sizeof *ir->nodes);
    if (o.n)
        memcpy(ir->nodes, o.nodes, (size_t)o.n * sizeof *ir->nodes);
    ir->n_nodes = o.n;
    free(o.nodes);
}

fa_ir *fa_ir_rewrite(const fa_ir *in, fa_ir_build_fn build, void *ctx)
{
    fa_ir *out = fa_ir_new_like(in);
    fa_ir_node **map = fa_xcalloc((size_t)in->n_nodes + 1, sizeof *map);
    for (int i = 0; i < in->n_nodes; i++) {
        const fa_ir_node *n = in->nodes[i];
        fa_ir_node *args[3] = {0};
        for (int j = 0; j < fa_ir_op_nargs(n->op); j++)
            args[j] = map[n->arg[j]->id];
        map[i] = build(out, n, args, ctx);
    }
    for (int r = 0; r < FA_IR_ROOT__COUNT; r++)
        out->root[r] = in->root[r] ? map[in->root[r]->id] : NULL;
    free(map);
    fa_ir_number(out);
    return out;
}

/* ---- verifier ------------------------------------------------------------------------- */

/* The first problem with node n, or NULL. */
static const char *fa_ir_check_node(const fa_ir *ir, const fa_ir_node *n)
{
    const fa_ir_node *a = n->arg[0], *b = n->arg[1], *c = n->arg[2];
    fa_type t = n->type;
    bool num = t == FA_TY_INT || t == FA_TY_FLOAT;
    switch (n->op) {
    case FA_IR_CONST:
        return t == FA_TY_ERROR ? "constant without a type" : NULL;
    case FA_IR_VAR:
        if (n->aux < 0 || n->aux >= FA_VAR__COUNT)
            return "unknown builtin variable";
        return t != (n->aux == FA_VAR_S ? FA_TY_FLOAT : FA_TY_INT) ? "builtin variable of the wrong type" : NULL;
    case FA_IR_PARAM:
    case FA_IR_LOAD:
        if (n->aux < 0 || n->aux >= ir->nparams)
            return "parameter slot out of range";
        if (ir->params[n->aux].is_tensor != (n->op == FA_IR_LOAD))
            return n->op == FA_IR_LOAD ? "load from a scalar parameter" : "scalar read of a tensor parameter";
        if (t != (ir->params[n->aux].type == FA_PARAM_F32 ? FA_TY_FLOAT : FA_TY_INT))
            return "parameter read with the wrong type";
        return n->op == FA_IR_LOAD && a->type != FA_TY_INT ? "load index is not int" : NULL;
    case FA_IR_DIM:
        return n->aux < 0 || n->aux >= FA_EXTENT_CONST || t != FA_TY_INT ? "bad extent" : NULL;
    case FA_IR_ADD: case FA_IR_SUB: case FA_IR_MUL: case FA_IR_DIV: case FA_IR_MIN: case FA_IR_MAX:
        return !num || a->type != t || b->type != t ? "arithmetic operands must match a numeric result" : NULL;
    case FA_IR_MOD:
        return t != FA_TY_INT || a->type != t || b->type != t ? "mod needs ints" : NULL;
    case FA_IR_NEG: case FA_IR_ABS:
        return !num || a->type != t ? "operand must match a numeric result" : NULL;
    case FA_IR_LT: case FA_IR_LE:
        return t != FA_TY_BOOL || a->type != b->type || a->type == FA_TY_BOOL ? "ordering compares two numbers of one type" : NULL;
    case FA_IR_EQ: case FA_IR_NE:
        return t != FA_TY_BOOL || a->type != b->type ? "equality compares two values of one type" : NULL;
    case FA_IR_AND: case FA_IR_OR:
        return t != FA_TY_BOOL || a->type != t || b->type != t ? "logic needs bools" : NULL;
    case FA_IR_NOT:
        return t != FA_TY_BOOL || a->type != t ? "not needs a bool" : NULL;
    case FA_IR_SELECT:
        return a->type != FA_TY_BOOL || b->type != t || c->type != t ? "select needs a bool and two values of its type" : NULL;
    case FA_IR_TANH: case FA_IR_EXP: case FA_IR_EXP2: case FA_IR_LOG:
        return t != FA_TY_FLOAT || a->type != t ? "math functions take and give floats" : NULL;
    case FA_IR_ITOF:
        return t != FA_TY_FLOAT || a->type != FA_TY_INT ? "itof converts an int to a float" : NULL;
    case FA_IR__COUNT:
        break;
    }
    return "unknown opcode";
}

char *fa_ir_verify(const fa_ir *ir)
{
    fa_buf b = {0};
    static const fa_type root_types[] = {FA_TY_BOOL, FA_TY_BOOL, FA_TY_FLOAT, FA_TY_FLOAT};
    for (int r = 0; r < FA_IR_ROOT__COUNT && !b.len; r++) {
        const fa_ir_node *n = ir->root[r];
        if (!n && r <= FA_IR_ROOT_VISIBLE)
            fa_buf_printf(&b, "root %s is missing", fa_ir_root_name(r));
        else if (n && n->type != root_types[r])
            fa_buf_printf(&b, "root %s has type %s", fa_ir_root_name(r), fa_type_name(n->type));
        else if (n && r != FA_IR_ROOT_SCORE && fa_ir_uses_var(n, FA_VAR_S))
            fa_buf_printf(&b, "root %s reads s", fa_ir_root_name(r));
        else if (n && r == FA_IR_ROOT_SINK_LOGIT && (fa_ir_uses_var(n, FA_VAR_Q) || fa_ir_uses_var(n, FA_VAR_K)))
            fa_buf_printf(&b, "root sink_logit reads q or k");
    }
    for (int i = 0; i < ir->n_nodes && !b.len; i++) {
        const fa_ir_node *n = ir->nodes[i];
        const char *why = n->id != i ? "numbering is stale" : NULL;
        for (int j = 0; j < fa_ir_op_nargs(n->op) && !why; j++)
            if (!n->arg[j] || n->arg[j]->id < 0 || n->arg[j]->id >= i)
                why = "operand missing or not before its user";
        if (!why)
            why = fa_ir_check_node(ir, n);
        if (why)
            fa_buf_printf(&b, "%%%d (%s): %s", i, fa_ir_op_name(n->op), why);
    }
    return b.len ? fa_buf_take(&b) : NULL;
}

/* ---- text dump ------------------------------------------------------------------------
 *   variant NAME
 *   sink N
 *   param NAME i32 = 4096 | param NAME f32[q_heads, 3]
 *   %ID:TYPE = OP OPERANDS      one node a line, operands before users
 *   ROOT %ID                    mask, visible, score, sink_logit
 * Operands: %ID; var NAME; param $NAME; dim EXTENT; load $NAME[%ID];
 * const INT | const true/false | const HEXFLOAT  # %.9g */

static const char *fa_ir_type_text(fa_type t)
{
    return t == FA_TY_INT ? "i32" : t == FA_TY_FLOAT ? "f32" : t == FA_TY_BOOL ? "bool" : "?";
}

static void fa_ir_dump_node(fa_buf *b, const fa_ir *ir, const fa_ir_node *n)
{
    fa_buf_printf(b, "%%%d:%s = %s", n->id, fa_ir_type_text(n->type), fa_ir_op_name(n->op));
    switch (n->op) {
    case FA_IR_CONST:
        if (n->type == FA_TY_FLOAT)
            fa_buf_printf(b, " %a  # %.9g", (double)n->fval, (double)n->fval);
        else if (n->type == FA_TY_BOOL)
            fa_buf_printf(b, " %s", n->ival ? "true" : "false");
        else
            fa_buf_printf(b, " %lld", (long long)n->ival);
        break;
    case FA_IR_VAR: fa_buf_printf(b, " %s", fa_ir_vars[n->aux]); break;
    case FA_IR_PARAM: fa_buf_printf(b, " $%s", ir->params[n->aux].name); break;
    case FA_IR_DIM: fa_buf_printf(b, " %s", fa_ir_extents[n->aux]); break;
    case FA_IR_LOAD: fa_buf_printf(b, " $%s[%%%d]", ir->params[n->aux].name, n->arg[0]->id); break;
    default:
        for (int i = 0; i < fa_ir_op_nargs(n->op); i++)
            fa_buf_printf(b, "%s%%%d", i ? ", " : " ", n->arg[i]->id);
    }
    fa_buf_puts(b, "\n");
}

char *fa_ir_dump(const fa_ir *ir)
{
    fa_buf b = {0};
    fa_buf_printf(&b, "variant %s\nsink %d\n", ir->name, ir->sink_tokens);
    for (int i = 0; i < ir->nparams; i++) {
        const fa_param_info *p = &ir->params[i];
        fa_buf_printf(&b, "param %s %s", p->name, p->type == FA_PARAM_F32 ? "f32" : "i32");
        for (int d = 0; d < p->ndims; d++) {
            fa_buf_puts(&b, d ? ", " : "[");
            if (p->dims[d] == FA_EXTENT_CONST)
                fa_buf_printf(&b, "%lld", (long long)p->const_dims[d]);
            else
                fa_buf_puts(&b, fa_ir_extents[p->dims[d]]);
        }
        if (p->is_tensor)
            fa_buf_puts(&b, "]");
        if (p->has_default && p->type == FA_PARAM_I32) /* exact: the dump feeds the IR hash */
            fa_buf_printf(&b, " = %lld", (long long)p->default_value);
        else if (p->has_default)
            fa_buf_printf(&b, " = %.9g", p->default_value);
        fa_buf_puts(&b, "\n");
    }
    for (int i = 0; i < ir->n_nodes; i++)
        fa_ir_dump_node(&b, ir, ir->nodes[i]);
    for (int r = 0; r < FA_IR_ROOT__COUNT; r++)
        if (ir->root[r])
            fa_buf_printf(&b, "%s %%%d\n", fa_ir_root_name(r), ir->root[r]->id);
    return fa_buf_take(&b);
}

uint64_t fa_ir_hash(const fa_ir *ir)
{
    char *text = fa_ir_dump(ir);
    const char *body = strchr(text, '\n');
    body = body ? body + 1 : text;
    uint64_t h = fa_hash64(body, strlen(body), 0);
    free(text);
    return h;
}

/* ---- CPU evaluator --------------------------------------------------------------------- */

long long fa_ir_tensor_size(const fa_ir *ir, int slot, const int32_t *extent)
{
    const fa_param_info *p = &ir->params[slot];
    long long n = 1;
    for (int d = 0; d < p->ndims; d++)
        n *= p->dims[d] == FA_EXTENT_CONST ? p->const_dims[d] : extent[p->dims[d]];
    return n;
}

/* The value of a leaf node (no operands, or a load) under env. */
static fa_ir_val fa_ir_eval_leaf(const fa_ir *ir, const fa_ir_env *env, const fa_ir_node *n, fa_ir_val index)
{
    fa_ir_val r = {0};
    switch (n->op) {
    case FA_IR_CONST:
        if (n->type == FA_TY_FLOAT)
            r.f = n->fval;
        else if (n->type == FA_TY_BOOL)
            r.b = n->ival != 0;
        else
            r.i = (int32_t)n->ival;
        break;
    case FA_IR_VAR:
        if (n->aux == FA_VAR_S)
            r.f = env->s;
        else
            r.i = env->var[n->aux];
        break;
    case FA_IR_PARAM: {
        uint32_t bits = (uint32_t)env->vparam[n->aux];
        memcpy(&r, &bits, sizeof bits);
        break;
    }
    case FA_IR_DIM: r.i = env->extent[n->aux]; break;
    default: {
        long long size = fa_ir_tensor_size(ir, n->aux, env->extent);
        if (n->type == FA_TY_FLOAT)
            r.f = fa_load_f32(env->vparam[n->aux], index.i, size);
        else
            r.i = fa_load_i32(env->vparam[n->aux], index.i, size);
    }
    }
    return r;
}

fa_ir_val fa_ir_apply(const fa_ir_node *n, const fa_ir_val *args)
{
    fa_ir_val r = {0};
    fa_ir_val a = args[0], b = args[1];
    bool f = n->arg[0]->type == FA_TY_FLOAT;
    switch (n->op) {
    case FA_IR_ADD: if (f) r.f = a.f + b.f; else r.i = fa_wadd(a.i, b.i); break;
    case FA_IR_SUB: if (f) r.f = a.f - b.f; else r.i = fa_wsub(a.i, b.i); break;
    case FA_IR_MUL: if (f) r.f = a.f * b.f; else r.i = fa_wmul(a.i, b.i); break;
    case FA_IR_DIV: if (f) r.f = a.f / b.f; else r.i = fa_idiv(a.i, b.i); break;
    case FA_IR_MOD: r.i = fa_imod(a.i, b.i); break;
    case FA_IR_NEG: if (f) r.f = -a.f; else r.i = fa_wneg(a.i); break;
    case FA_IR_ABS: if (f) r.f = fabsf(a.f); else r.i = a.i < 0 ? fa_wneg(a.i) : a.i; break;
    case FA_IR_MIN: if (f) r.f = fminf(a.f, b.f); else r.i = a.i < b.i ? a.i : b.i; break;
    case FA_IR_MAX: if (f) r.f = fmaxf(a.f, b.f); else r.i = a.i > b.i ? a.i : b.i; break;
    case FA_IR_LT: r.b = f ? a.f < b.f : a.i < b.i; break;
    case FA_IR_LE: r.b = f ? a.f <= b.f : a.i <= b.i; break;
    case FA_IR_EQ:
        r.b = f ? a.f == b.f : n->arg[0]->type == FA_TY_BOOL ? a.b == b.b : a.i == b.i;
        break;
    case FA_IR_NE:
        r.b = f ? a.f != b.f : n->arg[0]->type == FA_TY_BOOL ? a.b != b.b : a.i != b.i;
        break;
    case FA_IR_AND: r.b = a.b && b.b; break;
    case FA_IR_OR: r.b = a.b || b.b; break;
    case FA_IR_NOT: r.b = !a.b; break;
    case FA_IR_SELECT: r = a.b ? b : args[2]; break;
    case FA_IR_TANH: r.f = tanhf(a.f); break;
    case FA_IR_EXP: r.f = expf(a.f); break;
    case FA_IR_EXP2: r.f = exp2f(a.f); break;
    case FA_IR_LOG: r.f = logf(a.f); break;
    case FA_IR_ITOF: r.f = (float)a.i; break;
    default: break;
    }
    if (n->type == FA_TY_FLOAT && fabsf(r.f) < FLT_MIN) /* the kernels flush denormals */
        r.f = 0.0f * r.f;
    return r;
}

void fa_ir_eval(const fa_ir *ir, const fa_ir_env *env, fa_ir_val *vals)
{
    for (int i = 0; i < ir->n_nodes; i++) {
        const fa_ir_node *n = ir->nodes[i];
        fa_ir_val args[3] = {{0}};
        for (int j = 0; j < fa_ir_op_nargs(n->op); j++)
            args[j] = vals[n->arg[j]->id];
        bool leaf = fa_ir_op_nargs(n->op) == 0 || n->op == FA_IR_LOAD;
        vals[i] = leaf ? fa_ir_eval_leaf(ir, env, n, args[0]) : fa_ir_apply(n, args);
    }
}
