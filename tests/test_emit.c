/* test_emit.c - the emitted CUDA C: golden device functions of the standard library,
 * the translation unit's layout and macros, and equivalence of the emitted device
 * functions with the CPU evaluator and classifier (compiled as host C++ with g++ and
 * loaded with dlopen; skipped when g++ is missing). */
#include "be_test.h"
#include "testutil.h"

#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
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
                                         "FA_HAS_SCORE 0", "FA_HAS_MASK 1", "FA_TILE_SCAN 0", "FA_MASK_SPLIT 0"};
    for (size_t i = 0; i < sizeof macros / sizeof *macros; i++) {
        char want[128];
        snprintf(want, sizeof want, "\n#define %s", macros[i]);
        CU_ASSERT_TRUE(fa_be_after(tu, want, &at));
    }
    char kernel[300];
    snprintf(kernel, sizeof kernel, "#define FA_KERNEL_NAME %s\n", name);
    CU_ASSERT_PTR_NOT_NULL(strstr(tu, kernel));
    /* then fa_args.h, the rules, fa_common.cuh, the device functions, the template */
    static const char *const parts[] = {"fa_args.h", "fa_tile_rules.h", "fa_common.cuh"};
    for (int i = 0; i < 3; i++)
        CU_ASSERT_TRUE(fa_be_after(tu, fa_embedded_template(parts[i]), &at));
    CU_ASSERT_TRUE(fa_be_after(tu, "bool fa_visible(", &at));
    CU_ASSERT_TRUE(fa_be_after(tu, "float fa_score(", &at));
    CU_ASSERT_TRUE(fa_be_after(tu, "int fa_tile_class(", &at));
    CU_ASSERT_TRUE(fa_be_after(tu, "void fa_key_range(", &at));
    CU_ASSERT_TRUE(fa_be_after(tu, fa_embedded_template("fa_scan.cuh"), &at));
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

    /* document's mask loads at positions: the key scans, the plan reserves the scan's memory,
     * the unit defines the scan and the mask's parts; a key filled by hand does not scan */
    p = fa_be_stdlib("document");
    tu = fa_be_emit(p, &key);
    CU_ASSERT_TRUE(key.tile_scan);
    CU_ASSERT_PTR_NOT_NULL(strstr(tu, "\n#define FA_TILE_SCAN 1\n#define FA_MASK_SPLIT 1\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(tu, "int fa_tile_class_scan_keys("));
    CU_ASSERT_PTR_NOT_NULL(strstr(tu, "bool fa_mask_pair("));
    free(tu);
    /* the plan reserves what fa_scan.cuh lays out, two words and two sets of FA_SCAN_WORDS, on
     * either forward template (sm_90a at d96, d128, d192 and d256, and over paged fp8 caches
     * at d128 and d256, the fullest plans; the FA2-class one on sm_80, and on sm_89 over a
     * paged fp8 cache), within 227 KB */
    const char *words = strstr(fa_embedded_template("fa_scan.cuh"), "#define FA_SCAN_WORDS ");
    CU_ASSERT_PTR_NOT_NULL_FATAL(words);
    static const struct {
        fa_arch arch;
        int head_dim;
        fa_dtype kv_dtype;
        int paged_block_size;
    } scanning_keys[] = {{FA_ARCH_SM90A, 128, FA_DTYPE_FP16, 0},
                         {FA_ARCH_SM90A, 256, FA_DTYPE_FP16, 0},
                         {FA_ARCH_SM90A, 192, FA_DTYPE_FP16, 0},
                         {FA_ARCH_SM90A, 96, FA_DTYPE_FP16, 0},
                         {FA_ARCH_SM80, 128, FA_DTYPE_FP16, 0},
                         {FA_ARCH_SM89, 128, FA_DTYPE_FP8E4M3, 16},
                         {FA_ARCH_SM90A, 128, FA_DTYPE_FP8E4M3, 16},
                         {FA_ARCH_SM90A, 256, FA_DTYPE_FP8E4M3, 16}};
    for (size_t i = 0; i < sizeof scanning_keys / sizeof *scanning_keys; i++) {
        key.arch = scanning_keys[i].arch;
        key.head_dim = scanning_keys[i].head_dim;
        key.kv_dtype = scanning_keys[i].kv_dtype;
        key.paged_block_size = scanning_keys[i].paged_block_size;
        key.paged_layout = FA_PAGED_NHD;
        key.tile_scan = true;
        fa_plan plain, scanning;
        CU_ASSERT_EQUAL_FATAL(fa_plan_key(&key, &scanning, err, sizeof err), FA_OK);
        key.tile_scan = false;
        CU_ASSERT_EQUAL_FATAL(fa_plan_key(&key, &plain, err, sizeof err), FA_OK);
        CU_ASSERT_TRUE(scanning.tile_scan && !plain.tile_scan);
        CU_ASSERT_TRUE(scanning.smem_bytes <= 227 * 1024);
        CU_ASSERT_TRUE(scanning.block_m == plain.block_m && scanning.stages == plain.stages);
        CU_ASSERT_EQUAL(scanning.smem_bytes - plain.smem_bytes, 4 * (2 + 2 * atoi(words + 22)));
        tu = fa_emit_cuda(p, &key, &plain);
        CU_ASSERT_PTR_NOT_NULL(strstr(tu, "\n#define FA_TILE_SCAN 0\n#define FA_MASK_SPLIT 1\n"));
        free(tu);
    }
    fa_program_free(p);
}

/* A mask comes in parts where a part reading one position is worth computing once per row
 * or key: a load at a position, or an integer division or remainder by a runtime value. */
static void test_mask_split(void)
{
    static const struct {
        const char *variant;
        bool split;
    } cases[] = {
        {"chunked_local", true}, /* q / chunk */
        {"document", true},
        {"causal", false},
        {"sliding_window", false},
        {"variant v { mask = k <= q && k >= (q / 256) * 256; }", false},         /* constant divisor */
        {"variant v { param w : i32; mask = (q - k) % w == 0; }", false},        /* reads both */
        {"variant v { param w : i32; mask = k % w != 1 && k <= q; }", true},     /* per key */
        {"variant v { param w : f32; mask = q / w > 3.0 && k <= q; }", false},   /* a float division */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        fa_program *p = strncmp(cases[i].variant, "variant ", 8) ? fa_be_stdlib(cases[i].variant)
                                                                  : fa_be_compile(cases[i].variant);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        if (fa_emit_mask_splits(fa_program_ir(p)) != cases[i].split)
            printf("\n  %s: mask parts %d, expected %d\n", cases[i].variant, !cases[i].split, cases[i].split);
        CU_ASSERT_EQUAL(fa_emit_mask_splits(fa_program_ir(p)), cases[i].split);
        fa_program_free(p);
    }
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

/* Light variants (a visible predicate of at most one upper bound on k, a score free of q
 * and k) take 80-key tiles on the d256 Hopper forward over dense or varlen K/V, and, without
 * a score, 192-row tiles at d64 over 16-bit K/V; the others, fp8 and paged caches (d256) and
 * other head dims keep their tiles. */
static void test_light_tiles(void)
{
    static const struct {
        const char *src;
        bool light, plain;
    } cases[] = {
        {"none", true, true},
        {"causal", true, true},
        {"softcap", true, false},
        {"variant a { mask = q >= k + 3; }", true, true},
        {"variant a { param c : f32[q_heads]; mask = k < q - 5; score = c[h] * tanh(s); }", true, false},
        {"sliding_window", false, false}, /* a lower bound too */
        {"sink_window", false, false},
        {"causal_alibi", false, false},   /* the score reads q and k */
        {"document", false, false},       /* loads at positions */
        {"prefix_lm", false, false},
        {"variant a { mask = k >= q; }", false, false},
        {"variant a { mask = k <= q && k % 2 == 0; }", false, false},
        {"variant a { mask = k * k <= q; }", false, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bool stdlib = !strchr(cases[i].src, '{');
        fa_program *p = stdlib ? fa_be_stdlib(cases[i].src) : fa_be_compile(cases[i].src);
        fa_key key;
        fa_key_init(&key);
        key.arch = FA_ARCH_SM90A;
        key.head_dim = 256;
        fa_key_set_variant(&key, p);
        CU_ASSERT_EQUAL(key.light, cases[i].light);
        CU_ASSERT_EQUAL(key.plain_score, cases[i].plain);
        if (key.light != cases[i].light)
            fprintf(stderr, "\nlight: %s\n", cases[i].src);
        fa_plan plan;
        char err[256];
        CU_ASSERT_EQUAL_FATAL(fa_plan_key(&key, &plan, err, sizeof err), FA_OK);
        CU_ASSERT_EQUAL(plan.block_n, cases[i].light ? 80 : 64);
        key.paged_block_size = 16;
        key.paged_layout = FA_PAGED_NHD;
        CU_ASSERT_EQUAL_FATAL(fa_plan_key(&key, &plan, err, sizeof err), FA_OK);
        CU_ASSERT_EQUAL(plan.block_n, 64);
        key.paged_block_size = 0;
        key.head_dim = 128;
        CU_ASSERT_EQUAL_FATAL(fa_plan_key(&key, &plan, err, sizeof err), FA_OK);
        CU_ASSERT_EQUAL(plan.block_n, 128);
        CU_ASSERT_EQUAL(plan.block_m, 128);
        /* d64: three consumer warpgroups for light variants without a score over 16-bit K/V,
         * paged too */
        key.head_dim = 64;
        CU_ASSERT_EQUAL_FATAL(fa_plan_key(&key, &plan, err, sizeof err), FA_OK);
        CU_ASSERT_EQUAL(plan.block_m, cases[i].plain ? 192 : 128);
        CU_ASSERT_EQUAL(plan.threads, plan.block_m * 2 + 128);
        key.paged_block_size = 16;
        CU_ASSERT_EQUAL_FATAL(fa_plan_key(&key, &plan, err, sizeof err), FA_OK);
        CU_ASSERT_EQUAL(plan.block_m, cases[i].plain ? 192 : 128);
        key.kv_dtype = FA_DTYPE_FP8E4M3;
        CU_ASSERT_EQUAL_FATAL(fa_plan_key(&key, &plan, err, sizeof err), FA_OK);
        CU_ASSERT_EQUAL(plan.block_m, 128);
        fa_program_free(p);
    }
}

/* The sm_90a forward takes fa3_fwd at head dims 64, 96 (dense or varlen: d128's tiles),
 * 128, 192 and 256 (192: three stages of 64 keys, paged too; fp8 caches two, in blocks of
 * up to 64 keys; 256: fp8 caches one stage and one producer warpgroup, in blocks of up to
 * 64 keys), fa2_fwd over paged caches at 96, and over fp8 caches in blocks of 128 keys at
 * d192 and d256. */
static void test_fa3_head_dims(void)
{
    static const struct {
        int head_dim, paged_block_size;
        fa_dtype kv;
        int block_n, stages, threads;
        fa_template tmpl;
    } cases[] = {{64, 0, FA_DTYPE_BF16, 128, 3, 384, FA_TEMPLATE_FA3_FWD},
                 {96, 0, FA_DTYPE_BF16, 128, 3, 384, FA_TEMPLATE_FA3_FWD},
                 {96, 16, FA_DTYPE_BF16, 0, 0, 0, FA_TEMPLATE_FA2_FWD},
                 {96, 16, FA_DTYPE_FP8E4M3, 0, 0, 0, FA_TEMPLATE_FA2_FWD},
                 {128, 0, FA_DTYPE_BF16, 128, 3, 384, FA_TEMPLATE_FA3_FWD},
                 {128, 16, FA_DTYPE_FP8E5M2, 128, 2, 512, FA_TEMPLATE_FA3_FWD},
                 {192, 0, FA_DTYPE_BF16, 64, 3, 384, FA_TEMPLATE_FA3_FWD},
                 {192, 16, FA_DTYPE_BF16, 64, 3, 384, FA_TEMPLATE_FA3_FWD},
                 {192, 64, FA_DTYPE_FP8E4M3, 64, 2, 512, FA_TEMPLATE_FA3_FWD},
                 {192, 128, FA_DTYPE_FP8E5M2, 0, 0, 0, FA_TEMPLATE_FA2_FWD},
                 {256, 0, FA_DTYPE_BF16, 64, 2, 384, FA_TEMPLATE_FA3_FWD},
                 {256, 16, FA_DTYPE_FP8E4M3, 64, 1, 384, FA_TEMPLATE_FA3_FWD},
                 {256, 64, FA_DTYPE_FP8E5M2, 64, 1, 384, FA_TEMPLATE_FA3_FWD},
                 {256, 128, FA_DTYPE_FP8E4M3, 0, 0, 0, FA_TEMPLATE_FA2_FWD}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fa_key key;
        fa_key_init(&key);
        key.arch = FA_ARCH_SM90A;
        key.head_dim = cases[i].head_dim;
        key.kv_dtype = cases[i].kv;
        key.paged_block_size = cases[i].paged_block_size;
        key.paged_layout = FA_PAGED_NHD;
        fa_plan plan;
        char err[256];
        CU_ASSERT_EQUAL_FATAL(fa_plan_key(&key, &plan, err, sizeof err), FA_OK);
        CU_ASSERT_EQUAL(plan.tmpl, cases[i].tmpl);
        CU_ASSERT_EQUAL(fa_plan_fa3_forward(&key), cases[i].tmpl == FA_TEMPLATE_FA3_FWD);
        if (cases[i].tmpl == FA_TEMPLATE_FA3_FWD)
            CU_ASSERT(plan.block_n == cases[i].block_n && plan.stages == cases[i].stages &&
                      plan.threads == cases[i].threads);
    }
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
        /* a mask in parts for its divisions by runtime values: of q alone, of k alone */
        "variant divisions { param w : i32 = 3; param v : i32 = -2;\n"
        "  mask = k >= (q / w) * w && k % v != 1 || q % (w + 1) == k / v || (q - k) / v > 2; }",
    };
    int n = 0;
    while (fa_stdlib_name(n))
        n++;
    for (int i = 0; i < n + (int)(sizeof extra / sizeof extra[0]); i++) {
        fa_program *p = i < n ? fa_be_stdlib(fa_stdlib_name(i)) : fa_be_compile(extra[i - n]);
        fa_be_host h = {0};
        if (fa_be_host_build(p, dir, &h))
            fa_be_compare(p, &h, 500 + (uint64_t)i);
        fa_be_host_close(&h);
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
        {"mask_split", test_mask_split},
        {"literals", test_literals},
        {"position_floats", test_position_floats},
        {"light_tiles", test_light_tiles},
        {"fa3_head_dims", test_fa3_head_dims},
        {"host_equivalence", test_host_equivalence},
        CU_TEST_INFO_NULL,
    };
    fa_test_add_suite("emit", tests);
}
