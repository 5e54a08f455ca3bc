/* fa.h - the compiler's internal header: each layer's surface, in pipeline order.
 *
 *   source --lexer/parser (grammar/)--> AST --sema--> checked AST --lower--> IR
 *   IR --passes (fold, cse, tile analysis)--> optimised IR --emit + plan--> CUDA C
 *
 * Module prefixes: fa_arena_/fa_buf_ (util.c), fa_diag_ (diag.c), fa_ast_ (ast.c),
 * fa_parse_ (grammar/), fa_sema_ (sema.c), fa_ir_ (ir.c), fa_lower_ (lower.c),
 * fa_pass_ (passes), fa_tile_ (tile.c), fa_emit_ (emit.c).
 */
#ifndef FA_H
#define FA_H

#include "fadslc.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ==== util.c: arena and growable strings =========================================== */

void *fa_xcalloc(size_t n, size_t size);   /* abort with a message when memory runs out */
void *fa_xrealloc(void *p, size_t size);
/* Nested operations an expression may have, the lets it uses inlined (the IR and the
 * passes walking it are that deep). */
enum { FA_MAX_NESTING = 1000 };

typedef struct fa_arena fa_arena;
fa_arena *fa_arena_new(void);
void fa_arena_free(fa_arena *a);
void *fa_arena_alloc(fa_arena *a, size_t size);               /* zeroed, 16-aligned */
char *fa_arena_strndup(fa_arena *a, const char *s, size_t n);

typedef struct fa_buf {
    char *data;   /* always NUL-terminated once anything was written */
    size_t len, cap;
} fa_buf;
void fa_buf_printf(fa_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fa_buf_vprintf(fa_buf *b, const char *fmt, va_list ap);
void fa_buf_puts(fa_buf *b, const char *s);
char *fa_buf_take(fa_buf *b);   /* hands the malloc'd string to the caller, resets b */
void fa_buf_free(fa_buf *b);

uint64_t fa_hash64(const void *data, size_t n, uint64_t seed);   /* FNV-1a 64 */

/* ==== diag.c: located diagnostics ==================================================
 * Rendered as a C compiler does:
 *     v.fa:3:20: error: unknown name 'windw'
 *         3 |     mask = q - k < windw;
 *           |                    ^~~~~
 *           = hint: did you mean 'window'?
 * Lines and columns are 1-based; a span covers columns [col, end_col) of line `line`
 * (a span crossing lines is underlined to the end of its first line). */

typedef struct fa_loc {
    int line, col;
    int end_line, end_col;
} fa_loc;

/* At most this many errors are reported: the next one is replaced by a single
 *     v.fa:9:5: fatal error: too many errors (20); stopping
 * line, after which every diagnostic is dropped (n_errors stays at the limit) and
 * fa_diag_stopped() tells the front end to stop (the lexer then ends the input). */
enum { FA_DIAG_MAX_ERRORS = 20 };
/* A long source line is echoed as a window of at most this many display columns around
 * the caret, with "..." where it was cut. */
enum { FA_DIAG_MAX_ECHO = 200 };

typedef struct fa_diags {
    const char *filename;
    const char *source;
    int n_errors, n_warnings;
    fa_buf text;
    bool stopped;               /* the error limit was hit: nothing more is reported */
    /* The last source line looked up and its start, so that diagnostics in source
     * order find their lines in time linear in the source (set by fa_diag_init). */
    int cur_line;
    const char *cur_start;
} fa_diags;

void fa_diag_init(fa_diags *d, const char *filename, const char *source);
/* Whether the error limit was hit: callers should stop producing diagnostics. */
bool fa_diag_stopped(const fa_diags *d);
/* Errors found so far, the one that hit the limit included: n_errors stays at the limit,
 * so a stage that counts its errors by this difference sees that one too. */
int fa_diag_found(const fa_diags *d);
void fa_diag_error(fa_diags *d, fa_loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void fa_diag_warning(fa_diags *d, fa_loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A note (not counted) pointing at a related place, e.g. the first definition. */
void fa_diag_note(fa_diags *d, fa_loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Adds a hint line under the last diagnostic. */
void fa_diag_hint(fa_diags *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
fa_loc fa_loc_span(fa_loc from, fa_loc to);

/* ==== ast.c: the syntax tree (arena allocated) ===================================== */

#define FA_OP_LIST(X)       \
    X(ADD, "+")             \
    X(SUB, "-")             \
    X(MUL, "*")             \
    X(DIV, "/")             \
    X(MOD, "%")             \
    X(LT, "<")              \
    X(LE, "<=")             \
    X(GT, ">")              \
    X(GE, ">=")             \
    X(EQ, "==")             \
    X(NE, "!=")             \
    X(AND, "&&")            \
    X(OR, "||")             \
    X(NOT, "!")             \
    X(NEG, "-")

typedef enum {
#define X(id, text) FA_OP_##id,
    FA_OP_LIST(X)
#undef X
    FA_OP__COUNT
} fa_op;
const char *fa_op_text(fa_op op);

/* Built-in variables: name, type. `s` exists only inside `score`. */
#define FA_BUILTIN_VAR_LIST(X) \
    X(S, "s", FLOAT)           \
    X(Q, "q", INT)             \
    X(K, "k", INT)             \
    X(H, "h", INT)             \
    X(HK, "hk", INT)           \
    X(B, "b", INT)             \
    X(Q_LEN, "q_len", INT)     \
    X(KV_LEN, "kv_len", INT)

typedef enum {
#define X(id, name, ty) FA_VAR_##id,
    FA_BUILTIN_VAR_LIST(X)
#undef X
    FA_VAR__COUNT
} fa_builtin_var;

/* What an expression reads (sema's fa_decl.reads): bit v for builtin variable v, and: */
#define FA_READS_VAR(v) (1u << (v))
#define FA_READS_POS (FA_READS_VAR(FA_VAR_Q) | FA_READS_VAR(FA_VAR_K))
#define FA_READS_TENSOR (1u << FA_VAR__COUNT)   /* a tensor param's element */

/* Built-in functions: name, arity. */
#define FA_BUILTIN_FN_LIST(X) \
    X(TANH, "tanh", 1)        \
    X(EXP, "exp", 1)          \
    X(EXP2, "exp2", 1)        \
    X(LOG, "log", 1)          \
    X(ABS, "abs", 1)          \
    X(MIN, "min", 2)          \
    X(MAX, "max", 2)          \
    X(WHERE, "where", 3)

typedef enum {
#define X(id, name, arity) FA_FN_##id,
    FA_BUILTIN_FN_LIST(X)
#undef X
    FA_FN__COUNT
} fa_builtin_fn;

typedef enum { FA_TY_ERROR, FA_TY_BOOL, FA_TY_INT, FA_TY_FLOAT } fa_type;
const char *fa_type_name(fa_type t);

typedef enum {
    FA_E_INT,     /* ival */
    FA_E_FLOAT,   /* fval */
    FA_E_BOOL,    /* bval: true / false */
    FA_E_NAME,    /* name: a builtin variable, a scalar param or a let */
    FA_E_INDEX,   /* call.name[args]: a tensor param */
    FA_E_CALL,    /* call.name(args): a builtin function */
    FA_E_UNARY,   /* op a */
    FA_E_BINARY   /* a op b */
} fa_expr_kind;

struct fa_decl;

typedef enum { FA_SYM_NONE, FA_SYM_BUILTIN, FA_SYM_PARAM, FA_SYM_LET } fa_sym_kind;

typedef struct fa_expr {
    fa_expr_kind kind;
    fa_loc loc;
    /* Set by sema: the type, and for names/index the symbol they resolve to. */
    fa_type type;
    fa_sym_kind sym_kind;
    int sym_index;               /* builtin var, builtin fn, or param index */
    struct fa_decl *sym_decl;    /* the param or let declaration */
    union {
        int64_t ival;
        double fval;
        bool bval;
        const char *name;        /* FA_E_NAME */
        struct {
            const char *name;    /* FA_E_INDEX tensor / FA_E_CALL function */
            fa_loc name_loc;
            struct fa_expr **args;
            int nargs;
        } call;
        struct {
            fa_op op;
            struct fa_expr *a, *b;   /* b is NULL for unary */
        } op;
    };
} fa_expr;

typedef enum {
    FA_D_PARAM,       /* param NAME : TYPE [= default]; */
    FA_D_LET,         /* let NAME = expr; */
    FA_D_MASK,        /* mask = expr; */
    FA_D_SCORE,       /* score = expr; */
    FA_D_SINK,        /* sink expr;  (constant integer) */
    FA_D_SINK_LOGIT,  /* sink_logit = expr; */
    FA_D_REQUIRE      /* require expr;  (a condition on scalar params, checked at launch) */
} fa_decl_kind;

typedef struct fa_dim {
    const char *name;    /* an extent name, or NULL for a literal */
    int64_t value;       /* the literal */
    fa_extent extent;    /* set by sema */
    fa_loc loc;
} fa_dim;

typedef struct fa_decl {
    fa_decl_kind kind;
    fa_loc loc;                  /* the whole declaration */
    const char *name;            /* param / let */
    fa_loc name_loc;
    /* param */
    const char *type_name;       /* "i32" / "f32" as written; checked by sema */
    fa_loc type_loc;
    fa_param_type ptype;         /* set by sema */
    bool is_tensor;
    int ndims;
    fa_dim dims[FA_MAX_DIMS];
    int param_index;             /* set by sema: slot in fa_args.vparam */
    int order;                   /* set by sema: position among the variant's decls */
    unsigned reads;              /* set by sema: what a let reads, maybe through lets (FA_READS_*) */
    int depth;                   /* set by sema: a let value's nesting, the lets it uses inlined */
    /* default value (param), value (let), predicate (mask), expression (score, sink,
     * sink_logit) */
    fa_expr *value;
    struct fa_decl *next;
} fa_decl;

typedef struct fa_variant {
    const char *name;
    fa_loc loc, name_loc;
    fa_decl *decls;              /* in source order */
    struct fa_variant *next;
} fa_variant;

typedef struct fa_unit {
    fa_arena *arena;
    fa_diags *diags;
    fa_variant *variants;        /* in source order */
} fa_unit;

/* Builders called from the parser's actions (one line each there). */
fa_expr *fa_ast_int(fa_unit *u, fa_loc loc, int64_t v);
fa_expr *fa_ast_float(fa_unit *u, fa_loc loc, double v);
fa_expr *fa_ast_bool(fa_unit *u, fa_loc loc, bool v);
fa_expr *fa_ast_name(fa_unit *u, fa_loc loc, const char *name);
fa_expr *fa_ast_unary(fa_unit *u, fa_loc loc, fa_op op, fa_expr *a);
fa_expr *fa_ast_binary(fa_unit *u, fa_loc loc, fa_op op, fa_expr *a, fa_expr *b);
/* Argument lists are built by appending; the parser passes a NULL list to start. */
fa_expr *fa_ast_call(fa_unit *u, fa_loc loc, fa_expr_kind kind, const char *name,
                     fa_loc name_loc, fa_expr **args, int nargs);
fa_decl *fa_ast_decl(fa_unit *u, fa_decl_kind kind, fa_loc loc);
fa_variant *fa_ast_variant(fa_unit *u, fa_loc loc, const char *name, fa_loc name_loc,
                           fa_decl *decls);
/* Prints an expression back as fadsl source (fully parenthesised). */
void fa_ast_print_expr(fa_buf *b, const fa_expr *e);

/* ==== grammar/: lexer and parser ===================================================== */

/* The hint of an integer literal past int32 (the lexer's, and sema's for 2147483648). */
#define FA_INT_RANGE_HINT "ints are 32-bit: literals run from -2147483648 to 2147483647"

/* Parses `u->diags->source` into u->variants; reports syntax errors to u->diags and
 * recovers to report several. Returns the number of syntax errors (fa_diag_found's: the
 * one that hit the error limit counts). */
int fa_parse(fa_unit *u);

/* ==== sema.c: name resolution and type checking ===================================== */

/* Checks the unit: exactly one variant, no duplicate definitions, every name known,
 * types right (mask is bool, score/sink_logit float, sink a constant int >= 0, indices
 * int, tensor arity), `s` only in score. Annotates the AST. Returns the error count (as
 * fa_parse counts). */
int fa_sema_check(fa_unit *u);

/* ==== ir.c / lower.c / passes ======================================================== */
/* (Back end: the IR, its verifier and dumper, lowering from the checked AST, the
 *  passes, tile analysis and the CUDA C emitter. Declared in compiler/ir.h.) */

#endif
