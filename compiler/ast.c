/* ast.c - syntax tree builders (arena allocated) and the expression printer. */
#include "fa.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *fa_op_text(fa_op op)
{
    static const char *const text[] = {
#define X(id, t) t,
        FA_OP_LIST(X)
#undef X
    };
    return (unsigned)op < FA_OP__COUNT ? text[op] : "?";
}

const char *fa_type_name(fa_type t)
{
    switch (t) {
    case FA_TY_BOOL: return "bool";
    case FA_TY_INT: return "int";
    case FA_TY_FLOAT: return "float";
    default: return "<error>";
    }
}

static fa_expr *fa_ast_expr(fa_unit *u, fa_expr_kind kind, fa_loc loc)
{
    fa_expr *e = fa_arena_alloc(u->arena, sizeof *e);
    e->kind = kind;
    e->loc = loc;
    e->sym_index = -1;
    return e;
}

fa_expr *fa_ast_int(fa_unit *u, fa_loc loc, int64_t v)
{
    fa_expr *e = fa_ast_expr(u, FA_E_INT, loc);
    e->ival = v;
    return e;
}

fa_expr *fa_ast_float(fa_unit *u, fa_loc loc, double v)
{
    fa_expr *e = fa_ast_expr(u, FA_E_FLOAT, loc);
    e->fval = v;
    return e;
}

fa_expr *fa_ast_bool(fa_unit *u, fa_loc loc, bool v)
{
    fa_expr *e = fa_ast_expr(u, FA_E_BOOL, loc);
    e->bval = v;
    return e;
}

fa_expr *fa_ast_name(fa_unit *u, fa_loc loc, const char *name)
{
    fa_expr *e = fa_ast_expr(u, FA_E_NAME, loc);
    e->name = name;
    return e;
}

fa_expr *fa_ast_unary(fa_unit *u, fa_loc loc, fa_op op, fa_expr *a)
{
    fa_expr *e = fa_ast_expr(u, FA_E_UNARY, loc);
    e->op.op = op;
    e->op.a = a;
    return e;
}

fa_expr *fa_ast_binary(fa_unit *u, fa_loc loc, fa_op op, fa_expr *a, fa_expr *b)
{
    fa_expr *e = fa_ast_expr(u, FA_E_BINARY, loc);
    e->op.op = op;
    e->op.a = a;
    e->op.b = b;
    return e;
}

/* kind is FA_E_CALL (a builtin function) or FA_E_INDEX (a tensor); args is kept. */
fa_expr *fa_ast_call(fa_unit *u, fa_loc loc, fa_expr_kind kind, const char *name,
                     fa_loc name_loc, fa_expr **args, int nargs)
{
    fa_expr *e = fa_ast_expr(u, kind, loc);
    e->call.name = name;
    e->call.name_loc = name_loc;
    e->call.args = args;
    e->call.nargs = nargs;
    return e;
}

fa_decl *fa_ast_decl(fa_unit *u, fa_decl_kind kind, fa_loc loc)
{
    fa_decl *d = fa_arena_alloc(u->arena, sizeof *d);
    d->kind = kind;
    d->loc = loc;
    d->param_index = -1;
    return d;
}

/* Also appends the variant to u->variants. */
fa_variant *fa_ast_variant(fa_unit *u, fa_loc loc, const char *name, fa_loc name_loc,
                           fa_decl *decls)
{
    fa_variant *v = fa_arena_alloc(u->arena, sizeof *v);
    v->name = name;
    v->loc = loc;
    v->name_loc = name_loc;
    v->decls = decls;
    fa_variant **p = &u->variants;
    while (*p)
        p = &(*p)->next;
    *p = v;
    return v;
}

/* The shortest decimal that reads back as `x` (plain unless x is tiny or huge), always
 * with a '.' or an exponent so it stays a float literal when parsed again. */
static void fa_ast_print_float(fa_buf *b, double x)
{
    char s[40];
    bool plain = fabs(x) >= 1e-4 && fabs(x) < 1e16;
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(s, sizeof s, "%.*g", prec, x);
        if (strtod(s, NULL) == x && !(plain && strchr(s, 'e')))
            break;
    }
    fa_buf_puts(b, s);
    if (!strpbrk(s, ".e"))
        fa_buf_puts(b, ".0");
}

void fa_ast_print_expr(fa_buf *b, const fa_expr *e)
{
    switch (e->kind) {
    case FA_E_INT:
        fa_buf_printf(b, "%" PRId64, e->ival);
        break;
    case FA_E_FLOAT:
        fa_ast_print_float(b, e->fval);
        break;
    case FA_E_BOOL:
        fa_buf_puts(b, e->bval ? "true" : "false");
        break;
    case FA_E_NAME:
        fa_buf_puts(b, e->name);
        break;
    case FA_E_INDEX:
    case FA_E_CALL:
        fa_buf_printf(b, "%s%c", e->call.name, e->kind == FA_E_CALL ? '(' : '[');
        for (int i = 0; i < e->call.nargs; i++) {
            if (i)
                fa_buf_puts(b, ", ");
            fa_ast_print_expr(b, e->call.args[i]);
        }
        fa_buf_puts(b, e->kind == FA_E_CALL ? ")" : "]");
        break;
    case FA_E_UNARY:
        fa_buf_printf(b, "(%s", fa_op_text(e->op.op));
        fa_ast_print_expr(b, e->op.a);
        fa_buf_puts(b, ")");
        break;
    case FA_E_BINARY:
        fa_buf_puts(b, "(");
        fa_ast_print_expr(b, e->op.a);
        fa_buf_printf(b, " %s ", fa_op_text(e->op.op));
        fa_ast_print_expr(b, e->op.b);
        fa_buf_puts(b, ")");
        break;
    }
}
