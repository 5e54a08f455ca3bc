/* test_cubins.c - every shipped variant compiled by NVRTC to a cubin, without a GPU:
 * stdlib x {sm_80, sm_90a} x {fp16, bf16} x {head dim 64, 128}, every head dim for one
 * variant, GQA, paged and varlen keys, and wider sink counts. Compiles run on worker threads (prewarm) into a
 * fresh cache directory; each image must be an ELF cubin carrying the key's kernel name.
 * Random variants (tests/variant_gen.h, every construct of the language) compile for the
 * FA2, FA3, paged prefill and paged decode templates the same way. The Hopper forward's
 * dense and varlen keys below d256 compile without spilled registers. */
#include "fadsl.h"
#include "fart.h"
#include "testutil.h"
#include "variant_gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { MAX_ITEMS = 160 };

static int add_item(fadsl_prewarm_item *items, int n, const char *variant, fa_arch arch, fa_dtype dt, int hd,
                    int gqa, int paged, bool varlen)
{
    CU_ASSERT_FATAL(n < MAX_ITEMS);
    fadsl_prewarm_item *it = &items[n];
    it->variant = variant;
    fa_key_init(&it->key);
    it->key.arch = arch;
    it->key.dtype = it->key.kv_dtype = dt;
    it->key.head_dim = hd;
    it->key.gqa_ratio = gqa;
    it->key.paged_block_size = paged;
    it->key.paged_layout = FA_PAGED_NHD;
    it->key.varlen = varlen;
    return n + 1;
}

static void compile_and_check(fadsl_prewarm_item *items, int n);

static void test_all_shipped_variants(void)
{
    char dir[] = "/tmp/fadsl-cubins-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    setenv("FADSL_CACHE_DIR", dir, 1);

    static fadsl_prewarm_item items[MAX_ITEMS];
    static const fa_arch archs[] = {FA_ARCH_SM80, FA_ARCH_SM90A};
    static const fa_dtype dtypes[] = {FA_DTYPE_FP16, FA_DTYPE_BF16};
    static const int dims[] = {64, 128};
    int n = 0, n_variants = 0;
    for (int v = 0; fa_stdlib_name(v); v++, n_variants++)
        for (int a = 0; a < 2; a++)
            for (int t = 0; t < 2; t++)
                for (int d = 0; d < 2; d++)
                    n = add_item(items, n, fa_stdlib_name(v), archs[a], dtypes[t], dims[d], 1, 0, false);
    CU_ASSERT(n_variants >= 10);
    static const int all_dims[] = {96, 192, 256};
    for (int d = 0; d < 3; d++)
        for (int a = 0; a < 2; a++)
            n = add_item(items, n, "causal", archs[a], FA_DTYPE_BF16, all_dims[d], 1, 0, false);
    /* d96 in the Hopper template's padded tiles, packed and grouped */
    n = add_item(items, n, "document", FA_ARCH_SM90A, FA_DTYPE_FP16, 96, 4, 0, true);
    for (int a = 0; a < 2; a++) {
        n = add_item(items, n, "causal", archs[a], FA_DTYPE_BF16, 128, 8, 0, false);
        n = add_item(items, n, "causal", archs[a], FA_DTYPE_BF16, 128, 8, 16, false);
        n = add_item(items, n, "sliding_window", archs[a], FA_DTYPE_FP16, 128, 4, 64, false);
        n = add_item(items, n, "causal", archs[a], FA_DTYPE_BF16, 128, 1, 0, true);
        n = add_item(items, n, "document", archs[a], FA_DTYPE_FP16, 64, 4, 0, true);
    }
    /* sink counts that give the Hopper template's 32- and 64-key sink tiles */
    static const char *const sink_sources[] = {
        "variant sinks24 { param window : i32; sink 24; mask = k <= q && q - k < window; }",
        "variant sinks40 { param window : i32; sink 40; mask = k <= q && q - k < window; }",
    };
    for (int i = 0; i < 2; i++)
        for (int d = 0; d < 2; d++)
            n = add_item(items, n, sink_sources[i], FA_ARCH_SM90A, FA_DTYPE_BF16, dims[d], 1, 0, false);

    compile_and_check(items, n);
    unsetenv("FADSL_CACHE_DIR");
}

/* Compiles items on worker threads (prewarm), then checks each image and kernel name. */
static void compile_and_check(fadsl_prewarm_item *items, int n)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    fadsl_prewarm *pw = NULL;
    CU_ASSERT_EQUAL_FATAL(fadsl_prewarm_start(items, n, cpus > 0 ? (int)cpus : 1, &pw), FADSL_OK);
    int failed = -1;
    fadsl_status s = fadsl_prewarm_wait(pw, &failed);
    if (s != FADSL_OK)
        printf("\n  first failure: %s\n", fadsl_last_error());
    CU_ASSERT_EQUAL(s, FADSL_OK);
    CU_ASSERT_EQUAL(failed, 0);

    /* Every key is now a memory hit: check the images and names. */
    for (int i = 0; i < n; i++) {
        fadsl_compile_info info;
        CU_ASSERT_EQUAL_FATAL(fadsl_compile(items[i].variant, &items[i].key, &info), FADSL_OK);
        CU_ASSERT_EQUAL(info.origin, FADSL_FROM_MEMORY);
        CU_ASSERT_EQUAL(info.path, FADSL_PATH_CUBIN);
        CU_ASSERT(info.image_size > 1000 && memcmp(info.image, "\177ELF", 4) == 0);
        CU_ASSERT_PTR_NOT_NULL(memmem(info.image, info.image_size, info.kernel_name, strlen(info.kernel_name)));
        char want[32];
        snprintf(want, sizeof want, "_hd%d", items[i].key.head_dim);
        CU_ASSERT_PTR_NOT_NULL(strstr(info.kernel_name, want));
        if (items[i].key.paged_block_size)
            CU_ASSERT_PTR_NOT_NULL(strstr(info.kernel_name, "paged"));
        if (items[i].key.gqa_ratio == 8)
            CU_ASSERT_PTR_NOT_NULL(strstr(info.kernel_name, "gqa8"));
    }
    printf("\n  %d kernels compiled to cubins\n", n);
}

enum { RANDOM_VARIANTS = 8 };

/* Random variants for a forward (sm_80 and sm_90a), paged prefill and paged decode (bf16,
 * and an fp8 HDB cache) key each. */
static void test_random_variants(void)
{
    char dir[] = "/tmp/fadsl-cubins-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    setenv("FADSL_CACHE_DIR", dir, 1);
    static fadsl_prewarm_item items[MAX_ITEMS];
    vg_variant v[RANDOM_VARIANTS];
    int n = 0;
    for (int i = 0; i < RANDOM_VARIANTS; i++) {
        uint64_t state = 0xc0b1000ull + (uint64_t)i;
        vg_generate(&v[i], &state, i % 2 ? VG_TAME : VG_WILD, i);
        const char *src = v[i].source;
        n = add_item(items, n, src, FA_ARCH_SM80, FA_DTYPE_FP16, 64, 1, 0, false);
        n = add_item(items, n, src, FA_ARCH_SM90A, FA_DTYPE_BF16, 128, 4, 0, true);
        n = add_item(items, n, src, FA_ARCH_SM80, FA_DTYPE_BF16, 128, 8, 32, false);
        n = add_item(items, n, src, FA_ARCH_SM90A, FA_DTYPE_BF16, 128, 4, 16, false);
        items[n - 1].key.decode = true;
        n = add_item(items, n, src, FA_ARCH_SM90A, FA_DTYPE_BF16, 128, 8, 16, false);
        items[n - 1].key.decode = true;
        items[n - 1].key.kv_dtype = FA_DTYPE_FP8E4M3;
        items[n - 1].key.paged_layout = FA_PAGED_HDB;
    }
    compile_and_check(items, n);
    for (int i = 0; i < RANDOM_VARIANTS; i++)
        vg_free(&v[i]);
    unsetenv("FADSL_CACHE_DIR");
}

/* fa3_fwd's producer copies dense and varlen K/V rows a 16-byte column a thread, stepping a
 * pointer (templates/fa3_fwd.cuh fa3_load_kv; its per-chunk predecessor spilled 16 bytes at
 * d128): keys at d64, d128 and d192, grouped and packed, compile (not from a cache) without
 * spills. */
static void test_fa3_dense_no_spills(void)
{
    char dir[] = "/tmp/fadsl-cubins-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    setenv("FADSL_CACHE_DIR", dir, 1);
    static const struct {
        const char *variant;
        int head_dim, gqa;
        bool varlen;
    } keys[] = {{"none", 64, 2, false},  {"causal", 64, 4, true},   {"none", 128, 2, false},
                {"causal", 128, 4, true}, {"document", 128, 2, true}, {"none", 192, 2, false},
                {"causal", 192, 4, true}, {"softcap", 192, 2, false}};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        fadsl_prewarm_item it;
        add_item(&it, 0, keys[i].variant, FA_ARCH_SM90A, FA_DTYPE_BF16, keys[i].head_dim, keys[i].gqa, 0,
                 keys[i].varlen);
        int spills = fart_nvrtc_spills();
        fadsl_compile_info info;
        CU_ASSERT_EQUAL_FATAL(fadsl_compile(it.variant, &it.key, &info), FADSL_OK);
        CU_ASSERT_EQUAL(info.origin, FADSL_FROM_COMPILE);
        CU_ASSERT(strncmp(info.kernel_name, "fa3_fwd_", 8) == 0);
        if (fart_nvrtc_spills() != spills)
            printf("\n  %s spilled registers\n", info.kernel_name);
        CU_ASSERT_EQUAL(fart_nvrtc_spills(), spills);
    }
    unsetenv("FADSL_CACHE_DIR");
}

void fa_suite_cubins(void)
{
    static const CU_TestInfo tests[] = {
        {"all_shipped_variants", test_all_shipped_variants},
        {"random_variants", test_random_variants},
        {"fa3_dense_no_spills", test_fa3_dense_no_spills},
        CU_TEST_INFO_NULL,
    };
    fa_test_add_suite("cubins", tests);
}
