/* plan.c - picks the kernel template and its tile configuration for a dispatch key. */
#include "fa.h"

#include <stdio.h>

/* FA2-class forward tiles per head dim (query rows x keys per tile, warps, K/V stages).
 * Each warp owns BLOCK_M / NUM_WARPS query rows (a multiple of 16). Chosen by a sweep on an
 * H100 (bench/results/2026-11-26-fa2-tiles.md): two m16 tiles a warp up to d128 (K/V read
 * from shared memory once for 32 rows), one from d192 (the O accumulator fills the registers)
 * with 8 warps, so a K/V tile still serves 128 rows. */
typedef struct fa_tile_config {
    int head_dim, block_m, block_n, num_warps, stages;
} fa_tile_config;

static const fa_tile_config fa2_tiles[] = {
    {64, 128, 128, 4, 2},
    {96, 128, 64, 4, 2},
    {128, 128, 64, 4, 2},
    {192, 128, 64, 8, 2},
    {256, 128, 64, 8, 2},
};
enum { FA2_NUM_TILES = sizeof fa2_tiles / sizeof fa2_tiles[0] };

#define FA_SUPPORTED_HEAD_DIMS "64, 96, 128, 192, 256"
#define FA_VALID_BLOCK_SIZES "8, 16, 32, 64, 128"

/* Dynamic shared memory a block may opt into, per arch. */
static int smem_limit(fa_arch arch)
{
    switch (arch) {
    case FA_ARCH_SM80: return 163 * 1024;
    case FA_ARCH_SM86:
    case FA_ARCH_SM89: return 99 * 1024;
    case FA_ARCH_SM90A: return 227 * 1024;
    default: return 48 * 1024;
    }
}

/* Shared-memory rows are padded to whole 128-byte swizzle atoms (templates/fa2_fwd.cuh). */
enum { FA_SWIZZLE_ATOM_ELEMS = 64 };

static int smem_bytes(const fa_tile_config *t, int elem_size)
{
    int row = (t->head_dim + FA_SWIZZLE_ATOM_ELEMS - 1) / FA_SWIZZLE_ATOM_ELEMS * FA_SWIZZLE_ATOM_ELEMS;
    return (t->block_m + t->stages * 2 * t->block_n) * row * elem_size;
}

static bool block_size_valid(int bs)
{
    return bs == 8 || bs == 16 || bs == 32 || bs == 64 || bs == 128;
}

fa_status fa_plan_key(const fa_key *key, fa_plan *plan, char *err, size_t errlen)
{
    const fa_tile_config *base = NULL;
    for (int i = 0; i < FA2_NUM_TILES; i++)
        if (fa2_tiles[i].head_dim == key->head_dim)
            base = &fa2_tiles[i];
    if (!base) {
        snprintf(err, errlen, "head_dim %d is not supported (supported: " FA_SUPPORTED_HEAD_DIMS ")",
                 key->head_dim);
        return FA_ERR_UNSUPPORTED;
    }
    if (key->dtype != FA_DTYPE_FP16 && key->dtype != FA_DTYPE_BF16) {
        snprintf(err, errlen, "dtype %s is not supported for queries and outputs (supported: fp16, bf16)",
                 fa_dtype_name(key->dtype));
        return FA_ERR_UNSUPPORTED;
    }
    if (key->kv_dtype != key->dtype) {
        snprintf(err, errlen,
                 "kv_dtype %s differs from dtype %s: a KV cache of another type needs the paged "
                 "decode template, which is not built yet",
                 fa_dtype_name(key->kv_dtype), fa_dtype_name(key->dtype));
        return FA_ERR_UNSUPPORTED;
    }
    if (key->gqa_ratio < 1) {
        snprintf(err, errlen, "gqa ratio %d is invalid (query heads per KV head, at least 1)", key->gqa_ratio);
        return FA_ERR_INVALID;
    }
    if (key->paged_block_size) {
        if (!block_size_valid(key->paged_block_size)) {
            snprintf(err, errlen, "paged block size %d is invalid (valid: " FA_VALID_BLOCK_SIZES ")",
                     key->paged_block_size);
            return FA_ERR_UNSUPPORTED;
        }
        if (key->paged_layout != FA_PAGED_NHD) {
            snprintf(err, errlen,
                     "paged layout hdb ([blocks, kv_heads, head_dim, block_size]) is not served by "
                     "fa2_fwd yet; use the nhd layout ([blocks, block_size, kv_heads, head_dim])");
            return FA_ERR_UNSUPPORTED;
        }
    }
    /* Shrink the configuration until it fits the arch: fewer stages, then fewer rows. */
    fa_tile_config t = *base;
    int es = fa_dtype_size(key->dtype), limit = smem_limit(key->arch);
    while (smem_bytes(&t, es) > limit && t.stages > 1)
        t.stages--;
    while (smem_bytes(&t, es) > limit && t.block_m > 16 * t.num_warps)
        t.block_m /= 2;
    while (smem_bytes(&t, es) > limit && t.num_warps > 4) {
        t.num_warps /= 2;
        t.block_m /= 2;
    }
    if (smem_bytes(&t, es) > limit) {
        snprintf(err, errlen, "head_dim %d needs more shared memory than %s offers", key->head_dim,
                 fa_arch_name(key->arch));
        return FA_ERR_UNSUPPORTED;
    }
    plan->tmpl = FA_TEMPLATE_FA2_FWD;
    plan->template_file = "fa2_fwd.cuh";
    plan->block_m = t.block_m;
    plan->block_n = t.block_n;
    plan->num_warps = t.num_warps;
    plan->stages = t.stages;
    plan->smem_bytes = smem_bytes(&t, es);
    plan->threads = 32 * t.num_warps;
    return FA_OK;
}
