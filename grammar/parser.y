/* parser.y - the fadsl grammar: a pure LALR(1) parser building the AST through the
 * fa_ast_ builders. Syntax errors are reported to the unit's diagnostics; the
 * `error ';'` and `error '}'` rules resynchronise so one run reports several. */
%define api.pure full
%define api.prefix {fa_yy}
%define api.location.type {fa_loc}
%define parse.error custom
%locations
%expect 0
%param {fa_lex *lx}

%code requires {
#include "fa.h"

/* Scanner state shared by lexer.l and this parser. */
typedef struct fa_lex {
    fa_unit *u;
    void *scanner;        /* the reentrant flex scanner (yyscan_t) */
    int line, col;        /* the cursor */
    fa_loc prev, last;    /* the last two tokens read: last is the lookahead */
} fa_lex;

/* Argument and index lists: an arena array grown by doubling at powers of two. */
typedef struct fa_exprs {
    fa_expr **v;
    int n;
} fa_exprs;

/* Declarations in source order. */
typedef struct fa_decls {
    fa_decl *head, *tail;
} fa_decls;

/* A tensor parameter's dimensions; more than FA_MAX_DIMS are reported, not stored. */
typedef struct fa_dims {
    fa_dim d[FA_MAX_DIMS];
    int n;
} fa_dims;
}

%code {
#define U (lx->u)
#define YYMAXDEPTH 1000
#define YYLLOC_DEFAULT(cur, rhs, n)                                   \
    do {                                                              \
        if (n) {                                                      \
            (cur) = fa_loc_span(YYRHSLOC(rhs, 1), YYRHSLOC(rhs, n));  \
        } else {                                                      \
            (cur).line = (cur).end_line = YYRHSLOC(rhs, 0).end_line;  \
            (cur).col = (cur).end_col = YYRHSLOC(rhs, 0).end_col;     \
        }                                                             \
    } while (0)

int fa_lex_next(FA_YYSTYPE *v, fa_loc *loc, void *scanner);
static int fa_yylex(FA_YYSTYPE *v, fa_loc *loc, fa_lex *lx);
static void fa_yyerror(fa_loc *loc, fa_lex *lx, const char *msg);
static bool fa_parse_resumes(int tok);
static fa_exprs fa_parse_arg(fa_unit *u, fa_exprs list, fa_expr *e);
static fa_decls fa_parse_decls(fa_decls list, fa_decl *d);
static fa_dims *fa_parse_dim(fa_unit *u, fa_dims *dims, fa_loc loc, const char *name, int64_t value);
static fa_decl *fa_parse_param(fa_unit *u, fa_loc loc, const char *name, fa_loc name_loc,
                               const char *type, fa_loc type_loc, fa_dims *dims, fa_expr *def);
static fa_decl *fa_parse_decl(fa_unit *u, fa_decl_kind kind, fa_loc loc, const char *name,
                              fa_loc name_loc, fa_expr *value);
}

%union {
    const char *name;
    int64_t ival;
    double fval;
    fa_expr *expr;
    fa_exprs exprs;
    fa_decl *decl;
    fa_decls decls;
    fa_dims *dims;
}

%token VARIANT "'variant'" PARAM "'param'" LET "'let'" MASK "'mask'" SCORE "'score'"
%token SINK "'sink'" SINK_LOGIT "'sink_logit'" REQUIRE "'require'" TRUE "'true'" FALSE "'false'"
%token <name> IDENT "identifier"
%token <ival> INT "integer literal"
%token <fval> FLOAT "float literal"
%token OR "'||'" AND "'&&'" EQ "'=='" NE "'!='" LE "'<='" GE "'>='"

%left OR
%left AND
%left EQ NE
%left '<' LE '>' GE
%left '+' '-'
%left '*' '/' '%'
%precedence '!' UMINUS

%type <expr> expr primary default number
%type <exprs> args args_opt
%type <decl> decl
%type <decls> decls
%type <dims> dims dims_opt

%%

file
    : %empty
    | file variant
    | file error
    ;

variant
    : VARIANT IDENT '{' decls '}'         { fa_ast_variant(U, @$, $2, @2, $4.head); }
    | VARIANT IDENT '{' decls error '}'   { fa_ast_variant(U, @$, $2, @2, $4.head); yyerrok; }
    ;

decls
    : %empty                              { $$ = (fa_decls){0}; }
    | decls decl                          { $$ = fa_parse_decls($1, $2); }
    | decls error ';'                     { $$ = $1; yyerrok; }
    ;

decl
    : PARAM IDENT ':' IDENT dims_opt default end { $$ = fa_parse_param(U, @$, $2, @2, $4, @4, $5, $6); }
    | LET IDENT '=' expr end              { $$ = fa_parse_decl(U, FA_D_LET, @$, $2, @2, $4); }
    | MASK '=' expr end                   { $$ = fa_parse_decl(U, FA_D_MASK, @$, NULL, @1, $3); }
    | SCORE '=' expr end                  { $$ = fa_parse_decl(U, FA_D_SCORE, @$, NULL, @1, $3); }
    | SINK expr end                       { $$ = fa_parse_decl(U, FA_D_SINK, @$, NULL, @1, $2); }
    | SINK_LOGIT '=' expr end             { $$ = fa_parse_decl(U, FA_D_SINK_LOGIT, @$, NULL, @1, $3); }
    | REQUIRE expr end                    { $$ = fa_parse_decl(U, FA_D_REQUIRE, @$, NULL, @1, $2); }
    ;

/* A declaration whose expression is followed by junk, or by the next declaration
 * (a missing ';'), is kept; parsing resumes at the next ';' or declaration. */
end
    : ';'
    | error ';'                           { yyerrok; }
    | error                               { if (fa_parse_resumes(yychar)) yyerrok; }
    ;

dims_opt
    : %empty                              { $$ = NULL; }
    | '[' dims ']'                        { $$ = $2; }
    ;

dims
    : IDENT                               { $$ = fa_parse_dim(U, NULL, @1, $1, 0); }
    | INT                                 { $$ = fa_parse_dim(U, NULL, @1, NULL, $1); }
    | dims ',' IDENT                      { $$ = fa_parse_dim(U, $1, @3, $3, 0); }
    | dims ',' INT                        { $$ = fa_parse_dim(U, $1, @3, NULL, $3); }
    ;

default
    : %empty                              { $$ = NULL; }
    | '=' number                          { $$ = $2; }
    ;

number
    : INT                                 { $$ = fa_ast_int(U, @$, $1); }
    | FLOAT                               { $$ = fa_ast_float(U, @$, $1); }
    | '-' INT                             { $$ = fa_ast_int(U, @$, -$2); }
    | '-' FLOAT                           { $$ = fa_ast_float(U, @$, -$2); }
    ;

expr
    : expr OR expr                        { $$ = fa_ast_binary(U, @$, FA_OP_OR, $1, $3); }
    | expr AND expr                       { $$ = fa_ast_binary(U, @$, FA_OP_AND, $1, $3); }
    | expr EQ expr                        { $$ = fa_ast_binary(U, @$, FA_OP_EQ, $1, $3); }
    | expr NE expr                        { $$ = fa_ast_binary(U, @$, FA_OP_NE, $1, $3); }
    | expr '<' expr                       { $$ = fa_ast_binary(U, @$, FA_OP_LT, $1, $3); }
    | expr LE expr                        { $$ = fa_ast_binary(U, @$, FA_OP_LE, $1, $3); }
    | expr '>' expr                       { $$ = fa_ast_binary(U, @$, FA_OP_GT, $1, $3); }
    | expr GE expr                        { $$ = fa_ast_binary(U, @$, FA_OP_GE, $1, $3); }
    | expr '+' expr                       { $$ = fa_ast_binary(U, @$, FA_OP_ADD, $1, $3); }
    | expr '-' expr                       { $$ = fa_ast_binary(U, @$, FA_OP_SUB, $1, $3); }
    | expr '*' expr                       { $$ = fa_ast_binary(U, @$, FA_OP_MUL, $1, $3); }
    | expr '/' expr                       { $$ = fa_ast_binary(U, @$, FA_OP_DIV, $1, $3); }
    | expr '%' expr                       { $$ = fa_ast_binary(U, @$, FA_OP_MOD, $1, $3); }
    | '!' expr                            { $$ = fa_ast_unary(U, @$, FA_OP_NOT, $2); }
    | '-' expr %prec UMINUS               { $$ = fa_ast_unary(U, @$, FA_OP_NEG, $2); }
    | primary
    ;

primary
    : INT                                 { $$ = fa_ast_int(U, @$, $1); }
    | FLOAT                               { $$ = fa_ast_float(U, @$, $1); }
    | TRUE                                { $$ = fa_ast_bool(U, @$, true); }
    | FALSE                               { $$ = fa_ast_bool(U, @$, false); }
    | IDENT                               { $$ = fa_ast_name(U, @$, $1); }
    | IDENT '(' args_opt ')'              { $$ = fa_ast_call(U, @$, FA_E_CALL, $1, @1, $3.v, $3.n); }
    | IDENT '[' args ']'                  { $$ = fa_ast_call(U, @$, FA_E_INDEX, $1, @1, $3.v, $3.n); }
    | '(' expr ')'                        { $$ = $2; }
    ;

args_opt
    : %empty                              { $$ = (fa_exprs){0}; }
    | args
    ;

args
    : expr                                { $$ = fa_parse_arg(U, (fa_exprs){0}, $1); }
    | args ',' expr                       { $$ = fa_parse_arg(U, $1, $3); }
    ;

%%

/* Every token goes through here so a syntax error can point just past the one before
 * the lookahead (a missing ';' belongs at the end of its line, not on the next). */
static int fa_yylex(FA_YYSTYPE *v, fa_loc *loc, fa_lex *lx)
{
    lx->prev = lx->last;
    int tok = fa_lex_next(v, loc, lx->scanner);
    lx->last = *loc;
    return tok;
}

/* Bison calls this only when its stack overflows ("memory exhausted"): deeply nested
 * expressions. */
static void fa_yyerror(fa_loc *loc, fa_lex *lx, const char *msg)
{
    fa_diag_error(U->diags, *loc, "expression nested too deeply");
    fa_diag_hint(U->diags, "simplify it: at most %d nested operations", FA_MAX_NESTING);
}

/* end: error -- whether the lookahead starts the next declaration or ends the variant. */
static bool fa_parse_resumes(int tok)
{
    return (tok >= PARAM && tok <= REQUIRE) || tok == '}';
}

/* args: args ',' expr */
static fa_exprs fa_parse_arg(fa_unit *u, fa_exprs list, fa_expr *e)
{
    if ((list.n & (list.n - 1)) == 0) {
        fa_expr **v = fa_arena_alloc(u->arena, sizeof *v * (size_t)(list.n ? 2 * list.n : 1));
        for (int i = 0; i < list.n; i++)
            v[i] = list.v[i];
        list.v = v;
    }
    list.v[list.n++] = e;
    return list;
}

/* decls: decls decl */
static fa_decls fa_parse_decls(fa_decls list, fa_decl *d)
{
    if (list.tail)
        list.tail->next = d;
    else
        list.head = d;
    list.tail = d;
    return list;
}

/* dims: dims ',' IDENT | dims ',' INT */
static fa_dims *fa_parse_dim(fa_unit *u, fa_dims *dims, fa_loc loc, const char *name, int64_t value)
{
    if (!dims)
        dims = fa_arena_alloc(u->arena, sizeof *dims);
    if (dims->n == FA_MAX_DIMS) {
        fa_diag_error(u->diags, loc, "too many dimensions: a tensor has at most %d", FA_MAX_DIMS);
        fa_diag_hint(u->diags, "flatten the extra dimensions into one");
    }
    if (dims->n < FA_MAX_DIMS)
        dims->d[dims->n] = (fa_dim){.name = name, .value = value, .loc = loc};
    dims->n++;
    return dims;
}

/* decl: PARAM IDENT ':' IDENT dims_opt default ';' */
static fa_decl *fa_parse_param(fa_unit *u, fa_loc loc, const char *name, fa_loc name_loc,
                               const char *type, fa_loc type_loc, fa_dims *dims, fa_expr *def)
{
    fa_decl *d = fa_parse_decl(u, FA_D_PARAM, loc, name, name_loc, def);
    d->type_name = type;
    d->type_loc = type_loc;
    d->param_index = -1;
    if (dims) {
        d->is_tensor = true;
        d->ndims = dims->n < FA_MAX_DIMS ? dims->n : FA_MAX_DIMS;
        for (int i = 0; i < d->ndims; i++)
            d->dims[i] = dims->d[i];
    }
    return d;
}

/* decl: LET IDENT '=' expr ';' | MASK '=' expr ';' | ... (name_loc: the name or keyword) */
static fa_decl *fa_parse_decl(fa_unit *u, fa_decl_kind kind, fa_loc loc, const char *name,
                              fa_loc name_loc, fa_expr *value)
{
    fa_decl *d = fa_ast_decl(u, kind, loc);
    d->name = name;
    d->name_loc = name_loc;
    d->value = value;
    return d;
}

/* The text of the token at `loc` on its line, at most 40 characters. */
static void fa_parse_token_text(fa_buf *b, const char *src, fa_loc loc)
{
    for (int line = 1; line < loc.line && *src; src++)
        if (*src == '\n')
            line++;
    for (int col = 1; col < loc.col && *src && *src != '\n'; col++)
        src++;
    int n = loc.end_line == loc.line ? loc.end_col - loc.col : 0;
    fa_buf_printf(b, " '%.*s%s'", n < 40 ? n : 40, src, n > 40 ? "..." : "");
}

/* Expected-token groups: a set holding a whole group reads as one phrase. */
enum { FA_GROUP_NONE, FA_GROUP_EXPR, FA_GROUP_OP, FA_GROUP_DECL };
static const char *const fa_group_phrase[] = {NULL, "an expression", "an operator", "a declaration"};

/* The group of `t`: tokens that start an expression, continue one, or start a
 * declaration; '-' does both, so it joins the expression group when that is expected. */
static int fa_parse_group(yysymbol_kind_t t, bool expr)
{
    switch (t) {
    case YYSYMBOL_IDENT: case YYSYMBOL_INT: case YYSYMBOL_FLOAT: case YYSYMBOL_TRUE: case YYSYMBOL_FALSE:
        return FA_GROUP_EXPR;
    case YYSYMBOL_OR: case YYSYMBOL_AND: case YYSYMBOL_EQ: case YYSYMBOL_NE: case YYSYMBOL_LE: case YYSYMBOL_GE:
        return FA_GROUP_OP;
    case YYSYMBOL_PARAM: case YYSYMBOL_LET: case YYSYMBOL_MASK: case YYSYMBOL_SCORE: case YYSYMBOL_SINK:
    case YYSYMBOL_SINK_LOGIT: case YYSYMBOL_REQUIRE:
        return FA_GROUP_DECL;
    default: /* character tokens: bison numbers their symbols, so they are told apart here */
        break;
    }
    if (t == YYTRANSLATE('(') || t == YYTRANSLATE('!'))
        return FA_GROUP_EXPR;
    if (t == YYTRANSLATE('-'))
        return expr ? FA_GROUP_EXPR : FA_GROUP_OP;
    static const int ops[] = {'<', '>', '+', '*', '/', '%'};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (t == YYTRANSLATE(ops[i]))
            return FA_GROUP_OP;
    return FA_GROUP_NONE;
}

/* Reports a syntax error as "unexpected X, expecting A or B", with a hint for the usual
 * slips: a missing ';' (reported at the end of the line that lacks it), a keyword used
 * as a name, a statement that is not a declaration, '=' for '=='. */
static int yyreport_syntax_error(const yypcontext_t *ctx, fa_lex *lx)
{
    fa_diags *d = U->diags;
    yysymbol_kind_t want[YYNTOKENS];
    int n = yypcontext_expected_tokens(ctx, want, YYNTOKENS);
    yysymbol_kind_t tok = yypcontext_token(ctx);
    fa_loc loc = *yypcontext_location(ctx);
    fa_loc after = {lx->prev.end_line, lx->prev.end_col, lx->prev.end_line, lx->prev.end_col + 1};
    bool has[YYNTOKENS] = {0};
    for (int i = 0; i < n; i++)
        has[want[i]] = true;
    /* A group counts when its key token is expected ('-' and '(' alone say little). */
    bool expr = has[YYSYMBOL_INT], op = has[YYSYMBOL_OR], decl = has[YYSYMBOL_PARAM];
    const bool active[] = {false, expr, op, decl};

    if (lx->prev.line && has[YYTRANSLATE(';')] && tok != YYSYMBOL_YYEOF && loc.line > lx->prev.end_line) {
        fa_diag_error(d, after, "missing ';' at the end of this declaration");
        fa_diag_hint(d, "every declaration ends with ';'");
        return 0;
    }
    fa_buf msg = {0};
    fa_buf_printf(&msg, "unexpected %s", yysymbol_name(tok));
    if (tok == YYSYMBOL_IDENT || tok == YYSYMBOL_INT || tok == YYSYMBOL_FLOAT)
        fa_parse_token_text(&msg, d->source, loc);
    const char *items[YYNTOKENS];
    int m = 0;
    for (int i = 0; i < n; i++) {
        int g = fa_parse_group(want[i], expr);
        const char *item = active[g] ? fa_group_phrase[g] : yysymbol_name(want[i]);
        bool seen = false;
        for (int j = 0; j < m; j++)
            seen |= items[j] == item;
        if (!seen)
            items[m++] = item;
    }
    for (int i = 0; m <= 4 && i < m; i++)
        fa_buf_printf(&msg, "%s%s", i ? " or " : ", expecting ", items[i]);
    if (tok == YYSYMBOL_YYEOF && lx->prev.line)
        loc = after;
    fa_diag_error(d, loc, "%s", msg.data);
    fa_buf_free(&msg);

    if (tok >= YYSYMBOL_VARIANT && tok <= YYSYMBOL_FALSE && has[YYSYMBOL_IDENT])
        fa_diag_hint(d, "%s is a keyword; it cannot be used as a name", yysymbol_name(tok));
    else if (decl && tok == YYSYMBOL_IDENT)
        fa_diag_hint(d, "a declaration starts with param, let, mask, score, sink, sink_logit or require");
    else if (op && tok == YYTRANSLATE('='))
        fa_diag_hint(d, "compare with '=='; '=' only defines");
    return 0;
}
