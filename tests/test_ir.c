/* test_ir.c - the IR: golden dumps of the standard library, verifier, folding, CSE,
 * hashing, per-pass dumps and standard-library recognition. */
#include "be_test.h"
#include "testutil.h"

#include <stdio.h>
#include <string.h>

const char *fa_embedded_stdlib_name(int i);

static void test_golden_stdlib(void)
{
    for (int i = 0; fa_stdlib_name(i); i++) {
        fa_program *p = fa_be_stdlib(fa_stdlib_name(i));
        char *text = fa_program_dump_ir(p);
        char rel[128];
        snprintf(rel, sizeof rel, "ir/%s.ir", fa_stdlib_name(i));
        fa_be_golden(rel, text);
        free(text);
        fa_program_free(p);
    }
}

/* Every embedded stdlib file is in the table and named like its file, and back. */
static void test_stdlib_table(void)
{
    int n_files = 0;
    for (const char *f; (f = fa_embedded_stdlib_name(n_files)); n_files++) {
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(strlen(f) - 3), f);
        CU_ASSERT_PTR_NOT_NULL(fa_stdlib_source(name));
        fa_program *p = fa_be_stdlib(name);
        CU_ASSERT_STRING_EQUAL(fa_program_name(p), name);
        fa_key key;
        fa_key_init(&key);
        fa_key_set_variant(&key, p);
        CU_ASSERT_TRUE(key.stdlib);
        fa_program_free(p);
    }
    int n_names = 0;
    while (fa_stdlib_name(n_names))
        n_names++;
    CU_ASSERT_EQUAL(n_files, n_names);
    CU_ASSERT_PTR_NULL(fa_stdlib_source("no_such_variant"));
}

static void test_key_flags(void)
{
    fa_key key;
    fa_key_init(&key);
    fa_program *p = fa_be_stdlib("sink_window");
    fa_key_set_variant(&key, p);
    CU_ASSERT_STRING_EQUAL(key.variant, "sink_window");
    CU_ASSERT_TRUE(key.stdlib && key.causal && key.sliding_window && !key.alibi && !key.softcap);
    CU_ASSERT_EQUAL(key.sink_tokens, 4);
    CU_ASSERT_EQUAL(key.variant_hash, fa_program_hash(p));
    fa_program_free(p);
    p = fa_be_stdlib("gpt_oss");
    fa_key_set_variant(&key, p);
    CU_ASSERT_TRUE(key.learned_sinks && key.sliding_window && key.sink_tokens == 0);
    fa_program_free(p);
    p = fa_be_stdlib("causal_alibi");
    fa_key_set_variant(&key, p);
    CU_ASSERT_TRUE(key.alibi && key.causal && !key.sliding_window && !key.learned_sinks);
    fa_program_free(p);
}

/* A user variant named like a stdlib one is stdlib only when its IR is the same. */
static void test_stdlib_recognition(void)
{
    fa_key key;
    fa_key_init(&key);
    fa_program *p = fa_be_compile("# my own\nvariant causal {\n  let ok = q >= k;\n  mask = ok;\n}\n");
    fa_key_set_variant(&key, p);
    CU_ASSERT_TRUE(key.stdlib && key.causal);
    fa_program_free(p);
    p = fa_be_compile("variant causal { mask = k < q; }");
    fa_key_set_variant(&key, p);
    CU_ASSERT_FALSE(key.stdlib || key.causal);
    fa_program_free(p);
}

/* i32 defaults are exact in the dump, which feeds the IR hash: defaults of 10 digits (past %.9g's
 * exact range) used to print alike, so two variants shared a hash. */
static void test_i32_default_exact(void)
{
    fa_program *a = fa_be_compile("variant v { param w : i32 = 2147483647; mask = q - k < w; }");
    fa_program *b = fa_be_compile("variant v { param w : i32 = 2147483646; mask = q - k < w; }");
    char *dump = fa_ir_dump(fa_program_ir(a));
    CU_ASSERT_PTR_NOT_NULL(strstr(dump, "= 2147483647\n"));

    fa_key ka, kb;
    fa_key_init(&ka), fa_key_init(&kb);
    fa_key_set_variant(&ka, a), fa_key_set_variant(&kb, b);
    CU_ASSERT_NOT_EQUAL(ka.variant_hash, kb.variant_hash);
    free(dump);
    fa_program_free(a);
    fa_program_free(b);
}

static char *fa_be_dump(const char *src)
{
    fa_program *p = fa_be_compile(src);
    char *text = fa_ir_dump(fa_program_ir(p));
    fa_program_free(p);
    return text;
}

/* The node lines of a dump, without the header lines. */
static const char *fa_be_body(const char *dump)
{
    const char *s = strstr(dump, "\n%");
    return s ? s + 1 : dump;
}

/* -2147483648 is a literal (a default and in an expression), exactly. */
static void test_int_min_literal(void)
{
    char *dump = fa_be_dump("variant v { param w : i32 = -2147483648; mask = q - k > -2147483648 && k <= q + w; }");
    CU_ASSERT_PTR_NOT_NULL(strstr(dump, "= -2147483648\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(dump, "const -2147483648\n"));
    free(dump);
}

static void test_fold_ints(void)
{
    /* C semantics: truncating division, remainder with the dividend's sign; wrapping. */
    char *t = fa_be_dump("variant v { mask = k < 2 + 3 * 4 - 7 / -2 + -7 % 2 + (2147483647 + 1) / 65536; }");
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "const -32752\n")); /* 14 + 3 - 1 - 32768 */
    CU_ASSERT_PTR_NULL(strstr(t, "add"));
    free(t);
    /* total division: x / 0 == 0, x % 0 == x */
    t = fa_be_dump("variant v { mask = k < 5 / 0 + 9 % 0; }");
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "const 9\n"));
    free(t);
    /* constant offsets combine (wrapping): ((q - k) + 3 - 5) + 2 is q - k, and
     * (k + 2147483647) + 1 is k + INT_MIN */
    t = fa_be_dump("variant v { let d = q - k + 3; mask = 7 + (d - 5 + 2) < 9 && (k + 2147483647) + 1 < q; }");
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "const -2147483648\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "const 7\n"));
    CU_ASSERT_PTR_NULL(strstr(t, "const 3\n"));
    CU_ASSERT_PTR_NULL(strstr(t, "const 5\n"));
    free(t);
}

static void test_fold_floats(void)
{
    char *t = fa_be_dump("variant v { score = s + 0.1 + 0.2; }");
    /* (s + 0.1f) + 0.2f is not reassociated */
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "const 0x1.99999ap-4  # 0.100000001"));
    free(t);
    t = fa_be_dump("variant v { score = s * (0.1 + 0.2) + exp(0.0) * s * 0.0; }");
    /* 0.1f + 0.2f rounded once from double; exp(0) == 1 folds x * 1; s * 0.0 stays (NaN, inf) */
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "const 0x1.333334p-2"));
    CU_ASSERT_PTR_NULL(strstr(t, "exp"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "const 0x0p+0"));
    free(t);
}

static void test_fold_logic(void)
{
    char *t = fa_be_dump("variant v { param w : i32; mask = (k <= q && true) || false || !(w < 3) && !!(1 < 2); }");
    /* x && true, x || false, !!c, constant compare, and !(w < 3) -> 3 <= w */
    CU_ASSERT_STRING_EQUAL(fa_be_body(t), "%0:i32 = var k\n%1:i32 = var q\n%2:bool = le %0, %1\n%3:i32 = const 3\n"
                                          "%4:i32 = param $w\n%5:bool = le %3, %4\n%6:bool = or %2, %5\n"
                                          "mask %6\nvisible %6\n");
    free(t);
    /* a float comparison keeps its not (NaN) */
    t = fa_be_dump("variant v { param x : f32; mask = !(x < 1.0); }");
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "= not %"));
    free(t);
    t = fa_be_dump("variant v { mask = k <= q && false; }");
    CU_ASSERT_STRING_EQUAL(fa_be_body(t), "%0:bool = const false\nmask %0\nvisible %0\n");
    free(t);
    t = fa_be_dump("variant v { mask = where(k < k, q < 0, k - k + q * 1 >= k); }");
    /* k < k is false for ints, k - k is 0, q * 1 is q, select on a constant */
    CU_ASSERT_STRING_EQUAL(fa_be_body(t), "%0:i32 = var k\n%1:i32 = var q\n%2:bool = le %0, %1\nmask %2\nvisible %2\n");
    free(t);
}

static void test_cse(void)
{
    /* the same subexpression written twice (commuted) becomes one node, and && of a
     * node with itself folds away */
    char *t = fa_be_dump("variant v { param w : i32; mask = q - k < w + 1 && q - k < 1 + w && k <= q; }");
    CU_ASSERT_STRING_EQUAL(fa_be_body(t), "%0:i32 = var q\n%1:i32 = var k\n%2:i32 = sub %0, %1\n"
                                          "%3:i32 = param $w\n%4:i32 = const 1\n%5:i32 = add %3, %4\n"
                                          "%6:bool = lt %2, %5\n%7:bool = le %1, %0\n%8:bool = and %6, %7\n"
                                          "mask %8\nvisible %8\n");
    free(t);
    /* a non-commutative op keeps operand order apart */
    t = fa_be_dump("variant v { mask = q - k < 3 && k - q < 3; }");
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "sub %0, %1"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "sub %1, %0"));
    free(t);
}

static void test_hash(void)
{
    fa_program *a = fa_be_compile("variant a { param w : i32 = 4; mask = k <= q && q - k < w; }");
    fa_program *b = fa_be_compile("# same IR, other spelling\nvariant b {\n param w : i32 = 4;\n"
                                  " let d = q - k;\n mask = q >= k && d < w && true;\n}\n");
    fa_program *c = fa_be_compile("variant a { param w : i32 = 4; mask = k <= q && q - k <= w; }");
    CU_ASSERT_EQUAL(fa_program_hash(a), fa_program_hash(b));
    CU_ASSERT_NOT_EQUAL(fa_program_hash(a), fa_program_hash(c));
    fa_program_free(a);
    fa_program_free(b);
    fa_program_free(c);
}

static void test_dump_after(void)
{
    const char *src = "variant v { let x = k + 0; mask = x <= q && x <= q; }";
    char *dump = NULL;
    fa_program *p = fa_program_compile_dump("t.fa", src, "lower", &dump, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dump);
    CU_ASSERT_PTR_NOT_NULL(strstr(dump, "add")); /* not folded yet */
    free(dump);
    fa_program_free(p);
    p = fa_program_compile_dump("t.fa", src, "tile", &dump, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dump);
    CU_ASSERT_PTR_NOT_NULL(strstr(dump, "keyrange (k le %1)"));
    CU_ASSERT_PTR_NULL(strstr(dump, "add"));
    CU_ASSERT_PTR_NULL(strstr(dump, "tilescan")); /* no tensor read at a position */
    free(dump);
    fa_program_free(p);
    /* a load at k is scanned; one at a head index is a point */
    p = fa_program_compile_dump("t.fa", "variant v { param t : i32[kv_len]; param u : i32[q_heads];\n"
                                        "    mask = t[k] > 0 && u[h] > 0; }", "tile", &dump, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dump);
    const char *line = strstr(dump, "\ntilescan %");
    CU_ASSERT_TRUE(line && strchr(line + 11, '%') == NULL);
    free(dump);
    fa_program_free(p);
}

static void test_verifier(void)
{
    fa_ir *ir = fa_ir_new("bad");
    fa_ir_node *q = fa_ir_var(ir, FA_VAR_Q), *s = fa_ir_var(ir, FA_VAR_S);
    ir->root[FA_IR_ROOT_MASK] = ir->root[FA_IR_ROOT_VISIBLE] = fa_ir_make(ir, FA_IR_LT, q, fa_ir_const_int(ir, 3), NULL);
    fa_ir_number(ir);
    char *why = fa_ir_verify(ir);
    CU_ASSERT_PTR_NULL(why);
    free(why);
    /* int compared with float */
    ir->root[FA_IR_ROOT_MASK] = ir->root[FA_IR_ROOT_VISIBLE] =
        fa_ir_make(ir, FA_IR_LT, q, fa_ir_const_float(ir, 2.0f), NULL);
    fa_ir_number(ir);
    why = fa_ir_verify(ir);
    CU_ASSERT_PTR_NOT_NULL(why);
    CU_ASSERT_TRUE(why && strstr(why, "lt"));
    free(why);
    /* s outside score */
    ir->root[FA_IR_ROOT_MASK] = ir->root[FA_IR_ROOT_VISIBLE] =
        fa_ir_make(ir, FA_IR_LT, s, fa_ir_const_float(ir, 1.0f), NULL);
    fa_ir_number(ir);
    why = fa_ir_verify(ir);
    CU_ASSERT_TRUE(why && strstr(why, "reads s"));
    free(why);
    /* a scalar read of a tensor param */
    ir->nparams = 1;
    ir->params[0] = (fa_param_info){.name = "t", .type = FA_PARAM_I32, .is_tensor = true, .ndims = 1};
    ir->root[FA_IR_ROOT_MASK] = ir->root[FA_IR_ROOT_VISIBLE] =
        fa_ir_make(ir, FA_IR_LT, q, fa_ir_param(ir, 0), NULL);
    fa_ir_number(ir);
    why = fa_ir_verify(ir);
    CU_ASSERT_TRUE(why && strstr(why, "tensor"));
    free(why);
    fa_ir_free(ir);
}

/* A root reading what its device function has no argument for is refused. */
static void test_root_positions(void)
{
    fa_ir *ir = fa_ir_new("bad");
    ir->root[FA_IR_ROOT_MASK] = ir->root[FA_IR_ROOT_VISIBLE] = fa_ir_const_bool(ir, true);
    ir->root[FA_IR_ROOT_SINK_LOGIT] = fa_ir_make(ir, FA_IR_ITOF, fa_ir_var(ir, FA_VAR_K), NULL, NULL);
    fa_ir_number(ir);
    char *why = fa_ir_verify(ir);
    CU_ASSERT_TRUE(why && strstr(why, "sink_logit reads q or k"));
    free(why);
    fa_ir_free(ir);
}

/* A folded float constant below float32's normal range is 0, as the kernels (which flush
 * denormals) would compute it: s * (1e-20 * 1e-20) must not keep a denormal factor. */
static void test_fold_flushes_denormals(void)
{
    char *dump = fa_be_dump("variant v { score = s * (1e-20 * 1e-20) + 1e-20 * -1e-20; }");
    CU_ASSERT_PTR_NULL(strstr(dump, "p-1"));   /* no hex float of a tiny exponent */
    CU_ASSERT_PTR_NOT_NULL(strstr(dump, "const 0"));
    free(dump);
}

/* A tensor element reads 0 when any index is outside its dimension, also when the
 * row-major offset would land inside the tensor (t[h, 4] of f32[q_heads, 4] is not
 * t[h + 1, 0]); in-range indices read their element. */
static void test_load_per_dimension(void)
{
    fa_program *p = fa_be_compile("variant v { param t : f32[q_heads, 4]; score = t[h, k - 2]; }");
    const fa_ir *ir = fa_program_ir(p);
    float t[3 * 4];
    for (int i = 0; i < 12; i++)
        t[i] = 1.5f + (float)i;
    fa_ir_env env = {0};
    env.extent[FA_EXTENT_Q_HEADS] = 3;
    env.var[FA_VAR_H] = 1;
    env.vparam[0] = (uint64_t)(uintptr_t)t;
    fa_ir_val *vals = calloc(ir->n_nodes, sizeof *vals);
    for (int k = -1; k <= 8; k++) {
        env.var[FA_VAR_K] = k;
        fa_ir_eval(ir, &env, vals);
        int i = k - 2;
        float want = i >= 0 && i < 4 ? t[4 + i] : 0.0f;
        CU_ASSERT_EQUAL(vals[ir->root[FA_IR_ROOT_SCORE]->id].f, want);
    }
    free(vals);
    fa_program_free(p);
}

void fa_suite_ir(void)
{
    static const CU_TestInfo tests[] = {
        {"golden_stdlib", test_golden_stdlib},
        {"stdlib_table", test_stdlib_table},
        {"key_flags", test_key_flags},
        {"stdlib_recognition", test_stdlib_recognition},
        {"i32_default_exact", test_i32_default_exact},
        {"int_min_literal", test_int_min_literal},
        {"fold_ints", test_fold_ints},
        {"fold_floats", test_fold_floats},
        {"fold_logic", test_fold_logic},
        {"cse", test_cse},
        {"hash", test_hash},
        {"dump_after", test_dump_after},
        {"verifier", test_verifier},
        {"root_positions", test_root_positions},
        {"load_per_dimension", test_load_per_dimension},
        {"fold_flushes_denormals", test_fold_flushes_denormals},
        CU_TEST_INFO_NULL,
    };
    fa_test_add_suite("ir", tests);
}
