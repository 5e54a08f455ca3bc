/* test_tile.c - tile analysis: brute-force soundness over every standard-library variant
 * (and a few masks that exercise the harder rules), and precision on causal and sliding
 * windows. The CPU classifier and key range use the same rules as the emitted code
 * (test_emit.c checks the emitted code against them). */
#include "be_test.h"
#include "testutil.h"

#include <stdio.h>
#include <string.h>

static void test_soundness_stdlib(void)
{
    for (int i = 0; fa_stdlib_name(i); i++) {
        fa_program *p = fa_be_stdlib(fa_stdlib_name(i));
        fa_be_stats st = fa_be_soundness(p, 1000 + (uint64_t)i);
        /* every masked variant proves some tiles EMPTY and some FULL; only document loads at
         * moving indices, where the scans decide tiles the plain classes leave PARTIAL */
        bool document = strcmp(fa_stdlib_name(i), "document") == 0;
        if (strcmp(fa_stdlib_name(i), "none") != 0) {
            CU_ASSERT_TRUE(st.empty > 0);
            CU_ASSERT_TRUE(st.full > 0 || document);
            CU_ASSERT_TRUE(st.narrowed > 0);
        }
        CU_ASSERT_EQUAL(fa_tile_scans(fa_program_ir(p)), document);
        CU_ASSERT_EQUAL(st.scan_decided > 0, document);
        fa_program_free(p);
    }
}

/* Masks beyond the stdlib: division and remainder, abs/min/max, where, float terms,
 * tensor loads at point indices, negation and k on the right of a subtraction. */
static void test_soundness_rules(void)
{
    static const char *const sources[] = {
        "variant a { param w : i32; mask = abs(q - k) < w || k % 7 == 3; }",
        "variant b { param w : i32; mask = max(k, 3) <= min(q, q - w) && k / 5 != q / 5; }",
        "variant c { param w : i32; mask = where(w > 5, -k >= -q, k < w) && q - w * 2 <= k + 1; }",
        "variant d { param t : i32[q_heads]; param x : f32; mask = k <= q + t[h] && k > q - 20 || 1.5 * k < x; }",
        "variant e { param c : i32; sink 3; mask = k / c == q / c && k <= q; }",
        "variant f { param t : i32[batch, 4]; mask = t[b, 1] - k > 2 - q && k % 4 < q % 4 + 2; }",
        "variant g { param w : i32; mask = q - (k - w) >= 0 && !(k < q - 9) && k == q - w; }",
    };
    for (size_t i = 0; i < sizeof sources / sizeof *sources; i++) {
        fa_program *p = fa_be_compile(sources[i]);
        fa_be_soundness(p, 77 + i);
        fa_program_free(p);
    }
}

/* A program and a launch with the given scalar params and lengths (no tensors). */
static fa_be_case fa_be_fixed_case(int q_len, int kv_len, int32_t p0, int32_t p1)
{
    fa_be_case c;
    memset(&c, 0, sizeof c);
    c.env.var[FA_VAR_Q_LEN] = c.env.extent[FA_EXTENT_Q_LEN] = q_len;
    c.env.var[FA_VAR_KV_LEN] = c.env.extent[FA_EXTENT_KV_LEN] = kv_len;
    c.env.vparam[0] = (uint32_t)p0;
    c.env.vparam[1] = (uint32_t)p1;
    return c;
}

static void test_precision_causal(void)
{
    fa_program *p = fa_be_stdlib("causal");
    const fa_ir *ir = fa_program_ir(p);
    fa_be_case c = fa_be_fixed_case(1024, 4096, 0, 0); /* queries at [3072, 4096) */
    CU_ASSERT_EQUAL(fa_tile_classify(ir, &c.env, 3072, 3136, 0, 64), FA_TILE_FULL);
    CU_ASSERT_EQUAL(fa_tile_classify(ir, &c.env, 3072, 3136, 3072, 3136), FA_TILE_PARTIAL);
    CU_ASSERT_EQUAL(fa_tile_classify(ir, &c.env, 3072, 3136, 3136, 3200), FA_TILE_EMPTY);
    CU_ASSERT_EQUAL(fa_tile_classify(ir, &c.env, 3136, 3200, 3072, 3136), FA_TILE_FULL);
    int kb = 0, ke = 4096;
    fa_tile_key_range(ir, fa_program_key_range(p), &c.env, 3072, 3136, &kb, &ke);
    CU_ASSERT_EQUAL(kb, 0);
    CU_ASSERT_EQUAL(ke, 3136);
    /* q_len > kv_len: the first queries see nothing at all */
    c = fa_be_fixed_case(300, 100, 0, 0);
    kb = 0, ke = 100;
    fa_tile_key_range(ir, fa_program_key_range(p), &c.env, -200, -136, &kb, &ke);
    CU_ASSERT_TRUE(kb >= ke);
    fa_program_free(p);
}

static void test_precision_window(void)
{
    fa_program *p = fa_be_stdlib("sliding_window");
    const fa_ir *ir = fa_program_ir(p);
    const fa_kr *kr = fa_program_key_range(p);
    fa_ir_val *vals = calloc((size_t)ir->n_nodes, sizeof *vals);
    fa_be_case c = fa_be_fixed_case(8192, 8192, 1024, 0); /* window_left 1024, causal */
    CU_ASSERT_EQUAL(fa_tile_classify(ir, &c.env, 4096, 4160, 3200, 3264), FA_TILE_FULL);
    CU_ASSERT_EQUAL(fa_tile_classify(ir, &c.env, 4096, 4160, 1024, 1088), FA_TILE_EMPTY);
    CU_ASSERT_EQUAL(fa_tile_classify(ir, &c.env, 4096, 4160, 4160, 4224), FA_TILE_EMPTY);
    CU_ASSERT_EQUAL(fa_tile_classify(ir, &c.env, 4096, 4160, 3040, 3104), FA_TILE_PARTIAL);
    int kb = 0, ke = 8192;
    fa_tile_key_range(ir, kr, &c.env, 4096, 4160, &kb, &ke);
    CU_ASSERT_EQUAL(kb, 4096 - 1024);
    CU_ASSERT_EQUAL(ke, 4160);
    /* a two-sided window */
    c = fa_be_fixed_case(8192, 8192, 100, 50);
    kb = 0, ke = 8192;
    fa_tile_key_range(ir, kr, &c.env, 1000, 1064, &kb, &ke);
    CU_ASSERT_EQUAL(kb, 900);
    CU_ASSERT_EQUAL(ke, 1064 + 50);
    /* windows at the ends of int32 mean what they say (the mask takes distances, which do not
     * wrap: q - window_left and q + window_right would): INT32_MAX to the right sees every
     * later key, INT32_MIN to the left none at all */
    c = fa_be_fixed_case(8192, 8192, 100, INT32_MAX);
    kb = 0, ke = 8192;
    fa_tile_key_range(ir, kr, &c.env, 1000, 1064, &kb, &ke);
    CU_ASSERT_EQUAL(kb, 900);
    CU_ASSERT_EQUAL(ke, 8192);
    CU_ASSERT_EQUAL(fa_tile_classify(ir, &c.env, 1000, 1064, 8000, 8064), FA_TILE_FULL);
    CU_ASSERT_TRUE(fa_be_visible(ir, &c, vals, 8191, 8191) && fa_be_visible(ir, &c, vals, 1, 8191));
    c = fa_be_fixed_case(8192, 8192, INT32_MAX, INT32_MAX);
    CU_ASSERT_EQUAL(fa_tile_classify(ir, &c.env, 1000, 1064, 0, 8192), FA_TILE_FULL);
    CU_ASSERT_TRUE(fa_be_visible(ir, &c, vals, 8191, 0) && fa_be_visible(ir, &c, vals, 0, 8191));
    c = fa_be_fixed_case(8192, 8192, INT32_MIN, 0);
    kb = 0, ke = 8192;
    fa_tile_key_range(ir, kr, &c.env, 1000, 1064, &kb, &ke);
    CU_ASSERT_TRUE(kb >= ke);
    CU_ASSERT_EQUAL(fa_tile_classify(ir, &c.env, 1000, 1064, 0, 8192), FA_TILE_EMPTY);
    CU_ASSERT_FALSE(fa_be_visible(ir, &c, vals, 1000, 1000));
    free(vals);
    fa_program_free(p);

    p = fa_be_stdlib("sink_window"); /* sink 4, window 256 */
    ir = fa_program_ir(p);
    c = fa_be_fixed_case(4096, 4096, 256, 0);
    CU_ASSERT_EQUAL(fa_tile_classify(ir, &c.env, 2048, 2112, 0, 64), FA_TILE_PARTIAL);  /* the sinks */
    CU_ASSERT_EQUAL(fa_tile_classify(ir, &c.env, 2048, 2112, 64, 128), FA_TILE_EMPTY);
    CU_ASSERT_EQUAL(fa_tile_classify(ir, &c.env, 2048, 2112, 1900, 1984), FA_TILE_FULL);
    CU_ASSERT_EQUAL(fa_tile_classify(ir, &c.env, 2048, 2112, 0, 4), FA_TILE_FULL);
    kb = 0, ke = 4096;
    fa_tile_key_range(ir, fa_program_key_range(p), &c.env, 2048, 2112, &kb, &ke);
    CU_ASSERT_EQUAL(kb, 2048 - 255);
    CU_ASSERT_EQUAL(ke, 2112);
    fa_program_free(p);
}

static void test_precision_chunked(void)
{
    fa_program *p = fa_be_stdlib("chunked_local");
    const fa_ir *ir = fa_program_ir(p);
    fa_be_case c = fa_be_fixed_case(4096, 4096, 1024, 0);
    int kb = 0, ke = 4096;
    fa_tile_key_range(ir, fa_program_key_range(p), &c.env, 2100, 2164, &kb, &ke);
    CU_ASSERT_EQUAL(kb, 2048);
    CU_ASSERT_EQUAL(ke, 2164);
    CU_ASSERT_EQUAL(fa_tile_classify(ir, &c.env, 2100, 2164, 2048, 2100), FA_TILE_FULL);
    CU_ASSERT_EQUAL(fa_tile_classify(ir, &c.env, 2100, 2164, 1984, 2048), FA_TILE_EMPTY);
    fa_program_free(p);

    p = fa_be_stdlib("prefix_lm");
    ir = fa_program_ir(p);
    c = fa_be_fixed_case(4096, 4096, 512, 0);
    CU_ASSERT_EQUAL(fa_tile_classify(ir, &c.env, 0, 64, 448, 512), FA_TILE_FULL);   /* inside the prefix */
    CU_ASSERT_EQUAL(fa_tile_classify(ir, &c.env, 0, 64, 512, 576), FA_TILE_EMPTY);  /* after it, in the future */
    kb = 0, ke = 4096;
    fa_tile_key_range(ir, fa_program_key_range(p), &c.env, 0, 64, &kb, &ke);
    CU_ASSERT_EQUAL(ke, 512);
    fa_program_free(p);
}

/* Packed documents of 100 tokens (doc[i] = i / 100): the plain classes cannot read doc, the
 * scans prove other documents' tiles EMPTY and tiles inside one document FULL, and give up
 * past FA_SCAN_MAX elements. */
static void test_precision_document(void)
{
    fa_program *p = fa_be_stdlib("document");
    const fa_ir *ir = fa_program_ir(p);
    static int32_t doc[4096];
    for (int i = 0; i < 4096; i++)
        doc[i] = i / 100;
    fa_be_case c = fa_be_fixed_case(4096, 4096, 0, 0);
    c.env.extent[FA_EXTENT_BATCH] = 1;
    c.env.vparam[0] = (uint64_t)(uintptr_t)doc;
    static const struct {
        int q0, q1, k0, k1, cls;
    } tiles[] = {
        {200, 264, 0, 64, FA_TILE_EMPTY},        /* document 2 against documents 0 */
        {232, 264, 200, 232, FA_TILE_FULL},      /* inside document 2, below the diagonal */
        {250, 314, 250, 314, FA_TILE_PARTIAL},   /* across documents 2 and 3 */
        {1100, 2200, 0, 64, FA_TILE_PARTIAL},    /* 1100 query rows: past FA_SCAN_MAX */
        {1100, 2124, 0, 64, FA_TILE_EMPTY},      /* 1024 rows: scanned */
    };
    for (size_t i = 0; i < sizeof tiles / sizeof *tiles; i++) {
        CU_ASSERT_EQUAL(fa_tile_classify(ir, &c.env, tiles[i].q0, tiles[i].q1, tiles[i].k0, tiles[i].k1),
                        FA_TILE_PARTIAL);
        CU_ASSERT_EQUAL(fa_tile_classify_scan(ir, &c.env, tiles[i].q0, tiles[i].q1, tiles[i].k0, tiles[i].k1),
                        tiles[i].cls);
    }
    fa_program_free(p);
}

/* A chain of lets each read twice: the mask is a small DAG, but its key range as a tree
 * doubles with every let (2^30 visits here; it took minutes and gigabytes). The plan gives
 * up (every tile visited) and the program compiles at once, its classification still sound. */
static void test_key_range_budget(void)
{
    fa_buf src = {0};
    fa_buf_puts(&src, "variant chain { param w : i32 = 5;\n    let m0 = k <= q;\n");
    for (int i = 1; i <= 30; i++)
        fa_buf_printf(&src, "    let m%d = (m%d && k + 1 <= q) || (m%d && q - k < w + %d);\n", i, i - 1, i - 1, i);
    fa_buf_puts(&src, "    mask = m30;\n}\n");
    char *diag = NULL;
    fa_program *p = fa_program_compile("chain.fa", src.data, &diag, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_FALSE(fa_tile_kr_narrows(fa_program_key_range(p)));
    fa_be_stats st = fa_be_soundness(p, 77);
    CU_ASSERT_TRUE(st.empty > 0); /* the tile classes still prove the future empty */
    fa_program_free(p);
    free(diag);
    fa_buf_free(&src);
}

void fa_suite_tile(void)
{
    static const CU_TestInfo tests[] = {
        {"soundness_stdlib", test_soundness_stdlib},
        {"soundness_rules", test_soundness_rules},
        {"precision_causal", test_precision_causal},
        {"precision_window", test_precision_window},
        {"precision_chunked", test_precision_chunked},
        {"precision_document", test_precision_document},
        {"key_range_budget", test_key_range_budget},
        CU_TEST_INFO_NULL,
    };
    fa_test_add_suite("tile", tests);
}
