/* fold.c - constant folding and algebraic simplification. Ints and bools fold with the
 * IR's own semantics (fa_ir_apply: wrapping, total division); float results are computed
 * in double and rounded to float once. Identities are applied only where they are exact
 * for every value of their type (x * 0 -> 0 and x - x -> 0 for ints only: NaN, inf). */
#include "ir.h"

#include <float.h>

#include <math.h>

static double fa_fold_float(fa_ir_op op, double a, double b)
{
    switch (op) {
    case FA_IR_ADD: return a + b;
    case FA_IR_SUB: return a - b;
    case FA_IR_MUL: return a * b;
    case FA_IR_DIV: return a / b;
    case FA_IR_NEG: return -a;
    case FA_IR_ABS: return fabs(a);
    case FA_IR_MIN: return fmin(a, b);
    case FA_IR_MAX: return fmax(a, b);
    case FA_IR_TANH: return tanh(a);
    case FA_IR_EXP: return exp(a);
    case FA_IR_EXP2: return exp2(a);
    case FA_IR_LOG: return log(a);
    default: return a;   /* ITOF: a is the int's value */
    }
}

static fa_ir_val fa_fold_value(const fa_ir_node *c)
{
    fa_ir_val v = {0};
    if (c->type == FA_TY_FLOAT)
        v.f = c->fval;
    else if (c->type == FA_TY_BOOL)
        v.b = c->ival != 0;
    else
        v.i = (int32_t)c->ival;
    return v;
}

/* n over constant operands args, as a constant of out. */
static fa_ir_node *fa_fold_const(fa_ir *out, const fa_ir_node *n, fa_ir_node *const *args)
{
    int nargs = fa_ir_op_nargs(n->op);
    if (n->op == FA_IR_SELECT)
        return args[0]->ival ? args[1] : args[2];
    if (n->type == FA_TY_FLOAT) {
        double a = args[0]->type == FA_TY_INT ? (double)args[0]->ival : (double)args[0]->fval;
        double b = nargs > 1 ? (double)args[1]->fval : 0.0;
        float r = (float)fa_fold_float(n->op, a, b);
        return fa_ir_const_float(out, fabsf(r) < FLT_MIN ? 0.0f * r : r); /* the kernels flush denormals */
    }
    fa_ir_val vals[3] = {{0}};
    for (int i = 0; i < nargs; i++)
        vals[i] = fa_fold_value(args[i]);
    fa_ir_node probe = *n;   /* fa_ir_apply reads operand types only */
    for (int i = 0; i < nargs; i++)
        probe.arg[i] = args[i];
    fa_ir_val r = fa_ir_apply(&probe, vals);
    return n->type == FA_TY_BOOL ? fa_ir_const_bool(out, r.b) : fa_ir_const_int(out, r.i);
}

static bool fa_fold_is_int(const fa_ir_node *n, int64_t v)
{
    return n->op == FA_IR_CONST && n->type == FA_TY_INT && n->ival == v;
}

static bool fa_fold_is_one(const fa_ir_node *n)
{
    return fa_fold_is_int(n, 1) || (n->op == FA_IR_CONST && n->type == FA_TY_FLOAT && n->fval == 1.0f);
}

/* !x without a not, where exact: !!y is y, !(a == b) is a != b for every type, but
 * !(a < b) is b <= a only for ints (NaN). NULL when there is none. */
static fa_ir_node *fa_fold_not(fa_ir *out, fa_ir_node *x)
{
    bool ints = x->op != FA_IR_NOT && x->arg[0] && x->arg[0]->type == FA_TY_INT;
    switch (x->op) {
    case FA_IR_NOT: return x->arg[0];
    case FA_IR_LT: return ints ? fa_ir_make(out, FA_IR_LE, x->arg[1], x->arg[0], NULL) : NULL;
    case FA_IR_LE: return ints ? fa_ir_make(out, FA_IR_LT, x->arg[1], x->arg[0], NULL) : NULL;
    case FA_IR_EQ: return fa_ir_make(out, FA_IR_NE, x->arg[0], x->arg[1], NULL);
    case FA_IR_NE: return fa_ir_make(out, FA_IR_EQ, x->arg[0], x->arg[1], NULL);
    default: return NULL;
    }
}

/* n as x + c (c an int constant, 0 when n has no constant offset). */
static fa_ir_node *fa_fold_offset(fa_ir_node *n, uint32_t *c)
{
    *c = 0;
    if (n->type != FA_TY_INT || (n->op != FA_IR_ADD && n->op != FA_IR_SUB) || !fa_ir_is_const(n->arg[1]))
        return n;
    *c = n->op == FA_IR_ADD ? (uint32_t)n->arg[1]->ival : 0u - (uint32_t)n->arg[1]->ival;
    return n->arg[0];
}

/* (x + c1) + c2 and its +/- forms as x + (c1 + c2): ints wrap, so offsets combine exactly
 * (a chain of lets adding constants becomes one addition). NULL when n is not such a sum. */
static fa_ir_node *fa_fold_offsets(fa_ir *out, const fa_ir_node *n, fa_ir_node *a, fa_ir_node *b)
{
    if (n->type != FA_TY_INT || (n->op != FA_IR_ADD && n->op != FA_IR_SUB))
        return NULL;
    if (n->op == FA_IR_ADD && fa_ir_is_const(a) && !fa_ir_is_const(b)) {
        fa_ir_node *t = a; /* c + y: the constant second */
        a = b;
        b = t;
    }
    if (!fa_ir_is_const(b))
        return NULL;
    uint32_t c1, c2 = n->op == FA_IR_ADD ? (uint32_t)b->ival : 0u - (uint32_t)b->ival;
    fa_ir_node *x = fa_fold_offset(a, &c1);
    if (x == a)
        return NULL; /* no inner offset: nothing to combine */
    uint32_t c = c1 + c2;
    return c == 0 ? x : fa_ir_make(out, FA_IR_ADD, x, fa_ir_const_int(out, (int32_t)c), NULL);
}

/* A simpler node equal to n over args, or NULL. */
static fa_ir_node *fa_fold_identity(fa_ir *out, const fa_ir_node *n, fa_ir_node *const *args)
{
    fa_ir_node *a = args[0], *b = args[1];
    bool exact = a && a->type != FA_TY_FLOAT;   /* x op x identities hold for ints and bools */
    switch (n->op) {
    case FA_IR_AND:
        if (fa_ir_is_false(a) || fa_ir_is_true(b) || a == b)
            return a;
        return fa_ir_is_false(b) || fa_ir_is_true(a) ? b : NULL;
    case FA_IR_OR:
        if (fa_ir_is_true(a) || fa_ir_is_false(b) || a == b)
            return a;
        return fa_ir_is_true(b) || fa_ir_is_false(a) ? b : NULL;
    case FA_IR_NOT: return fa_fold_not(out, a);
    case FA_IR_SELECT:
        if (b == args[2])
            return b;
        if (fa_ir_is_true(b) && fa_ir_is_false(args[2]))
            return a;
        return fa_ir_is_false(b) && fa_ir_is_true(args[2]) ? fa_ir_make(out, FA_IR_NOT, a, NULL, NULL) : NULL;
    case FA_IR_ADD:
        if (fa_fold_is_int(b, 0))
            return a;
        return fa_fold_is_int(a, 0) ? b : NULL;
    case FA_IR_SUB:
        if (fa_fold_is_int(b, 0))
            return a;
        return a == b && exact ? fa_ir_const_int(out, 0) : NULL;
    case FA_IR_MUL:
        if (fa_fold_is_one(b))
            return a;
        if (fa_fold_is_one(a))
            return b;
        return fa_fold_is_int(a, 0) || fa_fold_is_int(b, 0) ? fa_ir_const_int(out, 0) : NULL;
    case FA_IR_DIV: return fa_fold_is_one(b) ? a : NULL;
    case FA_IR_NEG: return a->op == FA_IR_NEG ? a->arg[0] : NULL;
    case FA_IR_MIN:
    case FA_IR_MAX: return a == b ? a : NULL;
    case FA_IR_LT:
    case FA_IR_NE: return a == b && exact ? fa_ir_const_bool(out, false) : NULL;
    case FA_IR_LE:
    case FA_IR_EQ: return a == b && exact ? fa_ir_const_bool(out, true) : NULL;
    default: return NULL;
    }
}

static fa_ir_node *fa_fold_node(fa_ir *out, const fa_ir_node *n, fa_ir_node *const *args, void *ctx)
{
    int nargs = fa_ir_op_nargs(n->op);
    bool all_const = nargs > 0 && n->op != FA_IR_LOAD;
    for (int i = 0; i < nargs; i++)
        all_const &= fa_ir_is_const(args[i]);
    /* select folds on a constant condition alone */
    if (n->op == FA_IR_SELECT && fa_ir_is_const(args[0]))
        all_const = true;
    if (all_const)
        return fa_fold_const(out, n, args);
    fa_ir_node *simpler = nargs ? fa_fold_identity(out, n, args) : NULL;
    if (!simpler && nargs == 2)
        simpler = fa_fold_offsets(out, n, args[0], args[1]);
    return simpler ? simpler : fa_ir_clone(out, n, args);
}

fa_ir *fa_pass_fold(const fa_ir *ir)
{
    return fa_ir_rewrite(ir, fa_fold_node, NULL);
}
