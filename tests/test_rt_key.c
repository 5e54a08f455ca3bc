/* test_rt_key.c - request validation and dispatch keys (no GPU: the arch is given), and
 * the runtime's helpers behind them (name lists, the arch of a compute capability, checked
 * size arithmetic). */
#include "fart.h"
#include "testutil.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PTR(x) ((void *)(uintptr_t)(x))

/* A valid dense causal GQA-4 bf16 request with fake (aligned) device pointers. */
static fadsl_fwd_desc dense(void)
{
    return (fadsl_fwd_desc){.variant = "causal", .dtype = FA_DTYPE_BF16, .q = PTR(0x10000), .k = PTR(0x20000),
                            .v = PTR(0x30000), .o = PTR(0x40000), .batch = 2, .seqlen_q = 128,
                            .seqlen_k = 256, .q_heads = 32, .kv_heads = 8, .head_dim = 128, .arch = "sm_90a"};
}

/* The seed's paged decode: 8192 blocks of 16, bf16, 64 q heads over 8 kv heads. */
static fadsl_paged_desc cache(void)
{
    return (fadsl_paged_desc){.layout = FA_PAGED_HDB, .kv_dtype = FA_DTYPE_BF16, .k_cache = PTR(0x100000),
                              .v_cache = PTR(0x200000), .num_blocks = 8192, .block_size = 16,
                              .num_kv_heads = 8, .head_dim = 128, .block_tables = PTR(0x300000),
                              .max_blocks_per_seq = 512, .seq_lens = PTR(0x400000), .num_seqs = 4,
                              .q_tokens_per_seq = 1};
}

static fadsl_fwd_desc paged(const fadsl_paged_desc *pg)
{
    fadsl_fwd_desc d = dense();
    d.k = d.v = NULL;
    d.batch = d.seqlen_q = d.seqlen_k = d.kv_heads = 0;
    d.q_heads = 64;
    d.paged = pg;
    return d;
}

/* Expects make_key to refuse d with `want` and a message containing each needle. */
static void refuse(const fadsl_fwd_desc *d, fadsl_status want, const char *needle1, const char *needle2)
{
    fa_key key;
    fadsl_fwd_desc copy = *d;
    fadsl_status s = fadsl_make_key(d, &key);
    CU_ASSERT_EQUAL(s, want);
    CU_ASSERT_PTR_NOT_NULL(strstr(fadsl_last_error(), needle1));
    if (needle2)
        CU_ASSERT_PTR_NOT_NULL(strstr(fadsl_last_error(), needle2));
    if (s != want || !strstr(fadsl_last_error(), needle1) || (needle2 && !strstr(fadsl_last_error(), needle2)))
        printf("\n  got %s: %s (wanted %s, '%s')\n", fadsl_status_name(s), fadsl_last_error(),
               fadsl_status_name(want), needle1);
    CU_ASSERT_EQUAL(memcmp(&copy, d, sizeof copy), 0);
}

static void test_status_names(void)
{
    CU_ASSERT_EQUAL((int)FADSL_ERR_EMPTY_PAGED_CACHE, (int)FA_ERR__COMPILER);
    for (int i = 0; i < FADSL__STATUS_COUNT; i++) {
        CU_ASSERT_TRUE(strlen(fadsl_status_name((fadsl_status)i)) > 1);
        for (int j = 0; j < i; j++)
            CU_ASSERT_STRING_NOT_EQUAL(fadsl_status_name((fadsl_status)i), fadsl_status_name((fadsl_status)j));
    }
    CU_ASSERT_STRING_EQUAL(fadsl_status_name(FADSL_ERR_NO_DRIVER), "no CUDA driver");
    CU_ASSERT_STRING_EQUAL(fadsl_status_name((fadsl_status)999), "unknown status");
}

static void test_dense_key(void)
{
    fadsl_fwd_desc d = dense();
    fa_key a, b;
    CU_ASSERT_EQUAL_FATAL(fadsl_make_key(&d, &a), FADSL_OK);
    CU_ASSERT_EQUAL(a.arch, FA_ARCH_SM90A);
    CU_ASSERT_EQUAL(a.dtype, FA_DTYPE_BF16);
    CU_ASSERT_EQUAL(a.gqa_ratio, 4);
    CU_ASSERT_EQUAL(a.head_dim, 128);
    CU_ASSERT_FALSE(a.varlen);
    CU_ASSERT_EQUAL(a.paged_block_size, 0);
    CU_ASSERT_STRING_EQUAL(a.variant, "causal");
    CU_ASSERT_TRUE(a.causal);
    CU_ASSERT_EQUAL_FATAL(fadsl_make_key(&d, &b), FADSL_OK);
    char na[128], nb[128];
    fa_key_name(&a, na, sizeof na);
    fa_key_name(&b, nb, sizeof nb);
    CU_ASSERT_STRING_EQUAL(na, nb);
    CU_ASSERT_PTR_NOT_NULL(strstr(na, "gqa4"));
    CU_ASSERT_PTR_NOT_NULL(strstr(na, "_sm90a"));

    int cu[3] = {0};
    d.cu_seqlens_q = d.cu_seqlens_k = cu;
    d.max_seqlen_q = d.max_seqlen_k = 64;
    CU_ASSERT_EQUAL_FATAL(fadsl_make_key(&d, &a), FADSL_OK);
    CU_ASSERT_TRUE(a.varlen);
    fa_key_name(&a, na, sizeof na);
    CU_ASSERT_PTR_NOT_NULL(strstr(na, "varlen"));
}

/* Dense and packed requests of a few query rows a KV head take the decode template
 * (fart_dense_decode): up to 256 rows at d64, 96 at d96, 128 at d128, 64 at d192/d256;
 * dense ones not with more query tokens than keys; on sm_90a only with strides a tensor
 * map takes. */
static void test_dense_decode_route(void)
{
    static const struct {
        const char *arch;
        int head_dim, q_heads, seqlen_q, seqlen_k, max_seqlen_q; /* max_seqlen_q > 0: packed */
        bool decode;
    } route[] = {
        {"sm_90a", 128, 32, 1, 4096, 0, true},  {"sm_90a", 128, 32, 32, 4096, 0, true},
        {"sm_90a", 128, 32, 33, 4096, 0, false}, {"sm_90a", 128, 32, 1, 0, 1, true},
        {"sm_90a", 128, 32, 0, 0, 33, false},  {"sm_90a", 96, 32, 24, 4096, 0, true},
        {"sm_90a", 96, 32, 25, 4096, 0, false},  {"sm_80", 128, 32, 32, 4096, 0, true},
        {"sm_80", 128, 32, 33, 4096, 0, false},  {"sm_90a", 128, 32, 5, 4, 0, false},
        {"sm_90a", 64, 8, 256, 256, 0, true},    {"sm_90a", 64, 8, 257, 4096, 0, false},
        {"sm_86", 256, 64, 8, 100, 0, true},     {"sm_89", 192, 32, 17, 100, 0, false},
    };
    for (size_t i = 0; i < sizeof route / sizeof route[0]; i++) {
        fadsl_fwd_desc d = dense();
        int cu[3] = {0};
        d.arch = route[i].arch;
        d.head_dim = route[i].head_dim;
        d.q_heads = route[i].q_heads;
        d.seqlen_q = route[i].seqlen_q;
        d.seqlen_k = route[i].seqlen_k;
        if (route[i].max_seqlen_q) {
            d.cu_seqlens_q = d.cu_seqlens_k = cu;
            d.max_seqlen_q = route[i].max_seqlen_q;
            d.max_seqlen_k = 4096;
        }
        fa_key a;
        char na[128];
        CU_ASSERT_EQUAL_FATAL(fadsl_make_key(&d, &a), FADSL_OK);
        fa_key_name(&a, na, sizeof na);
        CU_ASSERT_EQUAL(a.decode, route[i].decode);
        CU_ASSERT_EQUAL(a.paged_block_size, 0);
        CU_ASSERT_EQUAL(strncmp(na, "fa_decode_bf16", 14) == 0, route[i].decode);
        if (a.decode != route[i].decode)
            printf("\n  dense route %zu: %s, want decode %d", i, na, route[i].decode);
    }
    /* several tokens share a CTA's K/V reads as paged ones do (decode_rows) */
    fadsl_fwd_desc d = dense();
    fa_key a;
    d.seqlen_q = 8;
    d.head_dim = 64;
    CU_ASSERT_EQUAL_FATAL(fadsl_make_key(&d, &a), FADSL_OK);
    CU_ASSERT(a.decode && a.decode_rows == 32);
    /* sm_90a's tensor maps need 16-byte strides that are not 0 where the index varies, and
     * rows no closer than head_dim: otherwise fa3_fwd; sm_80 reads them by cp.async */
    d = dense();
    d.seqlen_q = 1;
    d.k_stride[0] = 256 * 8 * 128, d.k_stride[1] = 8 * 128, d.k_stride[2] = 0; /* every KV head the same */
    CU_ASSERT_EQUAL_FATAL(fadsl_make_key(&d, &a), FADSL_OK);
    CU_ASSERT(!a.decode);
    d.arch = "sm_80";
    CU_ASSERT_EQUAL_FATAL(fadsl_make_key(&d, &a), FADSL_OK);
    CU_ASSERT(a.decode);
    d = dense();
    d.seqlen_q = 1;
    d.v_stride[0] = 0, d.v_stride[1] = 8 * 128, d.v_stride[2] = 128; /* one V for both sequences */
    CU_ASSERT_EQUAL_FATAL(fadsl_make_key(&d, &a), FADSL_OK);
    CU_ASSERT(!a.decode);
    d.batch = 1;
    CU_ASSERT_EQUAL_FATAL(fadsl_make_key(&d, &a), FADSL_OK);
    CU_ASSERT(a.decode);
    d = dense();
    d.seqlen_q = 1;
    d.k_stride[0] = 256 * 64, d.k_stride[1] = 64, d.k_stride[2] = 256 * 8 * 64; /* rows overlap */
    d.batch = 1;
    CU_ASSERT_EQUAL_FATAL(fadsl_make_key(&d, &a), FADSL_OK);
    CU_ASSERT(!a.decode);
    /* FADSL_NO_DENSE_DECODE=1 keeps dense requests on the forward templates */
    d = dense();
    d.seqlen_q = 1;
    setenv("FADSL_NO_DENSE_DECODE", "1", 1);
    CU_ASSERT_EQUAL_FATAL(fadsl_make_key(&d, &a), FADSL_OK);
    unsetenv("FADSL_NO_DENSE_DECODE");
    CU_ASSERT(!a.decode);
    CU_ASSERT_EQUAL_FATAL(fadsl_make_key(&d, &a), FADSL_OK);
    CU_ASSERT(a.decode);
}

static void test_paged_key(void)
{
    fadsl_paged_desc pg = cache();
    fadsl_fwd_desc d = paged(&pg);
    fa_key a, b;
    CU_ASSERT_EQUAL_FATAL(fadsl_make_key(&d, &a), FADSL_OK);
    CU_ASSERT_EQUAL(a.paged_block_size, 16);
    CU_ASSERT_EQUAL(a.gqa_ratio, 8);
    CU_ASSERT_EQUAL(a.kv_dtype, FA_DTYPE_BF16);
    char na[128], nb[128];
    fa_key_name(&a, na, sizeof na);
    CU_ASSERT_PTR_NOT_NULL(strstr(na, "paged"));
    CU_ASSERT_PTR_NOT_NULL(strstr(na, "gqa8"));
    CU_ASSERT_PTR_NOT_NULL(strstr(na, "bf16"));
    CU_ASSERT_EQUAL_FATAL(fadsl_make_key(&d, &b), FADSL_OK);
    fa_key_name(&b, nb, sizeof nb);
    CU_ASSERT_STRING_EQUAL(na, nb);
    CU_ASSERT_EQUAL(a.decode_rows, 0); /* one new token: the CTA is sized by the GQA ratio */
    /* A few new tokens (speculative decoding) size the CTA by GQA x tokens (16-row classes
     * up to 64) where that was faster on an H100 and changes the plan: fp8 NHD, 16-bit NHD
     * up to d64, 16-bit caches at 64 rows (d128: two 32-row tiles for four 16-row ones);
     * never fp8 HDB or where the head dim caps the rows anyway (d256). The key then holds
     * the plan's rows (d128: 32 for every class), one name a kernel. GQA 8 throughout. */
    static const struct {
        fa_paged_layout layout;
        fa_dtype kv;
        int head_dim, tokens, rows;
    } rows_of[] = {{FA_PAGED_HDB, FA_DTYPE_BF16, 128, 2, 0},    {FA_PAGED_HDB, FA_DTYPE_BF16, 128, 4, 0},
                   {FA_PAGED_HDB, FA_DTYPE_BF16, 128, 5, 0},    {FA_PAGED_HDB, FA_DTYPE_BF16, 128, 8, 32},
                   {FA_PAGED_HDB, FA_DTYPE_BF16, 96, 500, 32},  {FA_PAGED_NHD, FA_DTYPE_FP8E4M3, 128, 3, 32},
                   {FA_PAGED_NHD, FA_DTYPE_FP8E4M3, 128, 8, 32}, {FA_PAGED_NHD, FA_DTYPE_FP8E4M3, 128, 2, 0},
                   {FA_PAGED_HDB, FA_DTYPE_FP8E4M3, 128, 8, 0}, {FA_PAGED_NHD, FA_DTYPE_BF16, 64, 3, 32},
                   {FA_PAGED_NHD, FA_DTYPE_BF16, 64, 5, 48},    {FA_PAGED_NHD, FA_DTYPE_BF16, 256, 8, 0},
                   {FA_PAGED_NHD, FA_DTYPE_BF16, 128, 4, 0}};
    for (size_t i = 0; i < sizeof rows_of / sizeof rows_of[0]; i++) {
        pg.layout = rows_of[i].layout;
        pg.kv_dtype = rows_of[i].kv;
        pg.head_dim = d.head_dim = rows_of[i].head_dim;
        pg.q_tokens_per_seq = rows_of[i].tokens;
        CU_ASSERT_EQUAL_FATAL(fadsl_make_key(&d, &a), FADSL_OK);
        CU_ASSERT(a.decode); /* at most 128 rows, or HDB at d96: the decode kernel */
        CU_ASSERT_EQUAL(a.decode_rows, rows_of[i].rows);
        if (a.decode_rows != rows_of[i].rows)
            printf("\n  decode_rows: case %zu got %d, want %d", i, a.decode_rows, rows_of[i].rows);
    }
    fa_key_name(&a, na, sizeof na);
    CU_ASSERT_PTR_NULL(strstr(na, "_r")); /* the last case: no rows class */
    pg = cache();
    d.head_dim = 128;
    pg.q_tokens_per_seq = 8;
    CU_ASSERT_EQUAL_FATAL(fadsl_make_key(&d, &a), FADSL_OK);
    fa_key_name(&a, na, sizeof na);
    CU_ASSERT_PTR_NOT_NULL(strstr(na, "_gqa8_r32_"));
    /* NHD above 128 rows where fa3_fwd serves the chunks (sm_90a, d64/d128 16-bit or fp8,
     * d192/d256 16-bit or fp8 in blocks of up to 64 keys; fa2_fwd: 64, fp8 256): chunked
     * prefill by the forward template, no rows class; 72 rows still decode there (d256
     * too), not on sm_80 */
    pg.layout = FA_PAGED_NHD;
    pg.q_tokens_per_seq = 9;
    CU_ASSERT_EQUAL_FATAL(fadsl_make_key(&d, &a), FADSL_OK);
    CU_ASSERT(a.decode);
    d.arch = "sm_80";
    CU_ASSERT_EQUAL_FATAL(fadsl_make_key(&d, &a), FADSL_OK);
    CU_ASSERT(!a.decode);
    d.arch = "sm_90a";
    pg.head_dim = d.head_dim = 256;
    CU_ASSERT_EQUAL_FATAL(fadsl_make_key(&d, &a), FADSL_OK);
    CU_ASSERT(a.decode);
    pg.head_dim = d.head_dim = 128;
    pg.q_tokens_per_seq = 17;
    CU_ASSERT_EQUAL_FATAL(fadsl_make_key(&d, &a), FADSL_OK);
    CU_ASSERT(!a.decode && a.decode_rows == 0);
    pg.kv_dtype = FA_DTYPE_FP8E5M2;
    CU_ASSERT_EQUAL_FATAL(fadsl_make_key(&d, &a), FADSL_OK);
    CU_ASSERT(!a.decode && a.decode_rows == 0 && a.kv_dtype == FA_DTYPE_FP8E5M2); /* 136 rows: fa3_fwd */
    fa_key_name(&a, na, sizeof na);
    CU_ASSERT_PTR_NOT_NULL(strstr(na, "fa3_fwd_paged"));
    pg.q_tokens_per_seq = 16;
    CU_ASSERT_EQUAL_FATAL(fadsl_make_key(&d, &a), FADSL_OK);
    CU_ASSERT(a.decode);
    d.arch = "sm_80"; /* fa2_fwd: the decode template up to 256 rows */
    pg.q_tokens_per_seq = 32;
    CU_ASSERT_EQUAL_FATAL(fadsl_make_key(&d, &a), FADSL_OK);
    CU_ASSERT(a.decode);
    pg.q_tokens_per_seq = 33;
    CU_ASSERT_EQUAL_FATAL(fadsl_make_key(&d, &a), FADSL_OK);
    CU_ASSERT(!a.decode && a.decode_rows == 0 && a.kv_dtype == FA_DTYPE_FP8E5M2);
    fa_key_name(&a, na, sizeof na);
    CU_ASSERT_PTR_NOT_NULL(strstr(na, "fa2_fwd_paged"));
    d.arch = "sm_90a";
    pg.kv_dtype = FA_DTYPE_BF16;
    pg.layout = FA_PAGED_HDB;
    /* HDB above 128 rows (every block size; fp8: 160): the forward template on sm_90a at
     * d64/d128 and d192/d256 (fp8 caches in blocks of up to 64 keys: fa_plan_fa3_forward),
     * else the decode template at every length. GQA 8; 16-bit caches take the query type. */
    static const struct {
        const char *arch;
        fa_dtype kv;
        int head_dim, bs, tokens;
        bool decode;
    } hdb_route[] = {{"sm_90a", FA_DTYPE_BF16, 128, 16, 17, false}, {"sm_90a", FA_DTYPE_BF16, 64, 128, 500, false},
                     {"sm_90a", FA_DTYPE_BF16, 128, 16, 16, true},  {"sm_90a", FA_DTYPE_BF16, 128, 8, 16, true},
                     {"sm_90a", FA_DTYPE_BF16, 128, 8, 17, false},  {"sm_90a", FA_DTYPE_FP8E4M3, 128, 16, 500, false},
                     {"sm_90a", FA_DTYPE_BF16, 256, 16, 500, false}, {"sm_80", FA_DTYPE_BF16, 128, 16, 500, true},
                     {"sm_90a", FA_DTYPE_FP16, 64, 8, 16, true},    {"sm_90a", FA_DTYPE_FP16, 64, 8, 17, false},
                     {"sm_90a", FA_DTYPE_FP16, 64, 32, 16, true},   {"sm_90a", FA_DTYPE_FP16, 64, 32, 17, false},
                     {"sm_90a", FA_DTYPE_FP8E5M2, 64, 8, 20, true}, {"sm_90a", FA_DTYPE_FP8E5M2, 64, 8, 21, false},
                     {"sm_80", FA_DTYPE_FP8E4M3, 128, 16, 500, true}, {"sm_90a", FA_DTYPE_FP8E4M3, 96, 16, 500, true},
                     {"sm_90a", FA_DTYPE_FP8E4M3, 256, 16, 500, false}, {"sm_90a", FA_DTYPE_BF16, 192, 16, 500, false},
                     {"sm_90a", FA_DTYPE_FP8E4M3, 256, 16, 20, true}, {"sm_90a", FA_DTYPE_FP8E5M2, 256, 128, 500, true}};
    for (size_t i = 0; i < sizeof hdb_route / sizeof hdb_route[0]; i++) {
        d.arch = hdb_route[i].arch;
        pg.block_size = hdb_route[i].bs;
        pg.kv_dtype = hdb_route[i].kv;
        d.dtype = fa_dtype_size(hdb_route[i].kv) == 2 ? hdb_route[i].kv : FA_DTYPE_BF16;
        pg.head_dim = d.head_dim = hdb_route[i].head_dim;
        pg.q_tokens_per_seq = hdb_route[i].tokens;
        CU_ASSERT_EQUAL_FATAL(fadsl_make_key(&d, &a), FADSL_OK);
        CU_ASSERT_EQUAL(a.decode, hdb_route[i].decode);
        fa_key_name(&a, na, sizeof na);
        CU_ASSERT_PTR_NOT_NULL(strstr(na, hdb_route[i].decode ? "fa_decode_paged" : "fa3_fwd_paged"));
    }
    d.arch = "sm_90a";
    d.dtype = FA_DTYPE_BF16;
    pg = cache();
    d.head_dim = 128;

    /* Packed queries (varlen chunked prefill) route as dense ones do, by max_seqlen_q: above
     * 128 rows (fp8 HDB: 160) to the forward template, fewer rows or HDB caches it does not read
     * to the decode template (varlen decode keys, their CTA rows sized by max_seqlen_q). */
    static int cu_q[8];
    pg.layout = FA_PAGED_NHD;
    pg.q_tokens_per_seq = 0;
    d.cu_seqlens_q = cu_q;
    d.max_seqlen_q = 200;
    CU_ASSERT_EQUAL_FATAL(fadsl_make_key(&d, &a), FADSL_OK);
    CU_ASSERT(a.varlen && !a.decode);
    fa_key_name(&a, na, sizeof na);
    CU_ASSERT_PTR_NOT_NULL(strstr(na, "_varlen"));
    static const struct {
        fa_paged_layout layout;
        fa_dtype kv;
        int max_q;
        bool decode;
        int rows;
    } packed[] = {{FA_PAGED_NHD, FA_DTYPE_BF16, 8, true, 32},     {FA_PAGED_NHD, FA_DTYPE_BF16, 17, false, 0},
                  {FA_PAGED_HDB, FA_DTYPE_BF16, 200, false, 0},   {FA_PAGED_NHD, FA_DTYPE_FP8E4M3, 500, false, 0},
                  {FA_PAGED_HDB, FA_DTYPE_FP8E4M3, 200, false, 0}, {FA_PAGED_HDB, FA_DTYPE_BF16, 8, true, 32},
                  {FA_PAGED_HDB, FA_DTYPE_FP8E5M2, 3, true, 0},   {FA_PAGED_NHD, FA_DTYPE_FP8E5M2, 1, true, 0}};
    for (size_t i = 0; i < sizeof packed / sizeof packed[0]; i++) {
        pg.layout = packed[i].layout;
        pg.kv_dtype = packed[i].kv;
        d.max_seqlen_q = packed[i].max_q;
        CU_ASSERT_EQUAL_FATAL(fadsl_make_key(&d, &a), FADSL_OK);
        CU_ASSERT(a.varlen && a.decode == packed[i].decode && a.decode_rows == packed[i].rows);
        if (a.decode != packed[i].decode || a.decode_rows != packed[i].rows)
            printf("\n  packed case %zu: decode %d rows %d", i, a.decode, a.decode_rows);
        fa_key_name(&a, na, sizeof na);
        CU_ASSERT_PTR_NOT_NULL(strstr(na, packed[i].decode ? "fa_decode_paged" : "_fwd_paged"));
        CU_ASSERT_PTR_NOT_NULL(strstr(na, "_varlen"));
    }
    pg = cache();
    pg.layout = FA_PAGED_NHD;
    pg.q_tokens_per_seq = 0;
    d.max_seqlen_q = 200;
    /* total_q (rows of q/o/lse with padding): 0 or at least max_seqlen_q, packed only */
    d.total_q = 300;
    CU_ASSERT_EQUAL(fadsl_make_key(&d, &a), FADSL_OK);
    fa_args args;
    const fa_program *prog;
    CU_ASSERT_EQUAL_FATAL(fart_variant_get(d.variant, &prog), FADSL_OK);
    CU_ASSERT_EQUAL(fart_fill_args(&d, prog, &args), FADSL_OK);
    CU_ASSERT_EQUAL(args.lse_rows, 300);
    d.total_q = 100; /* below max_seqlen_q 200: a loose bound (CUDA graph capture) is fine */
    CU_ASSERT_EQUAL(fadsl_make_key(&d, &a), FADSL_OK);
    d.total_q = -1;
    refuse(&d, FADSL_ERR_SEQLEN, "total_q -1 is negative", NULL);
    d.total_q = 0;
    d.max_seqlen_q = 0;
    CU_ASSERT_EQUAL(fadsl_make_key(&d, &a), FADSL_ERR_EMPTY_BATCH);
    CU_ASSERT_PTR_NOT_NULL(strstr(fadsl_last_error(), "max_seqlen_q is 0"));
    d.max_seqlen_q = 200;
    d.cu_seqlens_q = (const int *)((const char *)cu_q + 2);
    CU_ASSERT_EQUAL(fadsl_make_key(&d, &a), FADSL_ERR_MISALIGNED);
}

/* Descales scale fp8 caches only: a 16-bit cache with one other than 0 or 1 (or per-head
 * arrays), or an fp8 cache with a NaN, infinite, negative or denormal one, or a k_descale
 * whose product with the softmax scale leaves float32's normal range, is refused; 0
 * (meaning 1) and positive ones on fp8 pass. */
static void test_descale_refusals(void)
{
    fadsl_paged_desc pg = cache();
    fadsl_fwd_desc d = paged(&pg);
    fa_key key;
    pg.k_descale = 0.5f;
    refuse(&d, FADSL_ERR_INVALID, "paged k_descale 0.5 applies to fp8 caches only", "this cache is bf16");
    pg = cache();
    pg.v_descale_per_head = PTR(0x500000);
    refuse(&d, FADSL_ERR_INVALID, "per-head descales apply to fp8 caches only", "NULL");
    pg = cache();
    pg.k_descale = pg.v_descale = 1.f; /* a no-op on a 16-bit cache */
    CU_ASSERT_EQUAL(fadsl_make_key(&d, &key), FADSL_OK);
    const float bad[] = {NAN, INFINITY, -2.f};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pg = cache();
        pg.kv_dtype = FA_DTYPE_FP8E4M3;
        pg.v_descale = bad[i];
        refuse(&d, FADSL_ERR_INVALID, "paged v_descale", "fp8e4m3 cache is not a finite positive number");
    }
    pg = cache();
    pg.kv_dtype = FA_DTYPE_FP8E5M2;
    pg.k_descale = 0.25f;
    pg.k_descale_per_head = pg.v_descale_per_head = PTR(0x500000);
    CU_ASSERT_EQUAL(fadsl_make_key(&d, &key), FADSL_OK);
    pg.k_descale = 0.f;
    CU_ASSERT_EQUAL(fadsl_make_key(&d, &key), FADSL_OK);
    /* the kernels flush denormals to 0, and fold k_descale into the softmax scale */
    pg = cache();
    pg.kv_dtype = FA_DTYPE_FP8E4M3;
    pg.v_descale = 1e-40f;
    refuse(&d, FADSL_ERR_INVALID, "paged v_descale", "cache is below float32's normal range");
    pg = cache();
    pg.kv_dtype = FA_DTYPE_FP8E4M3;
    pg.k_descale = 1e-37f; /* normal, but 1e-37 / sqrt(128) is not (a scored variant's product) */
    refuse(&d, FADSL_ERR_INVALID, "paged k_descale 1e-37 times the softmax scale", "normal range");
    pg.k_descale = 3e38f;
    d.softmax_scale = 2.0;
    refuse(&d, FADSL_ERR_INVALID, "paged k_descale 3e+38 times the softmax scale", NULL);
    pg.k_descale_per_head = PTR(0x500000); /* replaces the scalar, which then goes unused */
    CU_ASSERT_EQUAL(fadsl_make_key(&d, &key), FADSL_OK);
    pg.k_descale_per_head = NULL;
    d.softmax_scale = 0;
    pg.k_descale = 1e-30f;
    CU_ASSERT_EQUAL(fadsl_make_key(&d, &key), FADSL_OK);
    d.workspace = PTR(0x70000); /* a paged request's is the cache's: not ignored */
    refuse(&d, FADSL_ERR_INVALID, "workspace is set on a paged request", "paged->workspace");
}

/* A paged request's descriptor fields that the cache decides (batch, kv_heads, lengths,
 * k/v, cu_seqlens_k) are refused when set and different; unset or equal ones pass. */
static void test_paged_fields(void)
{
    fadsl_paged_desc pg = cache();
    fadsl_fwd_desc d = paged(&pg);
    fa_key key;
    d.batch = 3;
    refuse(&d, FADSL_ERR_INVALID, "batch 3 differs from 4 (paged num_seqs)", "leave batch 0");
    d = paged(&pg);
    d.kv_heads = 4;
    refuse(&d, FADSL_ERR_HEADS, "kv_heads 4 differs from 8 (paged num_kv_heads)", NULL);
    d = paged(&pg);
    d.seqlen_q = 2;
    refuse(&d, FADSL_ERR_SEQLEN, "seqlen_q 2 differs from 1 (q_tokens_per_seq)", NULL);
    d = paged(&pg);
    d.max_seqlen_q = 5;
    refuse(&d, FADSL_ERR_SEQLEN, "max_seqlen_q 5 differs from 1 (q_tokens_per_seq)", NULL);
    d = paged(&pg);
    d.seqlen_k = 4000;
    refuse(&d, FADSL_ERR_SEQLEN, "seqlen_k 4000 differs from 8192 (the paged key bound",
           "leave seqlen_k 0; to bound the keys, set paged max_seq_len instead");
    d = paged(&pg);
    d.max_seqlen_k = 100;
    refuse(&d, FADSL_ERR_SEQLEN, "max_seqlen_k 100 differs from 8192", NULL);
    d = paged(&pg);
    d.k = PTR(0x20000);
    refuse(&d, FADSL_ERR_INVALID, "but a paged request reads paged k_cache", "leave k NULL");
    d = paged(&pg);
    d.v = PTR(0x30000);
    refuse(&d, FADSL_ERR_INVALID, "v 0x30000 is set, but a paged request reads paged v_cache", "leave v NULL");
    d = paged(&pg);
    d.cu_seqlens_k = PTR(0x600000);
    refuse(&d, FADSL_ERR_INVALID, "cu_seqlens_k", "paged seq_lens");
    d = paged(&pg);
    d.k_stride[1] = 1024; /* once ignored: the layout gives a paged cache's strides */
    refuse(&d, FADSL_ERR_INVALID, "k_stride {0, 1024, 0} is set, but a paged cache's strides follow from its layout",
           "leave k_stride all 0");
    d = paged(&pg);
    d.v_stride[2] = 128;
    refuse(&d, FADSL_ERR_INVALID, "v_stride {0, 0, 128} is set", NULL);
    static int cu_q[5];
    d = paged(&pg);
    d.cu_seqlens_q = cu_q;
    d.max_seqlen_q = 7;
    pg.layout = FA_PAGED_NHD;
    pg.q_tokens_per_seq = 3; /* packed: the rows are max_seqlen_q's */
    refuse(&d, FADSL_ERR_SEQLEN, "paged q_tokens_per_seq 3 differs from 7 (max_seqlen_q)", NULL);
    pg.q_tokens_per_seq = 0;
    d.seqlen_q = 6;
    refuse(&d, FADSL_ERR_SEQLEN, "seqlen_q 6 differs from 7 (max_seqlen_q)", NULL);
    /* the same values, or none, pass */
    pg.q_tokens_per_seq = 0;
    d.seqlen_q = 7;
    d.batch = 4;
    d.kv_heads = 8;
    d.seqlen_k = d.max_seqlen_k = 8192;
    d.k = pg.k_cache;
    d.v = pg.v_cache;
    CU_ASSERT_EQUAL(fadsl_make_key(&d, &key), FADSL_OK);
    pg = cache();
    pg.max_seq_len = 3000;
    d = paged(&pg);
    d.seqlen_k = 3000;
    d.seqlen_q = d.max_seqlen_q = 1;
    CU_ASSERT_EQUAL(fadsl_make_key(&d, &key), FADSL_OK);
}

static void test_paged_refusals(void)
{
    fadsl_paged_desc pg = cache();
    fadsl_fwd_desc d = paged(&pg);
    pg.block_size = 7;
    refuse(&d, FADSL_ERR_BLOCK_SIZE, "block_size 7", "8, 16, 32, 64, 128");
    pg = cache();
    pg.num_blocks = 0;
    refuse(&d, FADSL_ERR_EMPTY_PAGED_CACHE, "num_blocks is 0", NULL);
    pg = cache();
    pg.block_size = 0;
    refuse(&d, FADSL_ERR_EMPTY_PAGED_CACHE, "block_size is 0", NULL);
    pg = cache();
    pg.num_kv_heads = 0;
    refuse(&d, FADSL_ERR_EMPTY_PAGED_CACHE, "num_kv_heads is 0", NULL);
    pg = cache();
    pg.max_blocks_per_seq = 0;
    refuse(&d, FADSL_ERR_EMPTY_PAGED_CACHE, "max_blocks_per_seq is 0", NULL);
    pg.max_blocks_per_seq = -3;
    refuse(&d, FADSL_ERR_EMPTY_PAGED_CACHE, "max_blocks_per_seq is -3 (it must be positive)", NULL);
    pg = cache();
    pg.head_dim = 64;
    refuse(&d, FADSL_ERR_PAGED_HEAD_DIM, "head_dim 64", "head_dim 128");
    pg = cache();
    pg.num_seqs = 0;
    refuse(&d, FADSL_ERR_EMPTY_BATCH, "paged num_seqs is 0", NULL);
    pg = cache();
    pg.q_tokens_per_seq = 0;
    refuse(&d, FADSL_ERR_EMPTY_BATCH, "q_tokens_per_seq is 0", NULL);
    pg = cache();
    pg.block_tables = NULL;
    refuse(&d, FADSL_ERR_NULL_POINTER, "block_tables", NULL);
    pg = cache();
    pg.k_cache = PTR(0x100004);
    refuse(&d, FADSL_ERR_MISALIGNED, "k_cache", NULL);
    pg = cache();
    pg.max_seq_len = 512 * 16 + 1;
    refuse(&d, FADSL_ERR_SEQLEN, "max_seq_len 8193", NULL);
    pg = cache();
    pg.num_kv_heads = 6;
    refuse(&d, FADSL_ERR_HEADS, "q_heads 64 is not a multiple of kv_heads 6", NULL);
    test_descale_refusals();
    test_paged_fields();
}

/* Sets o's strides {batch, row, head}. */
static void set_o(fadsl_fwd_desc *d, int64_t b, int64_t r, int64_t h)
{
    d->o_stride[0] = b, d->o_stride[1] = r, d->o_stride[2] = h;
}

/* o strides whose outputs would share elements are refused; distinct layouts (padded rows,
 * heads outermost) and a broadcast q (read only) pass. dense(): batch 2, 128 rows, 32 heads
 * of 128. */
static void test_output_overlap(void)
{
    fadsl_fwd_desc d = dense();
    fa_key key;
    set_o(&d, 0, 0, 128);
    refuse(&d, FADSL_ERR_INVALID, "o strides {batch 0, row 0, head 128} make outputs overlap: the row stride 0 is below 128",
           "strides all 0: contiguous");
    set_o(&d, 128 * 32 * 128, 32 * 128, 64);
    refuse(&d, FADSL_ERR_INVALID, "the head stride 64 is below 128", NULL);
    set_o(&d, 128 * 32 * 128, 16 * 128, 128); /* rows two heads' worth too close */
    refuse(&d, FADSL_ERR_INVALID, "the row stride 2048 is below 4096", NULL);
    set_o(&d, 32 * 128 * 128 - 8, 32 * 128, 128); /* batch 1's first row on batch 0's last */
    refuse(&d, FADSL_ERR_INVALID, "the batch stride 524280 is below 524288", NULL);
    set_o(&d, 128 * (32 * 128 + 64), 32 * 128 + 64, 128); /* padded rows */
    CU_ASSERT_EQUAL(fadsl_make_key(&d, &key), FADSL_OK);
    set_o(&d, 32 * 128 * 128, 128, 128 * 128); /* [batch, heads, rows, D] */
    CU_ASSERT_EQUAL(fadsl_make_key(&d, &key), FADSL_OK);
    d = dense();
    d.q_stride[2] = 128; /* q broadcast over batch and rows: read only, allowed */
    CU_ASSERT_EQUAL(fadsl_make_key(&d, &key), FADSL_OK);
    d = dense();
    d.batch = 1;
    set_o(&d, 0, 32 * 128, 128); /* one sequence: its batch stride is never used */
    CU_ASSERT_EQUAL(fadsl_make_key(&d, &key), FADSL_OK);
    /* packed rows: total_q, else up to batch * max_seqlen_q of them, whatever the batch stride */
    static int cu[3];
    d = dense();
    d.cu_seqlens_q = d.cu_seqlens_k = cu;
    d.max_seqlen_q = 1, d.max_seqlen_k = 64;
    set_o(&d, 0, 0, 128); /* two rows at least (batch 2) */
    refuse(&d, FADSL_ERR_INVALID, "the row stride 0 is below 128", NULL);
    set_o(&d, 999 * 8, 32 * 128, 128);
    CU_ASSERT_EQUAL(fadsl_make_key(&d, &key), FADSL_OK);
    d.total_q = 1; /* one packed row (as the Python binding passes it: size-1 strides 0) */
    set_o(&d, 0, 0, 128);
    CU_ASSERT_EQUAL(fadsl_make_key(&d, &key), FADSL_OK);
    /* paged decode, one token a sequence: the batch stride separates the sequences */
    fadsl_paged_desc pg = cache();
    d = paged(&pg);
    set_o(&d, 64 * 128, 0, 128);
    CU_ASSERT_EQUAL(fadsl_make_key(&d, &key), FADSL_OK);
    set_o(&d, 32 * 128, 0, 128);
    refuse(&d, FADSL_ERR_INVALID, "the batch stride 4096 is below 8192", NULL);
}

static void test_dense_refusals(void)
{
    fadsl_fwd_desc d = dense();
    d.batch = 0;
    refuse(&d, FADSL_ERR_EMPTY_BATCH, "batch is 0", NULL);
    d = dense();
    d.seqlen_q = 0;
    refuse(&d, FADSL_ERR_EMPTY_BATCH, "seqlen_q is 0", NULL);
    d = dense();
    d.seqlen_k = -1;
    refuse(&d, FADSL_ERR_SEQLEN, "seqlen_k -1", NULL);
    d = dense();
    d.total_q = 64;
    refuse(&d, FADSL_ERR_INVALID, "total_q 64 applies to packed queries (cu_seqlens_q) only", "leave it 0");
    d = dense();
    d.batch = 70000;
    refuse(&d, FADSL_ERR_SEQLEN, "batch 70000", NULL);
    d = dense();
    d.q = NULL;
    refuse(&d, FADSL_ERR_NULL_POINTER, "q is NULL", NULL);
    d = dense();
    d.v = NULL;
    refuse(&d, FADSL_ERR_NULL_POINTER, "v is NULL", NULL);
    d = dense();
    d.k = PTR(0x20008);
    refuse(&d, FADSL_ERR_MISALIGNED, "k 0x20008", "16-byte");
    d = dense();
    d.q_stride[0] = 128 * 32 * 128;
    d.q_stride[1] = 100;
    d.q_stride[2] = 128;
    refuse(&d, FADSL_ERR_MISALIGNED, "q row stride 100", "multiple of 8");
    test_output_overlap();
    d = dense();
    d.q_heads = 30;
    refuse(&d, FADSL_ERR_HEADS, "q_heads 30 is not a multiple of kv_heads 8", NULL);
    d = dense();
    d.kv_heads = 0;
    refuse(&d, FADSL_ERR_HEADS, "kv_heads 0", NULL);
    d = dense();
    int cu[3] = {0};
    d.cu_seqlens_q = cu;
    d.max_seqlen_q = d.max_seqlen_k = 16;
    refuse(&d, FADSL_ERR_NULL_POINTER, "cu_seqlens_k is NULL", NULL);
    d.cu_seqlens_k = cu;
    d.max_seqlen_k = 0;
    refuse(&d, FADSL_ERR_SEQLEN, "max_seqlen_k 0", NULL);
    d.max_seqlen_k = 16;
    d.k = NULL; /* varlen requests check k and v too */
    refuse(&d, FADSL_ERR_NULL_POINTER, "k is NULL", NULL);
    d = dense();
    d.workspace = PTR(0x70004); /* the split partials are float4 stores */
    refuse(&d, FADSL_ERR_MISALIGNED, "workspace 0x70004 is not 16-byte aligned", NULL);
    d.workspace = PTR(0x70000);
    fa_key key;
    CU_ASSERT_EQUAL(fadsl_make_key(&d, &key), FADSL_OK);
    d = dense();
    d.softmax_scale = 1e300; /* finite as a double, inf as the kernels' float */
    refuse(&d, FADSL_ERR_INVALID, "softmax_scale 1e+300 is not a finite float32", NULL);
    d.softmax_scale = -0.125; /* the kernels mask to -inf before scaling */
    refuse(&d, FADSL_ERR_INVALID, "softmax_scale -0.125 is negative", "0 for 1/sqrt(head_dim)");
    d.softmax_scale = 1e-40; /* a float32 denormal, flushed to 0 */
    refuse(&d, FADSL_ERR_INVALID, "softmax_scale 1e-40 is below float32's normal range", NULL);
    d = dense();
    d.arch = "sm_75";
    refuse(&d, FADSL_ERR_INVALID, "unknown arch 'sm_75'", "sm_90a");
    d = dense();
    d.variant = "no_such_variant";
    refuse(&d, FADSL_ERR_VARIANT, "no_such_variant", "causal");
    d.variant = "/no/such/file.fa";
    refuse(&d, FADSL_ERR_VARIANT, "/no/such/file.fa", NULL);
    d.variant = "/dev/zero"; /* a device (or FIFO) is refused, not read without end */
    refuse(&d, FADSL_ERR_VARIANT, "cannot read variant file /dev/zero: not a regular file", NULL);
    char big[] = "/tmp/fadsl-big-XXXXXX";
    int fd = mkstemp(big);
    CU_ASSERT_FATAL(fd >= 0 && ftruncate(fd, (off_t)FA_VARIANT_FILE_MAX + 1) == 0);
    close(fd);
    d.variant = big;
    refuse(&d, FADSL_ERR_VARIANT, "holds more than 1048576 bytes", big);
    remove(big);
    d.variant = "variant broken { mask = ; }";
    refuse(&d, FADSL_ERR_SYNTAX, "error", NULL);
}

/* Parameters: a window scalar with a default, a per-head slopes tensor without. */
static const char *alibi_swa = "variant alibi_swa {\n"
                               "    param window : i32 = 4096;\n"
                               "    param slopes : f32[q_heads];\n"
                               "    mask = k <= q && q - k < window;\n"
                               "    score = s - slopes[h] * (q - k);\n"
                               "}\n";

static void test_params(void)
{
    fadsl_fwd_desc d = dense();
    d.variant = alibi_swa;
    refuse(&d, FADSL_ERR_PARAM, "slopes", "device pointer");
    fadsl_param ps[3] = {{.name = "slopes", .tensor = PTR(0x50000)}, {.name = "window", .value = 128}};
    d.params = ps;
    d.num_params = 2;
    fa_key key;
    CU_ASSERT_EQUAL(fadsl_make_key(&d, &key), FADSL_OK);
    CU_ASSERT_FALSE(key.stdlib);
    ps[1].value = 2.5;
    refuse(&d, FADSL_ERR_PARAM, "'window' is i32", "2.5");
    ps[1] = (fadsl_param){.name = "windw", .value = 1};
    refuse(&d, FADSL_ERR_PARAM, "unknown parameter 'windw'", "window, slopes");
    ps[1] = (fadsl_param){.name = "slopes", .tensor = PTR(0x60000)};
    refuse(&d, FADSL_ERR_PARAM, "'slopes' is given twice", NULL);
    d.num_params = -1;
    refuse(&d, FADSL_ERR_INVALID, "num_params -1 is negative", NULL);
    d.num_params = 2;
    d.params = NULL;
    refuse(&d, FADSL_ERR_INVALID, "num_params 2 without a params array", NULL);
    d.params = ps;
    d.num_params = 1;   /* window takes its default */
    CU_ASSERT_EQUAL(fadsl_make_key(&d, &key), FADSL_OK);
    d.variant = "variant w { param window : i32; mask = q - k < window; }";
    d.num_params = 0;
    refuse(&d, FADSL_ERR_PARAM, "'window' has no default", NULL);
    /* an f32 the kernels would flush to 0 (or that rounds to 0 as f32) */
    d.variant = "softcap";
    ps[0] = (fadsl_param){.name = "cap", .value = 1e-40};
    d.num_params = 1;
    refuse(&d, FADSL_ERR_PARAM, "parameter 'cap' value 1e-40 is below f32's normal range", "pass 0");
    ps[0].value = -1e-50;
    refuse(&d, FADSL_ERR_PARAM, "parameter 'cap' value -1e-50 is below f32's normal range", NULL);
    ps[0].value = 0; /* every score would be 0: softcap requires cap > 0 */
    refuse(&d, FADSL_ERR_PARAM, "variant 'softcap' requires cap > 0 (line 5), but cap = 0", NULL);
    ps[0].value = 0.5;
    CU_ASSERT_EQUAL(fadsl_make_key(&d, &key), FADSL_OK);
    d.variant = "chunked_local";
    ps[0] = (fadsl_param){.name = "chunk", .value = 0}; /* x / 0 is 0: it would be causal */
    refuse(&d, FADSL_ERR_PARAM, "variant 'chunked_local' requires chunk > 0", "but chunk = 0");
    d.num_params = 0; /* the default holds */
    CU_ASSERT_EQUAL(fadsl_make_key(&d, &key), FADSL_OK);
    d.variant = "sliding_window"; /* FlashAttention's -1 ("no limit") would be an empty window */
    ps[0] = (fadsl_param){.name = "window_right", .value = -1};
    d.num_params = 1;
    refuse(&d, FADSL_ERR_PARAM, "requires (window_left >= 0) && (window_right >= 0)",
           "but window_left = 4096, window_right = -1");
    d.variant = "sink_window";
    ps[0] = (fadsl_param){.name = "window", .value = 0};
    refuse(&d, FADSL_ERR_PARAM, "variant 'sink_window' requires window >= 1", "but window = 0");
    /* require under the language's arithmetic, over params with and without defaults */
    d.variant = "variant r { param lo : i32; param hi : i32 = 10; param f : f32 = 1.5;\n"
                "  let span = hi - lo;\n  require span > 0 && f * 2.0 < 4.0;\n  require lo / 0 == 0;\n"
                "  mask = k >= lo && k < hi; }";
    ps[0] = (fadsl_param){.name = "lo", .value = 10};
    d.num_params = 1;
    refuse(&d, FADSL_ERR_PARAM, "variant 'r' requires (span > 0) && ((f * 2.0) < 4.0) (line 3)",
           "but lo = 10, hi = 10, f = 1.5");
    ps[0].value = 9;
    CU_ASSERT_EQUAL(fadsl_make_key(&d, &key), FADSL_OK);
    ps[1] = (fadsl_param){.name = "f", .value = 2};
    d.num_params = 2;
    refuse(&d, FADSL_ERR_PARAM, "requires (span > 0) && ((f * 2.0) < 4.0)", "f = 2");
    ps[1].value = 1.999;
    CU_ASSERT_EQUAL(fadsl_make_key(&d, &key), FADSL_OK);
    /* float results below 2^-126 are 0, as in the kernels */
    d.variant = "variant r2 { param c : f32; require c * c > 0.0; mask = k <= q; }";
    ps[0] = (fadsl_param){.name = "c", .value = 1e-20};
    d.num_params = 1;
    refuse(&d, FADSL_ERR_PARAM, "requires (c * c) > 0.0", "but c = 9.99999968e-21");
    ps[0].value = 1e-15;
    CU_ASSERT_EQUAL(fadsl_make_key(&d, &key), FADSL_OK);
    /* a long condition is cut so that the values are still said */
    char long_variant[4096];
    int used = snprintf(long_variant, sizeof long_variant, "variant r3 { param w : i32; require w > 0");
    for (int i = 1; i < 200; i++)
        used += snprintf(long_variant + used, sizeof long_variant - (size_t)used, " && w > %d", i);
    snprintf(long_variant + used, sizeof long_variant - (size_t)used, "; mask = k <= q; }");
    d.variant = long_variant;
    ps[0] = (fadsl_param){.name = "w", .value = 5};
    refuse(&d, FADSL_ERR_PARAM, "...", "(line 1), but w = 5");
    /* a tensor past int32 indices at this launch (its element count: the request's sizes) */
    d = dense();
    d.variant = "variant doc2 { param doc : i32[batch, kv_len, 2]; mask = doc[b, k, 1] == doc[b, q, 0]; }";
    ps[0] = (fadsl_param){.name = "doc", .tensor = PTR(0x50000)};
    d.params = ps;
    d.num_params = 1;
    d.seqlen_k = 1 << 29; /* 2 x 2^29 x 2 = 2^31 elements */
    refuse(&d, FADSL_ERR_UNSUPPORTED, "tensor parameter 'doc' [batch 2, kv_len 536870912, 2] is larger than the "
                                      "kernels' int32 indices reach (2147483647 elements)", "split the batch");
    d.batch = 1; /* 2^30 */
    CU_ASSERT_EQUAL(fadsl_make_key(&d, &key), FADSL_OK);
    /* packed queries: q_len is max_seqlen_q */
    d = dense();
    d.variant = "variant qw { param w : f32[q_heads, q_len]; score = s + w[h, q - kv_len + q_len]; }";
    ps[0] = (fadsl_param){.name = "w", .tensor = PTR(0x50000)};
    d.params = ps;
    d.num_params = 1;
    d.cu_seqlens_q = d.cu_seqlens_k = PTR(0x60000);
    d.max_seqlen_q = d.max_seqlen_k = 1 << 26; /* 32 x 2^26 = 2^31 */
    refuse(&d, FADSL_ERR_UNSUPPORTED, "tensor parameter 'w' [q_heads 32, q_len 67108864]", NULL);
    d.max_seqlen_q = 1 << 25;
    CU_ASSERT_EQUAL(fadsl_make_key(&d, &key), FADSL_OK);
    /* a paged cache: kv_len is its key bound, max_blocks_per_seq x block_size */
    fadsl_paged_desc pg = cache();
    d = paged(&pg);
    d.variant = "variant doc3 { param doc : i32[batch, kv_len]; mask = doc[b, k] == doc[b, q]; }";
    ps[0] = (fadsl_param){.name = "doc", .tensor = PTR(0x50000)};
    d.params = ps;
    d.num_params = 1;
    pg.max_blocks_per_seq = 1 << 25; /* 4 x 2^25 x 16 = 2^31 */
    refuse(&d, FADSL_ERR_UNSUPPORTED, "tensor parameter 'doc' [batch 4, kv_len 536870912]", NULL);
    pg.num_seqs = 2;
    CU_ASSERT_EQUAL(fadsl_make_key(&d, &key), FADSL_OK);
}

/* An unsupported key is refused by the planner, before NVRTC, with its reason. */
static void test_unsupported(void)
{
    fa_key key;
    fa_key_init(&key);
    key.head_dim = 100;
    fadsl_compile_info info;
    CU_ASSERT_EQUAL(fadsl_compile("causal", &key, &info), FADSL_ERR_UNSUPPORTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(fadsl_last_error(), "head_dim 100"));
    key.head_dim = 128;
    key.paged_block_size = 16;
    key.paged_layout = (fa_paged_layout)7; /* once compiled as HDB */
    CU_ASSERT_EQUAL(fadsl_compile("causal", &key, &info), FADSL_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(fadsl_last_error(), "key paged_layout 7 is out of range (0..1)"));
    fadsl_fwd_desc w = dense();
    w.arch = NULL;
    CU_ASSERT_EQUAL(fadsl_workspace_size(&w, NULL), FADSL_ERR_NULL_POINTER);
    /* A request the planner would refuse on every arch is refused before a GPU is asked
     * for (arch unset): head dim, query dtype, cache type. */
    fadsl_fwd_desc d = dense();
    d.arch = NULL;
    d.head_dim = 72;
    refuse(&d, FADSL_ERR_UNSUPPORTED, "head_dim 72 is not supported", "64, 96, 128");
    CU_ASSERT_EQUAL(fadsl_forward(&d, NULL), FADSL_ERR_UNSUPPORTED);
    d = dense();
    d.arch = NULL;
    d.dtype = FA_DTYPE_FP8E4M3;
    refuse(&d, FADSL_ERR_UNSUPPORTED, "dtype fp8e4m3 is not supported for queries and outputs", NULL);
    fadsl_paged_desc pg = cache();
    d = paged(&pg);
    d.arch = NULL;
    d.dtype = FA_DTYPE_FP16; /* over a bf16 cache */
    refuse(&d, FADSL_ERR_UNSUPPORTED, "kv_dtype bf16 differs from dtype fp16", NULL);
    d = dense();
    CU_ASSERT_EQUAL(fadsl_make_key(&d, NULL), FADSL_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(fadsl_last_error(), "no key"));
}

/* Without a GPU a valid launch fails cleanly; a refused one fails on validation first. */
static void test_no_driver(void)
{
    if (fadsl_device_init(0, NULL) != FADSL_ERR_NO_DRIVER) {
        printf("(GPU present: skipped) ");
        return;
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(fadsl_last_error(), "no CUDA driver"));
    fadsl_fwd_desc d = dense();
    CU_ASSERT_EQUAL(fadsl_forward(&d, NULL), FADSL_ERR_NO_DRIVER);
    CU_ASSERT_PTR_NOT_NULL(strstr(fadsl_last_error(), "no CUDA driver"));
    d.batch = 0;
    CU_ASSERT_EQUAL(fadsl_forward(&d, NULL), FADSL_ERR_EMPTY_BATCH);
    d = dense();
    d.arch = NULL;   /* the arch must come from the device */
    fa_key key;
    CU_ASSERT_EQUAL(fadsl_make_key(&d, &key), FADSL_ERR_NO_DRIVER);
    void *p = NULL;
    CU_ASSERT_EQUAL(fadsl_device_alloc(&p, 16), FADSL_ERR_NO_DRIVER);
}

/* Device helpers refuse a NULL output before any driver call, GPU or not (an allocation
 * with nowhere to go leaked, and its store faulted). */
static void test_null_outputs(void)
{
    CU_ASSERT_EQUAL(fadsl_device_alloc(NULL, 16), FADSL_ERR_NULL_POINTER);
    CU_ASSERT_PTR_NOT_NULL(strstr(fadsl_last_error(), "fadsl_device_alloc: ptr is NULL"));
    CU_ASSERT_EQUAL(fadsl_event_create(NULL), FADSL_ERR_NULL_POINTER);
    CU_ASSERT_EQUAL(fadsl_event_elapsed_ms(NULL, NULL, NULL), FADSL_ERR_NULL_POINTER);
}

/* fadsl_variant_params: the declarations of a variant, for callers checking tensor sizes. */
static void test_variant_params(void)
{
    fa_param_info info[4];
    int n = -1;
    CU_ASSERT_EQUAL_FATAL(fadsl_variant_params("document", info, 4, &n), FADSL_OK);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT_STRING_EQUAL(info[0].name, "doc");
    CU_ASSERT(info[0].is_tensor && info[0].type == FA_PARAM_I32 && info[0].ndims == 2);
    CU_ASSERT(info[0].dims[0] == FA_EXTENT_BATCH && info[0].dims[1] == FA_EXTENT_KV_LEN);
    CU_ASSERT_EQUAL(fadsl_variant_params("sliding_window", NULL, 0, &n), FADSL_OK);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_EQUAL(fadsl_variant_params("sliding_window", info, 1, &n), FADSL_OK);
    CU_ASSERT(n == 2 && strcmp(info[0].name, "window_left") == 0 && info[0].has_default);
    CU_ASSERT_EQUAL(fadsl_variant_params("variant v { mask = k <=; }", info, 4, &n), FADSL_ERR_SYNTAX);
    CU_ASSERT_EQUAL(fadsl_variant_params("no_such_variant", info, 4, &n), FADSL_ERR_VARIANT);
    CU_ASSERT_EQUAL(fadsl_variant_params("causal", NULL, 4, &n), FADSL_ERR_NULL_POINTER);
}

/* Sizes near INT_MAX are refused on validation, before anything is compiled or launched
 * (no GPU needed), instead of wrapping in the runtime's or the kernels' int arithmetic. */
/* merge outputs sharing memory with anything but their own input, exactly: refused
 * before a GPU is needed. Rows of 64 bf16 (128 bytes), 8 rows: out 1024 bytes, lse 32. */
static void test_merge_aliasing(void)
{
    const char *a = PTR(0x10000), *b = PTR(0x20000);
    const float *la = PTR(0x30000), *lb = PTR(0x40000);
    const struct {
        const void *out;
        float *lse;
        const char *needle;
    } cases[] = {{a + 128, NULL, "merge: out [0x10080, +1024 bytes) overlaps out_a"},
                 {b - 512, NULL, "overlaps out_b"},
                 {PTR(0x30000 - 1008), NULL, "out [0x2fc10, +1024 bytes) overlaps lse_a"},
                 {PTR(0x50000), PTR(0x10000), "lse [0x10000, +32 bytes) overlaps out_a"},
                 {PTR(0x50000), PTR(0x40010), "lse [0x40010, +32 bytes) overlaps lse_b"},
                 {PTR(0x50000), PTR(0x50100), "out [0x50000, +1024 bytes) overlaps lse"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fadsl_status s = fadsl_merge_states(FA_DTYPE_BF16, a, la, b, lb, (void *)cases[i].out, cases[i].lse, 1, 4, 2,
                                            64, NULL);
        CU_ASSERT_EQUAL(s, FADSL_ERR_INVALID);
        CU_ASSERT_PTR_NOT_NULL(strstr(fadsl_last_error(), cases[i].needle));
        if (!strstr(fadsl_last_error(), cases[i].needle))
            printf("\n  case %zu: %s\n", i, fadsl_last_error());
    }
}

static void test_huge_sizes(void)
{
    fadsl_fwd_desc d = dense();
    fa_key key;
    d.seqlen_q = FART_MAX_LEN;   /* the longest length taken */
    CU_ASSERT_EQUAL(fadsl_make_key(&d, &key), FADSL_OK);
    d.seqlen_q = INT_MAX;        /* grid x = ceil(seqlen_q / block_m) used to wrap in int */
    refuse(&d, FADSL_ERR_SEQLEN, "seqlen_q 2147483647 is above the length limit 2147482624", "split the request");
    d = dense();
    d.seqlen_k = FART_MAX_LEN + 1;
    refuse(&d, FADSL_ERR_SEQLEN, "seqlen_k 2147482625 is above the length limit", NULL);
    d = dense();
    int cu[3] = {0};
    d.cu_seqlens_q = d.cu_seqlens_k = cu;
    d.max_seqlen_q = INT_MAX;
    d.max_seqlen_k = 64;
    refuse(&d, FADSL_ERR_SEQLEN, "max_seqlen_q 2147483647 is above", NULL);
    d.max_seqlen_q = 64;
    d.max_seqlen_k = INT_MAX;
    refuse(&d, FADSL_ERR_SEQLEN, "max_seqlen_k 2147483647 is above", NULL);

    /* A contiguous q of about 2^70 elements: its batch stride used to overflow (signed, UB). */
    d = dense();
    d.batch = 65535;
    d.q_heads = d.kv_heads = 65535;
    d.head_dim = 256;
    d.seqlen_q = d.seqlen_k = 1 << 30;
    refuse(&d, FADSL_ERR_SEQLEN, "contiguous k [batch 65535, rows 1073741824, heads 65535, head_dim 256]", "int64");
    /* a head dim no kernel serves is named as such, before the sizes it makes too large */
    d = dense();
    d.head_dim = 1 << 30;
    d.seqlen_q = 1 << 30;
    refuse(&d, FADSL_ERR_UNSUPPORTED, "head_dim 1073741824 is not supported", NULL);

    /* Paged: a capacity past 2^31 is bounded by FART_MAX_LEN; an explicit bound above it
     * is refused. */
    fadsl_paged_desc pg = cache();
    d = paged(&pg);
    pg.block_size = 128;
    pg.max_blocks_per_seq = INT_MAX / 64;
    CU_ASSERT_EQUAL(fadsl_make_key(&d, &key), FADSL_OK);
    pg.max_seq_len = FART_MAX_LEN + 1;
    refuse(&d, FADSL_ERR_SEQLEN, "paged max_seq_len 2147482625 is above the length limit", NULL);

    /* Decode rows are q_tokens_per_seq x GQA (8 here) in the kernel's int: 2^28 x 8 = 2^31
     * (an HDB cache on sm_80: the decode template at every length). */
    pg = cache();
    d.arch = "sm_80";
    pg.max_blocks_per_seq = 1 << 25;
    pg.q_tokens_per_seq = 1 << 28;
    refuse(&d, FADSL_ERR_SEQLEN, "paged decode query rows a kv head (q_tokens_per_seq x q_heads / kv_heads) 2147483648",
           "split the request");
    size_t bytes = 1;
    CU_ASSERT_EQUAL(fadsl_workspace_size(&d, &bytes), FADSL_ERR_SEQLEN);
    pg.q_tokens_per_seq = 1 << 24;
    CU_ASSERT_EQUAL(fadsl_make_key(&d, &key), FADSL_OK);

    /* fadsl_merge_states checks its sizes before it needs a GPU. */
    const void *o = PTR(0x10000);
    const float *l = PTR(0x20000);
    CU_ASSERT_EQUAL(fadsl_merge_states(FA_DTYPE_BF16, o, l, o, l, PTR(0x30000), NULL, INT_MAX, INT_MAX, INT_MAX, 64,
                                       NULL),
                    FADSL_ERR_SEQLEN);
    CU_ASSERT_PTR_NOT_NULL(strstr(fadsl_last_error(), "merge: batch 2147483647 x seqlen 2147483647"));
    CU_ASSERT_EQUAL(fadsl_merge_states(FA_DTYPE_BF16, o, l, o, l, PTR(0x30000), NULL, 65536, 65536, 8, 64, NULL),
                    FADSL_ERR_SEQLEN);
    CU_ASSERT_PTR_NOT_NULL(strstr(fadsl_last_error(), "merge rows (batch x seqlen x heads) 34359738368 need"));
    CU_ASSERT_PTR_NOT_NULL(strstr(fadsl_last_error(), "above the grid limit 2147483647"));
    CU_ASSERT_EQUAL(fadsl_merge_states(FA_DTYPE_BF16, o, l, o, l, PTR(0x30000), NULL, -1, 4, 2, 64, NULL),
                    FADSL_ERR_SEQLEN);
    CU_ASSERT_PTR_NOT_NULL(strstr(fadsl_last_error(), "merge: negative size (batch -1"));
    test_merge_aliasing();
}

/* The checked arithmetic itself, at its edges. */
static void test_checked_arithmetic(void)
{
    int64_t p = -1;
    CU_ASSERT(fart_mul64(INT64_MAX / 2, 2, &p) && p == INT64_MAX - 1);
    CU_ASSERT(fart_mul64(INT64_MAX, 0, &p) && p == 0);
    p = 7;
    CU_ASSERT(!fart_mul64(INT64_MAX / 2 + 1, 2, &p) && p == 7);
    CU_ASSERT(!fart_mul64(INT_MAX, (int64_t)INT_MAX * INT_MAX, &p));
    unsigned gx = 0;
    CU_ASSERT(fart_grid_x("rows", 1000, 64, 1, &gx) == FADSL_OK && gx == 16);
    CU_ASSERT(fart_grid_x("rows", 1000, 64, 3, &gx) == FADSL_OK && gx == 48);
    CU_ASSERT(fart_grid_x("rows", (int64_t)INT_MAX * 4, 4, 1, &gx) == FADSL_OK && gx == INT_MAX);
    CU_ASSERT_EQUAL(fart_grid_x("rows", (int64_t)INT_MAX * 4 + 1, 4, 1, &gx), FADSL_ERR_SEQLEN);
    CU_ASSERT_EQUAL(fart_grid_x("decode rows", INT_MAX, 16, 64, &gx), FADSL_ERR_SEQLEN);   /* 2^27 tiles x 64 */
    CU_ASSERT_PTR_NOT_NULL(strstr(fadsl_last_error(), "decode rows 2147483647 need 134217728 CTAs of 16 rows per"));
    CU_ASSERT_EQUAL(fart_grid_x("rows", INT64_MAX, 1, 2, &gx), FADSL_ERR_SEQLEN);
}

/* fart_names: "a, b, c"; a list that would overflow ends in "..." and stays terminated. */
static void test_name_lists(void)
{
    fart_names l = {0};
    CU_ASSERT_STRING_EQUAL(l.text, "");
    fart_names_add(&l, "causal");
    fart_names_add(&l, "none");
    CU_ASSERT_STRING_EQUAL(l.text, "causal, none");
    fart_names big = {0};
    char name[40];
    for (int i = 0; i < 100; i++) {
        snprintf(name, sizeof name, "variant_number_%03d", i);
        fart_names_add(&big, name);
    }
    size_t n = strlen(big.text);
    CU_ASSERT(big.full && n < sizeof big.text && n == big.len);
    CU_ASSERT_STRING_EQUAL(big.text + n - 5, ", ...");
    CU_ASSERT_EQUAL(strncmp(big.text, "variant_number_000, variant_number_001", 38), 0);
}

/* Key archs of compute capabilities: 9.0 alone gets sm_90a, newer GPUs the newest portable
 * arch (through PTX), and below 8.0 a refusal. */
static void test_arch_for_cc(void)
{
    static const struct {
        int cc;
        fa_arch arch;
    } cases[] = {{80, FA_ARCH_SM80}, {86, FA_ARCH_SM86}, {87, FA_ARCH_SM86}, {89, FA_ARCH_SM89},
                 {90, FA_ARCH_SM90A}, {100, FA_ARCH_SM89}, {120, FA_ARCH_SM89}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fa_arch a = FA_ARCH__COUNT;
        CU_ASSERT_EQUAL(fart_arch_for_cc(cases[i].cc, &a), FADSL_OK);
        CU_ASSERT_EQUAL(a, cases[i].arch);
    }
    fa_arch a;
    CU_ASSERT_EQUAL(fart_arch_for_cc(75, &a), FADSL_ERR_UNSUPPORTED);
    CU_ASSERT_STRING_EQUAL(fadsl_last_error(), "compute capability 7.5 is below sm_80");
}

void fa_suite_rt_key(void)
{
    static const CU_TestInfo tests[] = {{"status_names", test_status_names},
                                        {"dense_key", test_dense_key},
                                        {"dense_decode_route", test_dense_decode_route},
                                        {"paged_key", test_paged_key},
                                        {"paged_refusals", test_paged_refusals},
                                        {"dense_refusals", test_dense_refusals},
                                        {"params", test_params},
                                        {"unsupported", test_unsupported},
                                        {"no_driver", test_no_driver},
                                        {"null_outputs", test_null_outputs},
                                        {"variant_params", test_variant_params},
                                        {"huge_sizes", test_huge_sizes},
                                        {"checked_arithmetic", test_checked_arithmetic},
                                        {"name_lists", test_name_lists},
                                        {"arch_for_cc", test_arch_for_cc},
                                        CU_TEST_INFO_NULL};
    fa_test_add_suite("rt_key", tests);
}
