/* paged.c - decode launches (paged caches, and dense K/V read the same way): the split-KV
 * choice, the caller's workspace, the decode kernel (or a sibling) then the merge kernel.
 * FADSL_DEBUG_CHECKS' validation: check.c. */
#include "fart.h"

#include <limits.h>
#include <stdatomic.h>
#include <stdint.h>

enum {
    FART_CU_ATTR_THREADS_PER_SM = 39,    /* CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR */
    FART_CU_ATTR_SMEM_PER_SM = 81,       /* CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR */
    FART_CU_ATTR_BLOCKS_PER_SM = 106,    /* CU_DEVICE_ATTRIBUTE_MAX_BLOCKS_PER_MULTIPROCESSOR */
    FART_CU_ATTR_SMEM_RESERVED = 111,    /* CU_DEVICE_ATTRIBUTE_RESERVED_SHARED_MEMORY_PER_BLOCK */
    /* Query rows a KV head (GQA x new tokens) up to which a request takes the decode
     * template, above which the forward template (H100, 32/8 heads, d128, 8 x 8192 keys,
     * causal, shuffled tables):
     * - Caches fa3_fwd serves (fa_plan_fa3_forward): 128 (at d192 and d256, not measured).
     *   At 68-128 rows decode took 0.20-0.23 ms against fa3_fwd's 0.26-0.30 (NHD) and
     *   0.23-0.53 (HDB), at 192 rows 0.37-0.39 against 0.23-0.32 (block sizes 16-128): bench/results/
     *   2026-11-27-h100-session15, hdb_threshold.txt and nhd_threshold.txt. HDB blocks of 8
     *   keys too since fa3_fwd copies them whole (bench/results/2026-11-27-h100-session16,
     *   bs8_threshold.txt).
     *   fp8 NHD caches too: fa3_fwd 0.37 ms against decode's 0.44 at 132 rows (bench/results/
     *   2026-11-27-h100-session16, fp8_threshold.txt).
     * - fp8 HDB caches fa3_fwd serves: 160 (at d192, not measured). Decode 0.32 ms against
     *   fa3_fwd's 0.38 at 132-160 rows, 0.39 against 0.38 at 176 and 192 (fp8_threshold.txt,
     *   fp8_hdb_threshold.txt).
     * - Other 16-bit NHD caches (fa2_fwd: other archs, d96): 64, not measured
     *   against 128.
     * - Other fp8 NHD caches (fa2_fwd): 256. Decode 0.445 ms against fa2_fwd's 0.497 at 256
     *   rows, 0.648 against 0.518 at 320 (bench/results/2026-11-27-h100-session14/
     *   fp8_chunks_ab*.txt).
     * - HDB caches fa3_fwd does not serve: every count. */
    DECODE_MAX_ROWS_FA3 = 128,
    DECODE_MAX_ROWS_FA3_HDB_FP8 = 160,
    DECODE_MAX_ROWS = 64,
    DECODE_MAX_ROWS_WIDE = 256,
    DECODE_MIN_TILES_PER_SPLIT = 4, /* a split reads at least this many key tiles */
    DECODE_MAX_SPLITS = 128,
    WORKSPACE_ALIGN = 256,
};

bool fart_paged_decode(const fa_key *key, int tokens)
{
    bool hdb = key->paged_layout == FA_PAGED_HDB, fa3 = fa_plan_fa3_forward(key);
    if (hdb && !fa3)
        return true;
    bool fp8 = fa_dtype_size(key->kv_dtype) == 1;
    int max_rows = DECODE_MAX_ROWS_FA3;
    if (!fa3)
        max_rows = fp8 ? DECODE_MAX_ROWS_WIDE : DECODE_MAX_ROWS;
    else if (fp8 && hdb)
        max_rows = DECODE_MAX_ROWS_FA3_HDB_FP8;
    return (long long)key->gqa_ratio * tokens <= max_rows;
}

/* Whether a tensor map can address dense K or V (encode_tmaps): strides of whole 16-byte
 * units below 2^40 bytes, none 0 where its index varies, rows no closer than a row's
 * elements (a map's rows do not overlap its 128-byte d boxes). */
static bool tma_strides_ok(long long row, long long head, long long batch, int kv_heads, int batch_count, int head_dim)
{
    const long long limit = 1ll << 40;
    if (row < head_dim)
        return false;
    long long st[] = {row, kv_heads > 1 ? head : 8, batch_count > 1 ? batch : 8};
    for (int i = 0; i < 3; i++)
        if (st[i] <= 0 || st[i] >= limit / 2 || st[i] * 2 % 16)
            return false;
    return true;
}

/* Query rows a KV head up to which dense K/V take the decode template, by head dim: where
 * its time stays under the forward template's (H200, sm_90a, 8 x 8192 keys, 32 or 64 query /
 * 8 KV heads, bf16, CUDA-graph replays; bench/results/2026-11-29-h200-session26/run4, decode
 * / forward time): d64 0.37 at 128 rows, 0.68 at 256, 1.08 at 384; d96 0.69 at 96; d128 0.80
 * at 128, 1.30 at 160; d192 1.01 at 64, 1.97 at 96; d256 0.72 at 64, 1.39 at 80. Against
 * the Hopper forward at d256 and, since session 37, d192, 64 still holds: d256 0.65 at 64
 * rows, 1.27 at 80; d192 0.86 at 64 (bench/results/2026-11-30-h200-session37, run3 and
 * run6; d192 above 64 rows not measured; against d96's Hopper forward (session 38's
 * fa3_d96.diff) not measured). A CTA takes fewer rows at wider head dims
 * (fa_plan_decode_block_m), and each further row tile reads the K/V again. Other archs'
 * forward template (fa2_fwd) is no faster, so they keep these limits. */
static int dense_decode_max_rows(int head_dim)
{
    static const struct {
        int head_dim, rows;
    } limits[] = {{64, 256}, {96, 96}, {128, 128}, {192, 64}, {256, 64}};
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++)
        if (limits[i].head_dim == head_dim)
            return limits[i].rows;
    return 0;
}

bool fart_dense_decode(const fa_args *a, const fa_key *key, int tokens)
{
    if (fart_env_flag("FADSL_NO_DENSE_DECODE") || tokens < 1 || (!key->varlen && tokens > a->seqlen_k))
        return false;
    if ((long long)key->gqa_ratio * tokens > dense_decode_max_rows(key->head_dim))
        return false;
    fa_key dk = *key;
    dk.decode = true;
    fa_plan plan;
    char err[8];
    if (fa_plan_key(&dk, &plan, err, sizeof err) != FA_OK)
        return false;
    return !plan.tensor_maps ||
           (tma_strides_ok(a->k_row_stride, a->k_head_stride, a->k_batch_stride, a->kv_heads, a->batch, key->head_dim) &&
            tma_strides_ok(a->v_row_stride, a->v_head_stride, a->v_batch_stride, a->kv_heads, a->batch, key->head_dim));
}

/* Query rows of one KV head: its query heads times the new tokens (at most FART_MAX_LEN:
 * validate.c). */
static int64_t decode_rows(const fa_args *a)
{
    return (int64_t)(a->q_heads / a->kv_heads) * a->seqlen_q;
}

/* Splits of the key range: enough CTAs to fill every decode CTA slot of the GPU (`slots`),
 * no more (the whole grid then runs in one wave), each split DECODE_MIN_TILES_PER_SPLIT
 * tiles of the longest sequence or more (the kernel shares a sequence's tiles out evenly).
 * Lengths are bounded by a->seqlen_k (no host sync). The CTA count fits int64: row tiles
 * < 2^31, kv heads and batch < 2^16. */
static int choose_splits(const fa_args *a, const fa_plan *plan, int slots)
{
    long long ctas = (decode_rows(a) + plan->block_m - 1) / plan->block_m * a->kv_heads * a->batch;
    long long splits = slots / ctas;
    long long tiles = ((long long)a->seqlen_k + plan->block_n - 1) / plan->block_n;
    if (splits > tiles / DECODE_MIN_TILES_PER_SPLIT)
        splits = tiles / DECODE_MIN_TILES_PER_SPLIT;
    if (splits > DECODE_MAX_SPLITS)
        splits = DECODE_MAX_SPLITS;
    return splits > 1 ? (int)splits : 1;
}

/* Workspace layout of a split decode: one tile-claim counter a (sequence, KV head, row tile)
 * (fa_args.claim: FA_CLAIM_WORDS, a count and a tag), then split_o [splits, batch, q_heads,
 * q_len, D] float32, then split_lse. Splits > 1 only when splits x CTAs <= `slots` and a CTA
 * takes at most 64 rows, so split_o holds at most slots x 64 rows of head_dim <= 256 floats
 * (slots x 2^16 bytes): no overflow. */
static size_t ws_align(size_t n)
{
    return (n + WORKSPACE_ALIGN - 1) / WORKSPACE_ALIGN * WORKSPACE_ALIGN;
}

static size_t claim_counters(const fa_args *a, int block_m)
{
    return (size_t)a->batch * a->kv_heads * (size_t)((decode_rows(a) + block_m - 1) / block_m);
}

static size_t split_o_offset(const fa_args *a, int block_m)
{
    return ws_align(FA_CLAIM_WORDS * sizeof(unsigned long long) * claim_counters(a, block_m));
}

static size_t lse_offset(const fa_args *a, int block_m, int splits, int head_dim)
{
    return split_o_offset(a, block_m) +
           ws_align((size_t)splits * a->batch * a->q_heads * a->seqlen_q * head_dim * sizeof(float));
}

static size_t workspace_bytes(const fa_args *a, int block_m, int splits, int head_dim)
{
    return splits > 1 ? lse_offset(a, block_m, splits, head_dim) +
                            (size_t)splits * a->batch * a->q_heads * a->seqlen_q * sizeof(float)
                      : 0;
}

/* A different tag each launch (fa_args.claim_tag), so that whatever a workspace's counters
 * hold before a launch is never taken for this one's (splitmix64 of a count). 64 bits: a
 * CUDA graph replays one tag, and whatever other launches write to its workspace between
 * replays (its memory reused, under capture, by later operations) matches it with odds of
 * 2^-64 a counter. Never 0 (the merge leaves counters zeroed) or all ones (memory filled
 * with 0xff bytes). */
static unsigned long long claim_tag(void)
{
    static _Atomic unsigned long long calls;
    unsigned long long z = ++calls * 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return z == 0 || z == ~0ull ? 1 : z;
}

/* Decode CTAs the current device holds at once: SMs x CTAs an SM. Without the kernel
 * (fadsl_workspace_size, before it is compiled) as shared memory, threads and the block
 * limit allow; with it (`fn`, at launch) also as its registers allow
 * (cuOccupancyMaxActiveBlocksPerMultiprocessor), never more than the first count, so a
 * launch never wants more splits than the workspace size reported. */
static fadsl_status decode_slots(const fart_cu *cu, const fa_plan *plan, CUfunction fn, int *slots)
{
    CUdevice dev;
    int sms, smem, reserved, threads, blocks;
    fadsl_status s = fart_cu_check(cu->CtxGetDevice(&dev), "cuCtxGetDevice");
    static const int attrs[] = {FART_CU_ATTR_SM_COUNT, FART_CU_ATTR_SMEM_PER_SM, FART_CU_ATTR_SMEM_RESERVED,
                                FART_CU_ATTR_THREADS_PER_SM, FART_CU_ATTR_BLOCKS_PER_SM};
    int *vals[] = {&sms, &smem, &reserved, &threads, &blocks};
    for (int i = 0; i < 5 && !s; i++)
        s = fart_cu_check(cu->DeviceGetAttribute(vals[i], attrs[i], dev), "cuDeviceGetAttribute");
    if (s)
        return s;
    int per_sm = smem / (plan->smem_bytes + reserved);
    if (per_sm > threads / plan->threads)
        per_sm = threads / plan->threads;
    if (per_sm > blocks)
        per_sm = blocks;
    int resident = per_sm;
    if (fn && (s = fart_cu_check(cu->OccupancyMaxActiveBlocksPerMultiprocessor(&resident, fn, plan->threads,
                                                                                (size_t)plan->smem_bytes),
                                 "cuOccupancyMaxActiveBlocksPerMultiprocessor")))
        return s;
    if (per_sm > resident)
        per_sm = resident;
    *slots = sms * (per_sm > 1 ? per_sm : 1);
    return FADSL_OK;
}

fadsl_status fadsl_workspace_size(const fadsl_fwd_desc *d, size_t *bytes)
{
    if (!bytes) {
        fart_clear_error();
        return fart_fail(FADSL_ERR_NULL_POINTER, "bytes is NULL");
    }
    fa_key key;
    fadsl_status s = fadsl_make_key(d, &key);
    if (s)
        return s;
    *bytes = 0;
    if (!key.decode)
        return FADSL_OK;
    fa_plan plan;
    char err[512];
    fa_status ps = fa_plan_key(&key, &plan, err, sizeof err);
    if (ps != FA_OK)
        return fart_fail((fadsl_status)ps, "%s", err);
    CUcontext ctx;
    int cc, slots;
    const fart_cu *cu;
    if ((s = fart_context(d->device, &ctx, &cc)) || (s = fart_driver(&cu)) || (s = decode_slots(cu, &plan, NULL, &slots)))
        return s;
    const fa_program *p;
    fa_args args;
    if ((s = fart_variant_get(d->variant, &p)) || (s = fart_fill_args(d, p, &args)))
        return s;
    *bytes = workspace_bytes(&args, plan.block_m, choose_splits(&args, &plan, slots), d->head_dim);
    return FADSL_OK;
}

/* cuTensorMapEncodeTiled's enum values (cuda.h). */
enum {
    TMAP_UINT16 = 1,
    TMAP_SWIZZLE_NONE = 0, /* then 32B, 64B, 128B: 1, 2, 3 */
    TMAP_L2_128B = 2,
    TMAP_L2_256B = 3,
    TMAP_MAX_RANK = 5,
};

/* The swizzle mode of rows `bytes` long (16: none). */
static int tmap_swizzle(uint64_t bytes)
{
    return bytes >= 128 ? 3 : bytes == 64 ? 2 : bytes == 32 ? 1 : TMAP_SWIZZLE_NONE;
}

/* Tensor maps of the K and V caches for a FA_DEC_TMA decode (paged_decode.cuh's layouts;
 * strides in bytes, dims innermost first, a box of the CTA's keys of one block entry):
 *   NHD, 5-d: (bd d of a box, key of the block, d box, kv head, block), box (bd, keys, D / bd,
 *     1, 1); bd 64 (128-byte rows), or 32 when D is no multiple of 64;
 *   dense K/V (not packed) the same with the sequence's keys for the block's and sequences
 *     for blocks, by the request's strides (fart_dense_decode checked them);
 *   HDB, 3-d: (key of the block, kv head * D + d, block), box (keys, D, 1); a whole block of
 *     rows under 128 bytes (32 keys) as (fold x keys, (kv head * D + d) / fold, block), box
 *     (128 bytes, D / fold, 1), fold d rows a 128-byte row (FA_DEC_HDB_FOLD);
 * Rows are swizzled over their width. L2 fills are 128 bytes, except for HDB rows of 256
 * bytes (block size 128), where a box takes half a row and the 256-byte fill brings the next
 * tile's half. On an H200 256-byte fills of NHD boxes (two 128-byte d boxes a 256-byte key
 * row) read 5-6% slower than 128-byte ones at every block size, HDB at blocks of 32 (then
 * 64-byte rows, before the fold) 9% and of 64 4% slower; 64-byte fills lost 15% at blocks of
 * 32, none leaves NHD as 128 does (bench/results/2026-11-29-h200-session27). The fold gained
 * 0.6-1.5% against cuDNN at blocks of 32 (bench/results/2026-11-29-h200-session29). */
static fadsl_status encode_tmaps(const fart_cu *cu, const fadsl_fwd_desc *fd, int block_n, fa_args *a)
{
    if (!cu->TensorMapEncodeTiled)
        return fart_fail(FADSL_ERR_NO_DRIVER, "the CUDA driver lacks cuTensorMapEncodeTiled (CUDA 12.0 or newer), "
                                              "which decode on sm_90 needs: update the driver");
    const fadsl_paged_desc *pg = fd->paged;
    uint64_t d = (uint64_t)fd->head_dim, h = (uint64_t)a->kv_heads;
    uint64_t bs = pg ? (uint64_t)pg->block_size : (uint64_t)a->seqlen_k, nb = pg ? (uint64_t)pg->num_blocks : (uint64_t)a->batch;
    uint64_t keys = bs < (uint64_t)block_n ? bs : (uint64_t)block_n;
    uint64_t dims[TMAP_MAX_RANK], strides[2][TMAP_MAX_RANK - 1];
    uint32_t box[TMAP_MAX_RANK], unit[TMAP_MAX_RANK] = {1, 1, 1, 1, 1};
    unsigned rank;
    int swizzle, l2 = TMAP_L2_128B;
    if (!pg || pg->layout == FA_PAGED_NHD) {
        uint64_t bd = d % 64 == 0 ? 64 : 32;
        rank = 5;
        dims[0] = bd, dims[1] = bs, dims[2] = d / bd, dims[3] = h, dims[4] = nb;
        box[0] = (uint32_t)bd, box[1] = (uint32_t)(pg ? keys : (uint64_t)block_n), box[2] = (uint32_t)(d / bd);
        box[3] = box[4] = 1;
        swizzle = tmap_swizzle(bd * 2);
        for (int i = 0; i < 2; i++) { /* unit strides where an index never varies (h or batch 1) */
            long long row = i ? a->v_row_stride : a->k_row_stride, head = i ? a->v_head_stride : a->k_head_stride;
            long long seq = i ? a->v_batch_stride : a->k_batch_stride;
            strides[i][0] = pg ? h * d * 2 : (uint64_t)row * 2;
            strides[i][1] = bd * 2;
            strides[i][2] = pg ? d * 2 : h > 1 ? (uint64_t)head * 2 : 16;
            strides[i][3] = pg ? bs * h * d * 2 : nb > 1 ? (uint64_t)seq * 2 : 16;
        }
    } else { /* a whole block's d rows under 128 bytes fold into 128-byte rows (FA_DEC_HDB_FOLD) */
        uint64_t fold = keys == bs && keys * 2 < 128 ? 128 / (keys * 2) : 1;
        rank = 3;
        dims[0] = bs * fold, dims[1] = h * d / fold, dims[2] = nb;
        strides[0][0] = strides[1][0] = bs * fold * 2, strides[0][1] = strides[1][1] = h * d * bs * 2;
        box[0] = (uint32_t)(keys * fold), box[1] = (uint32_t)(d / fold), box[2] = 1;
        swizzle = tmap_swizzle(keys * fold * 2);
        if (bs * 2 >= 256)
            l2 = TMAP_L2_256B;
    }
    const void *caches[2] = {a->k, a->v};
    unsigned long long *maps[2] = {a->k_tmap, a->v_tmap};
    for (int i = 0; i < 2; i++) {
        fadsl_status s = fart_cu_check(cu->TensorMapEncodeTiled(maps[i], TMAP_UINT16, rank, (void *)caches[i], dims,
                                                                strides[i], box, unit, 0, swizzle, l2, 0),
                                       "cuTensorMapEncodeTiled");
        if (s)
            return s;
    }
    return FADSL_OK;
}

/* The merge of a split decode: float32 partials [split, b, h, t] in the workspace -> o and
 * lse ([b, h, t], or packed rows through cu_seqlens_q: fa_merge_args.h). */
static void split_merge_args(const fa_args *a, int splits, int head_dim, fa_merge_args *m)
{
    long long t = a->seqlen_q, h = a->q_heads, rows = (long long)a->batch * h * t;
    *m = (fa_merge_args){.in_o = a->split_o, .in_lse = a->split_lse, .in_f32 = 1, .num_states = splits,
                         .in_state = rows * head_dim, .in_b = h * t * head_dim, .in_t = head_dim, .in_h = t * head_dim,
                         .lse_state = rows, .lse_b = h * t, .lse_t = 1, .lse_h = t,
                         .out = a->o, .out_b = a->o_batch_stride, .out_t = a->o_row_stride, .out_h = a->o_head_stride,
                         .out_lse = a->lse, .out_lse_b = h * t, .out_lse_t = 1, .out_lse_h = t,
                         .batch = a->batch, .tokens = a->seqlen_q, .heads = a->q_heads, .head_dim = head_dim,
                         .cu_tokens = a->cu_seqlens_q};
    if (a->cu_seqlens_q) { /* packed rows (batch strides unused), lse [q_heads, lse_rows] (0: cu_seqlens_q[batch]) */
        m->out_b = m->out_lse_b = 0;
        m->out_lse_h = a->lse_rows;
    }
}

static _Thread_local bool last_tile64, last_claims;

bool fart_paged_last_tile64(void)
{
    return last_tile64;
}

bool fart_paged_last_claims(void)
{
    return last_claims;
}

void fart_paged_forget_last(void)
{
    last_tile64 = last_claims = false;
}

/* A decode key's sibling `sib` (decode_tile64 or decode_claims set), loaded whether or not
 * this launch wants it (`wanted`), so a later launch (one being captured in a CUDA graph,
 * say) never compiles. The launch takes it (*plan and *fn change) when wanted, planned for
 * the same row tile and held at least `min_slots` CTAs at once by the device; a sibling
 * that fails to build or load leaves the key's own kernel (the error is dropped). */
static void take_sibling(const fart_cu *cu, const fa_program *p, const fa_key *sib, bool ptx, CUcontext ctx,
                         bool wanted, long long min_slots, const fa_plan **plan, CUfunction *fn)
{
    fart_kernel *k;
    CUfunction f;
    int slots;
    if (fart_kernel_get(p, sib, ptx, &k, NULL) || fart_kernel_function(k, ctx, &f)) {
        fart_clear_error();
        return;
    }
    const fa_plan *ps = fart_kernel_plan(k);
    if (!wanted || ps->block_m != (*plan)->block_m)
        return;
    if (decode_slots(cu, ps, f, &slots)) {
        fart_clear_error();
        return;
    }
    if (slots >= min_slots) {
        *plan = ps;
        *fn = f;
    }
}

/* Keys with a decode_tile64 sibling (fa_plan_has_tile64): an unsplit grid of `ctas` CTAs
 * that the key's plan (`slots` CTAs at once) runs in more than one wave moves to the sibling
 * when that runs it in one: *plan and *fn change then. */
static void pick_tile64(const fart_cu *cu, const fa_program *p, const fa_key *key, bool ptx, CUcontext ctx,
                        long long ctas, int slots, const fa_plan **plan, CUfunction *fn)
{
    if (!fa_plan_has_tile64(key))
        return;
    fa_key k64 = *key;
    k64.decode_tile64 = true;
    take_sibling(cu, p, &k64, ptx, ctx, ctas > slots, ctas, plan, fn);
}

/* Keys with a decode_claims sibling (fa_plan_has_claims): a split launch (`split`) moves to
 * it when it holds as many CTAs at once as the key's own kernel (`slots`), the splits being
 * sized for those; FADSL_DETERMINISTIC=1 keeps even shares. */
static void pick_claims(const fart_cu *cu, const fa_program *p, const fa_key *key, bool ptx, CUcontext ctx, bool split,
                        int slots, const fa_plan **plan, CUfunction *fn)
{
    if (!fa_plan_has_claims(key) || fart_env_flag("FADSL_DETERMINISTIC"))
        return;
    fa_key kc = *key;
    kc.decode_claims = true;
    take_sibling(cu, p, &kc, ptx, ctx, split, slots, plan, fn);
}

fadsl_status fart_decode_launch(const fadsl_fwd_desc *d, const fa_program *p, const fa_key *key, const fa_plan *plan,
                                fa_args *args, CUfunction fn, CUcontext ctx, bool ptx, CUstream stream)
{
    void *workspace = d->paged ? d->paged->workspace : d->workspace;
    size_t workspace_size = d->paged ? d->paged->workspace_size : d->workspace_size;
    if (plan->dense_block) { /* dense K/V: a sequence's blocks follow each other (FA_DEC_DENSE) */
        args->k_block_stride = plan->dense_block * args->k_row_stride;
        args->v_block_stride = plan->dense_block * args->v_row_stride;
        args->num_blocks = INT_MAX;
    }
    const fart_cu *cu;
    int slots;
    fadsl_status s;
    if ((s = fart_driver(&cu)) || (s = decode_slots(cu, plan, fn, &slots)))
        return s;
    int splits = choose_splits(args, plan, slots);
    if (splits > 1 && (!workspace || workspace_size < workspace_bytes(args, plan->block_m, splits, d->head_dim)))
        splits = 1;
    unsigned grid_x;
    if ((s = fart_grid_x("paged decode query rows a kv head", decode_rows(args), plan->block_m, splits, &grid_x)))
        return s;
    const fa_plan *own = plan;
    pick_tile64(cu, p, key, ptx, ctx, splits == 1 ? (long long)grid_x * args->kv_heads * args->batch : 0, slots,
                &plan, &fn);
    const bool tile64 = plan != own;
    pick_claims(cu, p, key, ptx, ctx, splits > 1, slots, &plan, &fn); /* split launches only */
    args->num_splits = splits;
    const bool claims = plan->tile_claims;
    CUfunction merge = NULL;
    if (splits > 1) {
        if (claims) {
            args->claim = (unsigned long long *)workspace;
            args->claim_tag = claim_tag();
        }
        args->split_o = (float *)((char *)workspace + split_o_offset(args, plan->block_m));
        args->split_lse = (float *)((char *)workspace + lse_offset(args, plan->block_m, splits, d->head_dim));
        if ((s = fart_merge_function(key->dtype, key->arch, ptx, ctx, &merge)))
            return s;
    }
    if (plan->tensor_maps && (s = encode_tmaps(cu, d, plan->block_n, args)))
        return s;
    void *params[] = {args};
    s = fart_cu_check(cu->LaunchKernel(fn, grid_x, (unsigned)args->kv_heads, (unsigned)args->batch,
                                       (unsigned)plan->threads, 1, 1, (unsigned)plan->smem_bytes, stream, params, NULL),
                      "cuLaunchKernel(decode)");
    last_tile64 = !s && tile64;
    last_claims = !s && claims;
    if (s || splits == 1)
        return s;
    fa_merge_args m;
    split_merge_args(args, splits, d->head_dim, &m);
    if (claims) {
        m.claims = args->claim;
        m.num_claims = FA_CLAIM_WORDS * (long long)claim_counters(args, plan->block_m);
    }
    return fart_merge_launch(merge, &m, true, key->arch, stream);
}
