/* fa2_fwd.cuh - FlashAttention-2-class forward kernel (sm_80 and later, mma.sync).
 *
 * One CTA computes FA_BLOCK_M query rows of one (sequence, query head); each warp owns
 * FA_MI m16 row tiles. K/V tiles of FA_BLOCK_N keys stream through FA_STAGES cp.async
 * buffers in swizzled shared memory; S = Q.K^T and O += P.V run on m16n8k16 tensor
 * cores with P kept in registers; softmax is online in exp2 with the scale folded in;
 * O is normalised once at the end.
 *
 * Variants enter through the emitted device functions (templates/README.md):
 * fa_key_range bounds the key tiles visited (plus the sink tiles; with FA_TILE_SCAN the CTA
 * first scans them and visits those not proven EMPTY, fa_scan.cuh), fa_tile_class lets a
 * warp skip an EMPTY tile and drop per-element masking on a FULL one, fa_visible masks
 * PARTIAL tiles element by element (the mask's parts, FA_MASK_SPLIT, ran this kernel out
 * of registers), fa_score modifies scores, fa_sink_logit adds a learned sink.
 *
 * Variations (macros): FA_DTYPE_BF16/FP16, FA_HEAD_DIM 64..256, FA_VARLEN (cu_seqlens),
 * FA_PAGED_BLOCK (K/V gathered through block_table, layout [blocks, block_size,
 * kv_heads, D]), GQA through args.q_heads / args.kv_heads.
 * FA_KV_FP8 1 (e4m3) / 2 (e5m2), paged caches only: K/V bytes stream through FA_STAGES
 * byte stages (16-byte cp.async, unswizzled [key][D]); each thread converts the chunks it
 * copied into the one 16-bit K/V tile (the query type: fp8 converts exactly), which the
 * warps then read as a 16-bit tile. args.k_descale (or the per-head array) joins the
 * softmax scale, args.v_descale the output's normalisation.
 */

#define FA_THREADS (FA_NUM_WARPS * 32)
#define FA_MI (FA_BLOCK_M / (16 * FA_NUM_WARPS)) /* m16 tiles per warp */
#define FA_WARP_ROWS (FA_MI * 16)
#define FA_CHUNKS (FA_HEAD_DIM / 8)              /* 16-byte chunks per row */
#define FA_NT_S (FA_BLOCK_N / 8)                 /* n8 tiles of S per m16 tile */
#define FA_NT_O (FA_HEAD_DIM / 8)                /* n8 tiles of O per m16 tile */
#define FA_KS_QK (FA_HEAD_DIM / 16)              /* k16 steps of Q.K^T */
#define FA_KS_PV (FA_BLOCK_N / 16)               /* k16 steps of P.V */

/* Shared-memory rows are padded to whole 128-byte swizzle atoms (64 elements). */
#define FA_SROW (((FA_HEAD_DIM + 63) / 64) * 64)

/* Shared-memory offset (elements) of 16-byte chunk c of row r: the chunk index is XORed
 * with r mod 8 inside each 128-byte atom, so ldmatrix's 8 rows hit 8 distinct bank groups. */
__device__ __forceinline__ int fa_swz(int r, int c)
{
    return r * FA_SROW + ((c ^ (r & 7)) * 8);
}

/* A thread's ldmatrix byte offset for chunk x of its row, and that offset moved on by an
 * even chunk count c2 (a compile-time constant): inside an atom the swizzle is an XOR of
 * the chunk bits, across atoms an addition, so one base register serves every step. */
__device__ __forceinline__ fa_u32 fa_swz_base(int r, int x)
{
    return (fa_u32)(r * FA_SROW * 2 + ((x ^ (r & 7)) << 4));
}

__device__ __forceinline__ fa_u32 fa_swz_step(fa_u32 base, int c2)
{
    return (base ^ (fa_u32)((c2 & 7) << 4)) + (fa_u32)((c2 >> 3) << 7);
}

/* Tile copies. A pass copies FA_LOAD_ROWS rows (a multiple of 8); thread t owns the chunks
 * t, t + FA_THREADS, ... of the pass, and the same (row mod FA_LOAD_ROWS, chunk) in every
 * pass. Since passes move by a multiple of 8 rows, the swizzle pattern of a thread's chunk
 * never changes: its shared-memory offset moves by a constant, its global address by one
 * row stride times FA_LOAD_ROWS. */
#define FA_LOAD_ROWS (8 * (FA_THREADS >= 16 * FA_CHUNKS ? FA_THREADS / (8 * FA_CHUNKS) : 1))
#define FA_LOAD_CHUNKS (FA_LOAD_ROWS * FA_CHUNKS)
#define FA_LOAD_PER_THREAD ((FA_LOAD_CHUNKS + FA_THREADS - 1) / FA_THREADS)

#if FA_KV_FP8
#if !FA_PAGED_BLOCK || !FA_PAGED_NHD
#error "fa2_fwd reads fp8 K/V from paged nhd caches only"
#endif
#define FA_KV_BUFS 1                               /* 16-bit K/V tiles: one, converted into */
#define FA8_CHUNKS (FA_HEAD_DIM / 16)             /* 16-byte fp8 chunks a key */
#define FA8_TILE_CHUNKS (FA_BLOCK_N * FA8_CHUNKS)
#define FA8_PER_THREAD ((FA8_TILE_CHUNKS + FA_THREADS - 1) / FA_THREADS)
#define FA8_STAGE_BYTES (FA_BLOCK_N * FA_HEAD_DIM) /* a K (or V) byte stage, [key][D] */
#else
#define FA_KV_BUFS FA_STAGES
#endif

/* A tile scan's area (fa_scan.cuh), after the tiles and byte stages (compiler/plan.c
 * smem_bytes). */
#if FA_KV_FP8
#define FA2_SCAN_AT ((FA_BLOCK_M + 2 * FA_BLOCK_N) * FA_SROW * 2 + FA_STAGES * 2 * FA8_STAGE_BYTES)
#else
#define FA2_SCAN_AT ((FA_BLOCK_M + 2 * FA_KV_BUFS * FA_BLOCK_N) * FA_SROW * 2)
#endif

/* Copies ROWS rows of a [rows, D] operand whose row r starts at base + r * row_stride into
 * dst (swizzled); rows at or past `valid` are zero-filled, so masked columns never meet
 * garbage in P.V. */
template <int ROWS>
__device__ __forceinline__ void fa_load_rows(fa_u32 dst, const fa_u16 *base, long long row_stride, int valid)
{
#pragma unroll
    for (int m = 0; m < FA_LOAD_PER_THREAD; m++) {
        const int idx = threadIdx.x + m * FA_THREADS;
        if (FA_LOAD_CHUNKS % FA_THREADS != 0 && idx >= FA_LOAD_CHUNKS)
            break;
        const int r0 = idx / FA_CHUNKS, ch = idx % FA_CHUNKS;
        const fa_u16 *src = base + (long long)r0 * row_stride + ch * 8;
        const long long step = (long long)FA_LOAD_ROWS * row_stride;
        const fa_u32 d = dst + fa_swz(r0, ch) * 2;
#pragma unroll
        for (int j = 0; j < ROWS / FA_LOAD_ROWS; j++) {
            const int r = r0 + j * FA_LOAD_ROWS;
            fa_cp_async16(d + j * FA_LOAD_ROWS * FA_SROW * 2, r < valid ? src : base, r < valid ? 16 : 0);
            src += step;
        }
    }
}

#if FA_PAGED_BLOCK
/* Paged K or V tile: row n0 + r lives in block block_table[b][(n0 + r) / FA_PAGED_BLOCK]
 * (clamped into the cache: fa_paged_block, *seen). */
__device__ __forceinline__ void fa_load_paged(const fa_args &a, const fa_ctx &c, fa_u32 dst, const void *cache,
                                              long long row_stride, long long head_stride, long long block_stride,
                                              int n0, unsigned *seen)
{
    const int *table = a.block_table + (long long)c.b * a.max_blocks_per_seq;
#pragma unroll
    for (int m = 0; m < FA_LOAD_PER_THREAD; m++) {
        const int idx = threadIdx.x + m * FA_THREADS;
        if (FA_LOAD_CHUNKS % FA_THREADS != 0 && idx >= FA_LOAD_CHUNKS)
            break;
        const int r0 = idx / FA_CHUNKS, ch = idx % FA_CHUNKS;
        const fa_u16 *head = (const fa_u16 *)cache + (long long)c.hk * head_stride + ch * 8;
        const fa_u32 d = dst + fa_swz(r0, ch) * 2;
#pragma unroll
        for (int j = 0; j < FA_BLOCK_N / FA_LOAD_ROWS; j++) {
            const int pos = n0 + r0 + j * FA_LOAD_ROWS;
            const bool ok = pos < c.kv_len;
            const fa_u16 *src =
                ok ? head + (long long)fa_paged_block(a, table[pos / FA_PAGED_BLOCK], seen) * block_stride +
                         (long long)(pos % FA_PAGED_BLOCK) * row_stride
                   : head;
            fa_cp_async16(d + j * FA_LOAD_ROWS * FA_SROW * 2, src, ok ? 16 : 0);
        }
    }
}
#endif

#if FA_KV_FP8
/* Chunk m of this thread in a byte stage (chunks t, t + FA_THREADS, ... for thread t): its
 * key *r and 16-byte chunk *ch of the key; false past the tile. fa_load_paged8 copies and
 * fa_convert8 converts through this one mapping, so each thread converts its own copies. */
__device__ __forceinline__ bool fa8_chunk(int m, int *r, int *ch)
{
    const int idx = threadIdx.x + m * FA_THREADS;
    *r = idx / FA8_CHUNKS;
    *ch = idx % FA8_CHUNKS;
    return FA8_TILE_CHUNKS % FA_THREADS == 0 || idx < FA8_TILE_CHUNKS;
}

/* Paged fp8 K or V tile into byte stage dst ([key][D], zeros past the sequence; entries
 * clamped: fa_paged_block, *seen). */
__device__ __forceinline__ void fa_load_paged8(const fa_args &a, const fa_ctx &c, fa_u32 dst, const void *cache,
                                               long long row_stride, long long head_stride, long long block_stride,
                                               int n0, unsigned *seen)
{
    const int *table = a.block_table + (long long)c.b * a.max_blocks_per_seq;
    const unsigned char *head = (const unsigned char *)cache + (long long)c.hk * head_stride;
#pragma unroll
    for (int m = 0; m < FA8_PER_THREAD; m++) {
        int r, ch;
        if (!fa8_chunk(m, &r, &ch))
            break;
        const int pos = n0 + r;
        const bool ok = pos < c.kv_len;
        const unsigned char *src =
            ok ? head + (long long)fa_paged_block(a, table[pos / FA_PAGED_BLOCK], seen) * block_stride +
                     (long long)(pos % FA_PAGED_BLOCK) * row_stride + ch * 16
               : head;
        fa_cp_async16(dst + r * FA_HEAD_DIM + ch * 16, src, ok ? 16 : 0);
    }
}

/* This thread's chunks of byte stage src ([key][D]) into the swizzled 16-bit tile dst, in
 * the query type. Its own copies only: no barrier between the copies' wait and this. */
__device__ __forceinline__ void fa_convert8(const unsigned char *src, fa_u16 *dst)
{
#pragma unroll
    for (int m = 0; m < FA8_PER_THREAD; m++) {
        int r, ch;
        if (!fa8_chunk(m, &r, &ch))
            break;
        uint4 y0, y1;
        fa_fp8x16_to_qtype(*(const uint4 *)(src + r * FA_HEAD_DIM + ch * 16), y0, y1);
        *(uint4 *)(dst + fa_swz(r, 2 * ch)) = y0;
        *(uint4 *)(dst + fa_swz(r, 2 * ch + 1)) = y1;
    }
}
#endif

/* Issues the copies of the K and V tiles starting at key n0 into stage buffers kd, vd
 * (fp8: byte stages); paged, *seen keeps the largest block-table entry (fa_paged_block). */
__device__ __forceinline__ void fa_load_kv(const fa_args &a, const fa_ctx &c, fa_u32 kd, fa_u32 vd, int k_start,
                                           int n0, unsigned *seen)
{
#if FA_KV_FP8
    fa_load_paged8(a, c, kd, a.k, a.k_row_stride, a.k_head_stride, a.k_block_stride, n0, seen);
    fa_load_paged8(a, c, vd, a.v, a.v_row_stride, a.v_head_stride, a.v_block_stride, n0, seen);
#elif FA_PAGED_BLOCK
    fa_load_paged(a, c, kd, a.k, a.k_row_stride, a.k_head_stride, a.k_block_stride, n0, seen);
    fa_load_paged(a, c, vd, a.v, a.v_row_stride, a.v_head_stride, a.v_block_stride, n0, seen);
#else
    fa_load_rows<FA_BLOCK_N>(kd, fa_kv_row(c, a.k, a.k_batch_stride, a.k_head_stride, a.k_row_stride, k_start, n0),
                             a.k_row_stride, c.kv_len - n0);
    fa_load_rows<FA_BLOCK_N>(vd, fa_kv_row(c, a.v, a.v_batch_stride, a.v_head_stride, a.v_row_stride, k_start, n0),
                             a.v_row_stride, c.kv_len - n0);
#endif
}

extern "C" __global__ void __launch_bounds__(FA_THREADS) FA_KERNEL_NAME(const __grid_constant__ fa_args args)
{
    extern __shared__ __align__(128) unsigned char fa_smem[];
    fa_u16 *sQ = (fa_u16 *)fa_smem;
    fa_u16 *sK = sQ + FA_BLOCK_M * FA_SROW;
    fa_u16 *sV = sK + FA_KV_BUFS * FA_BLOCK_N * FA_SROW;

    const int tid = threadIdx.x, warp = tid / 32, lane = tid % 32;
    const int g = lane / 4, t4 = lane % 4; /* fragment row group and column pair */

    fa_row_tile rt;
    if (!fa_cta_row_tile(args, FA_BLOCK_M, FA_BLOCK_N, &rt))
        return;
    const fa_ctx &c = rt.c;
    const int q_start = rt.q_start, k_start = rt.k_start, m0 = rt.m0, m_rows = rt.m_rows, qa0 = rt.qa0,
              qa1 = rt.qa1;

    /* Q tile (zero-filled past q_len), then the first K/V tile. */
    fa_load_rows<FA_BLOCK_M>(fa_smem_addr(sQ), fa_q_row(args, c, q_start, m0), args.q_row_stride, m_rows);
    const fa_u32 sK0 = fa_smem_addr(sK), sV0 = fa_smem_addr(sV);
#if FA_KV_FP8 /* copies land in byte stages, the warps read the one 16-bit tile */
    const unsigned char *sK8 = (const unsigned char *)(sV + FA_BLOCK_N * FA_SROW), *sV8 = sK8 + FA_STAGES * FA8_STAGE_BYTES;
    const fa_u32 cK0 = fa_smem_addr(sK8), cV0 = fa_smem_addr(sV8), copy_bytes = FA8_STAGE_BYTES, stage_bytes = 0;
    /* the descales, read once and held: reading them where used spills less at d128 (4 bytes,
     * not 60) but ran 5-7% slower (H100, bench/results/2026-11-27-h100-session14/fp8_variants.txt) */
    float k_desc, v_desc;
    fa_kv_descales(args, c.hk, &k_desc, &v_desc);
#else
    const float k_desc = 1.f, v_desc = 1.f;
    const fa_u32 cK0 = sK0, cV0 = sV0, copy_bytes = FA_BLOCK_N * FA_SROW * 2, stage_bytes = copy_bytes;
#endif
    unsigned seen_entry = 0; /* paged: the largest block-table entry this thread looked up */
    const int first = fa_visit_first(rt.tiles, qa1);
    if (rt.tiles.n > 0)
        fa_load_kv(args, c, cK0, cV0, k_start, fa_tile_at(rt.tiles, first) * FA_BLOCK_N, &seen_entry);
    fa_cp_async_commit();
#if FA_TILE_SCAN /* the copies of Q and of the first tile fly during the scan */
    unsigned *scan_area = (unsigned *)(fa_smem + FA2_SCAN_AT);
    fa_scan_clear(scan_area, rt.tiles);
    __syncthreads();
    const fa_visits v = fa_scan_visits(args, c, rt.tiles, qa0, qa1, first, scan_area);
#else
    const fa_visits v = {rt.tiles, rt.tiles.n};
#endif
    int load_pos = 0, use_pos = 0; /* fa_visit_next's places of the copies and the math */
    int known;                     /* a tile's class as the scan found it */

    float o[FA_MI][FA_NT_O][4];
    float row_max[FA_MI][2], row_sum[FA_MI][2];
    fa_online_softmax_start(o, row_max, row_sum);

    const int wr0 = warp * FA_WARP_ROWS;                 /* this warp's first row in the tile */
    const int wq0 = qa0 + wr0, wq1 = min(qa1, wq0 + FA_WARP_ROWS);
    /* ldmatrix row addresses: Q (A operand), K (B, keys x d), V (B transposed, keys x d) */
    const fa_u32 q_s = fa_smem_addr(sQ) + fa_swz_base(wr0 + lane % 16, lane / 16);
    const fa_u32 k_off = fa_swz_base((lane / 16) * 8 + lane % 8, (lane / 8) % 2);
    const fa_u32 v_off = fa_swz_base(((lane / 8) % 2) * 8 + lane % 8, lane / 16);

    for (int it = 0; it < v.n; it++) {
        const int stage = FA_STAGES > 1 ? it % FA_STAGES : 0;
        if (FA_STAGES > 1) {
            if (it + 1 < v.n) {
                const int next0 = fa_visit_next(v, it + 1, &load_pos, &known);
                const fa_u32 off = ((it + 1) % FA_STAGES) * copy_bytes;
                fa_load_kv(args, c, cK0 + off, cV0 + off, k_start, next0, &seen_entry);
            }
            fa_cp_async_commit();
            fa_cp_async_wait<1>();
        } else {
            if (it > 0) {
                fa_load_kv(args, c, cK0, cV0, k_start, fa_visit_next(v, it, &load_pos, &known), &seen_entry);
                fa_cp_async_commit();
            }
            fa_cp_async_wait<0>();
        }
#if FA_KV_FP8 /* the 16-bit tile was last read before the previous iteration's barrier */
        asm volatile("" ::: "memory"); /* the byte loads stay after the copies' wait */
        fa_convert8(sK8 + stage * FA8_STAGE_BYTES, sK);
        fa_convert8(sV8 + stage * FA8_STAGE_BYTES, sV);
#endif
        __syncthreads();

        const int n0 = fa_visit_next(v, it, &use_pos, &known), n1 = min(n0 + FA_BLOCK_N, c.kv_len);
        const int cls = wq0 >= wq1                    ? FA_TILE_EMPTY
                        : known != FA_TILE_PARTIAL ? known
                                                   : fa_tile_class(args, c, wq0, wq1, n0, n1);
        if (cls != FA_TILE_EMPTY) {
            const bool need_mask = (FA_HAS_MASK && cls != FA_TILE_FULL) || n0 + FA_BLOCK_N > c.kv_len;
            const fa_u32 k_s = sK0 + stage * stage_bytes + k_off;
            const fa_u32 v_s = sV0 + stage * stage_bytes + v_off;

            /* S = Q.K^T */
            float s[FA_MI][FA_NT_S][4];
#pragma unroll
            for (int mi = 0; mi < FA_MI; mi++)
#pragma unroll
                for (int nt = 0; nt < FA_NT_S; nt++)
                    s[mi][nt][0] = s[mi][nt][1] = s[mi][nt][2] = s[mi][nt][3] = 0.f;
#pragma unroll
            for (int ks = 0; ks < FA_KS_QK; ks++) {
                fa_u32 qa[FA_MI][4];
#pragma unroll
                for (int mi = 0; mi < FA_MI; mi++)
                    fa_ldmatrix_x4(fa_swz_step(q_s, 2 * ks) + mi * 16 * FA_SROW * 2, qa[mi]);
                const fa_u32 k_ks = fa_swz_step(k_s, 2 * ks);
#pragma unroll
                for (int np = 0; np < FA_NT_S / 2; np++) {
                    fa_u32 kb4[4];
                    fa_ldmatrix_x4(k_ks + np * 16 * FA_SROW * 2, kb4);
#pragma unroll
                    for (int mi = 0; mi < FA_MI; mi++) {
                        fa_mma16816(s[mi][2 * np], qa[mi], kb4[0], kb4[1]);
                        fa_mma16816(s[mi][2 * np + 1], qa[mi], kb4[2], kb4[3]);
                    }
                }
            }

            /* Score function, masking, then online softmax. Without a score function the raw
             * dot products stay unscaled and the scale folds into the exponent's FFMA; with
             * one, scores are converted to log2 units first. row_max is in log2 units. */
#if FA_HAS_SCORE
            const float mult = 1.f;
#pragma unroll
            for (int mi = 0; mi < FA_MI; mi++)
#pragma unroll
                for (int nt = 0; nt < FA_NT_S; nt++)
#pragma unroll
                    for (int r = 0; r < 4; r++)
                        s[mi][nt][r] = fa_score(args, c, wq0 + mi * 16 + g + (r / 2) * 8, n0 + nt * 8 + 2 * t4 + r % 2,
                                                s[mi][nt][r] * (args.softmax_scale * k_desc)) * FA_LOG2E;
#else
            const float mult = args.scale_log2 * k_desc;
#endif
            if (need_mask) {
#pragma unroll
                for (int mi = 0; mi < FA_MI; mi++)
#pragma unroll
                    for (int nt = 0; nt < FA_NT_S; nt++)
#pragma unroll
                        for (int r = 0; r < 4; r++) {
                            const int qpos = wq0 + mi * 16 + g + (r / 2) * 8, kpos = n0 + nt * 8 + 2 * t4 + r % 2;
                            if (!(kpos < c.kv_len && fa_visible(args, c, qpos, kpos)))
                                s[mi][nt][r] = FA_NEG_INF;
                        }
            }
            fa_online_softmax(s, o, row_max, row_sum, mult);

            /* O += P.V, P from the S accumulators (tiles 2j, 2j+1 form A of k-step j). */
#pragma unroll
            for (int ks = 0; ks < FA_KS_PV; ks++) {
                fa_u32 pa[FA_MI][4];
                fa_p_frags<false>(s, ks, pa);
#pragma unroll
                for (int dp = 0; dp < FA_NT_O / 2; dp++) {
                    fa_u32 vb[4];
                    fa_ldmatrix_x4_trans(fa_swz_step(v_s, 2 * dp) + ks * 16 * FA_SROW * 2, vb);
#pragma unroll
                    for (int mi = 0; mi < FA_MI; mi++) {
                        fa_mma16816(o[mi][2 * dp], pa[mi], vb[0], vb[1]);
                        fa_mma16816(o[mi][2 * dp + 1], pa[mi], vb[2], vb[3]);
                    }
                }
            }
        }
        __syncthreads(); /* every warp is done with this stage before it is refilled */
    }
#if FA_PAGED_BLOCK
    fa_paged_poison(rt.c, __syncthreads_or(fa_paged_bad(args, seen_entry))); /* c is rt.c */
#endif

    /* Epilogue: learned sink, normalisation, O and LSE stores. */
#pragma unroll
    for (int mi = 0; mi < FA_MI; mi++) {
#pragma unroll
        for (int half = 0; half < 2; half++) {
            const int r = wr0 + mi * 16 + g + half * 8; /* row in the tile */
            float lse;
            const float inv =
                fa_finish_row(args, c, row_max[mi][half], fa_quad_sum(row_sum[mi][half]), &lse) * v_desc;
            if (r < m_rows) {
                fa_u16 *dst = fa_out_row(args, c, q_start, m0 + r);
#pragma unroll
                for (int nt = 0; nt < FA_NT_O; nt++)
                    *(fa_u32 *)(dst + nt * 8 + 2 * t4) =
                        fa_pack2(o[mi][nt][half * 2] * inv, o[mi][nt][half * 2 + 1] * inv);
                if (args.lse && t4 == 0)
                    *fa_lse_at(args, c, q_start, m0 + r) = lse;
            }
        }
    }
}
