/* emit.c - the CUDA C translation unit of a (program, key, plan), laid out as
 * templates/README.md specifies: header comment, configuration macros, fa_args.h,
 * fa_tile_rules.h, fa_common.cuh, the variant's device functions, the kernel template.
 *
 * Device functions are straight-line code over the IR: one `const` local a node, in IR
 * order, named v<id> (values) or t<id> (intervals, fa_tile_rules.h), so the code reads
 * against `fa-dslc --emit ir`. Float constants are exact hex literals with an f suffix;
 * nothing is computed in double. */
#include "ir.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *fa_embedded_template(const char *name);

static const char *const fa_emit_vars[] = {
    [FA_VAR_S] = "s",         [FA_VAR_Q] = "q",     [FA_VAR_K] = "k",
    [FA_VAR_H] = "c.h",       [FA_VAR_HK] = "c.hk", [FA_VAR_B] = "c.b",
    [FA_VAR_Q_LEN] = "c.q_len", [FA_VAR_KV_LEN] = "c.kv_len",
};

static const char *const fa_emit_extents[] = {
    [FA_EXTENT_Q_HEADS] = "a.q_heads", [FA_EXTENT_KV_HEADS] = "a.kv_heads", [FA_EXTENT_BATCH] = "a.batch",
    [FA_EXTENT_Q_LEN] = "a.seqlen_q",  [FA_EXTENT_KV_LEN] = "a.seqlen_k",
};

static const char *fa_emit_type(fa_type t)
{
    return t == FA_TY_INT ? "int" : t == FA_TY_FLOAT ? "float" : "bool";
}

static void fa_emit_float(fa_buf *b, float f)
{
    if (isnan(f) || isinf(f)) {
        uint32_t bits;
        memcpy(&bits, &f, sizeof bits);
        fa_buf_printf(b, "__int_as_float(0x%08x)", (unsigned)bits);
    } else {
        fa_buf_printf(b, "%af /* %.9g */", (double)f, (double)f);
    }
}

/* The element count of tensor param `slot`: (long long)a.batch * a.seqlen_k * 3. */
static void fa_emit_tensor_size(fa_buf *b, const fa_ir *ir, int slot)
{
    const fa_param_info *p = &ir->params[slot];
    fa_buf_puts(b, "(long long)1");
    for (int d = 0; d < p->ndims; d++) {
        if (p->dims[d] == FA_EXTENT_CONST)
            fa_buf_printf(b, " * %lld", (long long)p->const_dims[d]);
        else
            fa_buf_printf(b, " * %s", fa_emit_extents[p->dims[d]]);
    }
}

/* The float value of int node n from the exact float positions qf and kf, when it rounds
 * exactly as (float)n: n (or abs(n)) is q, k, q - k or k - q, plus a constant of at most
 * 2^24. With |q|, |k| < 2^23 the position part is an exact float and adding the constant
 * rounds once, like the conversion. Emits nothing and returns false otherwise. */
static bool fa_emit_pos_float(fa_buf *b, const fa_ir_node *n)
{
    bool abs = n->op == FA_IR_ABS;
    int64_t cq, ck, c0;
    if (!fa_affine_int(abs ? n->arg[0] : n, &cq, &ck, &c0))
        return false;
    static const struct {
        int cq, ck;
        const char *text;
    } forms[] = {{1, 0, "qf"}, {-1, 0, "-qf"}, {0, 1, "kf"}, {0, -1, "-kf"}, {1, -1, "qf - kf"}, {-1, 1, "kf - qf"}};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        if (forms[i].cq != cq || forms[i].ck != ck || c0 < -(1 << 24) || c0 > (1 << 24))
            continue;
        fa_buf_printf(b, "%s(%s", abs ? "fabsf" : "", forms[i].text);
        if (c0)
            fa_buf_printf(b, " + %lld.0f", (long long)c0);
        fa_buf_puts(b, ")");
        return true;
    }
    return false;
}

/* C expression of node n's value over its operands v<id>; with `pos`, int-to-float
 * conversions of positions read the float positions qf, kf (fa_emit_pos_float). */
static void fa_emit_expr(fa_buf *b, const fa_ir *ir, const fa_ir_node *n, bool pos)
{
    static const char *const infix[FA_IR__COUNT] = {
        [FA_IR_ADD] = "+", [FA_IR_SUB] = "-",  [FA_IR_MUL] = "*",  [FA_IR_DIV] = "/",  [FA_IR_LT] = "<",
        [FA_IR_LE] = "<=", [FA_IR_EQ] = "==", [FA_IR_NE] = "!=", [FA_IR_AND] = "&&", [FA_IR_OR] = "||",
    };
    static const char *const call[FA_IR__COUNT] = {
        [FA_IR_TANH] = "tanhf", [FA_IR_EXP] = "expf", [FA_IR_EXP2] = "exp2f", [FA_IR_LOG] = "logf",
    };
    int a = n->arg[0] ? n->arg[0]->id : -1, c = n->arg[1] ? n->arg[1]->id : -1;
    bool f = n->type == FA_TY_FLOAT;
    switch (n->op) {
    case FA_IR_CONST:
        if (n->type == FA_TY_FLOAT)
            fa_emit_float(b, n->fval);
        else if (n->type == FA_TY_BOOL)
            fa_buf_puts(b, n->ival ? "true" : "false");
        else if (n->ival == INT32_MIN)
            fa_buf_puts(b, "(-2147483647 - 1)");
        else
            fa_buf_printf(b, "%lld", (long long)n->ival);
        return;
    case FA_IR_VAR: fa_buf_puts(b, fa_emit_vars[n->aux]); return;
    case FA_IR_PARAM:
        fa_buf_printf(b, f ? "__int_as_float((int)a.vparam[%d])" : "(int)a.vparam[%d]", n->aux);
        return;
    case FA_IR_DIM: fa_buf_puts(b, fa_emit_extents[n->aux]); return;
    case FA_IR_LOAD:
        fa_buf_printf(b, "fa_load_%s(a.vparam[%d], v%d, ", f ? "f32" : "i32", n->aux, a);
        fa_emit_tensor_size(b, ir, n->aux);
        fa_buf_puts(b, ")");
        return;
    case FA_IR_DIV:
        if (!f) {
            fa_buf_printf(b, "fa_idiv(v%d, v%d)", a, c);
            return;
        }
        break;
    case FA_IR_MOD: fa_buf_printf(b, "fa_imod(v%d, v%d)", a, c); return;
    case FA_IR_ADD:
    case FA_IR_SUB:
    case FA_IR_MUL:
        if (!f) {
            fa_buf_printf(b, "fa_w%s(v%d, v%d)", n->op == FA_IR_ADD ? "add" : n->op == FA_IR_SUB ? "sub" : "mul", a, c);
            return;
        }
        break;
    case FA_IR_NEG: fa_buf_printf(b, f ? "-v%d" : "fa_wneg(v%d)", a); return;
    case FA_IR_NOT: fa_buf_printf(b, "!v%d", a); return;
    case FA_IR_ABS:
        if (f)
            fa_buf_printf(b, "fabsf(v%d)", a);
        else
            fa_buf_printf(b, "(v%d < 0 ? fa_wneg(v%d) : v%d)", a, a, a);
        return;
    case FA_IR_MIN:
    case FA_IR_MAX:
        if (f)
            fa_buf_printf(b, "%s(v%d, v%d)", n->op == FA_IR_MIN ? "fminf" : "fmaxf", a, c);
        else
            fa_buf_printf(b, "(v%d %s v%d ? v%d : v%d)", a, n->op == FA_IR_MIN ? "<" : ">", c, a, c);
        return;
    case FA_IR_SELECT: fa_buf_printf(b, "v%d ? v%d : v%d", a, c, n->arg[2]->id); return;
    case FA_IR_ITOF:
        if (!pos || !fa_emit_pos_float(b, n->arg[0]))
            fa_buf_printf(b, "(float)v%d", a);
        return;
    default: break;
    }
    if (call[n->op])
        fa_buf_printf(b, "%s(v%d)", call[n->op], a);
    else
        fa_buf_printf(b, "v%d %s v%d", a, infix[n->op], c);
}

/* Marks the nodes n's element code depends on (fa_tile_interval_nodes marks those of its
 * interval code). */
static void fa_emit_need(const fa_ir_node *n, bool *need)
{
    if (need[n->id])
        return;
    need[n->id] = true;
    for (int i = 0; i < fa_ir_op_nargs(n->op); i++)
        fa_emit_need(n->arg[i], need);
}

#define FA_EMIT_SIG "__device__ __forceinline__ "

/* Parts of a predicate for hoisting, by the positions a node reads: neither (CONST, once
 * per row tile), q alone (ROW, once per row), k alone (COL, once per key), both (PAIR). */
enum { FA_PART_CONST = 1, FA_PART_ROW = 2, FA_PART_COL = 4, FA_PART_PAIR = 8, FA_PARTS_ALL = 15 };

static int fa_emit_part(const fa_ir_node *n)
{
    bool q = fa_ir_uses_var(n, FA_VAR_Q), k = fa_ir_uses_var(n, FA_VAR_K);
    return q ? (k ? FA_PART_PAIR : FA_PART_ROW) : (k ? FA_PART_COL : FA_PART_CONST);
}

/* Element code: one `const T v<id> = ...;` for each marked node of `parts` (`pos`: see
 * fa_emit_expr). */
static void fa_emit_marked(fa_buf *b, const fa_ir *ir, const bool *need, bool pos, int parts)
{
    for (int i = 0; i < ir->n_nodes; i++) {
        if (!need[i] || !(fa_emit_part(ir->nodes[i]) & parts))
            continue;
        fa_buf_printf(b, "    const %s v%d = ", fa_emit_type(ir->nodes[i]->type), i);
        fa_emit_expr(b, ir, ir->nodes[i], pos);
        fa_buf_puts(b, ";\n");
    }
}

/* Element code for each node root needs. */
static void fa_emit_values(fa_buf *b, const fa_ir *ir, const fa_ir_node *root, bool *need, bool pos)
{
    memset(need, 0, (size_t)ir->n_nodes * sizeof *need);
    fa_emit_need(root, need);
    fa_emit_marked(b, ir, need, pos, FA_PARTS_ALL);
}

/* Interval code: one `const fa_av t<id> = ...;` for each marked node of `parts`; k_box is
 * the interval expression of k, load_rule fa_av_load_i32 or fa_av_scan_i32. */
static void fa_emit_intervals(fa_buf *b, const fa_ir *ir, const bool *need, const char *k_box, const char *load_rule,
                              int parts)
{
    for (int i = 0; i < ir->n_nodes; i++) {
        const fa_ir_node *n = ir->nodes[i];
        if (!need[i] || fa_tile_kind_of(n) == FA_TILE_NONE || !(fa_emit_part(n) & parts))
            continue;
        fa_buf_printf(b, "    const fa_av t%d = ", i);
        switch (fa_tile_kind_of(n)) {
        case FA_TILE_UNKNOWN: fa_buf_puts(b, "fa_av_unknown()"); break;
        case FA_TILE_RULE:
            fa_buf_printf(b, "%s(", fa_tile_rule_name(n));
            for (int j = 0; j < fa_ir_op_nargs(n->op); j++)
                fa_buf_printf(b, "%st%d", j ? ", " : "", n->arg[j]->id);
            fa_buf_puts(b, ")");
            break;
        default:
            if (n->op == FA_IR_VAR && n->aux == FA_VAR_Q) {
                fa_buf_puts(b, "fa_av_make(q0, q1 - 1)");
            } else if (n->op == FA_IR_VAR && n->aux == FA_VAR_K) {
                fa_buf_puts(b, k_box);
            } else if (n->op == FA_IR_LOAD) {
                fa_buf_printf(b, "%s(a.vparam[%d], t%d, ", load_rule, n->aux, n->arg[0]->id);
                fa_emit_tensor_size(b, ir, n->aux);
                fa_buf_puts(b, ")");
            } else {
                fa_buf_puts(b, "fa_av_pt(");
                fa_emit_expr(b, ir, n, false);
                fa_buf_puts(b, ")");
            }
        }
        fa_buf_puts(b, ";\n");
    }
}

/* ---- split code: a predicate's parts in functions of their own, each passing on in a
 * struct the values other parts read ---- */

typedef struct fa_emit_split {
    const fa_ir *ir;
    const bool *need;          /* the predicate's nodes (fa_emit_need, fa_tile_interval_nodes) */
    bool intervals;            /* interval code (t<id>), else element code (v<id>) */
    const fa_ir_node *root;
} fa_emit_split;

/* Does a node of `parts` in the predicate read n (as its code reads operands)? */
static bool fa_emit_read_by(const fa_emit_split *sp, const fa_ir_node *n, int parts)
{
    for (int i = n->id + 1; i < sp->ir->n_nodes; i++) {
        const fa_ir_node *m = sp->ir->nodes[i];
        if (!sp->need[i] || !(fa_emit_part(m) & parts))
            continue;
        if (sp->intervals && !fa_tile_reads_args(m))
            continue;
        for (int j = 0; j < fa_ir_op_nargs(m->op); j++)
            if (m->arg[j] == n)
                return true;
    }
    return false;
}

/* Walks the nodes of `parts` that `readers` read (the root counts as read by PAIR),
 * as struct fields (`lhs` NULL: "T x<id>;"), stores ("lhs.x<id> = x<id>;") or loads
 * ("const T x<id> = lhs.x<id>;"). */
typedef enum { FA_SPLIT_FIELD, FA_SPLIT_STORE, FA_SPLIT_LOAD } fa_split_op;
static void fa_emit_split_vars(fa_buf *b, const fa_emit_split *sp, int parts, int readers, fa_split_op op,
                               const char *lhs)
{
    for (int i = 0; i < sp->ir->n_nodes; i++) {
        const fa_ir_node *n = sp->ir->nodes[i];
        if (!sp->need[i] || !(fa_emit_part(n) & parts) || (sp->intervals && fa_tile_kind_of(n) == FA_TILE_NONE))
            continue;
        if (!(n == sp->root && (readers & FA_PART_PAIR)) && !fa_emit_read_by(sp, n, readers))
            continue;
        const char *type = sp->intervals ? "fa_av" : fa_emit_type(n->type);
        char x = sp->intervals ? 't' : 'v';
        switch (op) {
        case FA_SPLIT_FIELD: fa_buf_printf(b, "    %s %c%d;\n", type, x, i); break;
        case FA_SPLIT_STORE: fa_buf_printf(b, "    %s.%c%d = %c%d;\n", lhs, x, i, x, i); break;
        case FA_SPLIT_LOAD: fa_buf_printf(b, "    const %s %c%d = %s.%c%d;\n", type, x, i, lhs, x, i); break;
        }
    }
}

/* `struct name` of the values of `parts` other parts read. */
static void fa_emit_split_struct(fa_buf *b, const fa_emit_split *sp, int parts, const char *name)
{
    fa_buf_printf(b, "struct %s {\n", name);
    fa_emit_split_vars(b, sp, parts, FA_PARTS_ALL & ~parts, FA_SPLIT_FIELD, NULL);
    fa_buf_puts(b, "};\n\n");
}

/* The body's end of a function computing `parts`: its struct filled and returned. */
static void fa_emit_split_return(fa_buf *b, const fa_emit_split *sp, int parts, const char *name)
{
    fa_buf_printf(b, "    %s r;\n", name);
    fa_emit_split_vars(b, sp, parts, FA_PARTS_ALL & ~parts, FA_SPLIT_STORE, "r");
    fa_buf_puts(b, "    return r;\n}\n\n");
}

/* A node of the mask worth computing once per row or key rather than per element: a load
 * at a position, or an integer division or remainder by a runtime value reading one
 * position only (q / chunk). */
static bool fa_emit_split_worth(const fa_ir_node *n)
{
    if (n->op == FA_IR_LOAD)
        return (n->vars & FA_READS_POS) != 0;
    bool one_pos = fa_emit_part(n) == FA_PART_ROW || fa_emit_part(n) == FA_PART_COL;
    return (n->op == FA_IR_DIV || n->op == FA_IR_MOD) && n->type == FA_TY_INT && n->arg[1]->op != FA_IR_CONST &&
           one_pos;
}

bool fa_emit_mask_splits(const fa_ir *ir)
{
    bool *need = fa_xcalloc((size_t)ir->n_nodes + 1, sizeof *need), splits = false;
    fa_emit_need(ir->root[FA_IR_ROOT_MASK], need);
    for (int i = 0; i < ir->n_nodes; i++)
        splits |= need[i] && fa_emit_split_worth(ir->nodes[i]);
    free(need);
    return splits;
}

/* fa_mask in parts, so a kernel computes what reads one position once per row or key:
 * fa_mask(q, k) == fa_mask_pair(m, fa_mask_row_at(m, q), fa_mask_col_at(m, k)) with
 * m = fa_mask_const_of(). */
static void fa_emit_mask_split(fa_buf *b, const fa_ir *ir, const fa_ir_node *mask, bool *need)
{
    memset(need, 0, (size_t)ir->n_nodes * sizeof *need);
    fa_emit_need(mask, need);
    const fa_emit_split sp = {ir, need, false, mask};
    static const struct {
        int part;
        const char *name, *fn, *arg;
    } parts[] = {{FA_PART_CONST, "fa_mask_const", "fa_mask_const_of", ""},
                 {FA_PART_ROW, "fa_mask_row", "fa_mask_row_at", ", const fa_mask_const &m, int q"},
                 {FA_PART_COL, "fa_mask_col", "fa_mask_col_at", ", const fa_mask_const &m, int k"}};
    for (int i = 0; i < 3; i++)
        fa_emit_split_struct(b, &sp, parts[i].part, parts[i].name);
    for (int i = 0; i < 3; i++) {
        fa_buf_printf(b, FA_EMIT_SIG "%s %s(const fa_args &a, const fa_ctx &c%s)\n{\n", parts[i].name, parts[i].fn,
                      parts[i].arg);
        if (i > 0)
            fa_emit_split_vars(b, &sp, FA_PART_CONST, parts[i].part, FA_SPLIT_LOAD, "m");
        fa_emit_marked(b, ir, need, false, parts[i].part);
        fa_emit_split_return(b, &sp, parts[i].part, parts[i].name);
    }
    fa_buf_puts(b, FA_EMIT_SIG "bool fa_mask_pair(const fa_args &a, const fa_ctx &c, const fa_mask_const &m, "
                   "const fa_mask_row &r, const fa_mask_col &l)\n{\n");
    fa_emit_split_vars(b, &sp, FA_PART_CONST, FA_PART_PAIR, FA_SPLIT_LOAD, "m");
    fa_emit_split_vars(b, &sp, FA_PART_ROW, FA_PART_PAIR, FA_SPLIT_LOAD, "r");
    fa_emit_split_vars(b, &sp, FA_PART_COL, FA_PART_PAIR, FA_SPLIT_LOAD, "l");
    fa_emit_marked(b, ir, need, false, FA_PART_PAIR);
    fa_buf_printf(b, "    return v%d;\n}\n\n", mask->id);
}

/* fa_tile_class_scan in two parts: what does not read k once per row tile
 * (fa_tile_scan_rows), the rest per key tile (fa_tile_class_scan_keys). */
static void fa_emit_scan_split(fa_buf *b, const fa_ir *ir, const bool *need)
{
    const int rows = FA_PART_CONST | FA_PART_ROW, keys = FA_PART_COL | FA_PART_PAIR;
    const fa_ir_node *visible = ir->root[FA_IR_ROOT_VISIBLE];
    const fa_emit_split sp = {ir, need, true, visible};
    fa_emit_split_struct(b, &sp, rows, "fa_scan_rows");
    fa_buf_puts(b, FA_EMIT_SIG "fa_scan_rows fa_tile_scan_rows(const fa_args &a, const fa_ctx &c, int q0, int q1)\n{\n");
    fa_emit_intervals(b, ir, need, NULL, "fa_av_scan_i32", rows);
    fa_emit_split_return(b, &sp, rows, "fa_scan_rows");
    fa_buf_puts(b, FA_EMIT_SIG "int fa_tile_class_scan_keys(const fa_args &a, const fa_ctx &c, const fa_scan_rows &r, "
                   "int k0, int k1)\n{\n");
    fa_emit_split_vars(b, &sp, rows, keys, FA_SPLIT_LOAD, "r");
    fa_emit_intervals(b, ir, need, "fa_av_make(k0, k1 - 1)", "fa_av_scan_i32", keys);
    fa_buf_printf(b, "    return fa_av_tile_class(t%d);\n}\n\n", visible->id);
    fa_buf_puts(b, FA_EMIT_SIG "int fa_tile_class_scan(const fa_args &a, const fa_ctx &c, int q0, int q1, int k0, int k1)\n"
                   "{\n    return fa_tile_class_scan_keys(a, c, fa_tile_scan_rows(a, c, q0, q1), k0, k1);\n}\n\n");
}

static void fa_emit_kr_need(const fa_kr *kr, bool *need)
{
    if (kr->kind == FA_KR_AND || kr->kind == FA_KR_OR) {
        fa_emit_kr_need(kr->a, need);
        fa_emit_kr_need(kr->b, need);
    } else if (kr->kind == FA_KR_BOUND) {
        fa_tile_interval_nodes(kr->bound, need);
        for (int i = 0; i < kr->n_steps; i++) {
            fa_tile_interval_nodes(kr->steps[i].path, need);
            if (kr->steps[i].other)
                fa_tile_interval_nodes(kr->steps[i].other, need);
        }
    }
}

/* Key-range code for kr (the CPU form is fa_kr_eval in tile.c); returns its r<N>. */
static int fa_emit_kr(fa_buf *b, const fa_kr *kr, int *counter)
{
    static const char *const finish[] = {[FA_KR_LT] = "fa_kr_lt", [FA_KR_LE] = "fa_kr_le", [FA_KR_GT] = "fa_kr_gt",
                                         [FA_KR_GE] = "fa_kr_ge", [FA_KR_EQ] = "fa_kr_eq"};
    int x, y, r;
    switch (kr->kind) {
    case FA_KR_AND:
    case FA_KR_OR:
        x = fa_emit_kr(b, kr->a, counter);
        y = fa_emit_kr(b, kr->b, counter);
        r = (*counter)++;
        fa_buf_printf(b, "    const fa_av r%d = fa_kr_%s(r%d, r%d);\n", r, kr->kind == FA_KR_AND ? "and" : "or", x, y);
        return r;
    case FA_KR_ALL:
    case FA_KR_NONE:
        r = (*counter)++;
        fa_buf_printf(b, "    const fa_av r%d = fa_kr_%s();\n", r, kr->kind == FA_KR_ALL ? "all" : "none");
        return r;
    case FA_KR_BOUND: break;
    }
    r = (*counter)++;
    fa_buf_printf(b, "    fa_av r%d = t%d;\n", r, kr->bound->id);
    for (int i = 0; i < kr->n_steps; i++) {
        const fa_kr_step *s = &kr->steps[i];
        switch (s->kind) {
        case FA_KR_STEP_ADD: fa_buf_printf(b, "    r%d = fa_kr_sub(r%d, t%d);\n", r, r, s->other->id); break;
        case FA_KR_STEP_SUB: fa_buf_printf(b, "    r%d = fa_kr_add(r%d, t%d);\n", r, r, s->other->id); break;
        case FA_KR_STEP_SUB_FROM: fa_buf_printf(b, "    r%d = fa_kr_sub(t%d, r%d);\n", r, s->other->id, r); break;
        case FA_KR_STEP_NEG: fa_buf_printf(b, "    r%d = fa_kr_neg(r%d);\n", r, r); break;
        }
    }
    fa_buf_printf(b, "    r%d = %s(r%d);\n", r, finish[kr->cmp], r);
    for (int i = 0; i < kr->n_steps; i++)
        fa_buf_printf(b, "    r%d = fa_kr_guard(t%d, r%d);\n", r, kr->steps[i].path->id, r);
    return r;
}

static void fa_emit_lin_sum(fa_buf *b, const char *name, const fa_lin_sum *sum)
{
    fa_buf_printf(b, "    *%s = 0.f", name);
    for (int i = 0; i < sum->n; i++) {
        if (sum->term[i].factor)
            fa_buf_printf(b, " + %lld.0f * v%d", (long long)sum->term[i].mult, sum->term[i].factor->id);
        else
            fa_buf_printf(b, " + %lld.0f", (long long)sum->term[i].mult);
    }
    fa_buf_puts(b, ";\n");
}

/* fa_score_linear: the coefficients of a score alpha * s + lambda * (k - q) + mu
 * (affine.c), computed once per (sequence, head). */
static void fa_emit_score_linear(fa_buf *b, const fa_ir *ir, const fa_score_lin *lin, bool *need)
{
    fa_buf_puts(b, FA_EMIT_SIG "void fa_score_linear(const fa_args &a, const fa_ctx &c, float *alpha, float *lambda, "
                   "float *mu)\n{\n");
    memset(need, 0, (size_t)ir->n_nodes * sizeof *need);
    const fa_lin_sum *sums[] = {&lin->alpha, &lin->lambda, &lin->mu};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < sums[i]->n; j++)
            if (sums[i]->term[j].factor)
                fa_emit_need(sums[i]->term[j].factor, need);
    fa_emit_marked(b, ir, need, false, FA_PARTS_ALL);
    fa_emit_lin_sum(b, "alpha", &lin->alpha);
    fa_emit_lin_sum(b, "lambda", &lin->lambda);
    fa_emit_lin_sum(b, "mu", &lin->mu);
    fa_buf_puts(b, "}\n\n");
}

void fa_emit_device_functions(fa_buf *b, const fa_ir *ir, const fa_kr *kr)
{
    bool *need = fa_xcalloc((size_t)ir->n_nodes + 1, sizeof *need);
    fa_buf_printf(b, "/* ---- variant %s: device functions generated from its IR ---- */\n\n", ir->name);

    /* fa_mask (the mask alone), then fa_visible: the mask or'ed with the sink rule */
    const fa_ir_node *mask = ir->root[FA_IR_ROOT_MASK], *visible = ir->root[FA_IR_ROOT_VISIBLE];
    fa_buf_puts(b, FA_EMIT_SIG "bool fa_mask(const fa_args &a, const fa_ctx &c, int q, int k)\n{\n");
    fa_emit_values(b, ir, mask, need, false);
    fa_buf_printf(b, "    return v%d;\n}\n\n", mask->id);
    fa_buf_puts(b, FA_EMIT_SIG "bool fa_visible(const fa_args &a, const fa_ctx &c, int q, int k)\n{\n");
    if (visible == mask) {
        fa_buf_puts(b, "    return fa_mask(a, c, q, k);\n}\n\n");
    } else if (visible->op == FA_IR_OR && (visible->arg[0] == mask || visible->arg[1] == mask)) {
        const fa_ir_node *rule = visible->arg[visible->arg[0] == mask];
        fa_emit_values(b, ir, rule, need, false);
        fa_buf_printf(b, "    return fa_mask(a, c, q, k) || v%d;\n}\n\n", rule->id);
    } else {
        fa_emit_values(b, ir, visible, need, false);
        fa_buf_printf(b, "    return v%d;\n}\n\n", visible->id);
    }

    /* fa_score_pos: the same value, for callers that also hold the positions as exact
     * floats (|q|, |k| < 2^23); conversions of positions then cost no I2F. */
    for (int pos = 0; pos < 2; pos++) {
        fa_buf_printf(b, FA_EMIT_SIG "float fa_score%s(const fa_args &a, const fa_ctx &c, int q, int k, %sfloat s)\n{\n",
                      pos ? "_pos" : "", pos ? "float qf, float kf, " : "");
        if (ir->root[FA_IR_ROOT_SCORE]) {
            fa_emit_values(b, ir, ir->root[FA_IR_ROOT_SCORE], need, pos);
            fa_buf_printf(b, "    return v%d;\n}\n\n", ir->root[FA_IR_ROOT_SCORE]->id);
        } else {
            fa_buf_puts(b, "    return s;\n}\n\n");
        }
    }

    fa_score_lin lin;
    if (fa_score_linear(ir, &lin))
        fa_emit_score_linear(b, ir, &lin, need);

    /* fa_tile_class, and where it loads at moving indices fa_tile_class_scan (a lane
     * group together) */
    memset(need, 0, (size_t)ir->n_nodes * sizeof *need);
    fa_tile_interval_nodes(ir->root[FA_IR_ROOT_VISIBLE], need);
    fa_buf_puts(b, FA_EMIT_SIG "int fa_tile_class(const fa_args &a, const fa_ctx &c, int q0, int q1, int k0, int k1)\n{\n");
    fa_emit_intervals(b, ir, need, "fa_av_make(k0, k1 - 1)", "fa_av_load_i32", FA_PARTS_ALL);
    fa_buf_printf(b, "    return fa_av_tile_class(t%d);\n}\n\n", ir->root[FA_IR_ROOT_VISIBLE]->id);
    if (fa_tile_scans(ir))
        fa_emit_scan_split(b, ir, need);
    if (fa_emit_mask_splits(ir))
        fa_emit_mask_split(b, ir, mask, need);

    fa_buf_puts(b, FA_EMIT_SIG "void fa_key_range(const fa_args &a, const fa_ctx &c, int q0, int q1, int *k_begin, int *k_end)\n{\n");
    if (fa_tile_kr_narrows(kr)) {
        memset(need, 0, (size_t)ir->n_nodes * sizeof *need);
        fa_emit_kr_need(kr, need);
        fa_emit_intervals(b, ir, need, "fa_av_make(0, c.kv_len - 1)", "fa_av_load_i32", FA_PARTS_ALL);
        int counter = 0;
        int r = fa_emit_kr(b, kr, &counter);
        fa_buf_printf(b, "    fa_kr_apply(r%d, k_begin, k_end);\n}\n", r);
    } else {
        fa_buf_puts(b, "    /* the mask bounds no key range: every key stays a candidate */\n}\n");
    }

    if (ir->root[FA_IR_ROOT_SINK_LOGIT]) {
        fa_buf_puts(b, "\n" FA_EMIT_SIG "float fa_sink_logit(const fa_args &a, const fa_ctx &c)\n{\n");
        fa_emit_values(b, ir, ir->root[FA_IR_ROOT_SINK_LOGIT], need, false);
        fa_buf_printf(b, "    return v%d;\n}\n", ir->root[FA_IR_ROOT_SINK_LOGIT]->id);
    }
    free(need);
}

char *fa_emit_cuda(const fa_program *p, const fa_key *key, const fa_plan *plan)
{
    const fa_ir *ir = fa_program_ir(p);
    char name[256], desc[1024];
    fa_key_name(key, name, sizeof name);
    fa_key_describe(key, desc, sizeof desc);
    fa_buf b = {0};
    fa_buf_printf(&b, "/* fadsl kernel %s: variant %s.\n * key: %s\n * Generated by fa_emit_cuda: do not edit. */\n",
                  name, ir->name, desc);
    int kv_fp8 = key->kv_dtype == FA_DTYPE_FP8E4M3 ? 1 : key->kv_dtype == FA_DTYPE_FP8E5M2 ? 2 : 0;
    fa_buf_printf(&b, "#define FA_KERNEL_NAME %s\n", name);
    fa_buf_printf(&b, "#define FA_DTYPE_FP16 %d\n#define FA_DTYPE_BF16 %d\n#define FA_KV_FP8 %d\n",
                  key->dtype == FA_DTYPE_FP16, key->dtype == FA_DTYPE_BF16, kv_fp8);
    fa_buf_printf(&b, "#define FA_HEAD_DIM %d\n#define FA_BLOCK_M %d\n#define FA_BLOCK_N %d\n", key->head_dim,
                  plan->block_m, plan->block_n);
    fa_buf_printf(&b, "#define FA_NUM_WARPS %d\n#define FA_STAGES %d\n#define FA_GQA_RATIO %d\n", plan->num_warps,
                  plan->stages, key->gqa_ratio);
    bool dense_decode = plan->dense_block != 0; /* read as an NHD cache of the sequence's own blocks */
    fa_buf_printf(&b, "#define FA_VARLEN %d\n#define FA_PAGED_BLOCK %d\n#define FA_PAGED_NHD %d\n", key->varlen,
                  dense_decode ? plan->dense_block : key->paged_block_size,
                  dense_decode || key->paged_layout == FA_PAGED_NHD);
    fa_buf_printf(&b, "#define FA_DEC_DENSE %d\n", dense_decode);
    fa_buf_printf(&b, "#define FA_SINK_TOKENS %d\n#define FA_LEARNED_SINKS %d\n#define FA_DEC_TMA %d\n",
                  ir->sink_tokens, ir->root[FA_IR_ROOT_SINK_LOGIT] != NULL, plan->tma);
    fa_buf_printf(&b, "#define FA_DEC_CLAIMS %d\n#define FA_MIN_CTAS %d\n", plan->tile_claims, plan->min_ctas);
    fa_score_lin lin;
    fa_buf_printf(&b, "#define FA_HAS_SCORE %d\n#define FA_SCORE_LINEAR %d\n#define FA_HAS_MASK %d\n",
                  ir->root[FA_IR_ROOT_SCORE] != NULL, fa_score_linear(ir, &lin),
                  !fa_ir_is_true(ir->root[FA_IR_ROOT_VISIBLE]));
    /* a scan needs the shared memory the plan reserves */
    fa_buf_printf(&b, "#define FA_TILE_SCAN %d\n#define FA_MASK_SPLIT %d\n\n", plan->tile_scan && fa_tile_scans(ir),
                  fa_emit_mask_splits(ir));
    static const char *const parts[] = {"fa_args.h", "fa_tile_rules.h", "fa_common.cuh"};
    for (int i = 0; i < 3; i++) {
        const char *text = fa_embedded_template(parts[i]);
        fa_buf_printf(&b, "%s\n", text ? text : "");
    }
    fa_emit_device_functions(&b, ir, fa_program_key_range(p));
    const char *scan = fa_embedded_template("fa_scan.cuh");
    fa_buf_printf(&b, "\n%s", scan ? scan : "");
    const char *tmpl = fa_embedded_template(plan->template_file);
    fa_buf_printf(&b, "\n%s", tmpl ? tmpl : "");
    return fa_buf_take(&b);
}
