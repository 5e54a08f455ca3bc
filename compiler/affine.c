/* affine.c - affine structure the emitter exploits in a variant's IR:
 *   int expressions cq * q + ck * k + c0 (converted to float from exact float positions),
 *   scores alpha * s + lambda * (k - q) + mu with alpha, lambda, mu free of q, k and s
 *   (ALiBi and its relatives: the Hopper template then adds the bias per tile and column
 *   instead of evaluating the score per element).
 */
#include "ir.h"

#include <string.h>

#define FA_AFFINE_DEPTH 16

static bool fa_affine_walk(const fa_ir_node *n, int64_t coef, int64_t *cq, int64_t *ck, int64_t *c0, int depth)
{
    if (depth > FA_AFFINE_DEPTH || n->type != FA_TY_INT)
        return false;
    switch (n->op) {
    case FA_IR_CONST: *c0 += coef * n->ival; return true;
    case FA_IR_VAR:
        if (n->aux == FA_VAR_Q)
            *cq += coef;
        else if (n->aux == FA_VAR_K)
            *ck += coef;
        return n->aux == FA_VAR_Q || n->aux == FA_VAR_K;
    case FA_IR_NEG: return fa_affine_walk(n->arg[0], -coef, cq, ck, c0, depth + 1);
    case FA_IR_ADD:
    case FA_IR_SUB:
        return fa_affine_walk(n->arg[0], coef, cq, ck, c0, depth + 1) &&
               fa_affine_walk(n->arg[1], n->op == FA_IR_ADD ? coef : -coef, cq, ck, c0, depth + 1);
    default: return false;
    }
}

bool fa_affine_int(const fa_ir_node *n, int64_t *cq, int64_t *ck, int64_t *c0)
{
    *cq = *ck = *c0 = 0;
    return fa_affine_walk(n, 1, cq, ck, c0, 0);
}

static bool fa_lin_add(fa_lin_sum *sum, const fa_ir_node *factor, int64_t mult)
{
    if (mult == 0)
        return true;
    if (sum->n == FA_LIN_MAX_TERMS)
        return false;
    sum->term[sum->n++] = (fa_lin_term){factor, mult};
    return true;
}

static bool fa_lin_invariant(const fa_ir_node *n)
{
    return !(n->vars & ((1u << FA_VAR_Q) | (1u << FA_VAR_K) | (1u << FA_VAR_S)));
}

/* factor * float(x), x an int of the form ±(k - q) + c0 with a small c0. */
static bool fa_lin_distance(fa_score_lin *lin, const fa_ir_node *factor, const fa_ir_node *itof, int64_t sign)
{
    int64_t cq, ck, c0;
    if (itof->op != FA_IR_ITOF || !fa_affine_int(itof->arg[0], &cq, &ck, &c0) || cq != -ck)
        return false;
    /* k - q or q - k only: a larger coefficient could wrap in the int expression (the IR's
     * semantics) where the float reconstruction would not */
    if ((ck != 1 && ck != -1) || c0 < -(1 << 24) || c0 > (1 << 24))
        return false;
    return fa_lin_add(&lin->lambda, factor, sign * ck) && fa_lin_add(&lin->mu, factor, sign * c0);
}

/* Adds sign * n to lin; false when n is not a sum of recognised terms. */
static bool fa_lin_walk(fa_score_lin *lin, const fa_ir_node *n, int64_t sign, int depth)
{
    if (depth > FA_AFFINE_DEPTH)
        return false;
    if (fa_lin_invariant(n))
        return fa_lin_add(&lin->mu, n, sign);
    switch (n->op) {
    case FA_IR_VAR: return n->aux == FA_VAR_S && fa_lin_add(&lin->alpha, NULL, sign);
    case FA_IR_NEG: return fa_lin_walk(lin, n->arg[0], -sign, depth + 1);
    case FA_IR_ADD:
    case FA_IR_SUB:
        return fa_lin_walk(lin, n->arg[0], sign, depth + 1) &&
               fa_lin_walk(lin, n->arg[1], n->op == FA_IR_ADD ? sign : -sign, depth + 1);
    case FA_IR_ITOF: return fa_lin_distance(lin, NULL, n, sign);
    case FA_IR_MUL:
        for (int i = 0; i < 2; i++) {
            const fa_ir_node *f = n->arg[i], *x = n->arg[1 - i];
            if (!fa_lin_invariant(f))
                continue;
            if (x->op == FA_IR_VAR && x->aux == FA_VAR_S)
                return fa_lin_add(&lin->alpha, f, sign);
            return fa_lin_distance(lin, f, x, sign);
        }
        return false;
    default: return false;
    }
}

bool fa_score_linear(const fa_ir *ir, fa_score_lin *lin)
{
    memset(lin, 0, sizeof *lin);
    const fa_ir_node *score = ir->root[FA_IR_ROOT_SCORE];
    return score && score->type == FA_TY_FLOAT && fa_lin_walk(lin, score, 1, 0);
}
