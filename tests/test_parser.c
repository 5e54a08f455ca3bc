/* test_parser.c - valid programs: they parse and check cleanly, the AST has the right
 * shape (precedence, via fa_ast_print_expr), locations and annotations. */
#include "fa.h"
#include "testutil.h"

#include <stdio.h>
#include <string.h>

typedef struct fa_test_unit {
    fa_diags d;
    fa_unit u;
} fa_test_unit;

/* Parses and checks `src`; failing tests print the diagnostics. */
static fa_test_unit *fa_test_check(const char *src)
{
    fa_test_unit *t = calloc(1, sizeof *t);
    fa_diag_init(&t->d, "t.fa", src);
    t->u = (fa_unit){.arena = fa_arena_new(), .diags = &t->d};
    if (fa_parse(&t->u) == 0)
        fa_sema_check(&t->u);
    if (t->d.n_errors)
        fprintf(stderr, "\n%s", t->d.text.data);
    CU_ASSERT_EQUAL(t->d.n_errors, 0);
    return t;
}

static void fa_test_free(fa_test_unit *t)
{
    fa_arena_free(t->u.arena);
    fa_buf_free(&t->d.text);
    free(t);
}

/* The n-th declaration of the first variant. */
static fa_decl *fa_test_decl(fa_test_unit *t, int n)
{
    fa_decl *d = t->u.variants ? t->u.variants->decls : NULL;
    while (d && n--)
        d = d->next;
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    return d;
}

static bool fa_loc_is(fa_loc l, int line, int col, int end_line, int end_col)
{
    return l.line == line && l.col == col && l.end_line == end_line && l.end_col == end_col;
}

static void test_all_declarations(void)
{
    fa_test_unit *t = fa_test_check("# every kind of declaration\n"
                                    "variant all_kinds {\n"
                                    "    param window : i32 = -128;\n"
                                    "    param scale : f32 = 2;\n"
                                    "    param sinks : f32[q_heads];\n"
                                    "    param doc : i32[batch, kv_len, 3];\n"
                                    "    let near = q - k < window;   # a bool let\n"
                                    "    mask = near && doc[b, k, 0] == doc[b, q, 0];\n"
                                    "    score = s * scale;\n"
                                    "    sink 2 * (3 + 1) % 5;\n"
                                    "    sink_logit = sinks[h];\n"
                                    "}\n");
    fa_variant *v = t->u.variants;
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_STRING_EQUAL(v->name, "all_kinds");
    CU_ASSERT_PTR_NULL(v->next);
    static const fa_decl_kind kinds[] = {FA_D_PARAM, FA_D_PARAM, FA_D_PARAM, FA_D_PARAM, FA_D_LET,
                                         FA_D_MASK, FA_D_SCORE, FA_D_SINK, FA_D_SINK_LOGIT};
    int n = 0;
    for (fa_decl *d = v->decls; d; d = d->next, n++)
        CU_ASSERT_EQUAL(d->kind, kinds[n]);
    CU_ASSERT_EQUAL(n, 9);

    fa_decl *window = fa_test_decl(t, 0), *scale = fa_test_decl(t, 1);
    fa_decl *sinks = fa_test_decl(t, 2), *doc = fa_test_decl(t, 3);
    CU_ASSERT_EQUAL(window->ptype, FA_PARAM_I32);
    CU_ASSERT_FALSE(window->is_tensor);
    CU_ASSERT_EQUAL(window->param_index, 0);
    CU_ASSERT_EQUAL(window->value->kind, FA_E_INT);
    CU_ASSERT_EQUAL(window->value->ival, -128);
    /* an f32 param's int default becomes a float literal */
    CU_ASSERT_EQUAL(scale->ptype, FA_PARAM_F32);
    CU_ASSERT_EQUAL(scale->value->kind, FA_E_FLOAT);
    CU_ASSERT_EQUAL(scale->value->fval, 2.0);
    CU_ASSERT_EQUAL(sinks->param_index, 2);
    CU_ASSERT_TRUE(sinks->is_tensor);
    CU_ASSERT_EQUAL(sinks->ndims, 1);
    CU_ASSERT_EQUAL(sinks->dims[0].extent, FA_EXTENT_Q_HEADS);
    CU_ASSERT_PTR_NULL(sinks->value);
    CU_ASSERT_EQUAL(doc->ptype, FA_PARAM_I32);
    CU_ASSERT_EQUAL(doc->ndims, 3);
    CU_ASSERT_EQUAL(doc->dims[0].extent, FA_EXTENT_BATCH);
    CU_ASSERT_EQUAL(doc->dims[1].extent, FA_EXTENT_KV_LEN);
    CU_ASSERT_EQUAL(doc->dims[2].extent, FA_EXTENT_CONST);
    CU_ASSERT_EQUAL(doc->dims[2].value, 3);

    fa_decl *let = fa_test_decl(t, 4), *mask = fa_test_decl(t, 5), *sink = fa_test_decl(t, 7);
    CU_ASSERT_STRING_EQUAL(let->name, "near");
    CU_ASSERT_EQUAL(let->value->type, FA_TY_BOOL);
    CU_ASSERT_EQUAL(mask->value->type, FA_TY_BOOL);
    /* the let and the tensor element resolve to their declarations */
    fa_expr *near = mask->value->op.a, *elem = mask->value->op.b->op.a;
    CU_ASSERT_EQUAL(near->sym_kind, FA_SYM_LET);
    CU_ASSERT_PTR_EQUAL(near->sym_decl, let);
    CU_ASSERT_EQUAL(elem->kind, FA_E_INDEX);
    CU_ASSERT_EQUAL(elem->sym_kind, FA_SYM_PARAM);
    CU_ASSERT_EQUAL(elem->sym_index, 3);
    CU_ASSERT_PTR_EQUAL(elem->sym_decl, doc);
    CU_ASSERT_EQUAL(elem->type, FA_TY_INT);
    /* sink is folded to one literal: 2 * 4 % 5 */
    CU_ASSERT_EQUAL(sink->value->kind, FA_E_INT);
    CU_ASSERT_EQUAL(sink->value->ival, 3);
    CU_ASSERT_EQUAL(fa_test_decl(t, 6)->value->type, FA_TY_FLOAT);
    CU_ASSERT_EQUAL(fa_test_decl(t, 8)->value->type, FA_TY_FLOAT);
    fa_test_free(t);
}

/* Parses `<decl> = <expr>;` (decl: mask, score or let e) and prints the expression. */
static void fa_test_prints(const char *decl, const char *expr, const char *want)
{
    fa_buf src = {0};
    fa_buf_printf(&src, "variant v {\n    param w : i32;\n    param t : f32[q_heads, 2];\n"
                        "    %s = %s;\n}\n", decl, expr);
    fa_test_unit *t = fa_test_check(src.data);
    fa_buf out = {0};
    fa_ast_print_expr(&out, fa_test_decl(t, 2)->value);
    if (strcmp(out.data, want) != 0)
        fprintf(stderr, "\n%s: got %s, want %s\n", expr, out.data, want);
    CU_ASSERT_STRING_EQUAL(out.data, want);
    fa_buf_free(&out);
    fa_buf_free(&src);
    fa_test_free(t);
}

static void test_precedence(void)
{
    fa_test_prints("mask", "k <= q || q - k < w && !(k > 3)", "((k <= q) || (((q - k) < w) && (!(k > 3))))");
    fa_test_prints("let e", "q + k * 2 - h / 4 % 3 > b", "(((q + (k * 2)) - ((h / 4) % 3)) > b)");
    fa_test_prints("let e", "q - k - 1 == 0 != false", "((((q - k) - 1) == 0) != false)");
    fa_test_prints("let e", "-q * -k < --h", "(((-q) * (-k)) < (-(-h)))");
    fa_test_prints("let e", "q < k == k >= q", "((q < k) == (k >= q))");
    fa_test_prints("let e", "(q + k) * 2 > 1 || true", "((((q + k) * 2) > 1) || true)");
    fa_test_prints("score", "s - t[h, 1] * abs(q - k)", "(s - (t[h, 1] * abs((q - k))))");
    fa_test_prints("score", "30.0 * tanh(s / 30.0) + where(q == k, 1.5, .5) * 1e-3",
                   "((30.0 * tanh((s / 30.0))) + (where((q == k), 1.5, 0.5) * 0.001))");
    fa_test_prints("score", "min(max(s, 0), exp2(log(exp(1))))", "min(max(s, 0), exp2(log(exp(1))))");
}

static void test_locations(void)
{
    fa_test_unit *t = fa_test_check("variant loc {\n"
                                    "    param window : i32;\n"
                                    "\tmask = q - k <  window;\n"
                                    "}\n");
    fa_variant *v = t->u.variants;
    CU_ASSERT_TRUE(fa_loc_is(v->loc, 1, 1, 4, 2));
    CU_ASSERT_TRUE(fa_loc_is(v->name_loc, 1, 9, 1, 12));
    fa_decl *p = fa_test_decl(t, 0), *m = fa_test_decl(t, 1);
    CU_ASSERT_TRUE(fa_loc_is(p->loc, 2, 5, 2, 24));
    CU_ASSERT_TRUE(fa_loc_is(p->name_loc, 2, 11, 2, 17));
    CU_ASSERT_TRUE(fa_loc_is(p->type_loc, 2, 20, 2, 23));
    CU_ASSERT_TRUE(fa_loc_is(m->loc, 3, 2, 3, 25));
    CU_ASSERT_TRUE(fa_loc_is(m->name_loc, 3, 2, 3, 6));   /* the keyword */
    fa_expr *lt = m->value;
    CU_ASSERT_TRUE(fa_loc_is(lt->loc, 3, 9, 3, 24));
    CU_ASSERT_TRUE(fa_loc_is(lt->op.a->loc, 3, 9, 3, 14));
    CU_ASSERT_TRUE(fa_loc_is(lt->op.b->loc, 3, 18, 3, 24));
    fa_test_free(t);

    t = fa_test_check("variant v { param t : f32[q_heads]; score = t[h] * exp(s); }");
    fa_expr *mul = fa_test_decl(t, 1)->value;
    CU_ASSERT_TRUE(fa_loc_is(mul->op.a->loc, 1, 45, 1, 49));
    CU_ASSERT_TRUE(fa_loc_is(mul->op.a->call.name_loc, 1, 45, 1, 46));
    CU_ASSERT_TRUE(fa_loc_is(mul->op.b->loc, 1, 52, 1, 58));
    CU_ASSERT_TRUE(fa_loc_is(fa_test_decl(t, 0)->dims[0].loc, 1, 27, 1, 34));
    fa_test_free(t);
}

static void test_types_and_symbols(void)
{
    fa_test_unit *t = fa_test_check("variant v {\n"
                                    "    param c : f32 = 30;\n"
                                    "    let d = q - k;\n"
                                    "    let f = d * 0.5;\n"
                                    "    let m = min(d, 2);\n"
                                    "    let x = max(d, 2.0);\n"
                                    "    let w = where(d > 0, true, false);\n"
                                    "    let a = abs(d);\n"
                                    "    let r = d % 7 / 2;\n"
                                    "    score = c * tanh(s / c) + f;\n"
                                    "}\n");
    static const fa_type want[] = {FA_TY_FLOAT, FA_TY_INT, FA_TY_FLOAT, FA_TY_INT, FA_TY_FLOAT,
                                   FA_TY_BOOL, FA_TY_INT, FA_TY_INT, FA_TY_FLOAT};
    for (int i = 0; i < 9; i++)
        CU_ASSERT_EQUAL(fa_test_decl(t, i)->value->type, want[i]);
    fa_expr *d = fa_test_decl(t, 1)->value;
    CU_ASSERT_EQUAL(d->op.a->sym_kind, FA_SYM_BUILTIN);
    CU_ASSERT_EQUAL(d->op.a->sym_index, FA_VAR_Q);
    CU_ASSERT_EQUAL(d->op.b->sym_index, FA_VAR_K);
    fa_expr *score = fa_test_decl(t, 8)->value;
    fa_expr *tanh = score->op.a->op.b;
    CU_ASSERT_EQUAL(tanh->kind, FA_E_CALL);
    CU_ASSERT_EQUAL(tanh->sym_kind, FA_SYM_BUILTIN);
    CU_ASSERT_EQUAL(tanh->sym_index, FA_FN_TANH);
    CU_ASSERT_EQUAL(tanh->call.args[0]->op.a->sym_index, FA_VAR_S);
    fa_expr *c = score->op.a->op.a;
    CU_ASSERT_EQUAL(c->sym_kind, FA_SYM_PARAM);
    CU_ASSERT_EQUAL(c->sym_index, 0);
    CU_ASSERT_EQUAL(c->type, FA_TY_FLOAT);
    fa_test_free(t);
}

/* Literals, whitespace, comments and line endings. */
static void test_lexical(void)
{
    fa_test_unit *t = fa_test_check("variant lex{param a:f32=-.5;param c:f32=1e-3;param d:f32=2.;"
                                    "param e:i32=2147483647;#c\r\n"
                                    "\tscore=s*a*c*d*1E+2;   # trailing comment\r\n"
                                    "\fsink 0;}");
    CU_ASSERT_EQUAL(fa_test_decl(t, 0)->value->fval, -0.5);
    CU_ASSERT_EQUAL(fa_test_decl(t, 1)->value->fval, 1e-3);
    CU_ASSERT_EQUAL(fa_test_decl(t, 2)->value->fval, 2.0);
    CU_ASSERT_EQUAL(fa_test_decl(t, 3)->value->ival, 2147483647);
    fa_expr *score = fa_test_decl(t, 4)->value;
    CU_ASSERT_EQUAL(score->op.b->fval, 100.0);
    CU_ASSERT_EQUAL(score->loc.line, 2);
    CU_ASSERT_EQUAL(fa_test_decl(t, 5)->value->ival, 0);
    fa_test_free(t);
}

/* Printed expressions are fadsl source: they parse back to the same print. */
static void test_print_round_trip(void)
{
    const char *exprs[] = {"0.1 + 1e-30 * 3.5e10 - 2.0", "where(q > k, -1, 2) == 1", "!(q > k) || !!true"};
    for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
        fa_buf src = {0}, once = {0};
        fa_buf_printf(&src, "variant v { let e = %s; }", exprs[i]);
        fa_test_unit *t = fa_test_check(src.data);
        fa_ast_print_expr(&once, fa_test_decl(t, 0)->value);
        fa_test_free(t);
        fa_buf_free(&src);
        fa_buf_printf(&src, "variant v { let e = %s; }", once.data);
        t = fa_test_check(src.data);
        fa_buf twice = {0};
        fa_ast_print_expr(&twice, fa_test_decl(t, 0)->value);
        CU_ASSERT_STRING_EQUAL(once.data, twice.data);
        fa_test_free(t);
        fa_buf_free(&src);
        fa_buf_free(&once);
        fa_buf_free(&twice);
    }
}

/* The DESIGN.md example, and an empty variant (dense attention). */
static void test_examples(void)
{
    fa_test_unit *t = fa_test_check("# causal sliding window with ALiBi and four StreamingLLM sink tokens\n"
                                    "variant alibi_swa {\n"
                                    "    param window : i32 = 4096;\n"
                                    "    param slopes : f32[q_heads];\n"
                                    "    sink 4;\n"
                                    "    mask  = k <= q && q - k < window;\n"
                                    "    score = s - slopes[h] * (q - k);\n"
                                    "}\n");
    CU_ASSERT_EQUAL(fa_test_decl(t, 2)->value->ival, 4);
    fa_test_free(t);
    t = fa_test_check("variant dense {}");
    CU_ASSERT_PTR_NULL(t->u.variants->decls);
    fa_test_free(t);
}

void fa_suite_parser(void)
{
    static const CU_TestInfo tests[] = {
        {"all_declarations", test_all_declarations},
        {"precedence", test_precedence},
        {"locations", test_locations},
        {"types_and_symbols", test_types_and_symbols},
        {"lexical", test_lexical},
        {"print_round_trip", test_print_round_trip},
        {"examples", test_examples},
        CU_TEST_INFO_NULL,
    };
    fa_test_add_suite("parser", tests);
}
