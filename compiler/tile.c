/* tile.c - tile analysis of the visible predicate.
 *
 * Classification: every int and bool node gets an interval (fa_av) over the tile
 * q in [q0, q1), k in [k0, k1), with everything else (h, b, lengths, scalar params, tensor
 * elements at a point index) at its run-time value; visible's interval [1,1] is FULL,
 * [0,0] EMPTY, else PARTIAL. Float values are not tracked (a comparison of floats is
 * unknown), so the result is sound for the IR's exact semantics (ir.h).
 *
 * Key range: the mask (sinks excluded) is read as a tree of &&, || and comparisons; a
 * comparison with k on one side under + - and negation is unwound to `k CMP e` with e
 * free of k (a node's interval must not be top: it could have wrapped), giving a bound
 * from e's interval over q in [q0, q1). && intersects ranges, || takes their hull.
 *
 * The interval rules live in templates/fa_tile_rules.h; the table below names the rule
 * of each opcode once, for the CPU evaluator here and for the emitter (emit.c). */
#include "ir.h"

#include <stdlib.h>

typedef fa_av (*fa_rule1)(fa_av);
typedef fa_av (*fa_rule2)(fa_av, fa_av);
typedef fa_av (*fa_rule3)(fa_av, fa_av, fa_av);

static const struct {
    const char *name;
    fa_rule1 f1;
    fa_rule2 f2;
    fa_rule3 f3;
} fa_tile_rules[FA_IR__COUNT] = {
#define R1(op, fn) [FA_IR_##op] = {#fn, fn, NULL, NULL}
#define R2(op, fn) [FA_IR_##op] = {#fn, NULL, fn, NULL}
#define R3(op, fn) [FA_IR_##op] = {#fn, NULL, NULL, fn}
    R2(ADD, fa_av_add), R2(SUB, fa_av_sub), R2(MUL, fa_av_mul), R2(DIV, fa_av_div), R2(MOD, fa_av_mod),
    R1(NEG, fa_av_neg), R2(LT, fa_av_lt),   R2(LE, fa_av_le),   R2(EQ, fa_av_eq),   R2(NE, fa_av_ne),
    R2(AND, fa_av_and), R2(OR, fa_av_or),   R1(NOT, fa_av_not), R3(SELECT, fa_av_select),
    R2(MIN, fa_av_min), R2(MAX, fa_av_max), R1(ABS, fa_av_abs),
#undef R1
#undef R2
#undef R3
};

fa_tile_kind fa_tile_kind_of(const fa_ir_node *n)
{
    if (n->type == FA_TY_FLOAT)
        return FA_TILE_NONE;
    if (n->op >= FA_IR_LT && n->op <= FA_IR_NE && n->arg[0]->type == FA_TY_FLOAT)
        return FA_TILE_UNKNOWN;
    return fa_tile_rules[n->op].name ? FA_TILE_RULE : FA_TILE_LEAF;
}

const char *fa_tile_rule_name(const fa_ir_node *n)
{
    return fa_tile_rules[n->op].name;
}

/* ---- CPU evaluation of the intervals ----------------------------------------------- */

static fa_av fa_tile_leaf(const fa_ir *ir, const fa_ir_env *env, const fa_ir_node *n, fa_av q, fa_av k,
                          const fa_av *av, bool scan)
{
    switch (n->op) {
    case FA_IR_CONST: return fa_av_pt(n->ival);
    case FA_IR_VAR: return n->aux == FA_VAR_Q ? q : n->aux == FA_VAR_K ? k : fa_av_pt(env->var[n->aux]);
    case FA_IR_PARAM: return fa_av_pt((int32_t)(uint32_t)env->vparam[n->aux]);
    case FA_IR_DIM: return fa_av_pt(env->extent[n->aux]);
    default:
        return (scan ? fa_av_scan_i32 : fa_av_load_i32)(env->vparam[n->aux], av[n->arg[0]->id],
                                                         fa_ir_tensor_size(ir, n->aux, env->extent));
    }
}

/* Intervals of every node of ir (float nodes: unused zeros) into av; `scan`: loads read
 * the elements of their index interval. */
static void fa_tile_eval(const fa_ir *ir, const fa_ir_env *env, fa_av q, fa_av k, fa_av *av, bool scan)
{
    for (int i = 0; i < ir->n_nodes; i++) {
        const fa_ir_node *n = ir->nodes[i];
        const fa_av *a = n->arg[0] ? &av[n->arg[0]->id] : NULL;
        switch (fa_tile_kind_of(n)) {
        case FA_TILE_NONE: av[i] = fa_av_pt(0); break;
        case FA_TILE_UNKNOWN: av[i] = fa_av_unknown(); break;
        case FA_TILE_LEAF: av[i] = fa_tile_leaf(ir, env, n, q, k, av, scan); break;
        case FA_TILE_RULE:
            if (fa_tile_rules[n->op].f1)
                av[i] = fa_tile_rules[n->op].f1(*a);
            else if (fa_tile_rules[n->op].f2)
                av[i] = fa_tile_rules[n->op].f2(*a, av[n->arg[1]->id]);
            else
                av[i] = fa_tile_rules[n->op].f3(*a, av[n->arg[1]->id], av[n->arg[2]->id]);
            break;
        }
    }
}

static int fa_tile_class_of(const fa_ir *ir, const fa_ir_env *env, int q0, int q1, int k0, int k1, bool scan)
{
    fa_av *av = fa_xcalloc((size_t)ir->n_nodes + 1, sizeof *av);
    fa_tile_eval(ir, env, fa_av_make(q0, q1 - 1), fa_av_make(k0, k1 - 1), av, scan);
    int cls = fa_av_tile_class(av[ir->root[FA_IR_ROOT_VISIBLE]->id]);
    free(av);
    return cls;
}

int fa_tile_classify(const fa_ir *ir, const fa_ir_env *env, int q0, int q1, int k0, int k1)
{
    return fa_tile_class_of(ir, env, q0, q1, k0, k1, false);
}

int fa_tile_classify_scan(const fa_ir *ir, const fa_ir_env *env, int q0, int q1, int k0, int k1)
{
    return fa_tile_class_of(ir, env, q0, q1, k0, k1, true);
}

bool fa_tile_reads_args(const fa_ir_node *n)
{
    return fa_tile_kind_of(n) == FA_TILE_RULE || n->op == FA_IR_LOAD;
}

void fa_tile_interval_nodes(const fa_ir_node *n, bool *seen)
{
    if (seen[n->id])
        return;
    seen[n->id] = true;
    if (!fa_tile_reads_args(n))
        return;
    for (int i = 0; i < fa_ir_op_nargs(n->op); i++)
        fa_tile_interval_nodes(n->arg[i], seen);
}

/* The loads the scans read (at indices moving with q or k), as " %id" each; their count. */
static int fa_tile_scan_loads(const fa_ir *ir, fa_buf *b)
{
    bool *seen = fa_xcalloc((size_t)ir->n_nodes + 1, sizeof *seen);
    fa_tile_interval_nodes(ir->root[FA_IR_ROOT_VISIBLE], seen);
    int n = 0;
    for (int i = 0; i < ir->n_nodes; i++)
        if (seen[i] && ir->nodes[i]->op == FA_IR_LOAD && (ir->nodes[i]->vars & FA_READS_POS)) {
            n++;
            if (b)
                fa_buf_printf(b, " %%%d", i);
        }
    free(seen);
    return n;
}

bool fa_tile_scans(const fa_ir *ir)
{
    return fa_tile_scan_loads(ir, NULL) > 0;
}

void fa_tile_scan_dump(fa_buf *b, const fa_ir *ir)
{
    if (!fa_tile_scans(ir))
        return;
    fa_buf_puts(b, "tilescan");
    fa_tile_scan_loads(ir, b);
    fa_buf_puts(b, "\n");
}

bool fa_tile_light(const fa_ir *ir)
{
    const fa_ir_node *visible = ir->root[FA_IR_ROOT_VISIBLE], *score = ir->root[FA_IR_ROOT_SCORE];
    if (score && (score->vars & FA_READS_POS))
        return false;
    if (fa_ir_is_true(visible))
        return true;
    int64_t aq, ak, a0, bq, bk, b0; /* visible: a < b or a <= b, k's coefficient larger in a */
    return (visible->op == FA_IR_LT || visible->op == FA_IR_LE) && fa_affine_int(visible->arg[0], &aq, &ak, &a0) &&
           fa_affine_int(visible->arg[1], &bq, &bk, &b0) && ak > bk;
}

/* ---- key range ---------------------------------------------------------------------- */

static fa_kr *fa_kr_new(fa_ir *ir, fa_kr_kind kind)
{
    fa_kr *kr = fa_arena_alloc(ir->arena, sizeof *kr);
    kr->kind = kind;
    return kr;
}

static fa_kr_cmp fa_kr_flip(fa_kr_cmp c)
{
    static const fa_kr_cmp flipped[] = {[FA_KR_LT] = FA_KR_GT, [FA_KR_LE] = FA_KR_GE, [FA_KR_GT] = FA_KR_LT,
                                        [FA_KR_GE] = FA_KR_LE, [FA_KR_EQ] = FA_KR_EQ};
    return flipped[c];
}

/* `p cmp r` where p holds k and r does not: unwinds p down to k, or returns ALL. */
static fa_kr *fa_kr_bound(fa_ir *ir, const fa_ir_node *p, fa_kr_cmp cmp, const fa_ir_node *r)
{
    fa_kr_step steps[32];
    int n = 0;
    while (!(p->op == FA_IR_VAR && p->aux == FA_VAR_K)) {
        if (n == 32 || (p->op != FA_IR_ADD && p->op != FA_IR_SUB && p->op != FA_IR_NEG))
            return fa_kr_new(ir, FA_KR_ALL);
        const fa_ir_node *x = p->arg[0], *y = p->arg[1];
        bool kx = fa_ir_uses_var(x, FA_VAR_K), ky = y && fa_ir_uses_var(y, FA_VAR_K);
        if (kx == ky)
            return fa_kr_new(ir, FA_KR_ALL);
        fa_kr_step s = {.path = p, .other = kx ? y : x};
        if (p->op == FA_IR_ADD)
            s.kind = FA_KR_STEP_ADD;
        else if (p->op == FA_IR_SUB)
            s.kind = kx ? FA_KR_STEP_SUB : FA_KR_STEP_SUB_FROM;
        else
            s.kind = FA_KR_STEP_NEG;
        if (s.kind == FA_KR_STEP_SUB_FROM || s.kind == FA_KR_STEP_NEG)
            cmp = fa_kr_flip(cmp);
        steps[n++] = s;
        p = kx ? x : y;
    }
    fa_kr *kr = fa_kr_new(ir, FA_KR_BOUND);
    kr->cmp = cmp;
    kr->bound = r;
    kr->n_steps = n;
    kr->steps = fa_arena_alloc(ir->arena, (size_t)(n ? n : 1) * sizeof *kr->steps);
    for (int i = 0; i < n; i++)
        kr->steps[i] = steps[i];
    return kr;
}

/* Visits of the mask a key-range plan may make. The mask is a DAG (a let used twice is one
 * node) but the plan is a tree over it, which a chain of lets each read twice makes
 * exponential; past the budget the plan is ALL (every tile visited, the mask still exact). */
enum { FA_KR_MAX_VISITS = 256 };

/* mask -> key range (AND/OR of bounds on k), *budget visits left. */
static fa_kr *fa_kr_of(fa_ir *ir, const fa_ir_node *n, int *budget)
{
    if (--*budget < 0)
        return fa_kr_new(ir, FA_KR_ALL);
    if (fa_ir_is_false(n))
        return fa_kr_new(ir, FA_KR_NONE);
    if (!fa_ir_uses_var(n, FA_VAR_K))
        return fa_kr_new(ir, FA_KR_ALL);
    if (n->op == FA_IR_AND || n->op == FA_IR_OR) {
        fa_kr *a = fa_kr_of(ir, n->arg[0], budget), *b = fa_kr_of(ir, n->arg[1], budget);
        bool and = n->op == FA_IR_AND;
        if (a->kind == FA_KR_ALL || b->kind == FA_KR_ALL)
            return and ? (a->kind == FA_KR_ALL ? b : a) : fa_kr_new(ir, FA_KR_ALL);
        fa_kr *kr = fa_kr_new(ir, and ? FA_KR_AND : FA_KR_OR);
        kr->a = a;
        kr->b = b;
        return kr;
    }
    if ((n->op == FA_IR_LT || n->op == FA_IR_LE || n->op == FA_IR_EQ) && n->arg[0]->type == FA_TY_INT) {
        static const fa_kr_cmp cmps[] = {[FA_IR_LT] = FA_KR_LT, [FA_IR_LE] = FA_KR_LE, [FA_IR_EQ] = FA_KR_EQ};
        const fa_ir_node *a = n->arg[0], *b = n->arg[1];
        bool ka = fa_ir_uses_var(a, FA_VAR_K), kb = fa_ir_uses_var(b, FA_VAR_K);
        if (ka != kb)
            return ka ? fa_kr_bound(ir, a, cmps[n->op], b) : fa_kr_bound(ir, b, fa_kr_flip(cmps[n->op]), a);
    }
    return fa_kr_new(ir, FA_KR_ALL);
}

fa_kr *fa_tile_key_range_plan(fa_ir *ir)
{
    int budget = FA_KR_MAX_VISITS;
    fa_kr *kr = fa_kr_of(ir, ir->root[FA_IR_ROOT_MASK], &budget);
    return budget < 0 ? fa_kr_new(ir, FA_KR_ALL) : kr;
}

bool fa_tile_kr_narrows(const fa_kr *kr)
{
    return kr->kind != FA_KR_ALL;
}

void fa_tile_kr_dump(fa_buf *b, const fa_kr *kr)
{
    static const char *const cmps[] = {"lt", "le", "gt", "ge", "eq"};
    static const char *const steps[] = {"add", "sub_from", "sub", "neg"};
    switch (kr->kind) {
    case FA_KR_ALL: fa_buf_puts(b, "all"); return;
    case FA_KR_NONE: fa_buf_puts(b, "none"); return;
    case FA_KR_AND:
    case FA_KR_OR:
        fa_buf_puts(b, kr->kind == FA_KR_AND ? "(and " : "(or ");
        fa_tile_kr_dump(b, kr->a);
        fa_buf_puts(b, " ");
        fa_tile_kr_dump(b, kr->b);
        fa_buf_puts(b, ")");
        return;
    case FA_KR_BOUND: break;
    }
    fa_buf_printf(b, "(k %s %%%d", cmps[kr->cmp], kr->bound->id);
    for (int i = 0; i < kr->n_steps; i++) {
        const fa_kr_step *s = &kr->steps[i];
        fa_buf_printf(b, "%s %s", i ? "," : ";", steps[s->kind]);
        if (s->other)
            fa_buf_printf(b, " %%%d", s->other->id);
        fa_buf_printf(b, " @%%%d", s->path->id);
    }
    fa_buf_puts(b, ")");
}

/* The bound of a BOUND leaf as an interval, steps applied (CPU form of emit.c's code). */
static fa_av fa_kr_eval(const fa_kr *kr, const fa_av *av)
{
    switch (kr->kind) {
    case FA_KR_ALL: return fa_kr_all();
    case FA_KR_NONE: return fa_kr_none();
    case FA_KR_AND: return fa_kr_and(fa_kr_eval(kr->a, av), fa_kr_eval(kr->b, av));
    case FA_KR_OR: return fa_kr_or(fa_kr_eval(kr->a, av), fa_kr_eval(kr->b, av));
    case FA_KR_BOUND: break;
    }
    fa_av r = av[kr->bound->id];
    for (int i = 0; i < kr->n_steps; i++) {
        const fa_kr_step *s = &kr->steps[i];
        fa_av o = s->other ? av[s->other->id] : fa_av_pt(0);
        switch (s->kind) {
        case FA_KR_STEP_ADD: r = fa_kr_sub(r, o); break;
        case FA_KR_STEP_SUB: r = fa_kr_add(r, o); break;
        case FA_KR_STEP_SUB_FROM: r = fa_kr_sub(o, r); break;
        case FA_KR_STEP_NEG: r = fa_kr_neg(r); break;
        }
    }
    static fa_av (*const finish[])(fa_av) = {[FA_KR_LT] = fa_kr_lt, [FA_KR_LE] = fa_kr_le, [FA_KR_GT] = fa_kr_gt,
                                             [FA_KR_GE] = fa_kr_ge, [FA_KR_EQ] = fa_kr_eq};
    fa_av range = finish[kr->cmp](r);
    for (int i = 0; i < kr->n_steps; i++)
        range = fa_kr_guard(av[kr->steps[i].path->id], range);
    return range;
}

void fa_tile_key_range(const fa_ir *ir, const fa_kr *kr, const fa_ir_env *env, int q0, int q1, int *k_begin,
                       int *k_end)
{
    fa_av *av = fa_xcalloc((size_t)ir->n_nodes + 1, sizeof *av);
    fa_tile_eval(ir, env, fa_av_make(q0, q1 - 1), fa_av_make(0, (long long)env->var[FA_VAR_KV_LEN] - 1), av, false);
    fa_kr_apply(fa_kr_eval(kr, av), k_begin, k_end);
    free(av);
}
