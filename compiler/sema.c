/* sema.c - name resolution and type checking.
 *
 * Checks every variant of a unit declaration by declaration and reports every error it
 * finds (an expression whose type is FA_TY_ERROR was already reported: its users stay
 * quiet). Annotates the AST: expression types and symbols, param types, slots and
 * extents. Two rewrites help the back end: `sink`'s value is folded to one FA_E_INT
 * literal, and an f32 param's int default becomes an FA_E_FLOAT literal. */
#include "fa.h"

#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Expressions nest at most this deep (the checker and the back end recurse on them). */

typedef struct fa_sema {
    fa_unit *u;
    fa_diags *d;
    fa_variant *v;
    fa_decl *cur;       /* the declaration being checked: lets before it are visible */
    bool in_score;      /* `s` is visible */
    int depth;          /* of the expression being checked */
    int peak;           /* deepest nesting in the current declaration, lets inlined */
    bool too_deep;      /* reported for the current declaration */
    unsigned reads;     /* what the current declaration reads (FA_READS_*) */
    fa_decl **names;    /* open-addressing table of the first param or let of each name */
    size_t name_mask;   /* table size - 1 (a power of two) */
} fa_sema;

static const struct {
    const char *name;
    fa_type type;
} fa_builtin_vars[] = {
#define X(id, name, ty) {name, FA_TY_##ty},
    FA_BUILTIN_VAR_LIST(X)
#undef X
};

static const struct {
    const char *name;
    int arity;
} fa_builtin_fns[] = {
#define X(id, name, arity) {name, arity},
    FA_BUILTIN_FN_LIST(X)
#undef X
};

/* How each builtin function is called, for hints (same order as FA_BUILTIN_FN_LIST). */
static const char *const fa_fn_usage[FA_FN__COUNT] = {
    "tanh(x)", "exp(x)", "exp2(x)", "log(x)", "abs(x)", "min(a, b)", "max(a, b)", "where(cond, a, b)"};

static const char *const fa_extent_names[] = {
#define X(id, name) name,
    FA_EXTENT_LIST(X)
#undef X
};

static int fa_sema_builtin_var(const char *name)
{
    for (int i = 0; i < FA_VAR__COUNT; i++)
        if (strcmp(fa_builtin_vars[i].name, name) == 0)
            return i;
    return -1;
}

static int fa_sema_builtin_fn(const char *name)
{
    for (int i = 0; i < FA_FN__COUNT; i++)
        if (strcmp(fa_builtin_fns[i].name, name) == 0)
            return i;
    return -1;
}

static bool fa_is_number(fa_type t)
{
    return t == FA_TY_INT || t == FA_TY_FLOAT;
}

/* int op int is int; any float makes it float. */
static fa_type fa_promote(fa_type a, fa_type b)
{
    return a == FA_TY_INT && b == FA_TY_INT ? FA_TY_INT : FA_TY_FLOAT;
}

/* ---- names -------------------------------------------------------------------------- */

/* The slot of `name` in the name table: its decl's, or the empty one where it would go. */
static fa_decl **fa_sema_slot(fa_sema *s, const char *name)
{
    size_t i = (size_t)fa_hash64(name, strlen(name), 0) & s->name_mask;
    while (s->names[i] && strcmp(s->names[i]->name, name) != 0)
        i = (i + 1) & s->name_mask;
    return &s->names[i];
}

/* The first param or let of the variant named `name`, wherever it is, or NULL. */
static fa_decl *fa_sema_find(fa_sema *s, const char *name)
{
    return *fa_sema_slot(s, name);
}

/* Whether `d` comes before the declaration being checked. */
static bool fa_sema_before(fa_sema *s, const fa_decl *d)
{
    return !s->cur || d->order < s->cur->order;
}

/* Levenshtein distance, for "did you mean"; long names are not compared (INT_MAX: never
 * close). */
static int fa_edit_distance(const char *a, const char *b)
{
    enum { MAX = 64 };
    size_t n = strlen(a), m = strlen(b);
    if (n >= MAX || m >= MAX)
        return INT_MAX;
    int row[MAX + 1];
    for (size_t j = 0; j <= m; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= m; j++) {
            int up = row[j];
            int best = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[m];
}

/* Keeps `cand` as the suggestion for `name` if it is the closest so far and close
 * enough: at most one edit per three characters of the longer name. */
static void fa_sema_consider(const char *name, const char *cand, const char **best, int *best_dist)
{
    int dist = fa_edit_distance(name, cand);
    size_t len = strlen(name) > strlen(cand) ? strlen(name) : strlen(cand);
    if (dist != INT_MAX && (size_t)dist * 3 <= len && dist < *best_dist) {
        *best = cand;
        *best_dist = dist;
    }
}

/* The visible name closest to `name` (functions when `fn`), or NULL. */
static const char *fa_sema_suggest(fa_sema *s, const char *name, bool fn)
{
    const char *best = NULL;
    int dist = 1 << 30;
    if (fn) {
        for (int i = 0; i < FA_FN__COUNT; i++)
            fa_sema_consider(name, fa_builtin_fns[i].name, &best, &dist);
        return best;
    }
    for (fa_decl *d = s->v->decls; d; d = d->next)
        if (d->kind == FA_D_PARAM || (d->kind == FA_D_LET && fa_sema_before(s, d)))
            fa_sema_consider(name, d->name, &best, &dist);
    for (int i = 0; i < FA_VAR__COUNT; i++)
        if (i != FA_VAR_S || s->in_score)
            fa_sema_consider(name, fa_builtin_vars[i].name, &best, &dist);
    return best;
}

static void fa_sema_unknown(fa_sema *s, fa_loc loc, const char *name, bool fn)
{
    if (fa_diag_stopped(s->d)) /* past the error limit nothing is shown: skip the search too */
        return;
    const char *near = fa_sema_suggest(s, name, fn);
    fa_diag_error(s->d, loc, "unknown %s '%s'", fn ? "function" : "name", name);
    if (near)
        fa_diag_hint(s->d, "did you mean '%s'?", near);
    else if (fn)
        fa_diag_hint(s->d, "the functions are tanh, exp, exp2, log, abs, min, max and where");
    else
        fa_diag_hint(s->d, "declare it with 'param' or 'let' before using it");
}

/* An example use of tensor `d` for hints: slopes[h], doc[b, k]. */
static void fa_sema_example(fa_buf *b, const fa_decl *d)
{
    static const char *const index_of[] = {"h", "hk", "b", "q - kv_len + q_len", "k", "0"};
    fa_buf_printf(b, "%s[", d->name);
    for (int i = 0; i < d->ndims; i++)
        fa_buf_printf(b, "%s%s", i ? ", " : "", index_of[d->dims[i].extent]);
    fa_buf_puts(b, "]");
}

/* The type of a param's values, FA_TY_ERROR when its type name is wrong. */
static fa_type fa_sema_param_type(const fa_decl *d)
{
    if (strcmp(d->type_name, "i32") == 0)
        return FA_TY_INT;
    return strcmp(d->type_name, "f32") == 0 ? FA_TY_FLOAT : FA_TY_ERROR;
}

/* ---- expressions -------------------------------------------------------------------- */

static fa_type fa_sema_expr(fa_sema *s, fa_expr *e);

/* What `reads` names for a message: its first builtin variable, else "a tensor". */
static const char *fa_sema_read_name(unsigned reads)
{
    for (int v = 0; v < FA_VAR__COUNT; v++)
        if (reads & FA_READS_VAR(v))
            return fa_builtin_vars[v].name;
    return "a tensor";
}

/* Records that the current declaration reads `reads` (through `name` itself, or through
 * let `let`); false, having said so, when the declaration may not: sink_logit reads no
 * position, require only scalar params. */
static bool fa_sema_may_read(fa_sema *s, fa_loc loc, unsigned reads, const char *name, const char *let)
{
    s->reads |= reads;
    fa_decl_kind k = s->cur->kind;
    unsigned banned = k == FA_D_SINK_LOGIT ? FA_READS_POS : k == FA_D_REQUIRE ? ~0u : 0;
    if (!(reads & banned))
        return true;
    const char *what = k == FA_D_REQUIRE ? "require" : "sink_logit";
    unsigned bad = reads & banned;
    char read[16];
    snprintf(read, sizeof read, bad & ~FA_READS_TENSOR ? "'%s'" : "%s", fa_sema_read_name(bad));
    if (let)
        fa_diag_error(s->d, loc, "'%s' depends on %s, which %s cannot use", let, read, what);
    else if (reads & FA_READS_TENSOR)
        fa_diag_error(s->d, loc, "tensor '%s' is not available in %s", name, what);
    else
        fa_diag_error(s->d, loc, "'%s' is not available in %s", name, what);
    if (k == FA_D_REQUIRE)
        fa_diag_hint(s->d, "require is checked on the host before each launch: it may use scalar params, literals, functions "
                           "and lets of those");
    else
        fa_diag_hint(s->d, "sink_logit is one value per head and sequence: it may use h, hk, b, q_len, kv_len and params");
    return false;
}

/* A name: a builtin variable, a scalar param, or a let defined above. */
static fa_type fa_sema_name(fa_sema *s, fa_expr *e)
{
    int var = fa_sema_builtin_var(e->name);
    if (var == FA_VAR_S && !s->in_score) {
        fa_diag_error(s->d, e->loc, "'s' is not available here");
        fa_diag_hint(s->d, "s, the scaled q.k score, exists only inside score");
        return FA_TY_ERROR;
    }
    if (var >= 0 && !fa_sema_may_read(s, e->loc, FA_READS_VAR(var), e->name, NULL))
        return FA_TY_ERROR;
    if (var >= 0) {
        e->sym_kind = FA_SYM_BUILTIN;
        e->sym_index = var;
        return fa_builtin_vars[var].type;
    }
    int fn = fa_sema_builtin_fn(e->name);
    if (fn >= 0) {
        fa_diag_error(s->d, e->loc, "'%s' is a function; it must be called", e->name);
        fa_diag_hint(s->d, "call it as %s", fa_fn_usage[fn]);
        return FA_TY_ERROR;
    }
    fa_decl *d = fa_sema_find(s, e->name);
    if (!d) {
        fa_sema_unknown(s, e->loc, e->name, false);
        return FA_TY_ERROR;
    }
    e->sym_decl = d;
    if (d->kind == FA_D_LET) {
        if (!fa_sema_before(s, d)) {
            fa_diag_error(s->d, e->loc, "'%s' is used before its definition", e->name);
            fa_diag_hint(s->d, "a let is visible only below it; move it up");
            fa_diag_note(s->d, d->name_loc, "'%s' is defined here", e->name);
            return FA_TY_ERROR;
        }
        if (d->value->type == FA_TY_ERROR) /* reported at the let */
            return FA_TY_ERROR;
        /* lets are inlined where used: their value replaces this name node (counted in
         * s->depth), so the IR is s->depth - 1 + d->depth deep here */
        const int inlined = s->depth - 1 + d->depth;
        if (inlined > FA_MAX_NESTING) {
            if (!s->too_deep) {
                fa_diag_error(s->d, e->loc, "expression nested too deeply through '%s'", e->name);
                fa_diag_hint(s->d, "lets are inlined where they are used: this one nests %d operations, at most %d in all",
                             d->depth, FA_MAX_NESTING);
            }
            s->too_deep = true;
            return FA_TY_ERROR;
        }
        if (inlined > s->peak)
            s->peak = inlined;
        if (!fa_sema_may_read(s, e->loc, d->reads, NULL, e->name))
            return FA_TY_ERROR;
        e->sym_kind = FA_SYM_LET;
        return d->value->type;
    }
    e->sym_kind = FA_SYM_PARAM;
    e->sym_index = d->param_index;
    if (d->is_tensor) {
        if (!fa_sema_may_read(s, e->loc, FA_READS_TENSOR, e->name, NULL))
            return FA_TY_ERROR;
        fa_buf ex = {0};
        fa_sema_example(&ex, d);
        fa_diag_error(s->d, e->loc, "'%s' is a tensor parameter; it must be indexed", e->name);
        fa_diag_hint(s->d, "index it, e.g. %s", ex.data);
        fa_buf_free(&ex);
        return FA_TY_ERROR;
    }
    return fa_sema_param_type(d);
}

/* An int literal: 2147483648 (which the lexer passes for `-2147483648`) is refused
 * anywhere but after a minus sign (fa_sema_unary). */
static fa_type fa_sema_int(fa_sema *s, const fa_expr *e)
{
    if (e->ival <= INT32_MAX)
        return FA_TY_INT;
    fa_diag_error(s->d, e->loc, "integer literal '%" PRId64 "' is too large", e->ival);
    fa_diag_hint(s->d, FA_INT_RANGE_HINT);
    return FA_TY_ERROR;
}

/* A float literal: one that float32 holds only as a denormal, or not at all (1e-50), is
 * refused: the kernels flush denormals, so it would silently be 0. */
static fa_type fa_sema_float(fa_sema *s, const fa_expr *e)
{
    float f = (float)e->fval;
    if (e->fval == 0 || fabsf(f) >= FLT_MIN)
        return FA_TY_FLOAT;
    fa_diag_error(s->d, e->loc, "float literal %g is below float32's normal range (%.9g); the kernels would read 0",
                  e->fval, (double)FLT_MIN);
    fa_diag_hint(s->d, "write 0, or a value of at least %.9g in magnitude", (double)FLT_MIN);
    return FA_TY_ERROR;
}

/* Index i (0-based) of tensor `name`, when a literal or a negated one: refused below 0 or,
 * for a literal dimension, at or past it (other indices are checked when they run: an
 * element outside the tensor reads 0). */
static bool fa_sema_literal_index(fa_sema *s, const fa_expr *ix, int i, const char *name, const fa_dim *dim)
{
    bool neg = ix->kind == FA_E_UNARY && ix->op.a->kind == FA_E_INT;
    if (ix->kind != FA_E_INT && !neg)
        return true;
    int64_t v = neg ? -ix->op.a->ival : ix->ival;
    if (v >= 0 && (dim->extent != FA_EXTENT_CONST || v < dim->value || dim->value < 1))
        return true; /* (a dimension below 1 is reported as such) */
    if (v < 0)
        fa_diag_error(s->d, ix->loc, "index %d of '%s' is %" PRId64 "; indices start at 0", i + 1, name, v);
    else
        fa_diag_error(s->d, ix->loc, "index %d of '%s' is %" PRId64 ", past its dimension of %" PRId64
                      " (0 to %" PRId64 ")", i + 1, name, v, dim->value, dim->value - 1);
    fa_diag_hint(s->d, "an index outside its dimension would read 0");
    return false;
}

/* tensor[i, ...]: a tensor param, one int index per dimension. */
static fa_type fa_sema_index(fa_sema *s, fa_expr *e)
{
    const char *name = e->call.name;
    bool ok = true;
    for (int i = 0; i < e->call.nargs; i++)
        fa_sema_expr(s, e->call.args[i]);
    bool builtin = fa_sema_builtin_var(name) >= 0 || fa_sema_builtin_fn(name) >= 0;
    fa_decl *d = builtin ? NULL : fa_sema_find(s, name);
    if (!builtin && !d) {
        fa_sema_unknown(s, e->call.name_loc, name, false);
        return FA_TY_ERROR;
    }
    if (!d || !d->is_tensor) {
        const char *what = !d ? "a built-in" : d->kind == FA_D_LET ? "a let" : "a scalar parameter";
        fa_diag_error(s->d, e->call.name_loc, "'%s' is %s; it cannot be indexed", name, what);
        fa_diag_hint(s->d, "only tensor parameters (declared with dimensions, e.g. f32[q_heads]) can be indexed");
        return FA_TY_ERROR;
    }
    e->sym_kind = FA_SYM_PARAM;
    e->sym_index = d->param_index;
    e->sym_decl = d;
    if (!fa_sema_may_read(s, e->call.name_loc, FA_READS_TENSOR, name, NULL))
        return FA_TY_ERROR;
    if (e->call.nargs != d->ndims) {
        fa_buf ex = {0};
        fa_sema_example(&ex, d);
        fa_diag_error(s->d, e->loc, "'%s' has %d dimension%s, but %d ind%s given", name, d->ndims,
                      d->ndims == 1 ? "" : "s", e->call.nargs, e->call.nargs == 1 ? "ex is" : "ices are");
        fa_diag_hint(s->d, "index it as %s", ex.data);
        fa_buf_free(&ex);
        ok = false;
    }
    for (int i = 0; i < e->call.nargs; i++) {
        fa_type t = e->call.args[i]->type;
        if (t == FA_TY_FLOAT || t == FA_TY_BOOL) {
            fa_diag_error(s->d, e->call.args[i]->loc, "index %d of '%s' is %s; tensor indices must be int",
                          i + 1, name, fa_type_name(t));
            fa_diag_hint(s->d, "compute indices from ints such as h, b, q and k");
        }
        ok &= t == FA_TY_INT;
        if (t == FA_TY_INT && i < d->ndims)
            ok &= fa_sema_literal_index(s, e->call.args[i], i, name, &d->dims[i]);
    }
    return ok ? fa_sema_param_type(d) : FA_TY_ERROR;
}

/* Checks argument `i` of call `e` is a number (or bool when `want_bool`). */
static bool fa_sema_arg(fa_sema *s, const fa_expr *e, int i, bool want_bool)
{
    fa_type t = e->call.args[i]->type;
    if (t == FA_TY_ERROR || (want_bool ? t == FA_TY_BOOL : fa_is_number(t)))
        return t != FA_TY_ERROR;
    fa_diag_error(s->d, e->call.args[i]->loc, "argument %d of '%s' must be %s, but it is %s", i + 1,
                  e->call.name, want_bool ? "bool" : "a number", fa_type_name(t));
    fa_diag_hint(s->d, want_bool ? "compare it, e.g. x != 0" : "use where(c, a, b) to choose a number from a bool");
    return false;
}

/* f(args): a builtin function with the right arity and argument types. */
static fa_type fa_sema_call(fa_sema *s, fa_expr *e)
{
    const char *name = e->call.name;
    for (int i = 0; i < e->call.nargs; i++)
        fa_sema_expr(s, e->call.args[i]);
    int fn = fa_sema_builtin_fn(name);
    if (fn < 0) {
        if (fa_sema_builtin_var(name) < 0 && !fa_sema_find(s, name)) {
            fa_sema_unknown(s, e->call.name_loc, name, true);
        } else {
            fa_diag_error(s->d, e->call.name_loc, "'%s' is not a function", name);
            fa_diag_hint(s->d, "the functions are tanh, exp, exp2, log, abs, min, max and where");
        }
        return FA_TY_ERROR;
    }
    e->sym_kind = FA_SYM_BUILTIN;
    e->sym_index = fn;
    int arity = fa_builtin_fns[fn].arity;
    if (e->call.nargs != arity) {
        fa_diag_error(s->d, e->loc, "'%s' takes %d argument%s, but %d %s given", name, arity,
                      arity == 1 ? "" : "s", e->call.nargs, e->call.nargs == 1 ? "was" : "were");
        fa_diag_hint(s->d, "call it as %s", fa_fn_usage[fn]);
        return FA_TY_ERROR;
    }
    fa_expr **a = e->call.args;
    switch (fn) {
    case FA_FN_ABS:
        return fa_sema_arg(s, e, 0, false) ? a[0]->type : FA_TY_ERROR;
    case FA_FN_MIN:
    case FA_FN_MAX: {
        bool ok = fa_sema_arg(s, e, 0, false);
        ok &= fa_sema_arg(s, e, 1, false);
        return ok ? fa_promote(a[0]->type, a[1]->type) : FA_TY_ERROR;
    }
    case FA_FN_WHERE: {
        bool ok = fa_sema_arg(s, e, 0, true);
        fa_type x = a[1]->type, y = a[2]->type;
        if (x == FA_TY_ERROR || y == FA_TY_ERROR || !ok)
            return FA_TY_ERROR;
        if (x == FA_TY_BOOL && y == FA_TY_BOOL)
            return FA_TY_BOOL;
        if (fa_is_number(x) && fa_is_number(y))
            return fa_promote(x, y);
        fa_diag_error(s->d, fa_loc_span(a[1]->loc, a[2]->loc),
                      "the choices of 'where' are %s and %s; they must both be numbers or both bool",
                      fa_type_name(x), fa_type_name(y));
        fa_diag_hint(s->d, "write where(c, 1, 0) for a number from a bool");
        return FA_TY_ERROR;
    }
    default: /* tanh exp exp2 log */
        return fa_sema_arg(s, e, 0, false) ? FA_TY_FLOAT : FA_TY_ERROR;
    }
}

static fa_type fa_sema_unary(fa_sema *s, fa_expr *e)
{
    if (e->op.op == FA_OP_NEG && e->op.a->kind == FA_E_INT && e->op.a->ival == (int64_t)INT32_MAX + 1) {
        e->kind = FA_E_INT; /* -2147483648: the one literal whose magnitude int32 lacks */
        e->ival = INT32_MIN;
        return FA_TY_INT;
    }
    fa_type t = fa_sema_expr(s, e->op.a);
    bool want_bool = e->op.op == FA_OP_NOT;
    if (t == FA_TY_ERROR || (want_bool ? t == FA_TY_BOOL : fa_is_number(t)))
        return t;
    fa_diag_error(s->d, e->op.a->loc, "operand of '%s' must be %s, but it is %s", fa_op_text(e->op.op),
                  want_bool ? "bool" : "a number", fa_type_name(t));
    fa_diag_hint(s->d, want_bool ? "compare it, e.g. x != 0" : "use where(c, a, b) to choose a number from a bool");
    return FA_TY_ERROR;
}

/* Reports operand `side` of binary `e` (of type t) as not what `op` needs. */
static void fa_sema_operand(fa_sema *s, const fa_expr *e, const fa_expr *side, const char *needs, const char *hint)
{
    fa_diag_error(s->d, side->loc, "%s operand of '%s' is %s; '%s' needs %s", side == e->op.a ? "left" : "right",
                  fa_op_text(e->op.op), fa_type_name(side->type), fa_op_text(e->op.op), needs);
    fa_diag_hint(s->d, "%s", hint);
}

static fa_type fa_sema_binary(fa_sema *s, fa_expr *e)
{
    fa_type a = fa_sema_expr(s, e->op.a), b = fa_sema_expr(s, e->op.b);
    if (a == FA_TY_ERROR || b == FA_TY_ERROR)
        return FA_TY_ERROR;
    fa_op op = e->op.op;
    switch (op) {
    case FA_OP_AND:
    case FA_OP_OR:
        if (a != FA_TY_BOOL || b != FA_TY_BOOL) {
            fa_sema_operand(s, e, a != FA_TY_BOOL ? e->op.a : e->op.b, "bool", "compare it, e.g. x != 0");
            return FA_TY_ERROR;
        }
        return FA_TY_BOOL;
    case FA_OP_EQ:
    case FA_OP_NE:
        if ((a == FA_TY_BOOL) != (b == FA_TY_BOOL)) {
            fa_diag_error(s->d, e->loc, "'%s' compares %s with %s", fa_op_text(op), fa_type_name(a), fa_type_name(b));
            fa_diag_hint(s->d, "both sides must be numbers, or both bool");
            return FA_TY_ERROR;
        }
        return FA_TY_BOOL;
    case FA_OP_MOD:
        if (a != FA_TY_INT || b != FA_TY_INT) {
            fa_sema_operand(s, e, a != FA_TY_INT ? e->op.a : e->op.b, "ints",
                            "'%' is the remainder of int division; it has no float form");
            return FA_TY_ERROR;
        }
        return FA_TY_INT;
    default:
        if (!fa_is_number(a) || !fa_is_number(b)) {
            fa_sema_operand(s, e, !fa_is_number(a) ? e->op.a : e->op.b, "numbers",
                            "use where(c, a, b) to choose a number from a bool");
            return FA_TY_ERROR;
        }
        return op >= FA_OP_LT ? FA_TY_BOOL : fa_promote(a, b); /* < <= > >= : + - * / */
    }
}

/* Types `e` and its operands; sets e->type and returns it. */
static fa_type fa_sema_expr(fa_sema *s, fa_expr *e)
{
    if (s->depth == FA_MAX_NESTING) {
        if (!s->too_deep) {
            fa_diag_error(s->d, e->loc, "expression nested too deeply");
            fa_diag_hint(s->d, "simplify it: at most %d nested operations", FA_MAX_NESTING);
        }
        s->too_deep = true;
        return e->type = FA_TY_ERROR;
    }
    s->depth++;
    if (s->depth > s->peak)
        s->peak = s->depth;
    switch (e->kind) {
    case FA_E_INT: e->type = fa_sema_int(s, e); break;
    case FA_E_FLOAT: e->type = fa_sema_float(s, e); break;
    case FA_E_BOOL: e->type = FA_TY_BOOL; break;
    case FA_E_NAME: e->type = fa_sema_name(s, e); break;
    case FA_E_INDEX: e->type = fa_sema_index(s, e); break;
    case FA_E_CALL: e->type = fa_sema_call(s, e); break;
    case FA_E_UNARY: e->type = fa_sema_unary(s, e); break;
    case FA_E_BINARY: e->type = fa_sema_binary(s, e); break;
    }
    s->depth--;
    return e->type;
}

/* ---- sink: a constant -------------------------------------------------------------- */

/* Reports `e` (a name, a tensor element or a call) as not constant in `sink`. */
static void fa_sema_not_constant(fa_sema *s, const fa_expr *e)
{
    if (e->kind == FA_E_CALL) {
        fa_diag_error(s->d, e->loc, "sink must be a constant, but this is a call");
    } else {
        const char *what = e->sym_kind == FA_SYM_PARAM ? "a parameter"
                           : e->sym_kind == FA_SYM_LET ? "a let"
                                                       : "a built-in variable";
        fa_diag_error(s->d, e->loc, "sink must be a constant, but '%s' is %s",
                      e->kind == FA_E_NAME ? e->name : e->call.name, what);
    }
    fa_diag_hint(s->d, "the number of sink tokens is fixed when the kernel is built: write it, e.g. sink 4;");
}

/* Folds an int expression of literals and + - * / % into *out; reports the first part
 * that is not constant. Values stay within 32 bits. */
static bool fa_sema_fold(fa_sema *s, const fa_expr *e, int64_t *out)
{
    int64_t a, b;
    switch (e->kind) {
    case FA_E_INT:
        *out = e->ival;
        return true;
    case FA_E_UNARY:
        if (!fa_sema_fold(s, e->op.a, &a))
            return false;
        *out = -a;
        break;
    case FA_E_BINARY:
        if (!fa_sema_fold(s, e->op.a, &a) || !fa_sema_fold(s, e->op.b, &b))
            return false;
        if ((e->op.op == FA_OP_DIV || e->op.op == FA_OP_MOD) && b == 0) {
            fa_diag_error(s->d, e->loc, "division by zero in sink's value");
            fa_diag_hint(s->d, "sink N keeps the first N keys visible: write N, e.g. sink 4;");
            return false;
        }
        switch (e->op.op) {
        case FA_OP_ADD: *out = a + b; break;
        case FA_OP_SUB: *out = a - b; break;
        case FA_OP_MUL: *out = a * b; break;
        case FA_OP_DIV: *out = a / b; break;
        default: *out = a % b; break;
        }
        break;
    default:
        fa_sema_not_constant(s, e);
        return false;
    }
    if (*out > INT32_MAX || *out < INT32_MIN) {
        fa_diag_error(s->d, e->loc, "sink's value overflows 32 bits");
        fa_diag_hint(s->d, "sink N keeps the first N keys visible: write N, e.g. sink 4;");
        return false;
    }
    return true;
}

/* sink expr; : a constant int >= 0, folded into one literal for the back end. */
static void fa_sema_sink(fa_sema *s, fa_decl *d)
{
    fa_expr *e = d->value;
    fa_type t = fa_sema_expr(s, e);
    int64_t n;
    if (t == FA_TY_ERROR)
        return;
    if (t != FA_TY_INT) {
        fa_diag_error(s->d, e->loc, "sink must be an int constant, but this is %s", fa_type_name(t));
        fa_diag_hint(s->d, "sink N keeps the first N keys visible: write N, e.g. sink 4;");
        return;
    }
    if (!fa_sema_fold(s, e, &n))
        return;
    if (n < 0) {
        fa_diag_error(s->d, e->loc, "sink must not be negative, but it is %" PRId64, n);
        fa_diag_hint(s->d, "sink N keeps the first N keys visible: write N >= 0, e.g. sink 4;");
        return;
    }
    d->value = fa_ast_int(s->u, e->loc, n);
    d->value->type = FA_TY_INT;
}

/* ---- declarations ------------------------------------------------------------------- */

/* A param or let name: not a builtin, not defined before. */
static void fa_sema_define(fa_sema *s, fa_decl *d)
{
    const char *what = fa_sema_builtin_var(d->name) >= 0  ? "variable"
                       : fa_sema_builtin_fn(d->name) >= 0 ? "function"
                                                          : NULL;
    if (what) {
        fa_diag_error(s->d, d->name_loc, "'%s' is a built-in %s; it cannot be redefined", d->name, what);
        fa_diag_hint(s->d, "choose another name");
        return;
    }
    fa_decl *first = fa_sema_find(s, d->name);
    if (first != d) {
        fa_diag_error(s->d, d->name_loc, "'%s' is already defined", d->name);
        fa_diag_hint(s->d, "rename one of them");
        fa_diag_note(s->d, first->name_loc, "'%s' is first defined here", d->name);
    }
}

/* Pass 1 (silent): a param's slot, type and extents, so that uses anywhere see them. */
static void fa_sema_annotate(fa_decl *d, int index)
{
    d->param_index = index;
    d->ptype = fa_sema_param_type(d) == FA_TY_FLOAT ? FA_PARAM_F32 : FA_PARAM_I32;
    for (int i = 0; i < d->ndims; i++) {
        fa_dim *dim = &d->dims[i];
        int k = 0;
        while (dim->name && k < FA_EXTENT_CONST && strcmp(fa_extent_names[k], dim->name) != 0)
            k++;
        dim->extent = dim->name ? (fa_extent)k : FA_EXTENT_CONST;
    }
}

static void fa_sema_dims(fa_sema *s, const fa_decl *d)
{
    for (int i = 0; i < d->ndims; i++) {
        const fa_dim *dim = &d->dims[i];
        if (dim->name && dim->extent == FA_EXTENT_CONST) {
            fa_diag_error(s->d, dim->loc, "unknown dimension '%s'", dim->name);
            fa_diag_hint(s->d, "a dimension is q_heads, kv_heads, batch, q_len, kv_len or an integer");
        } else if (!dim->name && dim->value < 1) {
            fa_diag_error(s->d, dim->loc, "a dimension must be at least 1");
            fa_diag_hint(s->d, "remove it, or give its size");
        }
    }
}

/* Pass 2: param NAME : TYPE [dims] [= default]; */
static void fa_sema_param(fa_sema *s, fa_decl *d)
{
    fa_sema_define(s, d);
    if (d->param_index == FA_MAX_PARAMS) {
        fa_diag_error(s->d, d->name_loc, "too many parameters: a variant has at most %d", FA_MAX_PARAMS);
        fa_diag_hint(s->d, "pack scalars of one type into a tensor parameter");
    }
    fa_type t = fa_sema_param_type(d);
    if (t == FA_TY_ERROR) {
        fa_diag_error(s->d, d->type_loc, "unknown type '%s'", d->type_name);
        fa_diag_hint(s->d, "parameter types are i32 and f32");
    }
    fa_sema_dims(s, d);
    fa_expr *def = d->value;
    if (!def)
        return;
    fa_sema_expr(s, def);
    if (d->is_tensor) {
        fa_diag_error(s->d, def->loc, "tensor parameter '%s' cannot have a default", d->name);
        fa_diag_hint(s->d, "tensors are passed at launch; remove '= ...'");
    } else if (t == FA_TY_INT && def->kind == FA_E_FLOAT) {
        fa_diag_error(s->d, def->loc, "default of i32 parameter '%s' is a float", d->name);
        fa_diag_hint(s->d, "write an integer, or declare '%s' as f32", d->name);
    } else if (t == FA_TY_FLOAT && def->kind == FA_E_INT) {
        def->kind = FA_E_FLOAT;
        def->fval = (double)def->ival;
        def->type = FA_TY_FLOAT;
    }
}

/* mask, score, sink and sink_logit: at most one each. */
static bool fa_sema_single(fa_sema *s, fa_decl *d)
{
    static const char *const word[] = {[FA_D_MASK] = "mask", [FA_D_SCORE] = "score",
                                       [FA_D_SINK] = "sink", [FA_D_SINK_LOGIT] = "sink_logit"};
    static const char *const hint[] = {
        [FA_D_MASK] = "combine the conditions into one mask with && or ||",
        [FA_D_SCORE] = "combine them into one score expression",
        [FA_D_SINK] = "keep one sink",
        [FA_D_SINK_LOGIT] = "keep one sink_logit",
    };
    for (fa_decl *p = s->v->decls; p != d; p = p->next) {
        if (p->kind == d->kind) {
            fa_diag_error(s->d, d->name_loc, "more than one %s", word[d->kind]);
            fa_diag_hint(s->d, "%s", hint[d->kind]);
            fa_diag_note(s->d, p->name_loc, "the first %s is here", word[d->kind]);
            return false;
        }
    }
    return true;
}

/* An expression that must be a number (score, sink_logit). */
static void fa_sema_number(fa_sema *s, fa_decl *d, const char *what, const char *hint)
{
    fa_type t = fa_sema_expr(s, d->value);
    if (t == FA_TY_BOOL) {
        fa_diag_error(s->d, d->value->loc, "%s must be a number, but this is bool", what);
        fa_diag_hint(s->d, "%s", hint);
    }
}

static void fa_sema_decl(fa_sema *s, fa_decl *d)
{
    s->cur = d;
    s->in_score = d->kind == FA_D_SCORE;
    s->too_deep = false;
    s->reads = 0;
    s->peak = 0;
    switch (d->kind) {
    case FA_D_PARAM:
        fa_sema_param(s, d);
        break;
    case FA_D_LET:
        fa_sema_define(s, d);
        fa_sema_expr(s, d->value);
        d->reads = s->reads;
        d->depth = s->peak;
        break;
    case FA_D_MASK:
        fa_sema_single(s, d);
        if (fa_sema_expr(s, d->value) != FA_TY_BOOL && d->value->type != FA_TY_ERROR) {
            fa_diag_error(s->d, d->value->loc, "mask must be bool, but this is %s", fa_type_name(d->value->type));
            fa_diag_hint(s->d, "a mask says which keys a query sees, e.g. mask = k <= q;");
        }
        break;
    case FA_D_SCORE:
        fa_sema_single(s, d);
        fa_sema_number(s, d, "score", "drop keys with mask; choose between numbers with where(c, a, b)");
        break;
    case FA_D_SINK:
        fa_sema_single(s, d);
        fa_sema_sink(s, d);
        break;
    case FA_D_SINK_LOGIT:
        fa_sema_single(s, d);
        fa_sema_number(s, d, "sink_logit", "sink_logit is the learned sink's logit, e.g. sink_logit = sinks[h];");
        break;
    case FA_D_REQUIRE:
        if (fa_sema_expr(s, d->value) != FA_TY_BOOL && d->value->type != FA_TY_ERROR) {
            fa_diag_error(s->d, d->value->loc, "require must be bool, but this is %s", fa_type_name(d->value->type));
            fa_diag_hint(s->d, "require states a condition on parameters, e.g. require window > 0;");
        }
        break;
    }
}

static void fa_sema_variant(fa_sema *s, fa_variant *v)
{
    s->v = v;
    if (strlen(v->name) >= sizeof(((fa_key *)0)->variant)) {
        fa_diag_error(s->d, v->name_loc, "variant name is too long: at most %zu characters",
                      sizeof(((fa_key *)0)->variant) - 1);
        fa_diag_hint(s->d, "choose a shorter name");
    }
    /* Params are visible everywhere, lets only below their definition. */
    int n = 0, order = 0;
    for (fa_decl *d = v->decls; d; d = d->next) {
        if (d->kind == FA_D_PARAM)
            fa_sema_annotate(d, n++);
        d->order = order++;
    }
    for (s->name_mask = 15; s->name_mask < 2 * (size_t)order; s->name_mask = 2 * s->name_mask + 1)
        ;
    s->names = fa_arena_alloc(s->u->arena, sizeof *s->names * (s->name_mask + 1));
    for (fa_decl *d = v->decls; d; d = d->next) {
        fa_decl **slot = d->kind == FA_D_PARAM || d->kind == FA_D_LET ? fa_sema_slot(s, d->name) : NULL;
        if (slot && !*slot)
            *slot = d;
    }
    for (fa_decl *d = v->decls; d; d = d->next)
        fa_sema_decl(s, d);
}

int fa_sema_check(fa_unit *u)
{
    fa_sema s = {.u = u, .d = u->diags};
    int before = fa_diag_found(u->diags);
    if (!u->variants) {
        fa_diag_error(s.d, (fa_loc){1, 1, 1, 1}, "no variant in this file");
        fa_diag_hint(s.d, "write one: variant NAME { mask = k <= q; }");
        return fa_diag_found(u->diags) - before;
    }
    for (fa_variant *v = u->variants; v; v = v->next) {
        if (v != u->variants) {
            fa_diag_error(s.d, v->name_loc, "more than one variant in this file");
            fa_diag_hint(s.d, "put each variant in its own file");
            fa_diag_note(s.d, u->variants->name_loc, "the first variant is here");
        }
        fa_sema_variant(&s, v);
    }
    return fa_diag_found(u->diags) - before;
}
