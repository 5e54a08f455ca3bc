/* cse.c - common subexpression elimination by hash-consing: the IR is rebuilt node by
 * node, and a node equal to one already built (same op, type, leaf fields and operands,
 * commutative operands in creation order) is replaced by it. */
#include "ir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fa_cse_table {
    fa_ir_node **slots;
    size_t mask;
} fa_cse_table;

static uint64_t fa_cse_hash(const fa_ir_node *n)
{
    uint64_t key[8] = {(uint64_t)n->op, (uint64_t)n->type, (uint64_t)(uint32_t)n->aux, (uint64_t)n->ival};
    uint32_t bits;
    memcpy(&bits, &n->fval, sizeof bits);
    key[4] = bits;
    for (int i = 0; i < fa_ir_op_nargs(n->op); i++)
        key[5 + i] = (uint64_t)n->arg[i]->serial;
    return fa_hash64(key, sizeof key, 0);
}

static bool fa_cse_equal(const fa_ir_node *a, const fa_ir_node *b)
{
    if (a->op != b->op || a->type != b->type || a->aux != b->aux || a->ival != b->ival ||
        memcmp(&a->fval, &b->fval, sizeof a->fval) != 0)
        return false;
    for (int i = 0; i < fa_ir_op_nargs(a->op); i++)
        if (a->arg[i] != b->arg[i])
            return false;
    return true;
}

static fa_ir_node *fa_cse_node(fa_ir *out, const fa_ir_node *n, fa_ir_node *const *args, void *ctx)
{
    fa_cse_table *t = ctx;
    fa_ir_node *ordered[3] = {args[0], args[1], args[2]};
    if (fa_ir_commutative(n->op) && ordered[1]->serial < ordered[0]->serial) {
        ordered[0] = args[1];
        ordered[1] = args[0];
    }
    fa_ir_node probe = *n;
    memcpy(probe.arg, ordered, sizeof ordered);
    size_t i = (size_t)fa_cse_hash(&probe) & t->mask;
    for (; t->slots[i]; i = (i + 1) & t->mask)
        if (fa_cse_equal(t->slots[i], &probe))
            return t->slots[i];
    return t->slots[i] = fa_ir_clone(out, n, ordered);
}

fa_ir *fa_pass_cse(const fa_ir *ir)
{
    size_t cap = 16;
    while (cap < 2 * (size_t)ir->n_nodes + 2)
        cap *= 2;
    fa_cse_table t = {fa_xcalloc(cap, sizeof *t.slots), cap - 1};
    fa_ir *out = fa_ir_rewrite(ir, fa_cse_node, &t);
    free(t.slots);
    return out;
}
