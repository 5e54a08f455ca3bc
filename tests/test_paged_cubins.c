/* test_paged_cubins.c - the paged decode template (and fa2_fwd over fp8 caches, fa3_fwd over
 * HDB and fp8 caches) compiled by NVRTC without a GPU, and its keys' names and plans. Each layout x
 * block size x cache type {bf16, fp8 e4m3, fp8 e5m2}
 * appears on sm_80 and on sm_90a (the cache type rotates through the block sizes, shifted
 * between the archs: 20 kernels), with causal, sliding-window, learned-sink, score and
 * fp16 keys among them, then the fp8 operand paths the GPU suite does not reach (fragments
 * at d256, NHD warp buffers at d96, four m16 row tiles at d64); then keys that spilled
 * registers before (none may now); the template over dense K/V (FA_DEC_DENSE); plus the
 * merge kernel, compiled for both output types on sm_80 and sm_90a. */
#include "fadsl.h"
#include "fart.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { NUM_BLOCK_SIZES = 5, NUM_KV = 3, MAX_ITEMS = 40 };
static const int block_sizes[NUM_BLOCK_SIZES] = {8, 16, 32, 64, 128};
static const fa_dtype kv_types[NUM_KV] = {FA_DTYPE_BF16, FA_DTYPE_FP8E4M3, FA_DTYPE_FP8E5M2};
static const char *const variants[] = {"causal", "sliding_window", "gpt_oss", "softcap", "causal_alibi"};

static fa_key decode_key(fa_arch arch, fa_paged_layout layout, int bs, fa_dtype kv, int gqa)
{
    fa_key k;
    fa_key_init(&k);
    k.arch = arch;
    k.kv_dtype = kv;
    k.paged_block_size = bs;
    k.paged_layout = layout;
    k.gqa_ratio = gqa;
    k.decode = true;
    return k;
}

static void test_names_and_plans(void)
{
    fa_key k = decode_key(FA_ARCH_SM90A, FA_PAGED_HDB, 16, FA_DTYPE_FP8E4M3, 4);
    char name[160];
    fa_key_name(&k, name, sizeof name);
    CU_ASSERT_STRING_EQUAL(name, "fa_decode_paged_bf16_kvfp8e4m3_hd128_bs16_none_00000000_gqa4_sm90a");
    k.gqa_ratio = 1;
    fa_key_name(&k, name, sizeof name);
    CU_ASSERT_PTR_NOT_NULL(strstr(name, "_gqa1_"));
    fa_plan plan;
    char err[256];
    CU_ASSERT_EQUAL(fa_plan_key(&k, &plan, err, sizeof err), FA_OK);
    CU_ASSERT_EQUAL(plan.tmpl, FA_TEMPLATE_PAGED_DECODE);
    CU_ASSERT_STRING_EQUAL(plan.template_file, "paged_decode.cuh");
    CU_ASSERT_EQUAL(plan.block_m, 16);
    CU_ASSERT(plan.smem_bytes <= 227 * 1024);
    k.gqa_ratio = 32; /* two m16 row tiles */
    CU_ASSERT_EQUAL(fa_plan_key(&k, &plan, err, sizeof err), FA_OK);
    CU_ASSERT_EQUAL(plan.block_m, 32);
    /* decode_rows (a few new tokens a sequence) sizes the CTA when larger than the GQA ratio,
     * within the head dim's cap (d128: two row tiles; d64: four); named _r<rows>; 0..64 and
     * decode keys only. */
    k.gqa_ratio = 4;
    k.decode_rows = 48;
    CU_ASSERT_EQUAL(fa_plan_key(&k, &plan, err, sizeof err), FA_OK);
    CU_ASSERT_EQUAL(plan.block_m, 32);
    fa_key_name(&k, name, sizeof name);
    CU_ASSERT_PTR_NOT_NULL(strstr(name, "_gqa4_r48_"));
    k.head_dim = 64;
    CU_ASSERT_EQUAL(fa_plan_key(&k, &plan, err, sizeof err), FA_OK);
    CU_ASSERT_EQUAL(plan.block_m, 48);
    k.head_dim = 128;
    k.decode_rows = 80;
    CU_ASSERT_EQUAL(fa_plan_key(&k, &plan, err, sizeof err), FA_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "decode_rows 80 is invalid"));
    k.decode_rows = 40;
    CU_ASSERT_EQUAL(fa_plan_key(&k, &plan, err, sizeof err), FA_ERR_INVALID);
    k.decode_rows = 16; /* the CTA GQA 4 alone gets: a second name for the same kernel */
    CU_ASSERT_EQUAL(fa_plan_key(&k, &plan, err, sizeof err), FA_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "decode_rows 16 sizes the CTA as the GQA ratio 4 alone does"));
    k.decode_rows = 32;
    k.decode = false;
    CU_ASSERT_EQUAL(fa_plan_key(&k, &plan, err, sizeof err), FA_ERR_UNSUPPORTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "decode_rows sizes paged decode CTAs"));
    k.decode = true;
    k.decode_rows = 0;
    /* HDB fp8 keys have a decode_claims sibling (split launches claim tiles: FA_DEC_CLAIMS),
     * named _c, planned like the key but for the claims; other caches have none and refuse
     * decode_claims. */
    CU_ASSERT_EQUAL(fa_plan_key(&k, &plan, err, sizeof err), FA_OK);
    CU_ASSERT_FALSE(plan.tile_claims);
    CU_ASSERT_TRUE(fa_plan_has_claims(&k));
    fa_plan plan_c;
    k.decode_claims = true;
    CU_ASSERT_FALSE(fa_plan_has_claims(&k));
    CU_ASSERT_EQUAL(fa_plan_key(&k, &plan_c, err, sizeof err), FA_OK);
    CU_ASSERT_TRUE(plan_c.tile_claims);
    CU_ASSERT_EQUAL(plan_c.smem_bytes, plan.smem_bytes);
    /* compiled for the CTAs its shared memory allows (228 KB an SM, 1 KB reserved a CTA):
     * two of about 105 KB at d128; the key's own kernel leaves ptxas its choice */
    CU_ASSERT_EQUAL(plan.min_ctas, 0);
    CU_ASSERT_EQUAL(plan_c.min_ctas, (228 * 1024) / (plan_c.smem_bytes + 1024));
    CU_ASSERT_EQUAL(plan_c.min_ctas, 2);
    CU_ASSERT_EQUAL(plan_c.block_n, plan.block_n);
    fa_key_name(&k, name, sizeof name);
    CU_ASSERT_PTR_NOT_NULL(strstr(name, "_gqa4_c_sm90a"));
    k.paged_layout = FA_PAGED_NHD;
    CU_ASSERT_EQUAL(fa_plan_key(&k, &plan, err, sizeof err), FA_ERR_UNSUPPORTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "decode_claims applies to paged decode keys of fp8 HDB caches"));
    k.decode_claims = false;
    CU_ASSERT_FALSE(fa_plan_has_claims(&k));
    k.paged_layout = FA_PAGED_HDB;
    k.kv_dtype = FA_DTYPE_BF16;
    CU_ASSERT_FALSE(fa_plan_has_claims(&k));
    k.kv_dtype = FA_DTYPE_FP8E4M3;
    /* only where the sibling compiled without spills: sm_90a, blocks of up to 16 keys (bulk
     * slabs), one 16-row tile (bench/results/2026-11-27-h100-session9/claims_spill_sweep.txt) */
    k.paged_block_size = 64;
    CU_ASSERT_FALSE(fa_plan_has_claims(&k));
    k.paged_block_size = 8;
    CU_ASSERT_TRUE(fa_plan_has_claims(&k));
    k.gqa_ratio = 32; /* two 16-row tiles at d128 */
    CU_ASSERT_FALSE(fa_plan_has_claims(&k));
    k.head_dim = 256; /* one 16-row tile at d256 */
    CU_ASSERT_TRUE(fa_plan_has_claims(&k));
    k.arch = FA_ARCH_SM80;
    CU_ASSERT_FALSE(fa_plan_has_claims(&k));
    k.head_dim = 0; /* unplannable: no sibling (and no division by it) */
    k.arch = FA_ARCH_SM90A;
    CU_ASSERT_FALSE(fa_plan_has_claims(&k));
    /* The 16-bit d128 tile comes by TMA on sm_90a, 32 keys for two warps in two stages: five
     * CTAs share an H100 SM (228 KB, 1 KB reserved a CTA); elsewhere 64 keys for four warps. */
    k = decode_key(FA_ARCH_SM90A, FA_PAGED_NHD, 16, FA_DTYPE_BF16, 4);
    CU_ASSERT_EQUAL(fa_plan_key(&k, &plan, err, sizeof err), FA_OK);
    CU_ASSERT_TRUE(plan.tma);
    CU_ASSERT_EQUAL(plan.block_n, 32);
    CU_ASSERT_EQUAL(plan.threads, 64);
    CU_ASSERT_EQUAL(plan.stages, 2);
    CU_ASSERT(5 * (plan.smem_bytes + 1024) <= 228 * 1024);
    k.arch = FA_ARCH_SM89;
    CU_ASSERT_EQUAL(fa_plan_key(&k, &plan, err, sizeof err), FA_OK);
    CU_ASSERT_FALSE(plan.tma);
    CU_ASSERT_EQUAL(plan.block_n, 64);
    CU_ASSERT(plan.smem_bytes <= 99 * 1024);
    /* HDB blocks of 64 keys and more keep 64-key TMA tiles (128-byte rows) for 4 warps. */
    k = decode_key(FA_ARCH_SM90A, FA_PAGED_HDB, 64, FA_DTYPE_BF16, 4);
    CU_ASSERT_EQUAL(fa_plan_key(&k, &plan, err, sizeof err), FA_OK);
    CU_ASSERT_TRUE(plan.tma);
    CU_ASSERT_EQUAL(plan.block_n, 64);
    CU_ASSERT_EQUAL(plan.threads, 128);
    k.paged_block_size = 32;
    CU_ASSERT_EQUAL(fa_plan_key(&k, &plan, err, sizeof err), FA_OK);
    CU_ASSERT_EQUAL(plan.block_n, 32);
    /* fp8 at d128 and GQA <= 16 reads fragments from 128-key byte tiles in either layout,
     * by cp.async except HDB slabs of up to 16 keys on sm_90a (bulk copies): NHD in two
     * stages (shared memory for three CTAs an SM, registers for two); HDB in three, two CTAs
     * an SM. fp8 through warp buffers (NHD
     * at d96, HDB at two row tiles) keeps 64 keys, and at d128 still two CTAs an SM. */
    k = decode_key(FA_ARCH_SM90A, FA_PAGED_NHD, 16, FA_DTYPE_FP8E4M3, 4);
    CU_ASSERT_EQUAL(fa_plan_key(&k, &plan, err, sizeof err), FA_OK);
    CU_ASSERT_EQUAL(plan.block_n, 128);
    CU_ASSERT_EQUAL(plan.stages, 2);
    CU_ASSERT(3 * (plan.smem_bytes + 1024) <= 228 * 1024);
    CU_ASSERT_FALSE(plan.tma);
    k.paged_layout = FA_PAGED_HDB;
    CU_ASSERT_EQUAL(fa_plan_key(&k, &plan, err, sizeof err), FA_OK);
    CU_ASSERT_EQUAL(plan.block_n, 128);
    CU_ASSERT_TRUE(plan.tma);
    CU_ASSERT_EQUAL(plan.stages, 3);
    CU_ASSERT(2 * (plan.smem_bytes + 1024) <= 228 * 1024);
    k.paged_block_size = 32;
    CU_ASSERT_EQUAL(fa_plan_key(&k, &plan, err, sizeof err), FA_OK);
    CU_ASSERT_FALSE(plan.tma);
    k.paged_block_size = 16;
    k.arch = FA_ARCH_SM89;
    CU_ASSERT_EQUAL(fa_plan_key(&k, &plan, err, sizeof err), FA_OK);
    CU_ASSERT_FALSE(plan.tma);
    k.arch = FA_ARCH_SM90A;
    /* decode_tile64: the 128-key fp8 NHD plan's 64 keys x 2 warps sibling in two stages
     * (shared memory for six CTAs an SM at d128, registers for four), named apart; refused
     * where there is no 128-key plan to halve. */
    k.paged_layout = FA_PAGED_NHD;
    CU_ASSERT_TRUE(fa_plan_has_tile64(&k));
    k.decode_rows = 32; /* two row tiles: no 128-key plan to halve */
    CU_ASSERT_FALSE(fa_plan_has_tile64(&k));
    k.decode_rows = 0;
    k.decode_tile64 = true;
    CU_ASSERT_FALSE(fa_plan_has_tile64(&k));
    CU_ASSERT_EQUAL_FATAL(fa_plan_key(&k, &plan, err, sizeof err), FA_OK);
    CU_ASSERT(plan.block_n == 64 && plan.num_warps == 2 && plan.threads == 64 && !plan.tma && plan.stages == 2);
    CU_ASSERT(6 * (plan.smem_bytes + 1024) <= 228 * 1024);
    char name64[128];
    fa_key_name(&k, name64, sizeof name64);
    CU_ASSERT_PTR_NOT_NULL(strstr(name64, "_gqa4_t64_sm90a"));
    /* HDB: blocks of up to 16 keys on sm_90a (slabs by bulk copy, tiles unswizzled), the
     * same 64 keys x 2 warps; not with decode_claims (the split launches' sibling) */
    k = decode_key(FA_ARCH_SM90A, FA_PAGED_HDB, 8, FA_DTYPE_FP8E5M2, 4);
    CU_ASSERT_TRUE(fa_plan_has_tile64(&k));
    k.decode_tile64 = true;
    CU_ASSERT_EQUAL_FATAL(fa_plan_key(&k, &plan, err, sizeof err), FA_OK);
    CU_ASSERT(plan.block_n == 64 && plan.num_warps == 2 && plan.tma && !plan.tensor_maps && plan.stages == 2);
    CU_ASSERT(5 * (plan.smem_bytes + 1024) <= 228 * 1024);
    k.decode_claims = true;
    CU_ASSERT_EQUAL(fa_plan_key(&k, &plan, err, sizeof err), FA_ERR_UNSUPPORTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "decode_tile64"));
    k.decode_tile64 = false;
    CU_ASSERT_FALSE(fa_plan_has_tile64(&k));
    static const struct {
        fa_arch arch;
        fa_paged_layout layout;
        int bs, head_dim, gqa;
        fa_dtype kv;
        bool decode;
    } no64[] = {{FA_ARCH_SM90A, FA_PAGED_HDB, 32, 128, 4, FA_DTYPE_FP8E4M3, true},
                {FA_ARCH_SM80, FA_PAGED_HDB, 16, 128, 4, FA_DTYPE_FP8E4M3, true},
                {FA_ARCH_SM90A, FA_PAGED_NHD, 16, 96, 4, FA_DTYPE_FP8E4M3, true},
                {FA_ARCH_SM90A, FA_PAGED_NHD, 16, 256, 4, FA_DTYPE_FP8E5M2, true},
                {FA_ARCH_SM90A, FA_PAGED_NHD, 16, 128, 32, FA_DTYPE_FP8E4M3, true},
                {FA_ARCH_SM90A, FA_PAGED_NHD, 16, 128, 4, FA_DTYPE_BF16, true},
                {FA_ARCH_SM90A, FA_PAGED_NHD, 16, 128, 4, FA_DTYPE_FP8E4M3, false}};
    for (size_t i = 0; i < sizeof no64 / sizeof no64[0]; i++) {
        k = decode_key(no64[i].arch, no64[i].layout, no64[i].bs, no64[i].kv, no64[i].gqa);
        k.head_dim = no64[i].head_dim;
        k.decode = no64[i].decode;
        CU_ASSERT_FALSE(fa_plan_has_tile64(&k));
        k.decode_tile64 = true;
        CU_ASSERT_EQUAL(fa_plan_key(&k, &plan, err, sizeof err), FA_ERR_UNSUPPORTED);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "decode_tile64"));
    }
    k = decode_key(FA_ARCH_SM90A, FA_PAGED_HDB, 16, FA_DTYPE_FP8E4M3, 4);
    k.gqa_ratio = 32;
    CU_ASSERT_EQUAL(fa_plan_key(&k, &plan, err, sizeof err), FA_OK);
    CU_ASSERT_EQUAL(plan.block_n, 64);
    CU_ASSERT(2 * (plan.smem_bytes + 1024) <= 228 * 1024);
    k.gqa_ratio = 4;
    k.paged_layout = FA_PAGED_NHD;
    k.head_dim = 96;
    CU_ASSERT_EQUAL(fa_plan_key(&k, &plan, err, sizeof err), FA_OK);
    CU_ASSERT_EQUAL(plan.block_n, 64);
    /* Every decode key plans within its arch's shared memory: d192 and d256 on sm_86/sm_89's
     * 99 KB, and fp8 HDB d256 (warp buffers) on sm_80, take tiles of half the keys for half
     * the warps (32 x 2); the others before sm_90a keep the planned 64 x 4 (sm_90a's bulk-copy
     * NHD tiles are 32 x 2 by plan). */
    static const fa_arch archs[] = {FA_ARCH_SM80, FA_ARCH_SM86, FA_ARCH_SM89, FA_ARCH_SM90A};
    static const int limits[] = {163 * 1024, 99 * 1024, 99 * 1024, 227 * 1024};
    static const int dims[] = {64, 96, 128, 192, 256};
    static const fa_dtype caches[] = {FA_DTYPE_BF16, FA_DTYPE_FP8E4M3, FA_DTYPE_FP8E5M2};
    for (int a = 0; a < 4; a++)
        for (int i = 0; i < 5; i++)
            for (int c = 0; c < 3; c++)
                for (int l = 0; l < 2; l++) {
                    k = decode_key(archs[a], l ? FA_PAGED_HDB : FA_PAGED_NHD, 128, caches[c], 8);
                    k.head_dim = dims[i];
                    CU_ASSERT_EQUAL_FATAL(fa_plan_key(&k, &plan, err, sizeof err), FA_OK);
                    CU_ASSERT(plan.smem_bytes <= limits[a]);
                    CU_ASSERT(plan.block_n / plan.num_warps >= 16 && plan.block_n / plan.num_warps % 16 == 0);
                    bool halved = (archs[a] == FA_ARCH_SM86 || archs[a] == FA_ARCH_SM89) && dims[i] >= 192 &&
                                  !(c && !l && dims[i] == 256); /* fp8 NHD d256 reads fragments: fits */
                    halved |= archs[a] == FA_ARCH_SM80 && dims[i] == 256 && c && l;
                    if (dims[i] >= 192 && archs[a] != FA_ARCH_SM90A)
                        CU_ASSERT_EQUAL(plan.block_n, halved ? 32 : 64);
                }
    /* Without the decode template: fp8 NHD caches take fa2_fwd before sm_90a, with one 16-bit
     * K/V tile and byte stages (d128: 64 KB + 32 KB); on sm_90a fa3_fwd, with two 16-bit
     * stages and two byte stages (d128: 32 + 128 + 64 KB and the alignment slack; a variant
     * that scans tiles, 1544 bytes more: 227 KB with 376 to spare), and two
     * producer warpgroups after the two consumer ones (16-bit caches: one). */
    for (int a = 0; a < 2; a++) {
        k = decode_key(a ? FA_ARCH_SM90A : FA_ARCH_SM80, FA_PAGED_NHD, 16, FA_DTYPE_FP8E4M3, 4);
        k.decode = false;
        CU_ASSERT_EQUAL_FATAL(fa_plan_key(&k, &plan, err, sizeof err), FA_OK);
        CU_ASSERT_STRING_EQUAL(plan.template_file, a ? "fa3_fwd.cuh" : "fa2_fwd.cuh");
        CU_ASSERT_EQUAL(plan.smem_bytes, a ? (128 + 2 * 2 * 128) * 128 * 2 + 2 * 2 * 128 * 128 + 1024 + 128
                                           : (128 + 2 * 64) * 128 * 2 + 2 * 2 * 64 * 128);
        k.tile_scan = true;
        CU_ASSERT_EQUAL_FATAL(fa_plan_key(&k, &plan, err, sizeof err), FA_OK);
        CU_ASSERT(plan.smem_bytes <= 227 * 1024);
        k.tile_scan = false;
        CU_ASSERT(plan.smem_bytes <= 227 * 1024);
        CU_ASSERT_EQUAL(plan.num_warps, a ? 16 : 4);
        k.kv_dtype = FA_DTYPE_BF16;
        CU_ASSERT_EQUAL_FATAL(fa_plan_key(&k, &plan, err, sizeof err), FA_OK);
        CU_ASSERT_EQUAL(plan.num_warps, a ? 12 : 4);
    }
    /* every head dim plans within every arch's shared memory (d256 on sm_86/sm_89's 99 KB:
     * 64 rows, 32-key tiles, one stage) */
    static const fa_arch fp8_archs[] = {FA_ARCH_SM80, FA_ARCH_SM86, FA_ARCH_SM89, FA_ARCH_SM90A};
    static const int fp8_dims[] = {64, 96, 128, 192, 256};
    static const int fp8_limit[] = {163 * 1024, 99 * 1024, 99 * 1024, 227 * 1024};
    for (int a = 0; a < 4; a++)
        for (int i = 0; i < 5; i++) {
            k = decode_key(fp8_archs[a], FA_PAGED_NHD, 16, FA_DTYPE_FP8E5M2, 4);
            k.decode = false;
            k.head_dim = fp8_dims[i];
            CU_ASSERT_EQUAL(fa_plan_key(&k, &plan, err, sizeof err), FA_OK);
            CU_ASSERT(plan.smem_bytes <= fp8_limit[a] && plan.block_n >= 32);
        }
    k.paged_block_size = 0;
    CU_ASSERT_EQUAL(fa_plan_key(&k, &plan, err, sizeof err), FA_ERR_UNSUPPORTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "only paged KV caches may have another type"));
    k = decode_key(FA_ARCH_SM80, FA_PAGED_HDB, 16, FA_DTYPE_BF16, 4);
    k.decode = false;
    CU_ASSERT_EQUAL(fa_plan_key(&k, &plan, err, sizeof err), FA_ERR_UNSUPPORTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "paged decode template"));
    /* A decode key without a cache reads dense K/V (test_dense_decode_cubins), 16-bit only. */
    k = decode_key(FA_ARCH_SM80, FA_PAGED_NHD, 0, FA_DTYPE_BF16, 4);
    CU_ASSERT_EQUAL(fa_plan_key(&k, &plan, err, sizeof err), FA_OK);
    CU_ASSERT_EQUAL(plan.dense_block, 128);
    k.kv_dtype = FA_DTYPE_FP8E4M3;
    CU_ASSERT_EQUAL(fa_plan_key(&k, &plan, err, sizeof err), FA_ERR_UNSUPPORTED);
    /* The merge kernel's source names its kernel and holds the template. */
    char *src = fa_emit_merge_cuda(FA_DTYPE_FP16);
    CU_ASSERT_PTR_NOT_NULL_FATAL(src);
    CU_ASSERT_PTR_NOT_NULL(strstr(src, "#define FA_MERGE_KERNEL_NAME fa_merge_fp16"));
    CU_ASSERT_PTR_NOT_NULL(strstr(src, "fa_merge_args"));
    free(src);
    CU_ASSERT_PTR_NULL(fa_emit_merge_cuda(FA_DTYPE_FP8E4M3));
}

static void test_decode_cubins(void)
{
    char dir[] = "/tmp/fadsl-paged-cubins-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    setenv("FADSL_CACHE_DIR", dir, 1);
    static fadsl_prewarm_item items[MAX_ITEMS];
    static const fa_arch archs[] = {FA_ARCH_SM80, FA_ARCH_SM90A};
    int n = 0;
    for (int a = 0; a < 2; a++)
        for (int l = 0; l < 2; l++)
            for (int b = 0; b < NUM_BLOCK_SIZES; b++) {
                int idx = l * NUM_BLOCK_SIZES + b;
                fadsl_prewarm_item *it = &items[n++];
                it->variant = variants[idx % 5];
                it->key = decode_key(archs[a], l ? FA_PAGED_HDB : FA_PAGED_NHD, block_sizes[b],
                                     kv_types[(idx + a) % NUM_KV], idx % 2 ? 8 : 4);
                if (idx % 4 == 3)
                    it->key.dtype = FA_DTYPE_FP16;
                if (it->key.kv_dtype == FA_DTYPE_BF16)
                    it->key.kv_dtype = it->key.dtype;
                if (idx == 7)
                    it->key.head_dim = 64;
            }
    /* fp8 operand paths: NHD fragments at d256 and at d64 GQA 64 (four row tiles), warp buffers
     * at d96, HDB fragments at d64 and block size 8 (sm_90a: bulk slabs), HDB warp buffers
     * at GQA 32. */
    static const struct {
        fa_paged_layout layout;
        int head_dim, gqa, block_size;
        fa_dtype kv;
    } fp8_paths[] = {{FA_PAGED_NHD, 256, 4, 16, FA_DTYPE_FP8E4M3}, {FA_PAGED_NHD, 96, 8, 16, FA_DTYPE_FP8E5M2},
                     {FA_PAGED_NHD, 64, 64, 16, FA_DTYPE_FP8E4M3}, {FA_PAGED_HDB, 64, 1, 8, FA_DTYPE_FP8E5M2},
                     {FA_PAGED_HDB, 128, 32, 32, FA_DTYPE_FP8E4M3}};
    for (size_t i = 0; i < sizeof fp8_paths / sizeof fp8_paths[0]; i++) {
        fadsl_prewarm_item *it = &items[n++];
        it->variant = variants[i];
        it->key = decode_key(FA_ARCH_SM90A, fp8_paths[i].layout, fp8_paths[i].block_size, fp8_paths[i].kv,
                             fp8_paths[i].gqa);
        it->key.head_dim = fp8_paths[i].head_dim;
    }
    /* the 64-key fp8 tiles (decode_tile64): NHD at d128 and d64, HDB (sm_90a bulk slabs) at
     * d128 and d64 */
    for (int i = 0; i < 4; i++) {
        fadsl_prewarm_item *it = &items[n++];
        it->variant = variants[i % 2 + 2];
        it->key = decode_key(i == 1 ? FA_ARCH_SM80 : FA_ARCH_SM90A, i < 2 ? FA_PAGED_NHD : FA_PAGED_HDB,
                             i == 1 ? 32 : i == 3 ? 8 : 16, i % 2 ? FA_DTYPE_FP8E5M2 : FA_DTYPE_FP8E4M3,
                             i % 2 ? 8 : 1);
        it->key.head_dim = i % 2 ? 64 : 128;
        it->key.decode_tile64 = true;
    }
    /* packed queries (varlen decode keys): fp8 NHD at 32 rows, 16-bit HDB, the HDB fp8
     * tile-claiming sibling, and sm_80's fp8 HDB fragments by 8-byte copies */
    static const struct {
        fa_arch arch;
        fa_paged_layout layout;
        int block_size, gqa, rows;
        fa_dtype kv;
        bool claims;
    } packed[] = {{FA_ARCH_SM90A, FA_PAGED_NHD, 16, 8, 32, FA_DTYPE_FP8E4M3, false},
                  {FA_ARCH_SM90A, FA_PAGED_HDB, 32, 4, 0, FA_DTYPE_BF16, false},
                  {FA_ARCH_SM90A, FA_PAGED_HDB, 16, 4, 0, FA_DTYPE_FP8E5M2, true},
                  {FA_ARCH_SM80, FA_PAGED_HDB, 8, 8, 0, FA_DTYPE_FP8E4M3, false}};
    for (size_t i = 0; i < sizeof packed / sizeof packed[0]; i++) {
        fadsl_prewarm_item *it = &items[n++];
        it->variant = variants[i + 1];
        it->key = decode_key(packed[i].arch, packed[i].layout, packed[i].block_size, packed[i].kv, packed[i].gqa);
        it->key.varlen = true;
        it->key.decode_rows = packed[i].rows;
        it->key.decode_claims = packed[i].claims;
    }
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    fadsl_prewarm *pw = NULL;
    CU_ASSERT_EQUAL_FATAL(fadsl_prewarm_start(items, n, cpus > 0 ? (int)cpus : 1, &pw), FADSL_OK);
    int failed = -1;
    fadsl_status s = fadsl_prewarm_wait(pw, &failed);
    if (s != FADSL_OK)
        printf("\n  first failure: %s\n", fadsl_last_error());
    CU_ASSERT_EQUAL(failed, 0);
    for (int i = 0; i < n; i++) {
        fadsl_compile_info info;
        CU_ASSERT_EQUAL_FATAL(fadsl_compile(items[i].variant, &items[i].key, &info), FADSL_OK);
        CU_ASSERT(info.image_size > 1000 && memcmp(info.image, "\177ELF", 4) == 0);
        CU_ASSERT_PTR_NOT_NULL(memmem(info.image, info.image_size, info.kernel_name, strlen(info.kernel_name)));
        char want[32];
        snprintf(want, sizeof want, "_bs%d", items[i].key.paged_block_size);
        CU_ASSERT_PTR_NOT_NULL(strstr(info.kernel_name, want));
        snprintf(want, sizeof want, "_gqa%d_", items[i].key.gqa_ratio);
        CU_ASSERT_PTR_NOT_NULL(strstr(info.kernel_name, want));
        CU_ASSERT(strncmp(info.kernel_name, "fa_decode_paged_", 16) == 0);
        CU_ASSERT_EQUAL(strstr(info.kernel_name, "_t64_") != NULL, items[i].key.decode_tile64);
        CU_ASSERT_EQUAL(strstr(info.kernel_name, "_varlen_") != NULL, items[i].key.varlen);
    }
    printf("\n  %d paged decode kernels compiled to cubins\n", n);
    unsetenv("FADSL_CACHE_DIR");
}

/* Kernels that spilled registers before two fixes compile without spills (the runtime counts
 * ptxas's spill warnings; measured with NVRTC 13, the CI's toolkit): 16-bit cp.async tiles of more than 8 copies a thread (sm_80 d256
 * HDB: 16, d192 NHD: 12; their copy loops are unrolled in parts), and many rows at wide head
 * dims (GQA 64 at d128, GQA 32 at d256: 0.3-4.4 KB a thread in local memory while a warp
 * held 64 or 32 rows of O; the plan now caps a CTA's rows by the head dim). */
static void test_decode_spills(void)
{
    char dir[] = "/tmp/fadsl-paged-spills-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    setenv("FADSL_CACHE_DIR", dir, 1);
    static const struct {
        fa_arch arch;
        fa_paged_layout layout;
        int head_dim, gqa, block_size, block_m;
        fa_dtype kv;
        const char *variant;
    } cases[] = {{FA_ARCH_SM80, FA_PAGED_HDB, 256, 8, 16, 16, FA_DTYPE_BF16, "none"},
                 {FA_ARCH_SM80, FA_PAGED_NHD, 192, 8, 32, 16, FA_DTYPE_BF16, "softcap"},
                 {FA_ARCH_SM90A, FA_PAGED_NHD, 128, 64, 16, 32, FA_DTYPE_BF16, "none"},
                 {FA_ARCH_SM90A, FA_PAGED_NHD, 128, 64, 16, 32, FA_DTYPE_FP8E4M3, "gpt_oss"},
                 {FA_ARCH_SM90A, FA_PAGED_HDB, 256, 32, 16, 16, FA_DTYPE_BF16, "none"},
                 {FA_ARCH_SM80, FA_PAGED_NHD, 256, 32, 16, 16, FA_DTYPE_FP8E4M3, "gpt_oss"},
                 {FA_ARCH_SM90A, FA_PAGED_NHD, 64, 64, 16, 64, FA_DTYPE_BF16, "none"},
                 /* tile-claiming siblings of HDB fp8 kernels, each compiled for the CTAs its
                  * shared memory allows (three at d64, two at d128: the bench's, one at d256) */
                 {FA_ARCH_SM90A, FA_PAGED_HDB, 64, 8, 8, 16, FA_DTYPE_FP8E4M3, "gpt_oss"},
                 {FA_ARCH_SM90A, FA_PAGED_HDB, 128, 4, 16, 16, FA_DTYPE_FP8E4M3, "none"},
                 {FA_ARCH_SM90A, FA_PAGED_HDB, 256, 4, 16, 16, FA_DTYPE_FP8E5M2, "sliding_window"},
                 /* tiles halved to fit 99 KB (sm_86/sm_89) and sm_80's fp8 HDB warp buffers
                  * (32 keys: asserted below) */
                 {FA_ARCH_SM86, FA_PAGED_NHD, 256, 8, 16, 16, FA_DTYPE_BF16, "causal"},
                 {FA_ARCH_SM89, FA_PAGED_HDB, 192, 4, 32, 16, FA_DTYPE_FP8E5M2, "sliding_window"},
                 {FA_ARCH_SM80, FA_PAGED_HDB, 256, 8, 128, 16, FA_DTYPE_FP8E4M3, "gpt_oss"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fa_key k = decode_key(cases[i].arch, cases[i].layout, cases[i].block_size, cases[i].kv, cases[i].gqa);
        k.head_dim = cases[i].head_dim;
        k.decode_claims = fa_plan_has_claims(&k);
        fa_plan plan;
        char err[256];
        CU_ASSERT_EQUAL_FATAL(fa_plan_key(&k, &plan, err, sizeof err), FA_OK);
        CU_ASSERT_EQUAL(plan.block_m, cases[i].block_m);
        if (k.decode_claims)
            CU_ASSERT_EQUAL(plan.min_ctas, cases[i].head_dim == 64 ? 3 : cases[i].head_dim == 128 ? 2 : 1);
        if (cases[i].arch != FA_ARCH_SM90A && cases[i].head_dim >= 192 && cases[i].kv != FA_DTYPE_BF16 &&
            cases[i].layout == FA_PAGED_HDB)
            CU_ASSERT_EQUAL(plan.block_n, 32);
        if (cases[i].arch == FA_ARCH_SM86 && cases[i].head_dim == 256)
            CU_ASSERT_EQUAL(plan.block_n, 32);
        int spills = fart_nvrtc_spills();
        fadsl_compile_info info;
        CU_ASSERT_EQUAL_FATAL(fadsl_compile(cases[i].variant, &k, &info), FADSL_OK);
        /* compiled here to a cubin (not from a cache, not PTX), so ptxas ran */
        CU_ASSERT_EQUAL(info.origin, FADSL_FROM_COMPILE);
        CU_ASSERT_EQUAL(info.path, FADSL_PATH_CUBIN);
        CU_ASSERT_EQUAL(fart_nvrtc_spills(), spills); /* the log names a kernel that spilled */
    }
    unsetenv("FADSL_CACHE_DIR");
}

/* The decode template over dense K/V (paged_block_size 0, FA_DEC_DENSE): every head dim on
 * sm_90a by tensor maps, packed K/V by cp.async (no map: the packed rows' total is device
 * data), sm_80/86/89 by cp.async, tiles halved at d192/d256 on 99 KB; names, plans and
 * cubins without spills. Seen and left: sm_80's packed causal d128 kernel spills 4 bytes
 * (the paged one does not), not compiled here. */
static void test_dense_decode_cubins(void)
{
    char dir[] = "/tmp/fadsl-dense-decode-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    setenv("FADSL_CACHE_DIR", dir, 1);
    static const struct {
        fa_arch arch;
        int head_dim, gqa;
        bool varlen;
        fa_dtype dtype;
        const char *variant;
        int block_n;
    } cases[] = {{FA_ARCH_SM90A, 64, 8, false, FA_DTYPE_BF16, "causal", 32},
                 {FA_ARCH_SM90A, 96, 4, false, FA_DTYPE_BF16, "sliding_window", 32},
                 {FA_ARCH_SM90A, 128, 8, false, FA_DTYPE_FP16, "gpt_oss", 32},
                 {FA_ARCH_SM90A, 192, 4, false, FA_DTYPE_BF16, "softcap", 32},
                 {FA_ARCH_SM90A, 256, 8, false, FA_DTYPE_BF16, "causal_alibi", 32},
                 {FA_ARCH_SM90A, 128, 4, true, FA_DTYPE_BF16, "causal", 64},
                 {FA_ARCH_SM80, 128, 4, false, FA_DTYPE_BF16, "none", 64},
                 {FA_ARCH_SM80, 256, 8, true, FA_DTYPE_FP16, "gpt_oss", 64},
                 {FA_ARCH_SM86, 192, 4, false, FA_DTYPE_BF16, "sliding_window", 32},
                 {FA_ARCH_SM86, 256, 8, true, FA_DTYPE_BF16, "causal", 32},
                 {FA_ARCH_SM89, 64, 1, true, FA_DTYPE_FP16, "none", 64}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fa_key k;
        fa_key_init(&k);
        k.arch = cases[i].arch;
        k.dtype = k.kv_dtype = cases[i].dtype;
        k.head_dim = cases[i].head_dim;
        k.gqa_ratio = cases[i].gqa;
        k.varlen = cases[i].varlen;
        k.decode = true;
        fa_plan plan;
        char err[256], name[160];
        CU_ASSERT_EQUAL_FATAL(fa_plan_key(&k, &plan, err, sizeof err), FA_OK);
        CU_ASSERT_EQUAL(plan.tmpl, FA_TEMPLATE_PAGED_DECODE);
        CU_ASSERT(plan.dense_block >= plan.block_n);
        CU_ASSERT_EQUAL(plan.block_n, cases[i].block_n);
        CU_ASSERT_EQUAL(plan.tensor_maps, cases[i].arch == FA_ARCH_SM90A && !cases[i].varlen);
        fa_key_name(&k, name, sizeof name);
        CU_ASSERT_EQUAL(strncmp(name, "fa_decode_", 10), 0);
        CU_ASSERT_PTR_NULL(strstr(name, "paged"));
        int spills = fart_nvrtc_spills();
        fadsl_compile_info info;
        CU_ASSERT_EQUAL_FATAL(fadsl_compile(cases[i].variant, &k, &info), FADSL_OK);
        CU_ASSERT_EQUAL(info.origin, FADSL_FROM_COMPILE);
        CU_ASSERT_EQUAL(info.path, FADSL_PATH_CUBIN);
        CU_ASSERT_EQUAL(fart_nvrtc_spills(), spills);
        if (fart_nvrtc_spills() != spills)
            printf("\n  %s spilled", name);
    }
    /* decode-only key fields stay refused on dense keys */
    fa_key k;
    fa_key_init(&k);
    k.decode = true;
    k.decode_claims = true;
    fa_plan plan;
    char err[256];
    CU_ASSERT_EQUAL(fa_plan_key(&k, &plan, err, sizeof err), FA_ERR_UNSUPPORTED);
    k.decode_claims = false;
    k.decode_tile64 = true;
    CU_ASSERT_EQUAL(fa_plan_key(&k, &plan, err, sizeof err), FA_ERR_UNSUPPORTED);
    unsetenv("FADSL_CACHE_DIR");
}

/* fp8 NHD caches above the decode template's rows: fa3_fwd keys on sm_90a at d64/d128 and
 * at d192/d256 in blocks of up to 64 keys (without spills but at d256, whose consumers
 * spill 8-40 bytes at 216 registers; sink tokens, blocks of 8 keys), else fa2_fwd ones
 * (byte stages converted to 16-bit tiles), compile to cubins for sm_80, sm_86 and sm_90a,
 * e4m3 and e5m2, fp16 and bf16 queries, head dims 64-256, dense and packed queries. */
static void test_forward_fp8_cubins(void)
{
    char dir[] = "/tmp/fadsl-fwd-fp8-cubins-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    setenv("FADSL_CACHE_DIR", dir, 1);
    static const struct {
        fa_arch arch;
        int head_dim, block_size, gqa;
        fa_dtype dtype, kv;
        bool varlen;
        const char *variant;
    } keys[] = {{FA_ARCH_SM90A, 128, 16, 4, FA_DTYPE_BF16, FA_DTYPE_FP8E4M3, false, "causal"},
                {FA_ARCH_SM90A, 64, 32, 8, FA_DTYPE_FP16, FA_DTYPE_FP8E5M2, true, "gpt_oss"},
                {FA_ARCH_SM90A, 256, 128, 1, FA_DTYPE_BF16, FA_DTYPE_FP8E5M2, false, "softcap"},
                {FA_ARCH_SM80, 128, 8, 4, FA_DTYPE_BF16, FA_DTYPE_FP8E4M3, true, "sliding_window"},
                {FA_ARCH_SM86, 96, 64, 2, FA_DTYPE_FP16, FA_DTYPE_FP8E4M3, false, "causal_alibi"},
                {FA_ARCH_SM90A, 128, 16, 4, FA_DTYPE_BF16, FA_DTYPE_FP8E4M3, false, "sink_window"},
                {FA_ARCH_SM90A, 64, 8, 8, FA_DTYPE_FP16, FA_DTYPE_FP8E5M2, true, "causal"},
                {FA_ARCH_SM90A, 192, 16, 4, FA_DTYPE_BF16, FA_DTYPE_FP8E4M3, true, "sliding_window"},
                {FA_ARCH_SM90A, 192, 64, 8, FA_DTYPE_FP16, FA_DTYPE_FP8E5M2, false, "softcap"},
                {FA_ARCH_SM90A, 192, 128, 2, FA_DTYPE_BF16, FA_DTYPE_FP8E4M3, false, "causal"},
                {FA_ARCH_SM90A, 256, 16, 4, FA_DTYPE_BF16, FA_DTYPE_FP8E4M3, true, "sink_window"},
                {FA_ARCH_SM90A, 256, 64, 8, FA_DTYPE_FP16, FA_DTYPE_FP8E5M2, false, "causal_alibi"}};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        fa_key k = decode_key(keys[i].arch, FA_PAGED_NHD, keys[i].block_size, keys[i].kv, keys[i].gqa);
        k.decode = false;
        k.dtype = keys[i].dtype;
        k.head_dim = keys[i].head_dim;
        k.varlen = keys[i].varlen;
        fadsl_compile_info info;
        int spills = fart_nvrtc_spills();
        fadsl_status s = fadsl_compile(keys[i].variant, &k, &info);
        if (s)
            printf("\n  %s\n", fadsl_last_error());
        CU_ASSERT_EQUAL_FATAL(s, FADSL_OK);
        bool fa3 = keys[i].arch == FA_ARCH_SM90A &&
                   (keys[i].head_dim == 64 || keys[i].head_dim == 128 || keys[i].block_size <= 64);
        CU_ASSERT(strncmp(info.kernel_name, fa3 ? "fa3_fwd_paged_" : "fa2_fwd_paged_", 14) == 0);
        if (fa3 && keys[i].head_dim < 256) /* the converting producer fits its registers (fa2_fwd's d128 keys spill) */
            CU_ASSERT_EQUAL(fart_nvrtc_spills(), spills);
        CU_ASSERT_PTR_NOT_NULL(strstr(info.kernel_name, keys[i].kv == FA_DTYPE_FP8E4M3 ? "_kvfp8e4m3_" : "_kvfp8e5m2_"));
        CU_ASSERT(info.image_size > 1000 && memcmp(info.image, "\177ELF", 4) == 0);
    }
    unsetenv("FADSL_CACHE_DIR");
}

/* HDB caches above the decode template's rows on sm_90a: fa3_fwd keys (K read MN-major, V
 * K-major) compile to cubins at every block size, head dims 64 and 128 (fp16 and bf16,
 * 16-bit and fp8 (e4m3, e5m2) caches; without spills), 192 (16-bit, without spills; NHD
 * too, whose rows of 24 chunks 96 of the 128 producer threads copy) and 256 (16-bit, and
 * fp8 in blocks of 16 and 64 keys; since its producer copies K before waiting on V,
 * FA3_EARLY_K, some keys spill 12-20 bytes, paged NHD ones up to 68, which the measured
 * speed-up includes: bench/results/2026-11-30-h200-session36), dense and packed queries,
 * each variant (sink tokens as whole tiles); other archs, head dims and caches (fp8 d256
 * blocks of 128 keys) are refused with the reason. */
static void test_forward_hdb_cubins(void)
{
    char dir[] = "/tmp/fadsl-fwd-hdb-cubins-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    setenv("FADSL_CACHE_DIR", dir, 1);
    static const char *const hdb_variants[] = {"causal", "sliding_window", "gpt_oss", "softcap", "causal_alibi",
                                               "sink_window", "none"};
    for (int b = 0; b < NUM_BLOCK_SIZES; b++)
        for (int h = 0; h < 7; h++) { /* 16-bit caches at d128 and d64, fp8 ones, d256, d192 HDB, NHD */
            fa_key k = decode_key(FA_ARCH_SM90A, h == 6 ? FA_PAGED_NHD : FA_PAGED_HDB, block_sizes[b], FA_DTYPE_BF16,
                                  1 << (b % 4));
            k.decode = false;
            k.head_dim = h >= 5 ? 192 : h == 4 ? 256 : h % 2 ? 64 : 128;
            k.dtype = k.kv_dtype = (b + h) % 2 ? FA_DTYPE_FP16 : FA_DTYPE_BF16;
            if (h == 2 || h == 3 || (h == 4 && b % 2))
                k.kv_dtype = (b + h) % 2 ? FA_DTYPE_FP8E5M2 : FA_DTYPE_FP8E4M3;
            k.varlen = b % 2 == 1;
            CU_ASSERT(fa_plan_fa3_forward(&k));
            /* d256: the first four (its causal_alibi keys spill 40 bytes, document 64) */
            const char *variant = hdb_variants[h == 4 ? b % 4 : (3 * b + h) % 7];
            int spills = fart_nvrtc_spills();
            fadsl_compile_info info;
            fadsl_status s = fadsl_compile(variant, &k, &info);
            if (s)
                printf("\n  %s\n", fadsl_last_error());
            CU_ASSERT_EQUAL_FATAL(s, FADSL_OK);
            CU_ASSERT(strncmp(info.kernel_name, "fa3_fwd_paged_", 14) == 0);
            CU_ASSERT(info.image_size > 1000 && memcmp(info.image, "\177ELF", 4) == 0);
            if (k.head_dim != 256)
                CU_ASSERT_EQUAL(fart_nvrtc_spills(), spills);
        }
    static const struct {
        fa_arch arch;
        int head_dim, block_size;
        fa_dtype kv;
    } refused[] = {{FA_ARCH_SM80, 128, 16, FA_DTYPE_BF16}, {FA_ARCH_SM90A, 96, 16, FA_DTYPE_BF16},
                   {FA_ARCH_SM86, 64, 16, FA_DTYPE_FP8E4M3}, {FA_ARCH_SM90A, 256, 128, FA_DTYPE_FP8E5M2}};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        fa_key k = decode_key(refused[i].arch, FA_PAGED_HDB, refused[i].block_size, refused[i].kv, 4);
        k.decode = false;
        k.head_dim = refused[i].head_dim;
        CU_ASSERT(!fa_plan_fa3_forward(&k));
        fa_plan plan;
        char err[512];
        CU_ASSERT_EQUAL(fa_plan_key(&k, &plan, err, sizeof err), FA_ERR_UNSUPPORTED);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "decode template only"));
    }
    unsetenv("FADSL_CACHE_DIR");
}

/* The merge kernel (templates/merge.cuh) compiles to a cubin holding its kernel. */
static void test_merge_cubins(void)
{
    static const fa_dtype dtypes[] = {FA_DTYPE_FP16, FA_DTYPE_BF16};
    static const fa_arch archs[] = {FA_ARCH_SM80, FA_ARCH_SM90A};
    for (int d = 0; d < 2; d++)
        for (int a = 0; a < 2; a++) {
            char *src = fa_emit_merge_cuda(dtypes[d]);
            CU_ASSERT_PTR_NOT_NULL_FATAL(src);
            fa_key key;
            fa_key_init(&key);
            key.arch = archs[a];
            int n = 0;
            const char *const *options = fa_nvrtc_options(&key, &n);
            char *image = NULL;
            size_t size = 0;
            fadsl_status s = fart_nvrtc_compile(src, fa_merge_name(dtypes[d]), options, n, false, &image, &size);
            if (s)
                printf("\n  %s\n", fadsl_last_error());
            CU_ASSERT_EQUAL_FATAL(s, FADSL_OK);
            CU_ASSERT(size > 1000 && memcmp(image, "\177ELF", 4) == 0);
            CU_ASSERT_PTR_NOT_NULL(memmem(image, size, fa_merge_name(dtypes[d]), strlen(fa_merge_name(dtypes[d]))));
            free(image);
            free(src);
        }
}

void fa_suite_paged_cubins(void)
{
    static const CU_TestInfo tests[] = {{"names_and_plans", test_names_and_plans},
                                        {"decode_cubins", test_decode_cubins},
                                        {"decode_spills", test_decode_spills},
                                        {"dense_decode_cubins", test_dense_decode_cubins},
                                        {"forward_fp8_cubins", test_forward_fp8_cubins},
                                        {"forward_hdb_cubins", test_forward_hdb_cubins},
                                        {"merge_cubins", test_merge_cubins},
                                        CU_TEST_INFO_NULL};
    fa_test_add_suite("paged_cubins", tests);
}
