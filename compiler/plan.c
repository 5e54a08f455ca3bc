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

/* Paged decode tiles per head dim (templates/paged_decode.cuh): block_n keys a stage, a
 * warp computing block_n / num_warps of them (a multiple of 16). Rows: the query heads of
 * one KV head times the new tokens (fa_key.decode_rows, else the GQA ratio), DECODE_ROW_TILE
 * at a time up to DECODE_MAX_ROW_TILES (fewer at wide head dims: DECODE_MAX_TILES_X_DIM).
 * - cp.async 16-bit tiles (before sm_90a): 64 keys, 4 warps; d128 about 109 KB, two CTAs
 *   an H100 SM.
 * - fp8 caches: stages of half the bytes, so more of them keep about as many bytes in
 *   flight, except at d128, where three stages keep two CTAs an SM (stages_fp8; the fragment
 *   tiles below have their own stages). fp8 read through
 *   fragments (FA_DEC_FRAG: power-of-two head dims) at one row tile (GQA <= 16) take 128
 *   keys at d64/d128, halving the per-key share of a tile's fixed work (barrier, table,
 *   softmax rescale), which bounds that path (issue-limited at 64 keys: H100, 2026-11-26);
 *   HDB reads fragments only from those (decode_frag_tile; by cp.async, 128 keys at least),
 *   else through warp buffers.
 *   Those (NHD, and HDB slabs by bulk copy) also plan 64 keys x 2 warps
 *   (fa_key.decode_tile64, stages_tile64), which the runtime takes for unsplit grids of more
 *   than one wave (runtime/paged.c).
 * - TMA tiles (16-bit caches on sm_90a): 32 keys for two warps, a CTA's start and end
 *   overlapping other CTAs' streaming (64 keys x 4 warps lost 4% to a copy-only probe
 *   reading 3.0 TB/s: bench/results/2026-11-27-h100-session3). HDB blocks of 64 keys and more
 *   keep 64 keys x 4 warps (decode_tma_narrow).
 * Stages (H100, bench/results/2026-11-27-h100-session11): the decode is not short of bytes
 * in flight, and at d128 one tile in flight a CTA during the math (two stages) reads faster
 * than two. TMA 32 x 2 at two stages (five CTAs an SM) 0.3-0.7% faster than three (four);
 * the 64-key fp8 siblings at two (NHD four CTAs an SM, its registers' limit as at three; HDB
 * five) 1-5% faster; NHD 128 x 4 at two (still two an SM: registers) 1.6% faster at
 * 1 x 131072 (stages_frag_nhd_sm90: unmeasured on other GPUs, which keep stages_frag); HDB
 * 128 x 4 keeps three (two lost 1-2%). TMA tiles at two stages also read 1-5% faster at d96
 * (seven CTAs an SM), but 2-18% slower at d64, d192 and d256, which keep theirs.
 * An arch with less shared memory takes fewer stages, then half the keys on half the warps
 * (plan_decode; unmeasured: no GPU of those archs was at hand). */
typedef struct fa_decode_config {
    int head_dim, block_n, num_warps, stages_16bit, stages_fp8, block_n_frag, stages_frag, stages_frag_nhd_sm90;
    int stages_tile64, block_n_tma, warps_tma, stages_tma;
} fa_decode_config;

static const fa_decode_config decode_tiles[] = {
    {64, 64, 4, 4, 6, 128, 4, 4, 4, 32, 2, 4},
    {96, 64, 4, 3, 4, 64, 4, 4, 4, 32, 2, 2},
    {128, 64, 4, 3, 3, 128, 3, 2, 2, 32, 2, 2},
    {192, 64, 4, 2, 3, 64, 3, 3, 3, 32, 2, 3},
    {256, 64, 4, 2, 3, 64, 3, 3, 3, 32, 2, 3},
};
enum {
    DECODE_NUM_TILES = sizeof decode_tiles / sizeof decode_tiles[0],
    DECODE_ROW_TILE = 16,
    DECODE_MAX_ROW_TILES = 4,
    /* m16 row tiles x head dim a warp's O accumulator holds (every warp keeps all the CTA's
     * rows for its keys). Above it the kernels spilled (NVRTC 13, sm_90a and sm_80: 4 x 128
     * and 2 x 256 put 0.3-4.4 KB a thread in local memory, some all of O; 3 x 96 ran at
     * 252-255 registers, masked and fp8 variants spilling 8-120 bytes); at it a few masked
     * variants still spill 8-56 bytes (bench/results/2026-11-27-h100-session8). More rows
     * take more row tiles, each reading the K/V tiles again. */
    DECODE_MAX_TILES_X_DIM = 256,
    DECODE_PAD = 8,          /* elements a 16-bit shared-memory row is padded by */
    DECODE_F32 = 4,
    DECODE_COMBINE_PAD = 4, /* floats the warps' final O rows are padded by (FA_LDC) */
    DECODE_MBAR = 8,       /* bytes of an mbarrier */
    DECODE_MBAR_SLACK = 4, /* the barriers' 8-byte alignment after the 4-byte table ring */
    DECODE_TMA_ALIGN = 1024, /* TMA stages: the 128-byte swizzle repeats every 1024 bytes */
    DECODE_FRAG_HDB_WARP_KEYS = 32, /* HDB fragment reads: 4 keys a thread, 8 threads a row */
    DECODE_FRAG_HDB_MIN_KEYS = 128, /* HDB fragment tiles by cp.async: 8 16-byte chunks a d row to swizzle */
    DECODE_SLAB_BULK_MAX = 16,      /* HDB blocks of up to 16 keys: bulk copies (FA_DEC_SLAB_BULK) */
    DECODE_FP8_SLAB_PAD = 4,        /* bytes a key an fp8 slab is padded by (FA_DEC_ENTRY_STRIDE) */
    /* fa_key.decode_tile64: fp8 fragment tiles of 64 keys x 2 warps, more CTAs an H100 SM
     * (d128 NHD: 1.81x the bf16 tokens/s at 64 x 4096 against 1.77x for 128 x 4, slower when
     * split: bench/results/2026-11-27-h100-session5/sweep; HDB at two stages: session 11). */
    DECODE_TILE64_KEYS = 64,
    DECODE_TILE64_WARPS = 2,
    /* Dense K/V (FA_DEC_DENSE) plan as an NHD cache of blocks this long: at least every
     * tile's keys, so a tile is one entry, one address step */
    DECODE_DENSE_BLOCK = 128,
};

/* A tile scan's shared memory: its visited count, its first visit's class and two bit sets
 * of 192 words (templates/fa_scan.cuh FA_SCAN_WORDS; tests/test_emit.c checks they agree). */
enum { FA_SCAN_BYTES = 4 * (2 + 2 * 192) };

/* Hopper (sm_90a, wgmma) forward tiles: 64 rows per consumer warpgroup, a producer
 * warpgroup, three K/V stages (bench/results/2026-11-26-h100-bench/README.md); d64: three
 * consumer warpgroups (192 rows, FlashAttention-3's choice) for light variants without a
 * score (fa_key.plain_score) over 16-bit K/V, two for the others (at 160 registers a
 * consumer thread ALiBi spilled 164 bytes, softcap 12-28) and for fp8 caches (their two
 * producer warpgroups leave too few registers). fp8 caches (stages_fp8, producers_fp8):
 * two 16-bit stages, plus the byte stages their copies land in (three would not fit at
 * d128), and two producer warpgroups sharing the conversions, whose instruction stream
 * one warpgroup could not issue fast enough (chunked prefill 1.20-1.41x dense -> 1.04-1.13x:
 * bench/results/2026-11-28-h100-session18). d256: two stages (the consumers' O takes 128
 * registers a thread) of 80-key tiles (224 KB, FlashAttention-3's choice) for light
 * variants (fa_key.light) over dense or varlen K/V, else of 64-key ones (192 KB): paged
 * tiles hold whole blocks, and with the wider tile the other variants' per-element work
 * spilled registers (H200: none, causal, softcap 1.02-1.05x; sliding window, ALiBi,
 * document 0.78-0.98x: bench/results/2026-11-30-h200-session37); fp8 caches in blocks of
 * up to 64 keys at one 16-bit stage (two and the byte stages would not fit) and one
 * producer warpgroup (two leave the consumers 128 registers, which m64n256 accumulators
 * do not fit in). d192: three stages of 64-key tiles (192 KB; two of 96 or 112 keys
 * spilled 140 and 380 bytes); fp8 caches in blocks of up to 64 keys. d96: d128's tiles,
 * whose last 32 columns neither Q.K^T nor P.V reads (fa3_tile_d); dense or varlen 16-bit
 * K/V only. */
typedef struct fa3_tile_config {
    int head_dim, block_m, block_n, block_n_narrow, stages, stages_fp8, producers_fp8;
} fa3_tile_config;

static const fa3_tile_config fa3_tiles[] = {
    {64, 192, 128, 128, 3, 2, 2},
    {96, 128, 128, 128, 3, 0, 0},
    {128, 128, 128, 128, 3, 2, 2},
    {192, 128, 64, 64, 3, 2, 2},
    {256, 128, 80, 64, 2, 1, 1},
};
enum {
    FA3_NUM_TILES = sizeof fa3_tiles / sizeof fa3_tiles[0],
    FA3_COLUMN_BLOCK = 64,      /* 16-bit columns of a 128-byte swizzle block */
    FA3_PRODUCER_WARPS = 4,     /* a producer warpgroup */
    FA3_TWO_CONSUMERS_M = 128,  /* rows of d64 keys with a score or an fp8 cache */
    FA3_BYTE_STAGES = 2,        /* fp8 caches: templates/fa3_fwd.cuh FA3_BYTE_STAGES, of K and V bytes */
    FA3_SMEM_SLACK = 1024 + 128, /* 1024-byte tile alignment, then the mbarriers (4 a stage, Q's)
                                  * and fp8's entry word (templates/fa3_fwd.cuh fa3_bad_word); a tile
                                  * scan's area follows (FA3_SCAN_AT) */
};

/* Columns of fa3_fwd's shared tiles: the head dim in whole 64-column (128-byte swizzle)
 * blocks (templates/fa3_fwd.cuh FA3_TILE_D). */
static int fa3_tile_d(int head_dim)
{
    return (head_dim + FA3_COLUMN_BLOCK - 1) / FA3_COLUMN_BLOCK * FA3_COLUMN_BLOCK;
}

static void plan_fa3(const fa3_tile_config *t, const fa_key *key, fa_plan *plan)
{
    bool kv_fp8 = fa_dtype_size(key->kv_dtype) == 1;
    plan->tmpl = FA_TEMPLATE_FA3_FWD;
    plan->template_file = "fa3_fwd.cuh";
    plan->block_m = key->plain_score && !kv_fp8 ? t->block_m : FA3_TWO_CONSUMERS_M;
    plan->block_n = key->light && !key->paged_block_size ? t->block_n : t->block_n_narrow;
    plan->num_warps = plan->block_m / 16 + (kv_fp8 ? t->producers_fp8 : 1) * FA3_PRODUCER_WARPS;
    plan->stages = kv_fp8 ? t->stages_fp8 : t->stages;
    plan->smem_bytes = (plan->block_m + 2 * plan->stages * plan->block_n) * fa3_tile_d(t->head_dim) *
                           fa_dtype_size(key->dtype) +
                       (kv_fp8 ? FA3_BYTE_STAGES * 2 * plan->block_n * t->head_dim : 0) + FA3_SMEM_SLACK +
                       (key->tile_scan ? FA_SCAN_BYTES : 0);
    plan->tile_scan = key->tile_scan;
    plan->threads = 32 * plan->num_warps;
}

#define FA_SUPPORTED_HEAD_DIMS "64, 96, 128, 192, 256"

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

/* CTAs of `bytes` dynamic shared memory and `threads` threads an SM holds: each SM has one
 * block's limit plus the 1 KB the driver reserves a CTA. 2048 threads an SM is sm_80's and
 * sm_90a's (sm_86/sm_89 have 1536; the claims kernels using this are sm_90a only). */
static int smem_ctas(fa_arch arch, int bytes, int threads)
{
    enum { SMEM_RESERVED_PER_CTA = 1024, THREADS_PER_SM = 2048 };
    int ctas = (smem_limit(arch) + SMEM_RESERVED_PER_CTA) / (bytes + SMEM_RESERVED_PER_CTA);
    if (ctas > THREADS_PER_SM / threads)
        ctas = THREADS_PER_SM / threads;
    return ctas > 1 ? ctas : 1;
}

/* Shared-memory rows are padded to whole 128-byte swizzle atoms (templates/fa2_fwd.cuh). */
enum { FA_SWIZZLE_ATOM_ELEMS = 64 };

/* fa2_fwd's shared memory: the Q tile and `stages` K/V tiles of the query type, or with an
 * fp8 cache one 16-bit K/V tile and `stages` byte stages of K and V copies; then a tile
 * scan's area for a key that scans (templates/fa2_fwd.cuh FA2_SCAN_AT). */
static int smem_bytes(const fa_tile_config *t, const fa_key *key)
{
    int row = (t->head_dim + FA_SWIZZLE_ATOM_ELEMS - 1) / FA_SWIZZLE_ATOM_ELEMS * FA_SWIZZLE_ATOM_ELEMS;
    int es = fa_dtype_size(key->dtype), scan = key->tile_scan ? FA_SCAN_BYTES : 0;
    if (fa_dtype_size(key->kv_dtype) == 1)
        return (t->block_m + 2 * t->block_n) * row * es + t->stages * 2 * t->block_n * t->head_dim + scan;
    return (t->block_m + t->stages * 2 * t->block_n) * row * es + scan;
}

/* An fp8 cache at a power-of-two head dim: its mma fragments may come straight from the
 * byte tiles (FA_DEC_FRAG), which wide tiles serve. */
static bool decode_frag(const fa_key *key)
{
    int d = key->head_dim;
    return fa_dtype_size(key->kv_dtype) == 1 && (d & (d - 1)) == 0;
}

/* HDB slabs that come by one bulk copy each (FA_DEC_SLAB_BULK with FA_DEC_TMA): sm_90a,
 * blocks of up to DECODE_SLAB_BULK_MAX keys; their tiles are slab after slab, unswizzled. */
static bool decode_hdb_bulk(const fa_key *key)
{
    return key->arch == FA_ARCH_SM90A && key->paged_layout == FA_PAGED_HDB &&
           key->paged_block_size <= DECODE_SLAB_BULK_MAX;
}

/* FA_DEC_FRAG of paged_decode.cuh for a tile: NHD always, HDB at 32 keys a warp in tiles of
 * 128 keys or more (the cp.async tiles' swizzle is made for those), or of 64 when the slabs
 * come by bulk copy. */
static bool decode_frag_tile(const fa_key *key, int block_n, int warps)
{
    int min_keys = decode_hdb_bulk(key) ? DECODE_TILE64_KEYS : DECODE_FRAG_HDB_MIN_KEYS;
    return decode_frag(key) && (key->paged_layout == FA_PAGED_NHD ||
                                (block_n / warps == DECODE_FRAG_HDB_WARP_KEYS && block_n >= min_keys));
}

/* FA_DEC_TMA for a tile: K/V by TMA (or bulk copies) on sm_90a, for 16-bit caches and for
 * fp8 HDB fragment tiles of blocks of up to 16 keys, whose slabs come as one plain bulk copy
 * each (as cp.async copies they read at 0.6-0.7x the speed of larger blocks on an H100).
 * fp8 NHD fragment tiles by TMA (128-byte swizzle) measured 3-20% slower than by cp.async:
 * bench/results/2026-11-27-h100-session4. */
static bool decode_tma(const fa_key *key, int block_n, int warps)
{
    if (key->arch != FA_ARCH_SM90A)
        return false;
    return fa_dtype_size(key->kv_dtype) == 2 || (decode_hdb_bulk(key) && decode_frag_tile(key, block_n, warps));
}

/* 16-bit TMA tiles of 32 keys of a longer HDB block load rows of 64 bytes, which TMA moves
 * slowly: HDB blocks of 64 keys or more keep the 64-key tile (128-byte rows). Whole blocks
 * of 32 keys come two d rows to a 128-byte row (FA_DEC_HDB_FOLD). */
static bool decode_tma_narrow(const fa_key *key)
{
    return key->arch == FA_ARCH_SM90A && fa_dtype_size(key->kv_dtype) == 2 &&
           (key->paged_layout == FA_PAGED_NHD || key->paged_block_size < 64);
}

/* Shared memory of the decode template, mirroring its FA_SM_* map: the pipeline (Q tile,
 * K/V stages, fp8 warp buffers, block-table ring and its tiles, stage mbarriers) or the warps' final
 * (O, max, sum) after the Q tile, whichever is larger. TMA stages start 1024-aligned, their
 * entries FA_DEC_ENTRY_STRIDE apart (fp8 slabs padded by DECODE_FP8_SLAB_PAD a key); the
 * base is aligned at run time (slack). `tma`: the tile's FA_DEC_TMA. */
static int decode_smem(const fa_key *key, int block_m, int block_n, int warps, int stages, bool tma)
{
    int d = key->head_dim, bs = key->paged_block_size, wk = block_n / warps;
    bool fp8 = fa_dtype_size(key->kv_dtype) == 1, nhd = key->paged_layout == FA_PAGED_NHD;
    int q = block_m * (d + DECODE_PAD) * 2, bse = bs < block_n ? bs : block_n;
    int stage = fp8 ? block_n * d : nhd ? block_n * (d + DECODE_PAD) * 2 : d * (block_n + DECODE_PAD) * 2;
    if (tma) { /* entries FA_DEC_ENTRY_STRIDE apart (fp8 slabs padded) */
        q = (q + DECODE_TMA_ALIGN - 1) / DECODE_TMA_ALIGN * DECODE_TMA_ALIGN;
        stage = block_n / bse * (fp8 ? d * bse + bse * DECODE_FP8_SLAB_PAD : d * bse * 2);
    }
    int warp_bufs = fp8 && !decode_frag_tile(key, block_n, warps) ? warps * 2 * (nhd ? wk * (d + DECODE_PAD) : d * (wk + DECODE_PAD)) * 2 : 0;
    int ring = (stages + 1) * (block_n / bse + 1) * DECODE_F32; /* a slot's entries and its tile's list index */
    int bars = DECODE_MBAR_SLACK + DECODE_MBAR * stages; /* a stage's mbarrier, 8-aligned */
    int pipeline = q + 2 * stages * stage + warp_bufs + ring + bars;
    int combine = q + warps * block_m * (d + DECODE_COMBINE_PAD + 2) * DECODE_F32;
    return (pipeline > combine ? pipeline : combine) + (tma ? DECODE_TMA_ALIGN : 0);
}

/* Query rows a KV head a decode plan sizes its CTA for: the key's decode_rows (several new
 * tokens), else its GQA ratio. */
static int decode_rows(const fa_key *key)
{
    return key->decode_rows > key->gqa_ratio ? key->decode_rows : key->gqa_ratio;
}

/* The 128-key fragment tile of a key with one row tile, which decode_tile64 halves (HDB:
 * slabs by bulk copy only, whose tiles need no 128-key swizzle). */
static bool decode_wide(const fa_key *key, const fa_decode_config *t)
{
    return decode_frag(key) && decode_rows(key) <= DECODE_ROW_TILE && t->block_n_frag == 2 * DECODE_TILE64_KEYS &&
           (key->paged_layout == FA_PAGED_NHD || decode_hdb_bulk(key));
}

static const fa_decode_config *decode_config(int head_dim)
{
    for (int i = 0; i < DECODE_NUM_TILES; i++)
        if (decode_tiles[i].head_dim == head_dim)
            return &decode_tiles[i];
    return NULL;
}

bool fa_plan_has_tile64(const fa_key *key)
{
    const fa_decode_config *t = decode_config(key->head_dim);
    return key->arch == FA_ARCH_SM90A && key->decode && key->paged_block_size && !key->decode_tile64 &&
           !key->decode_claims && t && decode_wide(key, t);
}

/* fa3_fwd's tiles for a forward key: sm_90a, 16-bit K/V or a paged fp8 cache (whose tiles
 * hold whole blocks: templates/fa3_fwd.cuh fa3_chunk8_at), a head dim it has tiles for
 * (padded ones over dense or varlen K/V only); else NULL. */
static const fa3_tile_config *fa3_tile(const fa_key *key)
{
    bool kv_fp8 = fa_dtype_size(key->kv_dtype) == 1;
    if (key->arch != FA_ARCH_SM90A || (kv_fp8 && !key->paged_block_size))
        return NULL;
    for (int i = 0; i < FA3_NUM_TILES; i++)
        if (fa3_tiles[i].head_dim == key->head_dim &&
            (!key->paged_block_size || fa3_tile_d(key->head_dim) == key->head_dim))
            return !kv_fp8 || (fa3_tiles[i].stages_fp8 && key->paged_block_size <= fa3_tiles[i].block_n_narrow)
                       ? &fa3_tiles[i]
                       : NULL;
    return NULL;
}

bool fa_plan_fa3_forward(const fa_key *key)
{
    return fa3_tile(key) != NULL;
}

int fa_plan_decode_block_m(int head_dim, int64_t rows)
{
    int64_t row_tiles = (rows + DECODE_ROW_TILE - 1) / DECODE_ROW_TILE;
    int max_tiles = DECODE_MAX_TILES_X_DIM / head_dim;
    if (max_tiles > DECODE_MAX_ROW_TILES)
        max_tiles = DECODE_MAX_ROW_TILES;
    if (max_tiles < 1)
        max_tiles = 1;
    return DECODE_ROW_TILE * (int)(row_tiles < max_tiles ? row_tiles : max_tiles);
}

/* fa_key.decode_claims (FA_DEC_CLAIMS): the splits of a split launch claim tiles from a
 * shared counter instead of taking even shares, so CTAs that stream faster take more. HDB
 * fp8 caches only: there the slowest SMs set the end (H100, 1 x 131072: CTAs end p50 91 us,
 * the last 107-113) and claims took 1 x 131072 from 114-118 to 105-108 us, 8 x 32768 from
 * 207-210 to 199-204. NHD fp8 lost 5-7% (its KV heads read a block's interleaved rows
 * together; claims scatter them), also with the first 4/8 or 6/8 of the tiles in even
 * shares, and 16-bit caches moved +-1% (bench/results/2026-11-27-h100-session9). A sibling
 * kernel: the claim code cost unsplit launches 1-2%. Only where it compiles without spills
 * (claims_spill_sweep.txt there): sm_90a slabs of up to 16 keys by bulk copy, one 16-row
 * tile; the cp.async paths at wider blocks or two row tiles, and sm_80, spilled 8-56 bytes. */
static bool decode_claims_allowed(const fa_key *key)
{
    return key->decode && decode_hdb_bulk(key) && key->paged_block_size && key->head_dim > 0 &&
           fa_dtype_size(key->kv_dtype) == 1 && fa_plan_decode_block_m(key->head_dim, decode_rows(key)) == DECODE_ROW_TILE;
}

bool fa_plan_has_claims(const fa_key *key)
{
    return decode_claims_allowed(key) && !key->decode_claims;
}

static fa_status plan_decode(const fa_key *key, fa_plan *plan, char *err, size_t errlen)
{
    const fa_decode_config *t = decode_config(key->head_dim);
    if (!t) {
        snprintf(err, errlen, "head_dim %d is not supported (supported: " FA_SUPPORTED_HEAD_DIMS ")", key->head_dim);
        return FA_ERR_UNSUPPORTED;
    }
    /* Dense K/V plan as an NHD cache whose blocks are DECODE_DENSE_BLOCK keys of the sequence,
     * by cp.async when packed (a tensor map would need the packed rows' total, device data). */
    fa_key as_cache;
    bool dense = !key->paged_block_size;
    if (dense) {
        as_cache = *key;
        as_cache.paged_block_size = DECODE_DENSE_BLOCK;
        as_cache.paged_layout = FA_PAGED_NHD;
        key = &as_cache;
    }
    if (key->decode_rows < 0 || key->decode_rows > DECODE_ROW_TILE * DECODE_MAX_ROW_TILES ||
        key->decode_rows % DECODE_ROW_TILE) {
        snprintf(err, errlen, "decode_rows %d is invalid (0, or a multiple of %d up to %d)", key->decode_rows,
                 DECODE_ROW_TILE, DECODE_ROW_TILE * DECODE_MAX_ROW_TILES);
        return FA_ERR_INVALID;
    }
    int block_m = fa_plan_decode_block_m(key->head_dim, decode_rows(key));
    /* decode_rows that size the CTA as the GQA ratio alone would only fork the name and the
     * cache entry of the same kernel (the runtime never sets such a value). */
    if (key->decode_rows && block_m == fa_plan_decode_block_m(key->head_dim, key->gqa_ratio)) {
        snprintf(err, errlen, "decode_rows %d sizes the CTA as the GQA ratio %d alone does (%d rows at head_dim %d): "
                              "leave it 0", key->decode_rows, key->gqa_ratio, block_m, key->head_dim);
        return FA_ERR_INVALID;
    }
    /* The fragment path's wider tile only for one row tile: more rows at 128 keys spill. */
    bool packed_dense = dense && key->varlen;
    bool wide = decode_frag(key) && block_m == DECODE_ROW_TILE, narrow = decode_tma_narrow(key) && !packed_dense;
    bool tile64 = key->decode_tile64;
    if (tile64 && (!decode_wide(key, t) || key->decode_claims)) {
        snprintf(err, errlen, "decode_tile64 applies to fp8 decode keys at head_dim 64 or 128 with at most %d query "
                              "rows a KV head (GQA ratio, or decode_rows), NHD caches or (sm_90a) HDB blocks of up to "
                              "%d keys, and not with decode_claims", DECODE_ROW_TILE, DECODE_SLAB_BULK_MAX);
        return FA_ERR_UNSUPPORTED;
    }
    int block_n = narrow ? t->block_n_tma : tile64 ? DECODE_TILE64_KEYS : wide ? t->block_n_frag : t->block_n;
    int warps = narrow ? t->warps_tma : tile64 ? DECODE_TILE64_WARPS : t->num_warps;
    /* measured on an H100 only: other GPUs keep stages_frag (and launch no tile64 keys) */
    bool sm90 = key->arch == FA_ARCH_SM90A;
    int stages_frag = sm90 && key->paged_layout == FA_PAGED_NHD ? t->stages_frag_nhd_sm90 : t->stages_frag;
    int stages_tile64 = sm90 ? t->stages_tile64 : stages_frag;
    int stages = narrow   ? t->stages_tma
                 : tile64 ? stages_tile64
                 : wide   ? stages_frag
                 : fa_dtype_size(key->kv_dtype) == 1 ? t->stages_fp8
                                                     : t->stages_16bit;
    /* Fit the arch: fewer stages (down to two), then tiles of half the keys for half the
     * warps, each warp keeping its keys (d192 and d256 on sm_86/sm_89's 99 KB but fp8 NHD
     * d256's fragment tiles; the fp8 HDB warp buffers at d256 on sm_80), back at the planned
     * stages. */
    int limit = smem_limit(key->arch), planned_stages = stages, bytes;
    for (;;) {
        bool tma = !packed_dense && decode_tma(key, block_n, warps);
        while ((bytes = decode_smem(key, block_m, block_n, warps, stages, tma)) > limit && stages > 2)
            stages--;
        if (bytes <= limit || warps == 1 || tile64 || narrow)
            break;
        block_n /= 2;
        warps /= 2;
        stages = planned_stages;
    }
    if (bytes > limit) {
        snprintf(err, errlen, "%s decode at head_dim %d needs more shared memory than %s offers",
                 dense ? "dense" : "paged", key->head_dim, fa_arch_name(key->arch));
        return FA_ERR_UNSUPPORTED;
    }
    plan->tmpl = FA_TEMPLATE_PAGED_DECODE;
    plan->template_file = "paged_decode.cuh";
    plan->block_m = block_m;
    plan->block_n = block_n;
    plan->num_warps = warps;
    plan->stages = stages;
    plan->smem_bytes = bytes;
    plan->threads = 32 * warps;
    plan->tma = !packed_dense && decode_tma(key, block_n, warps);
    int bse = key->paged_block_size < block_n ? key->paged_block_size : block_n;
    plan->tensor_maps = plan->tma && (key->paged_layout == FA_PAGED_NHD || bse > DECODE_SLAB_BULK_MAX);
    plan->tile_claims = key->decode_claims;
    /* Claims kernels are compiled for the CTAs their shared memory allows: at d128 ptxas's own
     * choice (168 registers, room for three CTAs where two fit) serialized the V fragment loads
     * behind the claim state; with 192, 8 x 32768 took 151.1 us instead of 163.6 on an H200
     * (bench/results/2026-11-29-h200-session28). The runtime takes the sibling only where it
     * holds as many CTAs as the key's own kernel (pick_claims), which this keeps. */
    plan->min_ctas = key->decode_claims ? smem_ctas(key->arch, bytes, plan->threads) : 0;
    plan->dense_block = dense ? DECODE_DENSE_BLOCK : 0;
    return FA_OK;
}

static const fa_tile_config *fa2_tile(int head_dim)
{
    for (int i = 0; i < FA2_NUM_TILES; i++)
        if (fa2_tiles[i].head_dim == head_dim)
            return &fa2_tiles[i];
    return NULL;
}

fa_status fa_plan_check_types(const fa_key *key, char *err, size_t errlen)
{
    const struct {
        const char *name;
        int value, count;
    } enums[] = {{"dtype", (int)key->dtype, FA_DTYPE__COUNT},
                 {"kv_dtype", (int)key->kv_dtype, FA_DTYPE__COUNT},
                 {"paged_layout", (int)key->paged_layout, FA_PAGED_NHD + 1}};
    for (size_t i = 0; i < sizeof enums / sizeof enums[0]; i++)
        if (enums[i].value < 0 || enums[i].value >= enums[i].count) {
            snprintf(err, errlen, "key %s %d is out of range (0..%d)", enums[i].name, enums[i].value,
                     enums[i].count - 1);
            return FA_ERR_INVALID;
        }
    if (!fa2_tile(key->head_dim)) {
        snprintf(err, errlen, "head_dim %d is not supported (supported: " FA_SUPPORTED_HEAD_DIMS ")",
                 key->head_dim);
        return FA_ERR_UNSUPPORTED;
    }
    if (key->dtype != FA_DTYPE_FP16 && key->dtype != FA_DTYPE_BF16) {
        snprintf(err, errlen, "dtype %s is not supported for queries and outputs (supported: fp16, bf16)",
                 fa_dtype_name(key->dtype));
        return FA_ERR_UNSUPPORTED;
    }
    bool kv_fp8 = key->kv_dtype == FA_DTYPE_FP8E4M3 || key->kv_dtype == FA_DTYPE_FP8E5M2;
    if (key->kv_dtype != key->dtype && !(key->paged_block_size && kv_fp8)) {
        snprintf(err, errlen,
                 "kv_dtype %s differs from dtype %s: only paged KV caches may have another type, and only "
                 "fp8 (e4m3, e5m2)",
                 fa_dtype_name(key->kv_dtype), fa_dtype_name(key->dtype));
        return FA_ERR_UNSUPPORTED;
    }
    return FA_OK;
}

fa_status fa_plan_key(const fa_key *key, fa_plan *plan, char *err, size_t errlen)
{
    *plan = (fa_plan){0};
    fa_status ts = fa_plan_check_types(key, err, errlen);
    if (ts)
        return ts;
    const fa_tile_config *base = fa2_tile(key->head_dim);
    if (key->decode_claims && !decode_claims_allowed(key)) {
        snprintf(err, errlen, "decode_claims applies to paged decode keys of fp8 HDB caches on sm_90a with blocks of "
                              "up to %d keys and one %d-row tile a CTA (decode, layout hdb, kv_dtype fp8e4m3 or "
                              "fp8e5m2)", DECODE_SLAB_BULK_MAX, DECODE_ROW_TILE);
        return FA_ERR_UNSUPPORTED;
    }
    if (key->decode_tile64 && !key->decode) {
        snprintf(err, errlen, "decode_tile64 is a paged decode tile: set decode too");
        return FA_ERR_UNSUPPORTED;
    }
    if (key->decode_rows && !key->decode) {
        snprintf(err, errlen, "decode_rows sizes paged decode CTAs: set decode too, or leave it 0");
        return FA_ERR_UNSUPPORTED;
    }
    if (key->gqa_ratio < 1) {
        snprintf(err, errlen, "gqa ratio %d is invalid (query heads per KV head, at least 1)", key->gqa_ratio);
        return FA_ERR_INVALID;
    }
    if (key->decode && !key->paged_block_size)
        return plan_decode(key, plan, err, errlen); /* dense K/V read by the decode template */
    if (key->paged_block_size) {
        if (!fa_paged_block_size_valid(key->paged_block_size)) {
            snprintf(err, errlen, "paged block size %d is invalid (valid: " FA_PAGED_BLOCK_SIZES ")",
                     key->paged_block_size);
            return FA_ERR_UNSUPPORTED;
        }
        if (key->decode)
            return plan_decode(key, plan, err, errlen);
        if (key->paged_layout != FA_PAGED_NHD && !fa_plan_fa3_forward(key)) {
            snprintf(err, errlen,
                     "paged layout hdb ([blocks, kv_heads, head_dim, block_size]) on %s with a %s cache at "
                     "head dim %d is read by the paged decode template only (decode keys); the forward "
                     "template reads hdb caches on sm_90a at head dims 64 and 128, and 192 and 256 (16-bit "
                     "caches, and fp8 ones in blocks of up to 64 keys), and the nhd layout "
                     "([blocks, block_size, kv_heads, head_dim]) everywhere",
                     fa_arch_name(key->arch), fa_dtype_name(key->kv_dtype), key->head_dim);
            return FA_ERR_UNSUPPORTED;
        }
    }
    const fa3_tile_config *t3 = fa3_tile(key); /* paged keys reaching here are not decode; hdb ones plan here */
    if (t3) {
        plan_fa3(t3, key, plan);
        return FA_OK;
    }
    /* Shrink the configuration until it fits the arch: fewer stages, then fewer rows. */
    fa_tile_config t = *base;
    int limit = smem_limit(key->arch);
    bool kv_fp8 = fa_dtype_size(key->kv_dtype) == 1;
    while (smem_bytes(&t, key) > limit && t.stages > 1)
        t.stages--;
    while (smem_bytes(&t, key) > limit && t.block_m > 16 * t.num_warps)
        t.block_m /= 2;
    while (smem_bytes(&t, key) > limit && t.num_warps > 4) {
        t.num_warps /= 2;
        t.block_m /= 2;
    }
    while (kv_fp8 && smem_bytes(&t, key) > limit && t.block_n > 32) /* the byte stages: d256 on 99 KB */
        t.block_n /= 2;
    if (smem_bytes(&t, key) > limit) {
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
    plan->smem_bytes = smem_bytes(&t, key);
    plan->threads = 32 * t.num_warps;
    plan->tile_scan = key->tile_scan;
    return FA_OK;
}
