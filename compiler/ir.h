/* ir.h - the back end's internal surface: the variant IR, its builders, verifier, dumper
 * and CPU evaluator (ir.c), lowering (lower.c), passes (fold.c, cse.c), tile analysis
 * (tile.c), the CUDA C emitter (emit.c) and the require conditions (require.c).
 *
 * The IR of a variant is a typed expression DAG (int32 / float / bool) with four roots:
 * mask (the user's mask; `true` when absent), visible (mask || (k < N && k <= q) for
 * `sink N`, else mask), score and sink_logit (NULL when absent). Lets are inlined as
 * shared nodes. Evaluation is eager and total: every node reachable from a root is
 * evaluated (as in a FlexAttention mask_mod), int arithmetic wraps (two's complement),
 * x / 0 == 0, x % 0 == x, INT_MIN / -1 == INT_MIN, a float result below 2^-126 in
 * magnitude is 0 (the kernels flush denormals), and a tensor load outside the tensor reads
 * 0. The emitted CUDA and fa_ir_eval implement exactly these rules.
 */
#ifndef FA_IR_H
#define FA_IR_H

#include "fa.h"
#include "fa_args.h"
#include "fa_tile_rules.h"

/* Opcodes: id, name in the text dump, operand count. */
#define FA_IR_OP_LIST(X)   \
    X(CONST, "const", 0)   \
    X(VAR, "var", 0)       \
    X(PARAM, "param", 0)   \
    X(DIM, "dim", 0)       \
    X(LOAD, "load", 1)     \
    X(ADD, "add", 2)       \
    X(SUB, "sub", 2)       \
    X(MUL, "mul", 2)       \
    X(DIV, "div", 2)       \
    X(MOD, "mod", 2)       \
    X(NEG, "neg", 1)       \
    X(LT, "lt", 2)         \
    X(LE, "le", 2)         \
    X(EQ, "eq", 2)         \
    X(NE, "ne", 2)         \
    X(AND, "and", 2)       \
    X(OR, "or", 2)         \
    X(NOT, "not", 1)       \
    X(SELECT, "select", 3) \
    X(MIN, "min", 2)       \
    X(MAX, "max", 2)       \
    X(ABS, "abs", 1)       \
    X(TANH, "tanh", 1)     \
    X(EXP, "exp", 1)       \
    X(EXP2, "exp2", 1)     \
    X(LOG, "log", 1)       \
    X(ITOF, "itof", 1)

typedef enum {
#define X(id, name, nargs) FA_IR_##id,
    FA_IR_OP_LIST(X)
#undef X
    FA_IR__COUNT
} fa_ir_op;

/* Roots: id, name in the dump. */
#define FA_IR_ROOT_LIST(X)     \
    X(MASK, "mask")            \
    X(VISIBLE, "visible")      \
    X(SCORE, "score")          \
    X(SINK_LOGIT, "sink_logit")

typedef enum {
#define X(id, name) FA_IR_ROOT_##id,
    FA_IR_ROOT_LIST(X)
#undef X
    FA_IR_ROOT__COUNT
} fa_ir_root;

typedef struct fa_ir_node {
    fa_ir_op op;
    fa_type type;             /* FA_TY_INT, FA_TY_FLOAT or FA_TY_BOOL */
    int aux;                  /* VAR: fa_builtin_var; PARAM, LOAD: param slot; DIM: fa_extent */
    int64_t ival;             /* CONST int (an int32 value) or bool (0 / 1) */
    float fval;               /* CONST float */
    struct fa_ir_node *arg[3];
    int id;                   /* index in fa_ir.nodes (set by fa_ir_number) */
    int serial;               /* creation number within its IR */
    unsigned vars;            /* bit v set: reads builtin variable v (transitively) */
    unsigned mark;            /* walk stamp (fa_ir_number) */
} fa_ir_node;

typedef struct fa_ir {
    fa_arena *arena;
    const char *name;
    int sink_tokens;
    int nparams;
    fa_param_info params[FA_MAX_PARAMS];
    fa_ir_node *root[FA_IR_ROOT__COUNT];
    fa_ir_node **nodes;       /* the nodes reachable from the roots, operands first */
    int n_nodes;
    int n_created;
    unsigned epoch;           /* last walk stamp */
} fa_ir;

const char *fa_ir_op_name(fa_ir_op op);
int fa_ir_op_nargs(fa_ir_op op);
const char *fa_ir_root_name(fa_ir_root r);
bool fa_ir_commutative(fa_ir_op op);

/* ---- ir.c: building ---------------------------------------------------------------- */

fa_ir *fa_ir_new(const char *name);
/* A new empty IR with the same name, sink count and params as `like`. */
fa_ir *fa_ir_new_like(const fa_ir *like);
void fa_ir_free(fa_ir *ir);

fa_ir_node *fa_ir_const_int(fa_ir *ir, int64_t v);   /* v is wrapped to int32 */
fa_ir_node *fa_ir_const_float(fa_ir *ir, float v);
fa_ir_node *fa_ir_const_bool(fa_ir *ir, bool v);
fa_ir_node *fa_ir_var(fa_ir *ir, fa_builtin_var v);
fa_ir_node *fa_ir_param(fa_ir *ir, int slot);        /* a scalar param */
fa_ir_node *fa_ir_dim(fa_ir *ir, fa_extent e);
fa_ir_node *fa_ir_load(fa_ir *ir, int slot, fa_ir_node *index);
/* An operator node; its type is derived from the op and the operands' types. */
fa_ir_node *fa_ir_make(fa_ir *ir, fa_ir_op op, fa_ir_node *a, fa_ir_node *b, fa_ir_node *c);
/* A copy of `n` (leaf fields and op) over new operands. */
fa_ir_node *fa_ir_clone(fa_ir *ir, const fa_ir_node *n, fa_ir_node *const *args);

bool fa_ir_is_const(const fa_ir_node *n);
bool fa_ir_is_true(const fa_ir_node *n);
bool fa_ir_is_false(const fa_ir_node *n);
/* Does `n` read builtin variable v (transitively)? */
bool fa_ir_uses_var(const fa_ir_node *n, fa_builtin_var v);

/* Orders the nodes reachable from the roots (operands first, roots in order) into
 * ir->nodes and numbers them. Call after changing roots. */
void fa_ir_number(fa_ir *ir);

/* Rebuilds `in` node by node into a new IR: `build` gets each node (operands first)
 * with its operands already rebuilt and returns the new node. Frees nothing. */
typedef fa_ir_node *(*fa_ir_build_fn)(fa_ir *out, const fa_ir_node *n, fa_ir_node *const *args, void *ctx);
fa_ir *fa_ir_rewrite(const fa_ir *in, fa_ir_build_fn build, void *ctx);

/* ---- ir.c: checking, printing, evaluating -------------------------------------------- */

/* Checks types, operand kinds and counts, slots and roots. Returns NULL when the IR is
 * well formed, else a malloc'd message naming the first bad node. */
char *fa_ir_verify(const fa_ir *ir);

/* The text form (see fa_ir_dump in ir.c for the grammar); malloc'd. */
char *fa_ir_dump(const fa_ir *ir);
/* Hash of the dump below its first line (the name): equal IR, equal hash. */
uint64_t fa_ir_hash(const fa_ir *ir);

/* Everything a node may read: the launch-wide extents, the per-sequence context, the
 * position pair, the raw score, and the param slots (scalar bits or host pointers). */
typedef struct fa_ir_env {
    int32_t var[FA_VAR__COUNT];        /* q, k, h, hk, b, q_len, kv_len (s unused) */
    float s;
    int32_t extent[FA_EXTENT_CONST];   /* q_heads, kv_heads, batch, seqlen_q, seqlen_k */
    uint64_t vparam[FA_MAX_PARAMS];
} fa_ir_env;

typedef union fa_ir_val {
    int32_t i;
    float f;
    bool b;
} fa_ir_val;

/* The value of operator node n (not a leaf or load) over its operands' values. */
fa_ir_val fa_ir_apply(const fa_ir_node *n, const fa_ir_val *args);
/* Evaluates every node of `ir` under `env` into vals[node->id] (n_nodes entries). */
void fa_ir_eval(const fa_ir *ir, const fa_ir_env *env, fa_ir_val *vals);
/* Elements of tensor param `slot` under the extents of `env`. */
long long fa_ir_tensor_size(const fa_ir *ir, int slot, const int32_t *extent);

/* ---- lower.c ------------------------------------------------------------------------- */

/* The IR of the checked (error-free) unit's variant. */
fa_ir *fa_lower(const fa_unit *u);
/* The IR of one of its `require` declarations: the condition is the mask (and visible)
 * root, over the variant's params; no other root. */
fa_ir *fa_lower_require(const fa_unit *u, const fa_decl *require);

/* ---- require.c ------------------------------------------------------------------------ */

/* One `require` of a variant: its IR (fa_lower_require), source line and text. */
typedef struct fa_require {
    fa_ir *ir;
    int line;
    char *text;
} fa_require;
typedef struct fa_requires {
    int n;
    fa_require *v;
} fa_requires;

/* Lowers the checked unit's requires into *out and reports to d each one that the
 * defaults of the params it reads (when all have one) fail. False when it reported. */
bool fa_requires_lower(const fa_unit *u, fa_diags *d, fa_requires *out);
void fa_requires_free(fa_requires *r);
/* True when every condition holds under the param slots vparam (fa_args.vparam bits);
 * else false, and msg gets "requires COND (line N), but NAME = VALUE, ..." of the first
 * that fails. */
bool fa_requires_hold(const fa_requires *r, const unsigned long long *vparam, char *msg, size_t n);

/* ---- fold.c, cse.c: passes (each returns a new IR and frees nothing) --------------- */

fa_ir *fa_pass_fold(const fa_ir *ir);
fa_ir *fa_pass_cse(const fa_ir *ir);

/* ---- tile.c: tile analysis ---------------------------------------------------------- */

/* How the tile analysis treats a node: not tracked (float values), an unknown bool
 * (a comparison of floats), a leaf read from the environment, or an interval rule. */
typedef enum { FA_TILE_NONE, FA_TILE_UNKNOWN, FA_TILE_LEAF, FA_TILE_RULE } fa_tile_kind;
fa_tile_kind fa_tile_kind_of(const fa_ir_node *n);
/* The rule function's name (fa_tile_rules.h) for an FA_TILE_RULE node. */
const char *fa_tile_rule_name(const fa_ir_node *n);
/* Does n's interval code read its operands' intervals (a rule, or a load's index)? */
bool fa_tile_reads_args(const fa_ir_node *n);
/* Marks in seen the nodes n's interval code needs: n, and down through readers of operands. */
void fa_tile_interval_nodes(const fa_ir_node *n, bool *seen);

/* The key-range derivation of a mask: a tree of conjunctions, disjunctions and bounds
 * `k CMP e` where e does not read k, reached by unwinding + - and negation around k. */
typedef enum { FA_KR_ALL, FA_KR_NONE, FA_KR_AND, FA_KR_OR, FA_KR_BOUND } fa_kr_kind;
typedef enum { FA_KR_LT, FA_KR_LE, FA_KR_GT, FA_KR_GE, FA_KR_EQ } fa_kr_cmp;
typedef enum { FA_KR_STEP_ADD, FA_KR_STEP_SUB_FROM, FA_KR_STEP_SUB, FA_KR_STEP_NEG } fa_kr_step_kind;

/* One unwinding step at `path` (a node holding k on one side): bound' = f(bound, other). */
typedef struct fa_kr_step {
    fa_kr_step_kind kind;   /* ADD: (K + o) cmp R => K cmp R - o; SUB: (K - o) => K cmp R + o;
                             * SUB_FROM: (o - K) cmp R => K flip(cmp) o - R; NEG: flip, -R */
    const fa_ir_node *path, *other;
} fa_kr_step;

typedef struct fa_kr {
    fa_kr_kind kind;
    struct fa_kr *a, *b;         /* AND, OR */
    fa_kr_cmp cmp;               /* BOUND: k cmp (bound after the steps) */
    const fa_ir_node *bound;     /* the side without k */
    int n_steps;
    fa_kr_step *steps;           /* applied in order, outermost first */
} fa_kr;

/* Derives the key range of ir's mask (arena allocated in ir); never NULL. */
fa_kr *fa_tile_key_range_plan(fa_ir *ir);
bool fa_tile_kr_narrows(const fa_kr *kr);   /* does it bound anything? */
/* Appends the derivation as text: all | none | (and A B) | (or A B) |
 * (k CMP %bound[; STEP %other @%path ...]) with CMP one of lt le gt ge eq. */
void fa_tile_kr_dump(fa_buf *b, const fa_kr *kr);

/* CPU forms of the device functions, driven by the same rules (for tests and tools). */
int fa_tile_classify(const fa_ir *ir, const fa_ir_env *env, int q0, int q1, int k0, int k1);
/* The same with loads scanned over their index intervals (fa_av_scan_i32): sound, and
 * never coarser than fa_tile_classify. */
int fa_tile_classify_scan(const fa_ir *ir, const fa_ir_env *env, int q0, int q1, int k0, int k1);
/* Does the visible predicate's tile class load a tensor at an index moving with q or k?
 * Kernels then classify tiles by scans once per row tile (fa_tile_class_scan). */
bool fa_tile_scans(const fa_ir *ir);
/* Appends "tilescan %a %b ...\n" (the loads the scans read) for a variant that scans. */
void fa_tile_scan_dump(fa_buf *b, const fa_ir *ir);
/* Is the variant light per element: its visible predicate true or one bound of k from above
 * by q and constants (causal's shape), its score free of q and k? */
bool fa_tile_light(const fa_ir *ir);
void fa_tile_key_range(const fa_ir *ir, const fa_kr *kr, const fa_ir_env *env, int q0, int q1,
                       int *k_begin, int *k_end);

/* ---- affine.c ------------------------------------------------------------------------ */

/* n as cq * q + ck * k + c0 (n built from q, k and int constants by +, - and negation;
 * coefficients as in exact integer arithmetic). */
bool fa_affine_int(const fa_ir_node *n, int64_t *cq, int64_t *ck, int64_t *c0);

/* A score as alpha * s + lambda * (k - q) + mu: each coefficient a sum of terms
 * mult * factor (factor NULL: 1), factors free of q, k and s. */
#define FA_LIN_MAX_TERMS 8
typedef struct fa_lin_term {
    const fa_ir_node *factor;
    int64_t mult;
} fa_lin_term;
typedef struct fa_lin_sum {
    fa_lin_term term[FA_LIN_MAX_TERMS];
    int n;
} fa_lin_sum;
typedef struct fa_score_lin {
    fa_lin_sum alpha, lambda, mu;
} fa_score_lin;
/* Fills lin when ir's score has that form. */
bool fa_score_linear(const fa_ir *ir, fa_score_lin *lin);

/* ---- emit.c -------------------------------------------------------------------------- */

/* Appends the variant's device functions (fa_visible, fa_score, fa_tile_class,
 * fa_key_range and, with learned sinks, fa_sink_logit), which call fa_tile_rules.h's. */
void fa_emit_device_functions(fa_buf *b, const fa_ir *ir, const fa_kr *kr);
/* Does the mask load a tensor at an index moving with q or k, or divide by a runtime value in
 * a part reading q alone or k alone? Its element code then comes in parts too
 * (fa_mask_const_of, fa_mask_row_at, fa_mask_col_at, fa_mask_pair; FA_MASK_SPLIT), so
 * kernels keep that work out of the per-element code. */
bool fa_emit_mask_splits(const fa_ir *ir);

/* ---- program.c ----------------------------------------------------------------------- */

/* The optimised IR of a program. */
const fa_ir *fa_program_ir(const fa_program *p);
/* The key-range derivation of a program's mask. */
const fa_kr *fa_program_key_range(const fa_program *p);

#endif
