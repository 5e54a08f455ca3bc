/* paged_decode.cuh - attention of a few new tokens a sequence over a paged KV cache
 * (decode, and short chunks of chunked prefill); memory-bound.
 *
 * Grid (row tiles x splits, kv heads, sequences); FA_NUM_WARPS warps a CTA.
 * Rows: every query head of one KV head, for every new token of the sequence, is a row of
 * the CTA's FA_BLOCK_M-row tile (row r: token r / G, query head hk * G + r % G, G the GQA
 * ratio), so each K/V tile is read from memory once for all of them (GQA packing).
 * K/V: tiles of FA_BLOCK_N keys stream through FA_STAGES cp.async buffers (16-byte copies,
 * zero-filled past the sequence); the block-table entries of a tile are fetched once, a tile
 * ahead, into shared memory. Each warp takes FA_DEC_WARP_KEYS keys of a tile: S = Q.K^T and
 * O += P.V on m16n8k16 tensor cores, online softmax in exp2 with the scale folded in; the
 * warps' partial (max, sum, O) are combined through shared memory at the end.
 * Split-KV: split s of args.num_splits takes a contiguous share of the visited tiles and,
 * when num_splits > 1, writes its normalised partial (O, LSE) to args.split_o/split_lse
 * for the merge kernel (merge.cuh).
 *
 * Variations (macros):
 *   FA_PAGED_NHD 1: cache [blocks, block_size, kv_heads, D]: a key's D values are contiguous;
 *     copies run along D. 0 (HDB): cache [blocks, kv_heads, D, block_size]: a (block, head)
 *     slab [D, block_size] is contiguous; copies run along the keys of a d row (16 bytes, or
 *     one whole row when a block row is shorter), the tile is stored transposed ([D][keys])
 *     and the tensor-core fragments come from transposing ldmatrix loads instead.
 *   FA_PAGED_BLOCK 8..128 (may exceed FA_BLOCK_N: a tile is then part of one block).
 *   FA_KV_FP8 0: cache of the query type, copied straight into the ldmatrix buffers.
 *     1 (e4m3) / 2 (e5m2): byte tiles; each warp converts its keys into its own 16-bit
 *     buffers; args.k_descale/v_descale (or the per-head arrays) scale S and O.
 *   Variants: fa_key_range (union over the CTA's heads) bounds the tiles visited, plus the
 *   sink tiles; fa_tile_class (over every head of the CTA) skips EMPTY warp tiles and drops
 *   masking on FULL ones; fa_visible, fa_score per element with the row's own head;
 *   fa_sink_logit joins split 0's denominator.
 */

#define FA_THREADS (FA_NUM_WARPS * 32)
#define FA_MI (FA_BLOCK_M / 16)                    /* m16 row tiles of the CTA */
#define FA_DEC_WARP_KEYS (FA_BLOCK_N / FA_NUM_WARPS) /* keys of a tile one warp computes */
#define FA_NT_S (FA_DEC_WARP_KEYS / 8)            /* n8 tiles of a warp's S */
#define FA_KS_PV (FA_DEC_WARP_KEYS / 16)          /* k16 steps of a warp's P.V */
#define FA_NT_O (FA_HEAD_DIM / 8)
#define FA_KS_QK (FA_HEAD_DIM / 16)

/* Cache element size and the keys of one block inside a tile. */
#define FA_KV_BYTES (FA_KV_FP8 ? 1 : 2)
#define FA_BSE (FA_PAGED_BLOCK < FA_BLOCK_N ? FA_PAGED_BLOCK : FA_BLOCK_N)
#define FA_TILE_ENTRIES (FA_BLOCK_N / FA_BSE)     /* block-table entries a tile spans */
#define FA_TAB_SLOTS (FA_STAGES + 1)              /* entry ring: a tile ahead of the copies */

/* Copy geometry: NHD chunks are 16 bytes along D; HDB chunks run along a d row's keys,
 * 16 bytes or the whole block row when that is shorter (fp8, block size 8: 8 bytes). */
#if FA_PAGED_NHD
#define FA_CHUNK_BYTES 16
#define FA_CHUNKS_PER_ROW (FA_HEAD_DIM * FA_KV_BYTES / 16)
#define FA_TILE_CHUNKS (FA_BLOCK_N * FA_CHUNKS_PER_ROW)
#else
#define FA_CHUNK_BYTES (FA_BSE * FA_KV_BYTES < 16 ? FA_BSE * FA_KV_BYTES : 16)
#define FA_CHUNK_KEYS (FA_CHUNK_BYTES / FA_KV_BYTES)
#define FA_CHUNKS_PER_BLOCK_ROW (FA_BSE / FA_CHUNK_KEYS)
#define FA_TILE_CHUNKS (FA_HEAD_DIM * FA_BLOCK_N / FA_CHUNK_KEYS)
#endif
#define FA_CHUNKS_PER_THREAD ((FA_TILE_CHUNKS + FA_THREADS - 1) / FA_THREADS)

/* 16-bit buffers are padded by 8 elements a row, so ldmatrix's 8 rows hit 8 bank groups.
 * NHD tiles are [keys][D], HDB tiles [D][keys]. */
#define FA_PAD 8
#define FA_LDQ (FA_HEAD_DIM + FA_PAD)
#if FA_PAGED_NHD
#define FA_LD_TILE (FA_HEAD_DIM + FA_PAD)
#define FA_LD_WARP (FA_HEAD_DIM + FA_PAD)
#define FA_WARP_BUF_ELEMS (FA_DEC_WARP_KEYS * FA_LD_WARP)
#else
#define FA_LD_TILE (FA_BLOCK_N + FA_PAD)
#define FA_LD_WARP (FA_DEC_WARP_KEYS + FA_PAD)
#define FA_WARP_BUF_ELEMS (FA_HEAD_DIM * FA_LD_WARP)
#endif
/* One K or V stage: a 16-bit tile, or for fp8 the unpadded byte tile as stored. */
#if FA_KV_FP8
#define FA_STAGE_BYTES (FA_BLOCK_N * FA_HEAD_DIM)
#elif FA_PAGED_NHD
#define FA_STAGE_BYTES (FA_BLOCK_N * FA_LD_TILE * 2)
#else
#define FA_STAGE_BYTES (FA_HEAD_DIM * FA_LD_TILE * 2)
#endif

/* Shared-memory map (bytes): Q tile, K stages, V stages, fp8 warp buffers, entry ring. The
 * warps' final (max, sum, O) reuse the stage buffers. Mirrored by compiler/plan.c. */
#define FA_SM_Q 0
#define FA_SM_K (FA_BLOCK_M * FA_LDQ * 2)
#define FA_SM_V (FA_SM_K + FA_STAGES * FA_STAGE_BYTES)
#define FA_SM_WARP (FA_SM_V + FA_STAGES * FA_STAGE_BYTES)
#define FA_SM_TAB (FA_SM_WARP + (FA_KV_FP8 ? FA_NUM_WARPS * 2 * FA_WARP_BUF_ELEMS * 2 : 0))

template <int BYTES> __device__ __forceinline__ void fa_cp_async(fa_u32 dst, const void *src, int src_bytes)
{
    if (BYTES == 16)
        asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(src), "r"(src_bytes));
    else
        asm volatile("cp.async.ca.shared.global [%0], [%1], %2, %3;\n" ::"r"(dst), "l"(src), "n"(BYTES),
                     "r"(src_bytes));
}

#if FA_KV_FP8
/* Four fp8 values (bytes of x, first in the low byte) to two packed pairs of the query
 * type. The byte goes to the top of a 16-bit lane, its exponent and mantissa are shifted
 * under the target's exponent field and one multiply by 2^(bias difference) rebiases it;
 * subnormals stay exact since fp16/bf16 arithmetic keeps denormals. sm_89+ converts
 * e4m3 -> fp16 with one cvt. */
__device__ __forceinline__ void fa_fp8x4_to_pairs(fa_u32 x, fa_u32 &lo, fa_u32 &hi)
{
    fa_u32 a, b;
    asm("prmt.b32 %0, %1, 0, 0x1404;\n" : "=r"(a) : "r"(x)); /* bytes 0,1 -> high bytes of lanes */
    asm("prmt.b32 %0, %1, 0, 0x3424;\n" : "=r"(b) : "r"(x)); /* bytes 2,3 */
#if FA_KV_FP8 == 2 && FA_DTYPE_FP16
    lo = a; /* e5m2 is the top byte of an fp16 */
    hi = b;
#elif FA_KV_FP8 == 1 && FA_DTYPE_FP16 && __CUDA_ARCH__ >= 890
    asm("{.reg .b16 l, h;\n mov.b32 {l, h}, %2;\n cvt.rn.f16x2.e4m3x2 %0, l;\n cvt.rn.f16x2.e4m3x2 %1, h;\n}\n"
        : "=r"(lo), "=r"(hi)
        : "r"(x));
#else
#if FA_DTYPE_BF16
    const int shift = FA_KV_FP8 == 1 ? 4 : 3;            /* 8-bit exponent field */
    const fa_u32 rebias = FA_KV_FP8 == 1 ? 0x7b807b80u : 0x77807780u; /* 2^120, 2^112 */
#else
    const int shift = 1;                                 /* e4m3 -> 5-bit exponent field */
    const fa_u32 rebias = 0x5c005c00u;                   /* 2^8 */
#endif
    a = (a & 0x80008000u) | ((a & 0x7f007f00u) >> shift);
    b = (b & 0x80008000u) | ((b & 0x7f007f00u) >> shift);
#if FA_DTYPE_BF16
    asm("fma.rn.bf16x2 %0, %1, %2, %3;\n" : "=r"(lo) : "r"(a), "r"(rebias), "r"(0x80008000u));
    asm("fma.rn.bf16x2 %0, %1, %2, %3;\n" : "=r"(hi) : "r"(b), "r"(rebias), "r"(0x80008000u));
#else
    asm("mul.rn.f16x2 %0, %1, %2;\n" : "=r"(lo) : "r"(a), "r"(rebias));
    asm("mul.rn.f16x2 %0, %1, %2;\n" : "=r"(hi) : "r"(b), "r"(rebias));
#endif
#endif
}

/* Converts this warp's keys of a byte stage into its padded 16-bit buffer (same layout
 * as a 16-bit stage, restricted to the warp's keys). */
__device__ __forceinline__ void fa_convert_warp_tile(const unsigned char *stage, fa_u16 *dst, int warp, int lane)
{
#if FA_PAGED_NHD
    const int per_row = FA_HEAD_DIM / 16; /* 16-byte pieces of a key row */
    for (int i = lane; i < FA_DEC_WARP_KEYS * per_row; i += 32) {
        const int r = i / per_row, c = i % per_row;
        const uint4 x = *(const uint4 *)(stage + (warp * FA_DEC_WARP_KEYS + r) * FA_HEAD_DIM + c * 16);
        uint4 y0, y1;
        fa_fp8x4_to_pairs(x.x, y0.x, y0.y);
        fa_fp8x4_to_pairs(x.y, y0.z, y0.w);
        fa_fp8x4_to_pairs(x.z, y1.x, y1.y);
        fa_fp8x4_to_pairs(x.w, y1.z, y1.w);
        *(uint4 *)(dst + r * FA_LD_WARP + c * 16) = y0;
        *(uint4 *)(dst + r * FA_LD_WARP + c * 16 + 8) = y1;
    }
#else
    const int per_row = FA_DEC_WARP_KEYS / 16;
    for (int i = lane; i < FA_HEAD_DIM * per_row; i += 32) {
        const int r = i / per_row, c = i % per_row;
        const uint4 x = *(const uint4 *)(stage + r * FA_BLOCK_N + warp * FA_DEC_WARP_KEYS + c * 16);
        uint4 y0, y1;
        fa_fp8x4_to_pairs(x.x, y0.x, y0.y);
        fa_fp8x4_to_pairs(x.y, y0.z, y0.w);
        fa_fp8x4_to_pairs(x.z, y1.x, y1.y);
        fa_fp8x4_to_pairs(x.w, y1.z, y1.w);
        *(uint4 *)(dst + r * FA_LD_WARP + c * 16) = y0;
        *(uint4 *)(dst + r * FA_LD_WARP + c * 16 + 8) = y1;
    }
#endif
}
#endif

/* Key tile of visited-list entry i: the sink tiles first, then the key range's. */
__device__ __forceinline__ int fa_dec_tile(int i, int n_sink, int t_lo)
{
    return i < n_sink ? i : t_lo + (i - n_sink);
}

/* Block-table entry e of key tile `tile` (0 past the sequence: never read for data). */
__device__ __forceinline__ int fa_dec_entry(const fa_args &a, const fa_ctx &c, int tile, int e)
{
    const int key = tile * FA_BLOCK_N + e * FA_BSE;
    return key < c.kv_len ? a.block_table[(long long)c.b * a.max_blocks_per_seq + key / FA_PAGED_BLOCK] : 0;
}

/* Issues the copies of one K or V tile (key tile `tile`, blocks in `entries`) into `dst`.
 * Chunk j of a thread is tid + j * FA_THREADS; keys at or past kv_len are zero-filled. */
__device__ __forceinline__ void fa_dec_load(const void *cache, long long head_off, long long block_stride,
                                            long long row_stride, const int *entries, fa_u32 dst, int tile,
                                            int kv_len)
{
    const unsigned char *base = (const unsigned char *)cache + head_off * FA_KV_BYTES;
    const int n0 = tile * FA_BLOCK_N;
    const int in_block0 = FA_PAGED_BLOCK > FA_BLOCK_N ? n0 % FA_PAGED_BLOCK : 0;
#pragma unroll
    for (int j = 0; j < FA_CHUNKS_PER_THREAD; j++) {
        const int idx = threadIdx.x + j * FA_THREADS;
        if (FA_TILE_CHUNKS % FA_THREADS != 0 && idx >= FA_TILE_CHUNKS)
            break;
#if FA_PAGED_NHD
        const int n = idx / FA_CHUNKS_PER_ROW, ch = idx % FA_CHUNKS_PER_ROW;
        const long long blk = entries[n / FA_BSE];
        const int pos = in_block0 + n % FA_BSE;
        const bool ok = n0 + n < kv_len;
        const unsigned char *src =
            base + ((blk * block_stride + (long long)pos * row_stride) * FA_KV_BYTES + ch * 16);
#if FA_KV_FP8
        const fa_u32 d = dst + n * FA_HEAD_DIM + ch * 16;
#else
        const fa_u32 d = dst + (n * FA_LD_TILE + ch * 8) * 2;
#endif
        fa_cp_async<16>(d, ok ? src : base, ok ? 16 : 0);
#else
        /* chunk order: key piece fastest, then d, then block, so a warp reads a slab in order */
        const int piece = idx % FA_CHUNKS_PER_BLOCK_ROW;
        const int dd = (idx / FA_CHUNKS_PER_BLOCK_ROW) % FA_HEAD_DIM;
        const int e = idx / (FA_CHUNKS_PER_BLOCK_ROW * FA_HEAD_DIM);
        const int n = e * FA_BSE + piece * FA_CHUNK_KEYS; /* key in the tile */
        const long long blk = entries[e];
        const int valid = min(max(kv_len - (n0 + n), 0), FA_CHUNK_KEYS);
        const unsigned char *src =
            base + (blk * block_stride + (long long)dd * FA_PAGED_BLOCK + in_block0 + piece * FA_CHUNK_KEYS) *
                       FA_KV_BYTES;
#if FA_KV_FP8
        const fa_u32 d = dst + dd * FA_BLOCK_N + n;
#else
        const fa_u32 d = dst + (dd * FA_LD_TILE + n) * 2;
#endif
        fa_cp_async<FA_CHUNK_BYTES>(d, valid ? src : base, valid * FA_KV_BYTES);
#endif
    }
}

/* Class of a warp's key tile over every query head the CTA serves (sound: EMPTY or FULL
 * only when so for each head), since a variant's mask may read the head. */
__device__ __forceinline__ int fa_dec_tile_class(const fa_args &a, fa_ctx c, int gqa, int h_first, int nh, int q0,
                                                 int q1, int k0, int k1)
{
    int cls = -1;
    for (int i = 0; i < nh; i++) {
        c.h = c.hk * gqa + (h_first + i) % gqa;
        const int ci = fa_tile_class(a, c, q0, q1, k0, k1);
        cls = cls < 0 ? ci : (cls == ci ? cls : FA_TILE_PARTIAL);
    }
    return cls < 0 ? FA_TILE_EMPTY : cls;
}

extern "C" __global__ void __launch_bounds__(FA_THREADS) FA_KERNEL_NAME(const __grid_constant__ fa_args args)
{
    extern __shared__ __align__(128) unsigned char fa_smem[];
    fa_u16 *sQ = (fa_u16 *)(fa_smem + FA_SM_Q);
    int *s_tab = (int *)(fa_smem + FA_SM_TAB);
    const fa_u32 sK0 = fa_smem_addr(fa_smem + FA_SM_K), sV0 = fa_smem_addr(fa_smem + FA_SM_V);

    const int tid = threadIdx.x, warp = tid / 32, lane = tid % 32;
    const int g = lane / 4, t4 = lane % 4;
    const int gqa = args.q_heads / args.kv_heads;
    const int row_tiles = (gqa * args.seqlen_q + FA_BLOCK_M - 1) / FA_BLOCK_M;
    const int rt = blockIdx.x % row_tiles, split = blockIdx.x / row_tiles;

    fa_ctx c;
    c.b = blockIdx.z;
    c.hk = blockIdx.y;
    c.h = c.hk * gqa;
    c.q_len = args.seqlen_q;
    c.kv_len = args.seq_lens[c.b];
    if (args.seqused_k)
        c.kv_len = args.seqused_k[c.b];

    /* Rows of this CTA: [row0, row1) of G * q_len; their tokens and query heads. */
    const int n_rows = gqa * c.q_len;
    const int row0 = rt * FA_BLOCK_M, row1 = min(row0 + FA_BLOCK_M, n_rows);
    const int qa0 = c.kv_len - c.q_len + row0 / gqa, qa1 = c.kv_len - c.q_len + (row1 - 1) / gqa + 1;
    const int h_first = row1 - row0 >= gqa ? 0 : row0 % gqa;
    const int n_heads = min(gqa, row1 - row0);

    /* Visited tiles: the sink tiles, then the tiles of the union of the heads' key ranges. */
    int kb = c.kv_len, ke = 0;
    for (int i = 0; i < n_heads; i++) {
        fa_ctx ch = c;
        ch.h = c.hk * gqa + (h_first + i) % gqa;
        int b0 = 0, b1 = c.kv_len;
        fa_key_range(args, ch, qa0, qa1, &b0, &b1);
        b0 = max(b0, 0);
        b1 = min(b1, c.kv_len);
        if (b0 < b1) {
            kb = min(kb, b0);
            ke = max(ke, b1);
        }
    }
    int t_lo = 0, t_hi = 0, n_sink = 0;
    if (kb < ke) {
        t_lo = kb / FA_BLOCK_N;
        t_hi = (ke + FA_BLOCK_N - 1) / FA_BLOCK_N;
    }
#if FA_SINK_TOKENS
    {
        const int st = (min(FA_SINK_TOKENS, c.kv_len) + FA_BLOCK_N - 1) / FA_BLOCK_N;
        if (t_hi <= t_lo) {
            t_lo = 0;
            t_hi = st;
        } else if (st >= t_lo) {
            t_lo = 0;
        } else {
            n_sink = st;
        }
    }
#endif
    const int n_list = n_sink + (t_hi - t_lo);
    const int per_split = (n_list + args.num_splits - 1) / args.num_splits;
    const int l0 = min(split * per_split, n_list), n_tiles = min(per_split, n_list - l0);

    /* Q rows (zero past the CTA's rows). */
    for (int i = tid; i < FA_BLOCK_M * (FA_HEAD_DIM / 8); i += FA_THREADS) {
        const int r = i / (FA_HEAD_DIM / 8), ch = i % (FA_HEAD_DIM / 8), gr = row0 + r;
        const bool ok = gr < row1;
        const fa_u16 *src = (const fa_u16 *)args.q + (long long)c.b * args.q_batch_stride;
        if (ok)
            src += (long long)(gr / gqa) * args.q_row_stride + (long long)(c.hk * gqa + gr % gqa) * args.q_head_stride +
                   ch * 8;
        fa_cp_async16(fa_smem_addr(sQ + r * FA_LDQ + ch * 8), src, ok ? 16 : 0);
    }

    /* Block-table entries of the first FA_STAGES tiles, and the next one in a register. */
    const long long k_head = (long long)c.hk * args.k_head_stride, v_head = (long long)c.hk * args.v_head_stride;
    int tab_next = 0;
    if (tid < FA_TILE_ENTRIES) {
        for (int s = 0; s < FA_STAGES && s < n_tiles; s++)
            s_tab[s * FA_TILE_ENTRIES + tid] = fa_dec_entry(args, c, fa_dec_tile(l0 + s, n_sink, t_lo), tid);
        if (FA_STAGES < n_tiles)
            tab_next = fa_dec_entry(args, c, fa_dec_tile(l0 + FA_STAGES, n_sink, t_lo), tid);
    }
    __syncthreads();
#pragma unroll
    for (int s = 0; s < FA_STAGES - 1; s++) {
        if (s < n_tiles) {
            const int tile = fa_dec_tile(l0 + s, n_sink, t_lo);
            fa_dec_load(args.k, k_head, args.k_block_stride, args.k_row_stride, s_tab + s * FA_TILE_ENTRIES,
                        sK0 + s * FA_STAGE_BYTES, tile, c.kv_len);
            fa_dec_load(args.v, v_head, args.v_block_stride, args.v_row_stride, s_tab + s * FA_TILE_ENTRIES,
                        sV0 + s * FA_STAGE_BYTES, tile, c.kv_len);
        }
        fa_cp_async_commit();
    }

    /* Scales: fp8 descales fold into the exponent (K) and the output (V). */
    float k_desc = 1.f, v_desc = 1.f;
#if FA_KV_FP8
    k_desc = args.k_descale_per_head ? args.k_descale_per_head[c.hk] : args.k_descale;
    v_desc = args.v_descale_per_head ? args.v_descale_per_head[c.hk] : args.v_descale;
#endif
#if FA_HAS_SCORE
    const float mult = 1.f, s_scale = args.softmax_scale * k_desc;
#else
    const float mult = args.scale_log2 * k_desc;
#endif

    float o[FA_MI][FA_NT_O][4];
    float row_max[FA_MI][2], row_sum[FA_MI][2];
#pragma unroll
    for (int mi = 0; mi < FA_MI; mi++) {
#pragma unroll
        for (int nt = 0; nt < FA_NT_O; nt++)
            o[mi][nt][0] = o[mi][nt][1] = o[mi][nt][2] = o[mi][nt][3] = 0.f;
        row_max[mi][0] = row_max[mi][1] = FA_NEG_INF;
        row_sum[mi][0] = row_sum[mi][1] = 0.f;
    }

    /* ldmatrix lane addresses. Q (A operand): rows lane % 16, d chunk lane / 16. */
    const fa_u32 q_lane = fa_smem_addr(sQ) + ((lane % 16) * FA_LDQ + (lane / 16) * 8) * 2;
#if FA_KV_FP8
    fa_u16 *wK = (fa_u16 *)(fa_smem + FA_SM_WARP) + warp * 2 * FA_WARP_BUF_ELEMS, *wV = wK + FA_WARP_BUF_ELEMS;
    const fa_u32 k_view = fa_smem_addr(wK), v_view = fa_smem_addr(wV);
    const int koff = 0, ld = FA_LD_WARP;
#else
    const int koff = warp * FA_DEC_WARP_KEYS, ld = FA_LD_TILE;
#endif
#if FA_PAGED_NHD
    /* K rows are keys (plain ldmatrix), V rows are keys (transposing ldmatrix). */
    const fa_u32 k_lane = ((koff + (lane / 16) * 8 + lane % 8) * ld + ((lane / 8) % 2) * 8) * 2;
    const fa_u32 v_lane = ((koff + ((lane / 8) % 2) * 8 + lane % 8) * ld + (lane / 16) * 8) * 2;
    const fa_u32 k_ks_step = 16 * 2, k_np_step = 16 * ld * 2, v_ks_step = 16 * ld * 2, v_dp_step = 16 * 2;
#else
    /* Tiles are [D][keys]: K needs the transposing ldmatrix, V the plain one. */
    const fa_u32 k_lane = ((((lane / 8) % 2) * 8 + lane % 8) * ld + koff + (lane / 16) * 8) * 2;
    const fa_u32 v_lane = (((lane / 16) * 8 + lane % 8) * ld + koff + ((lane / 8) % 2) * 8) * 2;
    const fa_u32 k_ks_step = 16 * ld * 2, k_np_step = 16 * 2, v_ks_step = 16 * 2, v_dp_step = 16 * ld * 2;
#endif

    /* Per fragment row: its token's position and its query head (padding rows: row1 - 1's). */
    int r_q[FA_MI][2], r_h[FA_MI][2];
#pragma unroll
    for (int mi = 0; mi < FA_MI; mi++)
#pragma unroll
        for (int half = 0; half < 2; half++) {
            const int gr = min(row0 + mi * 16 + g + half * 8, row1 - 1);
            r_q[mi][half] = c.kv_len - c.q_len + gr / gqa;
            r_h[mi][half] = c.hk * gqa + gr % gqa;
        }

    for (int it = 0; it < n_tiles; it++) {
        fa_cp_async_wait<FA_STAGES - 2>();
        __syncthreads();
        {
            const int ahead = it + FA_STAGES - 1;
            if (ahead < n_tiles) {
                const int slot = ahead % FA_TAB_SLOTS, st = ahead % FA_STAGES;
                const int tile = fa_dec_tile(l0 + ahead, n_sink, t_lo);
                fa_dec_load(args.k, k_head, args.k_block_stride, args.k_row_stride, s_tab + slot * FA_TILE_ENTRIES,
                            sK0 + st * FA_STAGE_BYTES, tile, c.kv_len);
                fa_dec_load(args.v, v_head, args.v_block_stride, args.v_row_stride, s_tab + slot * FA_TILE_ENTRIES,
                            sV0 + st * FA_STAGE_BYTES, tile, c.kv_len);
            }
            fa_cp_async_commit();
            if (tid < FA_TILE_ENTRIES && it + FA_STAGES < n_tiles) {
                s_tab[((it + FA_STAGES) % FA_TAB_SLOTS) * FA_TILE_ENTRIES + tid] = tab_next;
                if (it + FA_STAGES + 1 < n_tiles)
                    tab_next = fa_dec_entry(args, c, fa_dec_tile(l0 + it + FA_STAGES + 1, n_sink, t_lo), tid);
            }
        }

        const int stage = it % FA_STAGES;
        const int n0 = fa_dec_tile(l0 + it, n_sink, t_lo) * FA_BLOCK_N + warp * FA_DEC_WARP_KEYS;
        const int n1 = min(n0 + FA_DEC_WARP_KEYS, c.kv_len);
        const int cls = n0 < n1 ? fa_dec_tile_class(args, c, gqa, h_first, n_heads, qa0, qa1, n0, n1)
                                : FA_TILE_EMPTY;
        if (cls == FA_TILE_EMPTY)
            continue;
#if FA_KV_FP8
        __syncwarp();
        fa_convert_warp_tile(fa_smem + FA_SM_K + stage * FA_STAGE_BYTES, wK, warp, lane);
        fa_convert_warp_tile(fa_smem + FA_SM_V + stage * FA_STAGE_BYTES, wV, warp, lane);
        __syncwarp();
        const fa_u32 k_s = k_view + k_lane, v_s = v_view + v_lane;
#else
        const fa_u32 k_s = sK0 + stage * FA_STAGE_BYTES + k_lane, v_s = sV0 + stage * FA_STAGE_BYTES + v_lane;
#endif
        const bool need_mask = (FA_HAS_MASK && cls != FA_TILE_FULL) || n0 + FA_DEC_WARP_KEYS > c.kv_len;

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
                fa_ldmatrix_x4(q_lane + (mi * 16 * FA_LDQ + ks * 16) * 2, qa[mi]);
#pragma unroll
            for (int np = 0; np < FA_NT_S / 2; np++) {
                fa_u32 kb4[4];
#if FA_PAGED_NHD
                fa_ldmatrix_x4(k_s + ks * k_ks_step + np * k_np_step, kb4);
#else
                fa_ldmatrix_x4_trans(k_s + ks * k_ks_step + np * k_np_step, kb4);
#endif
#pragma unroll
                for (int mi = 0; mi < FA_MI; mi++) {
                    fa_mma16816(s[mi][2 * np], qa[mi], kb4[0], kb4[1]);
                    fa_mma16816(s[mi][2 * np + 1], qa[mi], kb4[2], kb4[3]);
                }
            }
        }

        /* Score function and mask per element, with the row's own head; row_max in log2 units. */
#pragma unroll
        for (int mi = 0; mi < FA_MI; mi++)
#pragma unroll
            for (int half = 0; half < 2; half++) {
                fa_ctx rc = c;
                rc.h = r_h[mi][half];
#pragma unroll
                for (int nt = 0; nt < FA_NT_S; nt++)
#pragma unroll
                    for (int e = 0; e < 2; e++) {
                        const int kpos = n0 + nt * 8 + 2 * t4 + e;
                        float &x = s[mi][nt][half * 2 + e];
#if FA_HAS_SCORE
                        x = fa_score(args, rc, r_q[mi][half], kpos, x * s_scale) * FA_LOG2E;
#endif
                        if (need_mask && !(kpos < c.kv_len && fa_visible(args, rc, r_q[mi][half], kpos)))
                            x = FA_NEG_INF;
                    }
            }
#pragma unroll
        for (int mi = 0; mi < FA_MI; mi++)
#pragma unroll
            for (int half = 0; half < 2; half++) {
                float mx = FA_NEG_INF;
#pragma unroll
                for (int nt = 0; nt < FA_NT_S; nt++)
                    mx = fmaxf(mx, fmaxf(s[mi][nt][half * 2], s[mi][nt][half * 2 + 1]));
                mx = fmaxf(fa_quad_max(mx) * mult, row_max[mi][half]);
                const float base = mx == FA_NEG_INF ? 0.f : mx;
                const float corr = fa_exp2(row_max[mi][half] - base);
                row_max[mi][half] = mx;
                float sum = 0.f;
#pragma unroll
                for (int nt = 0; nt < FA_NT_S; nt++)
#pragma unroll
                    for (int e = 0; e < 2; e++) {
                        const float p = fa_exp2(fmaf(s[mi][nt][half * 2 + e], mult, -base));
                        s[mi][nt][half * 2 + e] = p;
                        sum += p;
                    }
                row_sum[mi][half] = row_sum[mi][half] * corr + sum;
#pragma unroll
                for (int nt = 0; nt < FA_NT_O; nt++) {
                    o[mi][nt][half * 2] *= corr;
                    o[mi][nt][half * 2 + 1] *= corr;
                }
            }

        /* O += P.V */
#pragma unroll
        for (int ks = 0; ks < FA_KS_PV; ks++) {
            fa_u32 pa[FA_MI][4];
#pragma unroll
            for (int mi = 0; mi < FA_MI; mi++) {
                pa[mi][0] = fa_pack2(s[mi][2 * ks][0], s[mi][2 * ks][1]);
                pa[mi][1] = fa_pack2(s[mi][2 * ks][2], s[mi][2 * ks][3]);
                pa[mi][2] = fa_pack2(s[mi][2 * ks + 1][0], s[mi][2 * ks + 1][1]);
                pa[mi][3] = fa_pack2(s[mi][2 * ks + 1][2], s[mi][2 * ks + 1][3]);
            }
#pragma unroll
            for (int dp = 0; dp < FA_NT_O / 2; dp++) {
                fa_u32 vb[4];
#if FA_PAGED_NHD
                fa_ldmatrix_x4_trans(v_s + ks * v_ks_step + dp * v_dp_step, vb);
#else
                fa_ldmatrix_x4(v_s + ks * v_ks_step + dp * v_dp_step, vb);
#endif
#pragma unroll
                for (int mi = 0; mi < FA_MI; mi++) {
                    fa_mma16816(o[mi][2 * dp], pa[mi], vb[0], vb[1]);
                    fa_mma16816(o[mi][2 * dp + 1], pa[mi], vb[2], vb[3]);
                }
            }
        }
    }

    /* Combine the warps: each writes its (max, sum, O) rows, then every thread merges some
     * (row, 4 values of d) across warps. The stage buffers are free once copies are done. */
    fa_cp_async_wait<0>();
    __syncthreads();
    float *c_o = (float *)(fa_smem + FA_SM_K);                 /* [warps][BLOCK_M][D] */
    float *c_m = c_o + FA_NUM_WARPS * FA_BLOCK_M * FA_HEAD_DIM; /* [warps][BLOCK_M] */
    float *c_l = c_m + FA_NUM_WARPS * FA_BLOCK_M;
#pragma unroll
    for (int mi = 0; mi < FA_MI; mi++)
#pragma unroll
        for (int half = 0; half < 2; half++) {
            const int r = mi * 16 + g + half * 8;
            float *dst = c_o + (warp * FA_BLOCK_M + r) * FA_HEAD_DIM + 2 * t4;
#pragma unroll
            for (int nt = 0; nt < FA_NT_O; nt++)
                *(float2 *)(dst + nt * 8) = make_float2(o[mi][nt][half * 2], o[mi][nt][half * 2 + 1]);
            const float l = fa_quad_sum(row_sum[mi][half]);
            if (t4 == 0) {
                c_m[warp * FA_BLOCK_M + r] = row_max[mi][half];
                c_l[warp * FA_BLOCK_M + r] = l;
            }
        }
    __syncthreads();

    const bool split_out = args.num_splits > 1;
    for (int i = tid; i < FA_BLOCK_M * (FA_HEAD_DIM / 4); i += FA_THREADS) {
        const int r = i / (FA_HEAD_DIM / 4), d = (i % (FA_HEAD_DIM / 4)) * 4, gr = row0 + r;
        if (gr >= row1)
            continue;
        const int t = gr / gqa, h = c.hk * gqa + gr % gqa;
        float mx = FA_NEG_INF;
        for (int w = 0; w < FA_NUM_WARPS; w++)
            mx = fmaxf(mx, c_m[w * FA_BLOCK_M + r]);
        const float base = mx == FA_NEG_INF ? 0.f : mx;
        float l = 0.f, acc[4] = {0.f, 0.f, 0.f, 0.f};
        for (int w = 0; w < FA_NUM_WARPS; w++) {
            const float f = fa_exp2(c_m[w * FA_BLOCK_M + r] - base);
            const float4 v = *(const float4 *)(c_o + (w * FA_BLOCK_M + r) * FA_HEAD_DIM + d);
            l += f * c_l[w * FA_BLOCK_M + r];
            acc[0] += f * v.x;
            acc[1] += f * v.y;
            acc[2] += f * v.z;
            acc[3] += f * v.w;
        }
        float scale_o = 1.f;
#if FA_LEARNED_SINKS
        if (split == 0) {
            fa_ctx rc = c;
            rc.h = h;
            const float sink = fa_sink_logit(args, rc) * FA_LOG2E;
            const float m2 = fmaxf(mx, sink);
            scale_o = mx == FA_NEG_INF ? 0.f : fa_exp2(mx - m2);
            l = l * scale_o + fa_exp2(sink - m2);
            mx = m2;
        }
#endif
        const float inv = l > 0.f ? scale_o * v_desc / l : 0.f;
        const float lse = l > 0.f ? (mx + __log2f(l)) * FA_LN2 : FA_NEG_INF;
        const long long row = ((long long)c.b * args.q_heads + h) * args.seqlen_q + t; /* [b, h, t] */
        if (split_out) {
            const long long srow = (long long)split * args.batch * args.q_heads * args.seqlen_q + row;
            *(float4 *)(args.split_o + srow * FA_HEAD_DIM + d) =
                make_float4(acc[0] * inv, acc[1] * inv, acc[2] * inv, acc[3] * inv);
            if (d == 0)
                args.split_lse[srow] = lse;
        } else {
            fa_u16 *dst = (fa_u16 *)args.o + (long long)c.b * args.o_batch_stride + (long long)t * args.o_row_stride +
                          (long long)h * args.o_head_stride + d;
            *(uint2 *)dst = make_uint2(fa_pack2(acc[0] * inv, acc[1] * inv), fa_pack2(acc[2] * inv, acc[3] * inv));
            if (args.lse && d == 0)
                args.lse[row] = lse;
        }
    }
}
