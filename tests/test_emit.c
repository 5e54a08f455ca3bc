/* test_emit.c - the emitted CUDA C: golden device functions of the standard library,
 * the translation unit's layout and macros, and equivalence of the emitted device
 * functions with the CPU evaluator and classifier (compiled as host C++ with g++ and
 * loaded with dlopen; skipped when g++ is missing). */
#include "be_test.h"
#include "testutil.h"

#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const char *fa_embedded_template(const char *name);

/* The device-function part of the emitted code (after the pasted rules header). */
static char *fa_be_device_functions(const fa_program *p)
{
    fa_buf b = {0};
    fa_emit_device_functions(&b, fa_program_ir(p), fa_program_key_range(p));
    const char *start = strstr(b.data, "/* ---- variant");
    char *s = strdup(start ? start : b.data);
    fa_buf_free(&b);
    return s;
}

static void test_golden_device_functions(void)
{
    for (int i = 0; fa_stdlib_name(i); i++) {
        fa_program *p = fa_be_stdlib(fa_stdlib_name(i));
        char *text = fa_be_device_functions(p);
        char rel[128];
        snprintf(rel, sizeof rel, "cuda/%s.cuh", fa_stdlib_name(i));
        fa_be_golden(rel, text);
        free(text);
        fa_program_free(p);
    }
}

static char *fa_be_emit(const fa_program *p, fa_key *key)
{
    fa_key_set_variant(key, p);
    fa_plan plan;
    char err[256];
    CU_ASSERT_EQUAL_FATAL(fa_plan_key(key, &plan, err, sizeof err), FA_OK);
    char *tu = fa_emit_cuda(p, key, &plan);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tu);
    return tu;
}

/* `needle` occurs in `hay` after position *at; *at moves past it. */
static bool fa_be_after(const char *hay, const char *needle, const char **at)
{
    const char *s = strstr(*at, needle);
    if (s)
        *at = s + strlen(needle);
    return s != NULL;
}

static void test_layout(void)
{
    fa_key key;
    fa_key_init(&key);
    key.arch = FA_ARCH_SM90A;
    key.gqa_ratio = 4;
    fa_program *p = fa_be_stdlib("sink_window");
    char *tu = fa_be_emit(p, &key);
    char name[256];
    fa_key_name(&key, name, sizeof name);
    const char *at = tu;
    CU_ASSERT_EQUAL(strncmp(tu, "/* fadsl kernel ", 16), 0);
    static const char *const macros[] = {"FA_KERNEL_NAME ", "FA_DTYPE_FP16 0", "FA_DTYPE_BF16 1", "FA_KV_FP8 0",
                                         "FA_HEAD_DIM 128", "FA_BLOCK_M ", "FA_BLOCK_N ", "FA_NUM_WARPS ",
                                         "FA_STAGES ", "FA_GQA_RATIO 4", "FA_VARLEN 0", "FA_PAGED_BLOCK 0",
                                         "FA_PAGED_NHD 0", "FA_SINK_TOKENS 4", "FA_LEARNED_SINKS 0",
                                         "FA_HAS_SCORE 0", "FA_HAS_MASK 1"};
    for (size_t i = 0; i < sizeof macros / sizeof *macros; i++) {
        char want[128];
        snprintf(want, sizeof want, "\n#define %s", macros[i]);
        CU_ASSERT_TRUE(fa_be_after(tu, want, &at));
    }
    char kernel[300];
    snprintf(kernel, sizeof kernel, "#define FA_KERNEL_NAME %s\n", name);
    CU_ASSERT_PTR_NOT_NULL(strstr(tu, kernel));
    /* then fa_args.h, fa_common.cuh, the rules, the device functions, the template */
    static const char *const parts[] = {"fa_args.h", "fa_common.cuh", "fa_tile_rules.h"};
    for (int i = 0; i < 3; i++)
        CU_ASSERT_TRUE(fa_be_after(tu, fa_embedded_template(parts[i]), &at));
    CU_ASSERT_TRUE(fa_be_after(tu, "bool fa_visible(", &at));
    CU_ASSERT_TRUE(fa_be_after(tu, "float fa_score(", &at));
    CU_ASSERT_TRUE(fa_be_after(tu, "int fa_tile_class(", &at));
    CU_ASSERT_TRUE(fa_be_after(tu, "void fa_key_range(", &at));
    CU_ASSERT_PTR_NULL(strstr(tu, "float fa_sink_logit(const fa_args &a, const fa_ctx &c)\n{")); /* no definition */
    fa_plan plan;
    char err[256];
    CU_ASSERT_EQUAL_FATAL(fa_plan_key(&key, &plan, err, sizeof err), FA_OK);
    const char *tmpl = fa_embedded_template(plan.template_file);
    CU_ASSERT_TRUE(tmpl && fa_be_after(tu, tmpl, &at));
    free(tu);
    fa_program_free(p);

    p = fa_be_stdlib("none");
    tu = fa_be_emit(p, &key);
    CU_ASSERT_PTR_NOT_NULL(strstr(tu, "\n#define FA_HAS_MASK 0\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(tu, "\n#define FA_SINK_TOKENS 0\n"));
    free(tu);
    fa_program_free(p);

    p = fa_be_stdlib("gpt_oss");
    key.dtype = key.kv_dtype = FA_DTYPE_FP16;
    tu = fa_be_emit(p, &key);
    CU_ASSERT_PTR_NOT_NULL(strstr(tu, "\n#define FA_LEARNED_SINKS 1\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(tu, "\n#define FA_DTYPE_FP16 1\n#define FA_DTYPE_BF16 0\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(tu, "float fa_sink_logit(const fa_args &a, const fa_ctx &c)"));
    free(tu);
    fa_program_free(p);
}

static void test_literals(void)
{
    fa_program *p = fa_be_compile("variant v { param x : f32; mask = q - k != -2147483647 - 1; "
                                  "score = s * 0.1 + x / 3.0 + 1.0e38 * 10.0; }");
    char *text = fa_be_device_functions(p);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "0x1.99999ap-4f /* 0.100000001 */"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "0x1.8p+1f /* 3 */"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "__int_as_float(0x7f800000)")); /* 1e39 folds to inf */
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "(-2147483647 - 1)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "__int_as_float((int)a.vparam[0])"));
    CU_ASSERT_PTR_NULL(strstr(text, "double"));
    free(text);
    fa_program_free(p);
}

/* fa_score_pos converts positions without an int-to-float conversion where that is exact. */
static void test_position_floats(void)
{
    fa_program *p = fa_be_stdlib("causal_alibi");
    char *text = fa_be_device_functions(p);
    const char *pos = strstr(text, "float fa_score_pos(const fa_args &a, const fa_ctx &c, int q, int k, float qf, float kf, float s)");
    CU_ASSERT_PTR_NOT_NULL_FATAL(pos);
    const char *end = strstr(pos, "\n}\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(end);
    const char *plain = strstr(text, "float fa_score(");
    CU_ASSERT_TRUE(plain && plain < pos && strstr(plain, "(float)v") < pos); /* fa_score converts */
    const char *form = strstr(pos, "(qf - kf)");
    CU_ASSERT_TRUE(form && form < end);
    const char *conv = strstr(pos, "(float)");
    CU_ASSERT_TRUE(!conv || conv > end);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "void fa_score_linear(")); /* ALiBi is linear in k - q */
    free(text);
    fa_program_free(p);

    static const struct {
        const char *src;
        bool linear;
    } cases[] = {
        {"variant a { score = s; }", true},
        {"variant a { param f : f32; score = s * f + f * (k - q); }", true},
        {"variant a { score = s + (q - k); }", true},
        {"variant a { score = s + q; }", false},               /* not a difference */
        {"variant a { score = s + (2 * k - q); }", false},     /* unequal coefficients */
        {"variant a { score = s * s; }", false},
        {"variant a { param f : f32; score = s + f * (k - q) * (k - q); }", false},
        {"variant a { score = 30.0 * tanh(s / 30.0); }", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        p = fa_be_compile(cases[i].src);
        fa_score_lin lin;
        CU_ASSERT_EQUAL(fa_score_linear(fa_program_ir(p), &lin), cases[i].linear);
        fa_program_free(p);
    }
}

/* ---- the emitted device functions as host C++ ---------------------------------------- */

typedef int (*fa_be_visible_fn)(const fa_args *a, const int *c, int q, int k);
typedef float (*fa_be_score_fn)(const fa_args *a, const int *c, int q, int k, float s);
typedef float (*fa_be_score_pos_fn)(const fa_args *a, const int *c, int q, int k, float qf, float kf, float s);
typedef int (*fa_be_class_fn)(const fa_args *a, const int *c, int q0, int q1, int k0, int k1);
typedef void (*fa_be_range_fn)(const fa_args *a, const int *c, int q0, int q1, int *kb, int *ke);
typedef float (*fa_be_sink_fn)(const fa_args *a, const int *c);
typedef void (*fa_be_linear_fn)(const fa_args *a, const int *c, float *alpha, float *lambda, float *mu);

typedef struct fa_be_host {
    void *lib;
    fa_be_visible_fn visible;
    fa_be_visible_fn mask;
    fa_be_score_fn score;
    fa_be_score_pos_fn score_pos;
    fa_be_class_fn tile_class;
    fa_be_range_fn key_range;
    fa_be_sink_fn sink_logit;
    fa_be_linear_fn linear; /* NULL unless the score is alpha * s + lambda * (k - q) + mu */
} fa_be_host;

/* Writes the device functions of p with host shims, builds them with g++ and loads them. */
static bool fa_be_host_build(const fa_program *p, const char *dir, fa_be_host *h)
{
    const char *common = fa_embedded_template("fa_common.cuh");
    const char *ctx = common ? strstr(common, "struct fa_ctx {") : NULL;
    const char *ctx_end = ctx ? strstr(ctx, "};") : NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(ctx_end);
    fa_buf b = {0};
    fa_buf_printf(&b, "#include <math.h>\n#include <string.h>\n#define __device__\n#define __forceinline__ inline\n"
                      "static inline float __int_as_float(int i) { float f; memcpy(&f, &i, 4); return f; }\n"
                      "%s\n%.*s\n",
                  fa_embedded_template("fa_args.h"), (int)(ctx_end + 2 - ctx), ctx);
    fa_emit_device_functions(&b, fa_program_ir(p), fa_program_key_range(p));
    /* the context travels as five ints (b, h, hk, q_len, kv_len), set by field name */
    fa_buf_puts(&b, "\nstatic fa_ctx ctx(const int *v) { fa_ctx c; c.b = v[0]; c.h = v[1]; c.hk = v[2];"
                    " c.q_len = v[3]; c.kv_len = v[4]; return c; }\n"
                    "extern \"C\" {\n"
                    "int h_visible(const fa_args *a, const int *c, int q, int k) { return fa_visible(*a, ctx(c), q, k); }\n"
                    "int h_mask(const fa_args *a, const int *c, int q, int k) { return fa_mask(*a, ctx(c), q, k); }\n"
                    "float h_score(const fa_args *a, const int *c, int q, int k, float s)"
                    " { return fa_score(*a, ctx(c), q, k, s); }\n"
                    "float h_score_pos(const fa_args *a, const int *c, int q, int k, float qf, float kf, float s)"
                    " { return fa_score_pos(*a, ctx(c), q, k, qf, kf, s); }\n"
                    "int h_class(const fa_args *a, const int *c, int q0, int q1, int k0, int k1)"
                    " { return fa_tile_class(*a, ctx(c), q0, q1, k0, k1); }\n"
                    "void h_range(const fa_args *a, const int *c, int q0, int q1, int *kb, int *ke)"
                    " { fa_key_range(*a, ctx(c), q0, q1, kb, ke); }\n");
    if (fa_program_learned_sinks(p))
        fa_buf_puts(&b, "float h_sink(const fa_args *a, const int *c) { return fa_sink_logit(*a, ctx(c)); }\n");
    fa_score_lin lin;
    if (fa_score_linear(fa_program_ir(p), &lin))
        fa_buf_puts(&b, "void h_linear(const fa_args *a, const int *c, float *al, float *la, float *mu)"
                        " { fa_score_linear(*a, ctx(c), al, la, mu); }\n");
    fa_buf_puts(&b, "}\n");
    char src[512], so[512], cmd[1400];
    snprintf(src, sizeof src, "%s/%s.cpp", dir, fa_program_name(p));
    snprintf(so, sizeof so, "%s/%s.so", dir, fa_program_name(p));
    FILE *f = fopen(src, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(b.data, f);
    fclose(f);
    fa_buf_free(&b);
    /* no -fwrapv: the emitted code must wrap by itself (the IR's ints wrap) */
    snprintf(cmd, sizeof cmd, "g++ -std=c++17 -O2 -Wall -Werror -Wno-unused-variable -shared -fPIC -o %s %s", so,
             src);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    h->lib = dlopen(so, RTLD_NOW | RTLD_LOCAL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h->lib);
    h->visible = (fa_be_visible_fn)dlsym(h->lib, "h_visible");
    h->mask = (fa_be_visible_fn)dlsym(h->lib, "h_mask");
    h->score = (fa_be_score_fn)dlsym(h->lib, "h_score");
    h->score_pos = (fa_be_score_pos_fn)dlsym(h->lib, "h_score_pos");
    h->tile_class = (fa_be_class_fn)dlsym(h->lib, "h_class");
    h->key_range = (fa_be_range_fn)dlsym(h->lib, "h_range");
    h->sink_logit = (fa_be_sink_fn)dlsym(h->lib, "h_sink");
    h->linear = (fa_be_linear_fn)dlsym(h->lib, "h_linear");
    return h->visible && h->mask && h->score && h->score_pos && h->tile_class && h->key_range;
}

/* The kernel's view of a test case: its argument block and context (b, h, hk, q_len,
 * kv_len). */
static void fa_be_kernel_args(const fa_be_case *c, fa_args *a, int *ctx)
{
    memset(a, 0, sizeof *a);
    a->q_heads = c->env.extent[FA_EXTENT_Q_HEADS];
    a->kv_heads = c->env.extent[FA_EXTENT_KV_HEADS];
    a->batch = c->env.extent[FA_EXTENT_BATCH];
    a->seqlen_q = c->env.extent[FA_EXTENT_Q_LEN];
    a->seqlen_k = c->env.extent[FA_EXTENT_KV_LEN];
    for (int i = 0; i < FA_MAX_PARAMS; i++)
        a->vparam[i] = c->env.vparam[i];
    static const fa_builtin_var fields[] = {FA_VAR_B, FA_VAR_H, FA_VAR_HK, FA_VAR_Q_LEN, FA_VAR_KV_LEN};
    for (int i = 0; i < 5; i++)
        ctx[i] = c->env.var[fields[i]];
}

static bool fa_be_same_float(float x, float y)
{
    return x == y || (isnan(x) && isnan(y));
}

/* The score rebuilt from fa_score_linear's coefficients is the evaluator's up to the
 * rounding of its terms (the template reassociates them). */
static bool fa_be_linear_close(const fa_be_host *h, const fa_args *a, const int *ctx, int q, int k, float s, float want)
{
    float al, la, mu;
    h->linear(a, ctx, &al, &la, &mu);
    double terms[3] = {(double)al * s, (double)la * ((double)k - q), mu};
    double got = terms[0] + terms[1] + terms[2], scale = fabs(terms[0]) + fabs(terms[1]) + fabs(terms[2]);
    if (!isfinite(want) || scale > 1e37) /* float overflow in one form only: not compared */
        return true;
    return fabs(got - want) <= 1e-6 * scale + 1e-30;
}

/* Random cases: element values, tile classes and key ranges of the host-compiled emitted
 * code equal the CPU evaluator's and classifier's. */
static void fa_be_compare(const fa_program *p, const fa_be_host *h, uint64_t seed)
{
    const fa_ir *ir = fa_program_ir(p);
    fa_ir_val *vals = calloc((size_t)ir->n_nodes, sizeof *vals);
    uint64_t state = seed;
    int mismatches = 0;
    for (int i = 0; i < 40; i++) {
        fa_be_case c;
        fa_be_case_random(ir, &state, &c);
        fa_args a;
        int ctx[5];
        fa_be_kernel_args(&c, &a, ctx);
        if (ir->root[FA_IR_ROOT_SINK_LOGIT]) {
            fa_ir_eval(ir, &c.env, vals);
            mismatches += !fa_be_same_float(h->sink_logit(&a, ctx), vals[ir->root[FA_IR_ROOT_SINK_LOGIT]->id].f);
        }
        for (int j = 0; j < 30; j++) {
            int q0, q1, k0, k1;
            fa_be_tile_random(&c, &state, &q0, &q1, &k0, &k1);
            mismatches += h->tile_class(&a, ctx, q0, q1, k0, k1) != fa_tile_classify(ir, &c.env, q0, q1, k0, k1);
            int kb = 0, ke = ctx[4], kb2 = 0, ke2 = ctx[4];
            h->key_range(&a, ctx, q0, q1, &kb, &ke);
            fa_tile_key_range(ir, fa_program_key_range(p), &c.env, q0, q1, &kb2, &ke2);
            mismatches += kb != kb2 || ke != ke2;
            int q = fa_be_range(&state, q0, q1 - 1), k = fa_be_range(&state, k0, k1 - 1);
            c.env.s = (float)fa_be_range(&state, -5000, 5000) / 7.0f;
            bool vis = fa_be_visible(ir, &c, vals, q, k);
            mismatches += h->visible(&a, ctx, q, k) != vis;
            mismatches += h->mask(&a, ctx, q, k) != vals[ir->root[FA_IR_ROOT_MASK]->id].b;
            if (ir->root[FA_IR_ROOT_SCORE])
                mismatches += !fa_be_same_float(h->score(&a, ctx, q, k, c.env.s), vals[ir->root[FA_IR_ROOT_SCORE]->id].f);
        }
        /* fa_score_pos agrees wherever the kernels call it: |q|, |k| < 2^23 */
        for (int j = 0; j < 30 && ir->root[FA_IR_ROOT_SCORE]; j++) {
            const int lim = (1 << 23) - 1, big = j % 2 ? lim : 3000;
            int q = fa_be_range(&state, -big, big), k = fa_be_range(&state, 0, big);
            c.env.s = (float)fa_be_range(&state, -5000, 5000) / 7.0f;
            c.env.var[FA_VAR_Q] = q;
            c.env.var[FA_VAR_K] = k;
            fa_ir_eval(ir, &c.env, vals);
            mismatches += !fa_be_same_float(h->score_pos(&a, ctx, q, k, (float)q, (float)k, c.env.s),
                                            vals[ir->root[FA_IR_ROOT_SCORE]->id].f);
            mismatches += h->linear && !fa_be_linear_close(h, &a, ctx, q, k, c.env.s, vals[ir->root[FA_IR_ROOT_SCORE]->id].f);
        }
        fa_be_case_free(&c);
    }
    if (mismatches)
        fprintf(stderr, "\n%s: %d mismatches between emitted code and the CPU evaluator\n", ir->name, mismatches);
    CU_ASSERT_EQUAL(mismatches, 0);
    free(vals);
}

static void test_host_equivalence(void)
{
    if (system("g++ --version >/dev/null 2>&1") != 0) {
        fprintf(stderr, "(skipped: no g++) ");
        return;
    }
    char dir[] = "/tmp/fadsl_emit_XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    static const char *const extra[] = {
        "variant rules { param w : i32; param t : i32[batch, 4]; param f : f32;\n"
        "  mask = abs(q - k) < w && k % 7 != 3 || max(k, t[b, 1]) / 3 == min(q, w) % 5 || 1.5 * k < f;\n"
        "  score = where(k > q - w, exp2(s) - log(abs(s) + 1.0), -tanh(s * f)) + min(s, f) * max(q, 2); }",
        /* position conversions: exact float forms (fa_emit_pos_float) and ones that are not */
        "variant positions { param f : f32;\n"
        "  score = s - f * (q - k + 1000) + 0.5 * abs(k - 3 - q) - 0.25 * (16777216 - k) + 0.125 * (q + k)"
        " + 0.0625 * -(q - 7) + f * (2 * k - q); }",
        /* a score of the alpha * s + lambda * (k - q) + mu form with every kind of term (in
         * parentheses: clang's -Wstring-concatenation takes a two-line literal for a lost comma) */
        ("variant linear { param f : f32; param g : f32[q_heads];\n"
         "  score = 2.0 * s + f * (k - q + 3) - g[h] * (q - k) + f - (s * f - (k - q - 5)) + -(4.0 * (q - k)); }"),
    };
    int n = 0;
    while (fa_stdlib_name(n))
        n++;
    for (int i = 0; i < n + (int)(sizeof extra / sizeof extra[0]); i++) {
        fa_program *p = i < n ? fa_be_stdlib(fa_stdlib_name(i)) : fa_be_compile(extra[i - n]);
        fa_be_host h = {0};
        if (fa_be_host_build(p, dir, &h))
            fa_be_compare(p, &h, 500 + (uint64_t)i);
        if (h.lib)
            dlclose(h.lib);
        fa_program_free(p);
    }
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

void fa_suite_emit(void)
{
    static const CU_TestInfo tests[] = {
        {"golden_device_functions", test_golden_device_functions},
        {"layout", test_layout},
        {"literals", test_literals},
        {"position_floats", test_position_floats},
        {"host_equivalence", test_host_equivalence},
        CU_TEST_INFO_NULL,
    };
    fa_test_add_suite("emit", tests);
}
