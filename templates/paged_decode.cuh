/* paged_decode.cuh - attention of a few new tokens a sequence over a paged KV cache
 * (decode, and short chunks of chunked prefill), or over dense K/V (FA_DEC_DENSE);
 * memory-bound.
 * Queries: args.seqlen_q new tokens each, or (FA_VARLEN) packed [total_q, heads, D] rows
 * cu_seqlens_q[b].. of sequence b, at most args.seqlen_q (max_seqlen_q) of them: the grid is
 * sized for the most, and a CTA whose row tile is past its sequence's rows returns at once.
 *
 * Grid (row tiles x splits, kv heads, sequences); FA_NUM_WARPS warps a CTA.
 * Rows: every query head of one KV head, for every new token of the sequence, is a row of
 * the CTA's FA_BLOCK_M-row tile (row r: token r / G, query head hk * G + r % G, G the GQA
 * ratio), so each K/V tile is read from memory once for all of them (GQA packing); a KV head
 * with more rows than a tile (compiler/plan.c caps FA_BLOCK_M by the head dim) has several
 * row tiles, each reading the K/V tiles.
 * K/V: tiles of FA_BLOCK_N keys stream through FA_STAGES shared-memory buffers; the
 * block-table entries of a tile are fetched once, a tile ahead, into shared memory. Copies:
 *   FA_DEC_TMA 1 (sm_90a, set by compiler/plan.c: 16-bit caches, and fp8 HDB fragment
 *     tiles of blocks of 8 or 16 keys): TMA, one box per (block, 64 d) of a head (NHD) or
 *     per (block, head) slab (HDB), swizzled by the tensor maps in args.k_tmap/v_tmap
 *     (runtime/paged.c) so ldmatrix reads are conflict-free (fa_dec_off), or for HDB slabs
 *     of rows under 64 bytes one plain bulk copy a slab; each stage completes on its own
 *     mbarrier. Blocks past the sequence are
 *     not copied: their scores are masked and a warp zeroes the V of keys past the
 *     sequence before P.V (0 * a stale NaN would not be 0).
 *   0: 16-byte cp.async into padded rows, zero-filled past the sequence, L2 asked for
 *     256-byte pieces except at HDB block size 8 (FA_L2_PREFETCH_256).
 * Each warp takes FA_DEC_WARP_KEYS keys of a tile: S = Q.K^T and
 * O += P.V on m16n8k16 tensor cores, online softmax in exp2 with the scale folded in; the
 * warps' partial (max, sum, O) are combined through shared memory at the end.
 * Split-KV: split s of args.num_splits takes a contiguous share of the visited tiles and,
 * when num_splits > 1, writes its normalised partial (O, LSE) to args.split_o/split_lse
 * for the merge kernel (merge.cuh).
 *
 * Variations (macros):
 *   FA_PAGED_NHD 1: cache [blocks, block_size, kv_heads, D]: a key's D values are contiguous;
 *     copies run along D. 0 (HDB): cache [blocks, kv_heads, D, block_size]: a (block, head)
 *     slab [D, block_size] is contiguous; the tile is stored transposed ([D][keys] padded,
 *     or slab after slab with TMA) and the tensor-core fragments come from transposing
 *     ldmatrix loads instead. cp.async copies run along the keys of a d row (16 bytes, or
 *     one whole row when a block row is shorter).
 *   FA_PAGED_BLOCK 8..128 (may exceed FA_BLOCK_N: a tile is then part of one block).
 *   FA_DEC_DENSE 1: no cache, dense K/V: [batch, seqlen_k, kv_heads, D] by args' strides,
 *     or (FA_VARLEN) rows cu_seqlens_k[b].. of packed [total_k, kv_heads, D]. Read as an NHD
 *     cache (FA_PAGED_NHD 1) whose blocks of FA_PAGED_BLOCK keys are the sequence's own, in
 *     order: a tile's entry is its key / FA_PAGED_BLOCK, counted from the sequence's first
 *     key row (fa_dec_sources), no table read; TMA maps (dense, not packed: runtime/paged.c)
 *     take (key, head, sequence) coordinates. kv_len is seqlen_k (or the cu_seqlens_k
 *     difference); no entry or length is untrusted, so only a packed sequence of more rows
 *     than max_seqlen_q is poisoned (its rows NaN, as with a cache).
 *   FA_KV_FP8 0: cache of the query type, copied straight into the ldmatrix buffers.
 *     1 (e4m3) / 2 (e5m2): byte tiles, tensor cores in fp16 (both fp8 formats convert to
 *     fp16 exactly; a bf16 query tile is rescaled once a CTA by a power of two into fp16
 *     range, the factor folded into the softmax scale). args.k_descale/v_descale (or the
 *     per-head arrays) scale S and O. Two ways to the mma operands:
 *     FA_DEC_FRAG (power-of-two D; HDB: 32 keys a warp, tiles of 128 keys or more, or of 64
 *       when the slabs come by bulk copy): each
 *       thread reads its fragment bytes straight from the byte tile and converts them in
 *       registers. The fragments' key and d orders are permuted so those bytes are
 *       contiguous: S column n of tile nt is key fa_dec_key(nt, n), O column n of tile dt is
 *       d fa_dec_col(dt, n), and the Q fragments take the matching d order (the QK sum is
 *       order-free). NHD: 16 bytes of a key for K, 8 for V, tiles XOR-swizzled per 128-byte
 *       line (fa_dec_swz). HDB: 4 keys of each of 4 d rows for K and 8 keys of a d row for
 *       V, paired by byte permutes; cp.async tiles' rows XOR-swizzled in 16-byte chunks,
 *       bulk-copied slabs padded instead (fa_dec_hdb_at);
 *       the Q tile is permuted in shared memory once (fa_dec_q_permute).
 *     otherwise (NHD at D 96/192, HDB at 16 keys a warp): each warp converts its keys into
 *       its own 16-bit buffers, read with ldmatrix like a 16-bit tile.
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

/* fp8 operand path (see the header). */
#define FA_DEC_FRAG                                                                                      \
    (FA_KV_FP8 && (FA_HEAD_DIM & (FA_HEAD_DIM - 1)) == 0 &&                                              \
     (FA_PAGED_NHD || (FA_DEC_WARP_KEYS == 32 && (FA_BLOCK_N >= 128 || (FA_DEC_TMA && FA_DEC_SLAB_BULK)))))
#define FA_DEC_FRAG_HDB (FA_DEC_FRAG && !FA_PAGED_NHD)
#define FA_DEC_WARP_BUFS (FA_KV_FP8 && !FA_DEC_FRAG)
/* Kernels with one m16 row tile and D <= 128 hold Q's A fragments in registers for the whole
 * scan instead of reloading them every tile: the fp8 fragment paths' fa_dec_qa steps (D / 2
 * registers), the ldmatrix paths' k16 steps (D / 4). */
#define FA_DEC_Q_REGS (FA_MI == 1 && FA_HEAD_DIM <= 128)
#define FA_DEC_D64 (FA_HEAD_DIM / 64) /* 64-wide d groups: a K load (16 bytes) serves 4 k16 steps */

/* Cache element size and the keys of one block inside a tile. */
#define FA_KV_BYTES (FA_KV_FP8 ? 1 : 2)
#define FA_BSE (FA_PAGED_BLOCK < FA_BLOCK_N ? FA_PAGED_BLOCK : FA_BLOCK_N)
#define FA_TILE_ENTRIES (FA_BLOCK_N / FA_BSE)     /* block-table entries a tile spans */
#define FA_TAB_SLOTS (FA_STAGES + 1)              /* entry ring: a tile ahead of the copies */

/* TMA tiles (FA_DEC_TMA), entry after entry, FA_DEC_ENTRY_STRIDE apart (16-bit:
 * FA_TMA_ENTRY_BYTES, 1024-aligned for the swizzle; fp8 bulk slabs: padded, unswizzled):
 * NHD [entry][d / FA_TMA_BOX_D][key][FA_TMA_BOX_D d], one 5-d box an entry (rows of 128
 * bytes, or 64 when D is no multiple of 64, swizzled as wide); HDB [entry][D][FA_BSE keys],
 * which TMA moves as rows of 128 bytes swizzled as wide: FA_BSE keys of one d (64 keys), or
 * the FA_DEC_HDB_FOLD d rows of a whole block that fill one (blocks of 32 keys, whose slab
 * is contiguous). The tensor maps (runtime/paged.c) match. */
#define FA_TMA_ALIGN 1024
#define FA_TMA_BOX_D (FA_HEAD_DIM % 64 == 0 ? 64 : 32)
/* HDB slabs of rows under 64 bytes (block size 8, 16) come as one plain bulk copy each,
 * unswizzled: TMA moves rows that short slowly (H100: 0.61 / 0.89 of cuDNN, against 0.95 /
 * 0.97 as bulk copies; block size 16 then costs two-way ldmatrix conflicts). No tensor
 * map then (compiler/plan.c mirrors this: fa_plan.tensor_maps). */
#define FA_DEC_SLAB_BULK (!FA_PAGED_NHD && FA_BSE <= 16)
/* d rows of an HDB TMA box row: TMA moves 64-byte rows slowly (H200: 0.96-0.98 of cuDNN at
 * blocks of 32 keys against 0.98-0.99 at 64), so a whole block's rows come two to a
 * 128-byte row; the offsets (fa_dec_off) stay those of [D][FA_BSE], only the swizzle widens. */
#define FA_DEC_HDB_FOLD (FA_BSE == FA_PAGED_BLOCK && FA_BSE * 2 < 128 ? 128 / (FA_BSE * 2) : 1)
#if FA_PAGED_NHD
#define FA_TMA_SWZ_MASK (FA_TMA_BOX_D * 2 / 16 - 1)
#else
#define FA_TMA_SWZ_MASK (FA_DEC_SLAB_BULK ? 0 : FA_BSE * FA_DEC_HDB_FOLD * 2 / 16 - 1)
#endif
#define FA_TMA_ENTRY_BYTES (FA_HEAD_DIM * FA_BSE * FA_KV_BYTES) /* K (or V) bytes of one entry */
/* Entries sit FA_DEC_ENTRY_STRIDE apart: fp8 slabs FA_BSE * 4 bytes past their size, so the
 * fragment loads that span slabs take different banks (fa_dec_hdb_at). */
#define FA_DEC_ENTRY_STRIDE (FA_TMA_ENTRY_BYTES + (FA_KV_FP8 ? FA_BSE * 4 : 0))
#if FA_DEC_TMA && FA_KV_FP8 && !(FA_DEC_FRAG_HDB && FA_DEC_SLAB_BULK)
#error "fp8 TMA stages are HDB fragment tiles of bulk-copied slabs only"
#endif

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
/* fa_dec_load: chunks of a thread unrolled together (a constant, not a macro: nvcc's
 * preprocessor leaves pragmas unexpanded) */
constexpr int fa_dec_copy_unroll = 8;

/* 16-bit buffers are padded by 8 elements a row, so ldmatrix's 8 rows hit 8 bank groups.
 * NHD tiles are [keys][D], HDB tiles [D][keys]. */
#define FA_PAD 8
#define FA_LDQ (FA_HEAD_DIM + FA_PAD)
/* The warps' final O rows in shared memory, 4 floats apart from a multiple of 32 banks, so
 * the 8 rows of a fragment store spread over the banks (unpadded: 8- to 16-way conflicts). */
#define FA_LDC (FA_HEAD_DIM + 4)
/* Their bytes from FA_SM_K: O [warps][BLOCK_M][FA_LDC], then each row's max and sum. */
#define FA_COMBINE_BYTES (FA_NUM_WARPS * FA_BLOCK_M * (FA_LDC + 2) * 4)
#if FA_PAGED_NHD
#define FA_LD_TILE (FA_HEAD_DIM + FA_PAD)
#define FA_LD_WARP (FA_HEAD_DIM + FA_PAD)
#define FA_WARP_BUF_ELEMS (FA_DEC_WARP_KEYS * FA_LD_WARP)
#else
#define FA_LD_TILE (FA_BLOCK_N + FA_PAD)
#define FA_LD_WARP (FA_DEC_WARP_KEYS + FA_PAD)
#define FA_WARP_BUF_ELEMS (FA_HEAD_DIM * FA_LD_WARP)
#endif
/* One K or V stage: a 16-bit tile, or for fp8 the byte tile as stored (TMA: its entries
 * FA_DEC_ENTRY_STRIDE apart). */
#if FA_DEC_TMA
#define FA_STAGE_BYTES (FA_DEC_ENTRY_STRIDE * FA_TILE_ENTRIES)
#elif FA_KV_FP8
#define FA_STAGE_BYTES (FA_BLOCK_N * FA_HEAD_DIM)
#elif FA_PAGED_NHD
#define FA_STAGE_BYTES (FA_BLOCK_N * FA_LD_TILE * 2)
#else
#define FA_STAGE_BYTES (FA_HEAD_DIM * FA_LD_TILE * 2)
#endif

/* Shared-memory map (bytes): Q tile, K stages, V stages, fp8 warp buffers, entry ring,
 * stage mbarriers. The warps' final (max, sum, O) reuse the stage buffers. With TMA the map
 * starts at the first 1024-aligned byte and the stages are 1024-aligned. Mirrored by
 * compiler/plan.c. */
#define FA_SM_Q 0
#if FA_DEC_TMA
#define FA_SM_K ((FA_BLOCK_M * FA_LDQ * 2 + FA_TMA_ALIGN - 1) / FA_TMA_ALIGN * FA_TMA_ALIGN)
#else
#define FA_SM_K (FA_BLOCK_M * FA_LDQ * 2)
#endif
#define FA_SM_V (FA_SM_K + FA_STAGES * FA_STAGE_BYTES)
#define FA_SM_WARP (FA_SM_V + FA_STAGES * FA_STAGE_BYTES)
#define FA_SM_TAB (FA_SM_WARP + (FA_DEC_WARP_BUFS ? FA_NUM_WARPS * 2 * FA_WARP_BUF_ELEMS * 2 : 0))
#define FA_SM_LID (FA_SM_TAB + FA_TAB_SLOTS * FA_TILE_ENTRIES * 4) /* list index of each ring slot's tile */
#define FA_SM_BAR ((FA_SM_LID + FA_TAB_SLOTS * 4 + 7) / 8 * 8) /* a "full" mbarrier a stage */

/* 16-byte copies ask L2 to fetch 256-byte pieces: +1.5-2% on the 16-bit NHD and HDB rows,
 * +7% at HDB block 128, fp8 unchanged (H100, 2026-11-26). Not for HDB blocks of 8 keys: that
 * kernel is bound by L2 tag lookups (ncu: 89% of peak at 54% DRAM) and lost 3% with it. */
#define FA_L2_PREFETCH_256 (FA_PAGED_NHD || FA_PAGED_BLOCK >= 16)

template <int BYTES> __device__ __forceinline__ void fa_cp_async(fa_u32 dst, const void *src, int src_bytes)
{
    if (BYTES == 16 && FA_L2_PREFETCH_256)
        asm volatile("cp.async.cg.shared.global.L2::256B [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(src), "r"(src_bytes));
    else if (BYTES == 16)
        asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(src), "r"(src_bytes));
    else
        asm volatile("cp.async.ca.shared.global [%0], [%1], %2, %3;\n" ::"r"(dst), "l"(src), "n"(BYTES),
                     "r"(src_bytes));
}

/* Tensor-core operands: the query type over 16-bit caches, fp16 over fp8 caches. */
__device__ __forceinline__ void fa_dec_mma(float d[4], const fa_u32 a[4], fa_u32 b0, fa_u32 b1)
{
#if FA_KV_FP8
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 "
                 "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
#else
    fa_mma16816(d, a, b0, b1);
#endif
}


#if FA_DEC_FRAG_HDB
/* Key (of the warp's 32) of S column n of n8 tile nt: thread g's K bytes of the 4 n8 tiles
 * are one 4-byte word of a d row (keys 4g..4g+3); its P values of k16 step ks are then
 * keys 8 t4 + 2 ks + {0, 4, 1, 5}, 8 bytes of a V row for both steps. */
__device__ __forceinline__ int fa_dec_key(int nt, int n)
{
    return FA_NT_S * n + nt;
}

__device__ __forceinline__ int fa_dec_col(int dt, int n)
{
    return dt * 8 + n;
}

/* Byte offset of (d, key) in an HDB byte tile. cp.async tiles ([D][FA_BLOCK_N]): 16-byte
 * chunks XOR 2 (d % 4), so the 4 d rows a K load reads (d % 4 = t4) and the 4 a V half warp
 * reads (d % 4 = g % 4) take 8 different chunks of the 128-byte bank space. TMA tiles: slab
 * after slab ([D][FA_BSE] each, FA_DEC_ENTRY_STRIDE apart); the stride's extra FA_BSE * 4
 * bytes move the 2 or 4 slabs a load spans to other banks. */
__device__ __forceinline__ int fa_dec_hdb_at(int d, int key)
{
#if FA_DEC_TMA
    return key / FA_BSE * FA_DEC_ENTRY_STRIDE + d * FA_BSE + key % FA_BSE;
#else
    return d * FA_BLOCK_N + ((key / 16) ^ (2 * (d & 3))) * 16 + key % 16;
#endif
}
#elif FA_DEC_FRAG
/* Key (of the warp's keys) of S column n of n8 tile nt: a thread's P values of a k16 step
 * are 4 consecutive keys, so its V fragments are 4 key rows. */
__device__ __forceinline__ int fa_dec_key(int nt, int n)
{
    return 16 * (nt / 2) + 4 * (n / 2) + 2 * (nt % 2) + n % 2;
}

/* d of O column n of n8 tile dt: a thread's V fragments of a key are 8 consecutive bytes
 * per 64-wide d group. */
__device__ __forceinline__ int fa_dec_col(int dt, int n)
{
    return 64 * (dt / 8) + 8 * n + dt % 8;
}

/* Shared position of 16-byte chunk idx of an fp8 tile ([keys][D] bytes): XOR-swizzled
 * inside its 128-byte line. K: a quarter warp reads the same chunks of keys n, n+1, which
 * land in opposite halves of the line; V: a half warp reads 2 chunks of keys 4 apart, which
 * land in 4 different chunk pairs. */
template <bool V> __device__ __forceinline__ int fa_dec_swz(int idx)
{
    const int line = idx / 8, per_key = FA_HEAD_DIM / 128; /* lines a key row spans (0: half a line) */
    if (V)
        return idx ^ (2 * ((line / (FA_CHUNKS_PER_ROW / 2)) & 3));
    return per_key ? idx ^ (4 * ((line / per_key) & 1)) : idx;
}
#else
__device__ __forceinline__ int fa_dec_key(int nt, int n)
{
    return nt * 8 + n;
}

__device__ __forceinline__ int fa_dec_col(int dt, int n)
{
    return dt * 8 + n;
}
#endif

#if FA_KV_FP8
#if FA_DTYPE_BF16
/* Rescales the CTA's bf16 query tile in place to fp16 by the power of two that puts its
 * largest magnitude in [2^14, 2^15) (exact: fp16 holds bf16's mantissa; only parts under
 * 2^-24 of that magnitude lose bits); returns the factor. Every warp scans the whole tile,
 * so the factor needs no exchange; one barrier separates the scans from the rewrite. */
__device__ __forceinline__ float fa_dec_q_to_f16(fa_u16 *sQ, int tid, int lane)
{
    const int per_row = FA_HEAD_DIM / 8;
    fa_u32 mx = 0;
    for (int i = lane; i < FA_BLOCK_M * per_row; i += 32) {
        const uint4 x = *(const uint4 *)(sQ + (i / per_row) * FA_LDQ + (i % per_row) * 8);
        mx = __vmaxu2(mx, __vmaxu2(__vmaxu2(x.x & 0x7fff7fffu, x.y & 0x7fff7fffu),
                                   __vmaxu2(x.z & 0x7fff7fffu, x.w & 0x7fff7fffu)));
    }
    mx = __reduce_max_sync(0xffffffffu, max(mx & 0xffffu, mx >> 16));
    const int shift = mx ? min(max(141 - (int)(mx >> 7), -100), 100) : 0; /* 14 - unbiased exponent */
    const float scale = __int_as_float((127 + shift) << 23);
    __syncthreads();
    for (int i = tid; i < FA_BLOCK_M * per_row; i += FA_THREADS) {
        uint4 *p = (uint4 *)(sQ + (i / per_row) * FA_LDQ + (i % per_row) * 8);
        fa_u32 w[4] = {p->x, p->y, p->z, p->w};
#pragma unroll
        for (int j = 0; j < 4; j++) {
            const float lo = __int_as_float(w[j] << 16) * scale, hi = __int_as_float(w[j] & 0xffff0000u) * scale;
            asm("cvt.rn.f16x2.f32 %0, %1, %2;\n" : "=r"(w[j]) : "f"(hi), "f"(lo));
        }
        *p = make_uint4(w[0], w[1], w[2], w[3]);
    }
    return scale;
}
#endif
#endif

#if FA_DEC_WARP_BUFS

/* Converts this warp's keys of a byte stage into its padded fp16 buffer (same layout as a
 * 16-bit stage, restricted to the warp's keys). */
__device__ __forceinline__ void fa_convert_warp_tile(const unsigned char *stage, fa_u16 *dst, int warp, int lane)
{
#if FA_PAGED_NHD
    const int per_row = FA_HEAD_DIM / 16, rows = FA_DEC_WARP_KEYS, src_ld = FA_HEAD_DIM, src0 = warp * FA_DEC_WARP_KEYS * FA_HEAD_DIM;
#else
    const int per_row = FA_DEC_WARP_KEYS / 16, rows = FA_HEAD_DIM, src_ld = FA_BLOCK_N, src0 = warp * FA_DEC_WARP_KEYS;
#endif
    for (int i = lane; i < rows * per_row; i += 32) {
        const int r = i / per_row, c = i % per_row;
        uint4 y0, y1;
        fa_fp8x16_to_f16(*(const uint4 *)(stage + src0 + r * src_ld + c * 16), y0, y1);
        *(uint4 *)(dst + r * FA_LD_WARP + c * 16) = y0;
        *(uint4 *)(dst + r * FA_LD_WARP + c * 16 + 8) = y1;
    }
}
#endif

/* Tile claims of a split decode (args.claim): past a fixed first share each, the splits of
 * one (row tile, KV head, sequence) take the tiles of its list from one counter, so a CTA
 * that streams faster takes more and they all end together. A counter is two words: the
 * tiles claimed (a 32-bit count in the first) and a tag. The merge kernel zeroes the
 * counters once it has read the partials; the tag (args.claim_tag, 64 bits, new every eager
 * launch) makes a launch whose counters hold anything else (a workspace's first launch, or
 * memory reused between a graph's replays) start from 0 too: before its first claim a CTA
 * makes the counter carry the tag (fa_dec_claim_tag); the one CAS of both words that finds
 * it stale resets it, before any claim of the launch. Claims are 32-bit adds to the count
 * (fa_dec_claim), whose result register the compiler keeps (a 64-bit add's was copied at
 * once, which waits for the round trip). The 128-bit load and CAS meet those adds on the same
 * words, all resolved in L2; the protocol needs only that a CTA which saw the tag adds after
 * the CAS that set it (its own program order) and that no add reaches the tag. */
__device__ __forceinline__ void fa_dec_claim_tag(unsigned long long *ctr, unsigned long long tag)
{
    unsigned long long count, seen;
    asm volatile("ld.relaxed.gpu.global.v2.u64 {%0, %1}, [%2];\n" : "=l"(count), "=l"(seen) : "l"(ctr) : "memory");
    while (seen != tag) {
        unsigned long long c = count, t = seen; /* becomes what the CAS found */
        asm volatile("{\n\t.reg .b128 want, reset, found;\n\tmov.b128 want, {%0, %1};\n\t"
                     "mov.b128 reset, {%2, %3};\n\tatom.relaxed.gpu.global.cas.b128 found, [%4], want, reset;\n\t"
                     "mov.b128 {%0, %1}, found;\n\t}\n"
                     : "+l"(c), "+l"(t) : "l"(0ull), "l"(tag), "l"(ctr) : "memory");
        if (c == count && t == seen)
            break; /* this CAS reset it */
        count = c;
        seen = t;
    }
}

/* How many tiles of a tagged counter were claimed before the `n` claimed now, as unsigned:
 * a count past 2^31 is no index. The count is the low half of the first word (little-endian). */
__device__ __forceinline__ unsigned fa_dec_claim(unsigned long long *ctr, unsigned n)
{
    unsigned old;
    asm volatile("atom.relaxed.gpu.global.add.u32 %0, [%1], %2;\n" : "=r"(old) : "l"(ctr), "r"(n) : "memory");
    return old;
}

/* List index of a claimed tile (claim: claim_base plus what its counter returned), or -1
 * past the list. */
__device__ __forceinline__ int fa_dec_claimed(unsigned claim, int n_list)
{
    return claim < (unsigned)n_list ? (int)claim : -1;
}

/* Block-table entry e of key tile `tile` (0 past the sequence: never read for data), as
 * stored: fa_paged_block checks it where it enters the ring (s_tab), so a load a tile ahead
 * (tab_next) stays unwaited for until then. */
__device__ __forceinline__ int fa_dec_entry(const fa_args &a, const fa_ctx &c, int tile, int e)
{
    const int key = tile * FA_BLOCK_N + e * FA_BSE;
#if FA_DEC_DENSE
    return key < c.kv_len ? key / FA_PAGED_BLOCK : 0;
#else
    return key < c.kv_len ? a.block_table[(long long)c.b * a.max_blocks_per_seq + key / FA_PAGED_BLOCK] : 0;
#endif
}

#if FA_PAGED_NHD
/* NHD copies in whole passes: a pass of the CTA copies FA_DEC_PASS_ROWS whole key rows, so
 * a thread keeps its 16-byte chunk and its row r of every pass, and (passes and blocks
 * being powers of two, one divides the other) pass j reads block entry j * ROWS / FA_BSE +
 * r / FA_BSE at row j * ROWS % FA_BSE + r % FA_BSE: its source is a per-thread base (fixed
 * for the CTA: fa_dec_src) plus the entry's block offset and a constant of j. */
#define FA_DEC_PASS_ROWS (FA_THREADS / FA_CHUNKS_PER_ROW)
#define FA_DEC_PASS_COPIES                                                                           \
    (FA_THREADS % FA_CHUNKS_PER_ROW == 0 && FA_TILE_CHUNKS % FA_THREADS == 0 &&                      \
     (FA_BSE % FA_DEC_PASS_ROWS == 0 || FA_DEC_PASS_ROWS % FA_BSE == 0))
#else
#define FA_DEC_PASS_COPIES 0
#endif

/* A thread's copy sources, fixed for the CTA: the K and V caches at its KV head (pass
 * copies: at its chunk of its row r of the first block entry, and its entries from r);
 * dense K/V at the sequence's first key row (k_start when packed), whose TMA coordinates
 * are tma_key0 (keys) and tma_seq (sequences). */
struct fa_dec_src {
    const unsigned char *k, *v;
    int entry0;
#if FA_DEC_DENSE && FA_DEC_TMA
    int tma_key0, tma_seq;
#endif
};

__device__ __forceinline__ fa_dec_src fa_dec_sources(const fa_args &a, const fa_ctx &c, int k_start)
{
    fa_dec_src s;
    long long k_off = c.hk * a.k_head_stride, v_off = c.hk * a.v_head_stride;
#if FA_DEC_DENSE
    k_off += FA_VARLEN ? k_start * a.k_row_stride : c.b * a.k_batch_stride;
    v_off += FA_VARLEN ? k_start * a.v_row_stride : c.b * a.v_batch_stride;
#if FA_DEC_TMA
    s.tma_key0 = k_start;
    s.tma_seq = FA_VARLEN ? 0 : c.b;
#endif
#endif
    s.entry0 = 0;
#if FA_DEC_PASS_COPIES
    const int r = threadIdx.x / FA_CHUNKS_PER_ROW, ch16 = threadIdx.x % FA_CHUNKS_PER_ROW * 16 / FA_KV_BYTES;
    k_off += r % FA_BSE * a.k_row_stride + ch16;
    v_off += r % FA_BSE * a.v_row_stride + ch16;
    s.entry0 = r / FA_BSE;
#endif
    s.k = (const unsigned char *)a.k + k_off * FA_KV_BYTES;
    s.v = (const unsigned char *)a.v + v_off * FA_KV_BYTES;
    return s;
}

#if FA_DEC_PASS_COPIES
/* Pass copies of one K or V tile (see FA_DEC_PASS_COPIES); FULL: every key of the tile is
 * below kv_len (no zero-fill). */
template <bool V, bool FULL>
__device__ __forceinline__ void fa_dec_load_passes(const unsigned char *src, long long block_stride, long long row_stride,
                                                   const int *entries, fa_u32 dst, int tile, int kv_len)
{
    const int n0 = tile * FA_BLOCK_N, in_block0 = FA_PAGED_BLOCK > FA_BLOCK_N ? n0 % FA_PAGED_BLOCK : 0;
    const unsigned long long bsb = (unsigned long long)block_stride * FA_KV_BYTES; /* entries are never negative */
    const long long rsb = row_stride * FA_KV_BYTES;
    const int rows_left = kv_len - n0 - (int)threadIdx.x / FA_CHUNKS_PER_ROW;
#pragma unroll
    for (int j = 0; j < FA_CHUNKS_PER_THREAD; j++) {
        const int row = j * FA_DEC_PASS_ROWS;
        const unsigned blk = (unsigned)entries[row / FA_BSE];
        const unsigned char *p = src + blk * bsb + (row % FA_BSE + in_block0) * rsb;
        const int idx = threadIdx.x + j * FA_THREADS;
#if FA_DEC_FRAG
        const fa_u32 d = dst + fa_dec_swz<V>(idx) * 16;
#elif FA_KV_FP8
        const fa_u32 d = dst + idx * 16;
#else
        const fa_u32 d = dst + (idx / FA_CHUNKS_PER_ROW * FA_LD_TILE + idx % FA_CHUNKS_PER_ROW * 8) * 2;
#endif
        if (FULL || row < rows_left)
            fa_cp_async<16>(d, p, 16);
        else
            fa_cp_async<16>(d, src, 0);
    }
}
#endif

/* Issues the copies of one K or V tile (key tile `tile`, blocks in `entries`) into `dst`.
 * Chunk j of a thread is tid + j * FA_THREADS; keys at or past kv_len are zero-filled. */
template <bool V>
__device__ __forceinline__ void fa_dec_load(const unsigned char *base, long long block_stride, long long row_stride,
                                            const int *entries, fa_u32 dst, int tile, int kv_len)
{
    const int n0 = tile * FA_BLOCK_N;
    const int in_block0 = FA_PAGED_BLOCK > FA_BLOCK_N ? n0 % FA_PAGED_BLOCK : 0;
#if FA_PAGED_NHD
    /* Byte strides; a block index is never negative, so blk * stride is one wide multiply. */
    const unsigned long long bsb = (unsigned long long)block_stride * FA_KV_BYTES;
    const long long rsb = row_stride * FA_KV_BYTES;
#endif
    /* Unrolled fa_dec_copy_unroll chunks at a time: wider tiles (16 chunks a thread at d256
     * on sm_80) kept every chunk's address live and spilled. */
#pragma unroll fa_dec_copy_unroll
    for (int j = 0; j < FA_CHUNKS_PER_THREAD; j++) {
        const int idx = threadIdx.x + j * FA_THREADS;
        if (FA_TILE_CHUNKS % FA_THREADS != 0 && idx >= FA_TILE_CHUNKS)
            break;
#if FA_PAGED_NHD
        /* With whole key rows a pass, a thread keeps its chunk and steps keys by a constant. */
        const int n = FA_THREADS % FA_CHUNKS_PER_ROW == 0
                          ? threadIdx.x / FA_CHUNKS_PER_ROW + j * (FA_THREADS / FA_CHUNKS_PER_ROW)
                          : idx / FA_CHUNKS_PER_ROW;
        const int ch = FA_THREADS % FA_CHUNKS_PER_ROW == 0 ? threadIdx.x % FA_CHUNKS_PER_ROW : idx % FA_CHUNKS_PER_ROW;
        const unsigned blk = (unsigned)entries[n / FA_BSE];
        const int pos = in_block0 + n % FA_BSE;
        const bool ok = n0 + n < kv_len;
        const unsigned char *src = base + (blk * bsb + pos * rsb + ch * 16);
#if FA_DEC_FRAG
        const fa_u32 d = dst + fa_dec_swz<V>(idx) * 16;
#elif FA_KV_FP8
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
#if FA_DEC_FRAG_HDB
        const fa_u32 d = dst + fa_dec_hdb_at(dd, n);
#elif FA_KV_FP8
        const fa_u32 d = dst + dd * FA_BLOCK_N + n;
#else
        const fa_u32 d = dst + (dd * FA_LD_TILE + n) * 2;
#endif
        fa_cp_async<FA_CHUNK_BYTES>(d, valid ? src : base, valid * FA_KV_BYTES);
#endif
    }
}

/* Byte offset of element (d, key) of a K/V stage as ldmatrix reads it (the fp8 warp
 * buffers: of the warp's own keys). TMA stages: the logical offset with bits 4-6 XOR bits
 * 7-9 (as many bits as the swizzle has), the pattern TMA wrote (stages are 1024-aligned). */
__device__ __forceinline__ fa_u32 fa_dec_off(int d, int key)
{
#if FA_DEC_TMA
#if FA_PAGED_NHD
    const fa_u32 l = key / FA_BSE * FA_TMA_ENTRY_BYTES + d / FA_TMA_BOX_D * (FA_BSE * FA_TMA_BOX_D * 2) +
                     key % FA_BSE * (FA_TMA_BOX_D * 2) + d % FA_TMA_BOX_D * 2;
#else
    const fa_u32 l = key / FA_BSE * FA_TMA_ENTRY_BYTES + d * (FA_BSE * 2) + key % FA_BSE * 2;
#endif
    return l ^ ((l >> 7) & FA_TMA_SWZ_MASK) << 4;
#else
    const int ld = FA_DEC_WARP_BUFS ? FA_LD_WARP : FA_LD_TILE;
#if FA_PAGED_NHD
    return (key * ld + d) * 2;
#else
    return (d * ld + key) * 2;
#endif
#endif
}

#if FA_DEC_TMA
__device__ __forceinline__ void fa_mbar_expect_tx(fa_u32 bar, unsigned bytes)
{
    asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;\n" ::"r"(bar), "r"(bytes) : "memory");
}

/* One box of tensor map `tmap` into dst (128-byte aligned), its bytes completing on
 * mbarrier `bar`: NHD maps are 5-d (d in box, key of block, d box, head, block), HDB maps
 * 3-d (key of block, (head * D + d) / FA_DEC_HDB_FOLD, block). */
__device__ __forceinline__ void fa_tma_load(fa_u32 dst, const void *tmap, int key0, int hk, int blk, fa_u32 bar)
{
#if FA_PAGED_NHD
    asm volatile("cp.async.bulk.tensor.5d.shared::cluster.global.tile.mbarrier::complete_tx::bytes"
                 " [%0], [%1, {%2, %3, %2, %4, %5}], [%6];\n" ::"r"(dst),
                 "l"(tmap), "r"(0), "r"(key0), "r"(hk), "r"(blk), "r"(bar)
                 : "memory");
#else
    asm volatile("cp.async.bulk.tensor.3d.shared::cluster.global.tile.mbarrier::complete_tx::bytes"
                 " [%0], [%1, {%2, %3, %4}], [%5];\n" ::"r"(dst),
                 "l"(tmap), "r"(key0), "r"(hk * FA_HEAD_DIM / FA_DEC_HDB_FOLD), "r"(blk), "r"(bar)
                 : "memory");
#endif
}

/* Asynchronous copy of `bytes` (a multiple of 16; both addresses 16-byte aligned) whose
 * bytes complete on mbarrier `bar`. */
__device__ __forceinline__ void fa_bulk_copy(fa_u32 dst, const void *src, unsigned bytes, fa_u32 bar)
{
    asm volatile("cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1], %2, [%3];\n" ::"r"(dst),
                 "l"(src), "r"(bytes), "r"(bar)
                 : "memory");
}

/* Block-table entries of key tile `tile` that hold keys below kv_len (the ones copied). */
__device__ __forceinline__ int fa_dec_tile_entries(int tile, int kv_len)
{
    return (min(max(kv_len - tile * FA_BLOCK_N, 0), FA_BLOCK_N) + FA_BSE - 1) / FA_BSE;
}

/* Issues one tile's K and V copies, one an entry (FA_TMA_ENTRY_BYTES each): copy i (entry
 * i's K, or entry i - entries' V) to lane i / FA_NUM_WARPS of warp i % FA_NUM_WARPS. A warp
 * issues its lanes' copies one after another (their operands are warp-uniform registers),
 * so the copies are spread over the warps. NHD: FA_BSE keys of head hk, every d; HDB: the
 * (block, head) slab, or FA_BSE keys of it when a block spans tiles. */
__device__ __forceinline__ void fa_dec_load_tma(const fa_args &a, int hk, const fa_dec_src &src, const int *entries,
                                                fa_u32 k_dst, fa_u32 v_dst, int tile, int kv_len, fa_u32 bar)
{
    const int in_block0 = FA_PAGED_BLOCK > FA_BLOCK_N ? tile * FA_BLOCK_N % FA_PAGED_BLOCK : 0;
    const int n = fa_dec_tile_entries(tile, kv_len);
    for (int i = threadIdx.x % 32 * FA_NUM_WARPS + threadIdx.x / 32; i < 2 * n; i += FA_THREADS) {
        const bool v = i >= n;
        const int e = v ? i - n : i;
        const fa_u32 dst = (v ? v_dst : k_dst) + e * FA_DEC_ENTRY_STRIDE;
#if FA_DEC_SLAB_BULK
        const long long slab = (long long)entries[e] * (v ? a.v_block_stride : a.k_block_stride) +
                               (long long)hk * (v ? a.v_head_stride : a.k_head_stride);
        fa_bulk_copy(dst, (const unsigned char *)(v ? a.v : a.k) + slab * FA_KV_BYTES, FA_TMA_ENTRY_BYTES, bar);
#else
#if FA_DEC_DENSE /* the map spans the sequences' keys: entry e's first key, sequence */
        fa_tma_load(dst, v ? a.v_tmap : a.k_tmap, src.tma_key0 + entries[e] * FA_PAGED_BLOCK + in_block0, hk,
                    src.tma_seq, bar);
#else
        fa_tma_load(dst, v ? a.v_tmap : a.k_tmap, in_block0, hk, entries[e], bar);
#endif
#endif
    }
}

/* Zeroes V of this warp's keys at or past kv_len in TMA stage `v` (never copied, or
 * stale): P is 0 there, but 0 * NaN is not. */
__device__ __forceinline__ void fa_dec_zero_tail(unsigned char *v, int warp, int lane, int n0, int kv_len)
{
    for (int i = lane; i < FA_DEC_WARP_KEYS * FA_HEAD_DIM; i += 32) {
        const int kk = i / FA_HEAD_DIM, d = i % FA_HEAD_DIM;
        if (n0 + kk < kv_len)
            continue;
#if FA_DEC_FRAG_HDB
        v[fa_dec_hdb_at(d, warp * FA_DEC_WARP_KEYS + kk)] = 0;
#else
        *(fa_u16 *)(v + fa_dec_off(d, warp * FA_DEC_WARP_KEYS + kk)) = 0;
#endif
    }
    fa_fence_proxy_async(); /* before a later TMA copy rewrites these bytes */
    __syncwarp();
}
#endif

/* Issues the copies of one tile's K and V (TMA boxes complete on `bar`). */
__device__ __forceinline__ void fa_dec_load_tile(const fa_args &a, int hk, const fa_dec_src &src, const int *entries,
                                                 fa_u32 k_dst, fa_u32 v_dst, int tile, int kv_len, fa_u32 bar)
{
#if FA_DEC_TMA
    fa_dec_load_tma(a, hk, src, entries, k_dst, v_dst, tile, kv_len, bar);
#elif FA_DEC_PASS_COPIES
    const int *e = entries + src.entry0;
    if ((tile + 1) * FA_BLOCK_N <= kv_len) {
        fa_dec_load_passes<false, true>(src.k, a.k_block_stride, a.k_row_stride, e, k_dst, tile, kv_len);
        fa_dec_load_passes<true, true>(src.v, a.v_block_stride, a.v_row_stride, e, v_dst, tile, kv_len);
    } else {
        fa_dec_load_passes<false, false>(src.k, a.k_block_stride, a.k_row_stride, e, k_dst, tile, kv_len);
        fa_dec_load_passes<true, false>(src.v, a.v_block_stride, a.v_row_stride, e, v_dst, tile, kv_len);
    }
#else
    fa_dec_load<false>(src.k, a.k_block_stride, a.k_row_stride, entries, k_dst, tile, kv_len);
    fa_dec_load<true>(src.v, a.v_block_stride, a.v_row_stride, entries, v_dst, tile, kv_len);
#endif
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

/* Q's A fragments of k16 step ks by ldmatrix (q_lane: this lane's row and d chunk). */
__device__ __forceinline__ void fa_dec_q_ldmatrix(fa_u32 (&qa)[FA_MI][4], fa_u32 q_lane, int ks)
{
#pragma unroll
    for (int mi = 0; mi < FA_MI; mi++)
        fa_ldmatrix_x4(q_lane + (mi * 16 * FA_LDQ + ks * 16) * 2, qa[mi]);
}

/* The fp8 fragment paths compute S = Q.K^T in FA_DEC_Q_STEPS steps, step i taking Q's A
 * fragments fa_dec_qa (fa_dec_q_step) and the tile's K bytes of that step (fa_dec_qk_step):
 * NHD a 64-wide d group, HDB a k16 step. */
#if FA_DEC_FRAG && FA_PAGED_NHD
#define FA_DEC_Q_STEPS FA_DEC_D64
typedef fa_u32 fa_dec_qa[FA_MI][4][4];

/* Q's A fragments of 64-wide d group h in the d order of fa_dec_qk_step's K bytes: 16 fp16
 * of a row, 2 conflict-free loads a row. */
__device__ __forceinline__ void fa_dec_q_step(fa_dec_qa &qa, const fa_u16 *sQ, fa_u32, int g, int t4, int h)
{
#pragma unroll
    for (int mi = 0; mi < FA_MI; mi++) {
        const fa_u16 *q0 = sQ + (mi * 16 + g) * FA_LDQ + 64 * h + 16 * t4, *q1 = q0 + 8 * FA_LDQ;
        const uint4 a = *(const uint4 *)q0, b = *(const uint4 *)(q0 + 8);
        const uint4 c = *(const uint4 *)q1, d = *(const uint4 *)(q1 + 8);
        const fa_u32 r0[8] = {a.x, a.y, a.z, a.w, b.x, b.y, b.z, b.w}, r1[8] = {c.x, c.y, c.z, c.w, d.x, d.y, d.z, d.w};
#pragma unroll
        for (int j = 0; j < 4; j++) {
            qa[mi][j][0] = r0[2 * j];
            qa[mi][j][1] = r1[2 * j];
            qa[mi][j][2] = r0[2 * j + 1];
            qa[mi][j][3] = r1[2 * j + 1];
        }
    }
}

/* S += Q.K^T of the warp's keys over d group h from the byte tile k_t (FA_DEC_FRAG): each
 * thread reads 16 bytes of its key of each n8 tile (4 k16 steps of B fragments). */
__device__ __forceinline__ void fa_dec_qk_step(float (&s)[FA_MI][FA_NT_S][4], const fa_dec_qa &qa,
                                               const unsigned char *k_t, int wkey, int g, int t4, int h)
{
#pragma unroll
    for (int nt = 0; nt < FA_NT_S; nt++) {
        const int idx = (wkey + fa_dec_key(nt, g)) * FA_CHUNKS_PER_ROW + t4 + 4 * h;
        const uint4 x = *(const uint4 *)(k_t + fa_dec_swz<false>(idx) * 16);
        const fa_u32 w[4] = {x.x, x.y, x.z, x.w};
#pragma unroll
        for (int j = 0; j < 4; j++) {
            const fa_u32 b0 = fa_fp8x2_to_f16x2<0>(w[j]), b1 = fa_fp8x2_to_f16x2<1>(w[j]);
#pragma unroll
            for (int mi = 0; mi < FA_MI; mi++)
                fa_dec_mma(s[mi][nt], qa[mi][j], b0, b1);
        }
    }
}

/* O += P.V for one k16 step (keys key0..key0+3 of this thread) from the byte tile v_t
 * (FA_DEC_FRAG): 8 bytes of each of the 4 keys a d group; byte permutes pair the keys. */
__device__ __forceinline__ void fa_dec_pv_frag(float (&o)[FA_MI][FA_NT_O][4], const fa_u32 (&pa)[FA_MI][4],
                                               const unsigned char *v_t, int key0, int g)
{
#pragma unroll
    for (int u = 0; u < FA_DEC_D64; u++) {
        uint2 x[4];
#pragma unroll
        for (int i = 0; i < 4; i++)
            x[i] = *(const uint2 *)(v_t + fa_dec_swz<true>((key0 + i) * FA_CHUNKS_PER_ROW + g / 2 + 4 * u) * 16 +
                                    8 * (g % 2));
#pragma unroll
        for (int w = 0; w < 2; w++) {
            fa_u32 p01[2], p23[2]; /* bytes (key a, key b) interleaved: d 0,1 then d 2,3 of the word */
            const fa_u32 x0 = w ? x[0].y : x[0].x, x1 = w ? x[1].y : x[1].x;
            const fa_u32 x2 = w ? x[2].y : x[2].x, x3 = w ? x[3].y : x[3].x;
            asm("prmt.b32 %0, %1, %2, 0x5140;\n" : "=r"(p01[0]) : "r"(x0), "r"(x1));
            asm("prmt.b32 %0, %1, %2, 0x7362;\n" : "=r"(p01[1]) : "r"(x0), "r"(x1));
            asm("prmt.b32 %0, %1, %2, 0x5140;\n" : "=r"(p23[0]) : "r"(x2), "r"(x3));
            asm("prmt.b32 %0, %1, %2, 0x7362;\n" : "=r"(p23[1]) : "r"(x2), "r"(x3));
#pragma unroll
            for (int j = 0; j < 4; j++) {
                const fa_u32 b0 = j % 2 ? fa_fp8x2_to_f16x2<1>(p01[j / 2]) : fa_fp8x2_to_f16x2<0>(p01[j / 2]);
                const fa_u32 b1 = j % 2 ? fa_fp8x2_to_f16x2<1>(p23[j / 2]) : fa_fp8x2_to_f16x2<0>(p23[j / 2]);
#pragma unroll
                for (int mi = 0; mi < FA_MI; mi++)
                    fa_dec_mma(o[mi][8 * u + 4 * w + j], pa[mi], b0, b1);
            }
        }
    }
}
#endif

#if FA_DEC_FRAG_HDB
/* Reorders each 16-d group of every Q row so that fragment position 2 t + e + 8 h holds
 * d 4 (2 h + e) + t: the d rows fa_dec_qk_step pairs into its B fragments. One thread a
 * group, in place (barriers around it are the caller's). */
__device__ __forceinline__ void fa_dec_q_permute(fa_u16 *sQ, int tid)
{
    for (int i = tid; i < FA_BLOCK_M * FA_KS_QK; i += FA_THREADS) {
        uint4 *p = (uint4 *)(sQ + (i / FA_KS_QK) * FA_LDQ + (i % FA_KS_QK) * 16);
        const uint4 a = p[0], b = p[1];
        const fa_u32 w[8] = {a.x, a.y, a.z, a.w, b.x, b.y, b.z, b.w};
        fa_u32 out[8];
#pragma unroll
        for (int k = 0; k < 16; k += 2) { /* positions k, k + 1: d 4 (2 h + e) + t, e = 0, 1 */
            const int t = k % 8 / 2, h = k / 8, d0 = 8 * h + t, d1 = d0 + 4;
            out[k / 2] = (w[d0 / 2] >> (16 * (d0 % 2)) & 0xffffu) | (w[d1 / 2] >> (16 * (d1 % 2))) << 16;
        }
        p[0] = make_uint4(out[0], out[1], out[2], out[3]);
        p[1] = make_uint4(out[4], out[5], out[6], out[7]);
    }
}

#define FA_DEC_Q_STEPS FA_KS_QK
typedef fa_u32 fa_dec_qa[FA_MI][4];

/* Q's A fragments of k16 step ks, from the permuted Q tile. */
__device__ __forceinline__ void fa_dec_q_step(fa_dec_qa &qa, const fa_u16 *, fa_u32 q_lane, int, int, int ks)
{
    fa_dec_q_ldmatrix(qa, q_lane, ks);
}

/* S += Q.K^T of k16 step ks of the warp's keys (from wkey) from the HDB byte tile k_t, Q's
 * A fragments of the step in qa: the 4 keys 4g..4g+3 of d rows 16 ks + 4 slot + t4 (one
 * word each); byte permutes pair slots (0, 1) and (2, 3) per key, key 4g + nt being n8
 * tile nt's column g. */
__device__ __forceinline__ void fa_dec_qk_step(float (&s)[FA_MI][FA_NT_S][4], const fa_dec_qa &qa,
                                               const unsigned char *k_t, int wkey, int g, int t4, int ks)
{
    fa_u32 w[4], pr[2][2];
#pragma unroll
    for (int sl = 0; sl < 4; sl++)
        w[sl] = *(const fa_u32 *)(k_t + fa_dec_hdb_at(16 * ks + 4 * sl + t4, wkey + 4 * g));
#pragma unroll
    for (int b = 0; b < 2; b++) {
        asm("prmt.b32 %0, %1, %2, 0x5140;\n" : "=r"(pr[b][0]) : "r"(w[2 * b]), "r"(w[2 * b + 1]));
        asm("prmt.b32 %0, %1, %2, 0x7362;\n" : "=r"(pr[b][1]) : "r"(w[2 * b]), "r"(w[2 * b + 1]));
    }
#pragma unroll
    for (int nt = 0; nt < FA_NT_S; nt++) {
        const fa_u32 b0 = nt % 2 ? fa_fp8x2_to_f16x2<1>(pr[0][nt / 2]) : fa_fp8x2_to_f16x2<0>(pr[0][nt / 2]);
        const fa_u32 b1 = nt % 2 ? fa_fp8x2_to_f16x2<1>(pr[1][nt / 2]) : fa_fp8x2_to_f16x2<0>(pr[1][nt / 2]);
#pragma unroll
        for (int mi = 0; mi < FA_MI; mi++)
            fa_dec_mma(s[mi][nt], qa[mi], b0, b1);
    }
}

/* O += P.V over the warp's keys from the HDB byte tile v_t, both k16 steps at once: d row
 * 8 dt + g, keys 8 t4..8 t4 + 7 (one 8-byte load); step ks takes bytes (2 ks, 2 ks + 4)
 * and (2 ks + 1, 2 ks + 5). */
__device__ __forceinline__ void fa_dec_pv_hdb(float (&o)[FA_MI][FA_NT_O][4], const fa_u32 (&pa)[FA_KS_PV][FA_MI][4],
                                              const unsigned char *v_t, int wkey, int g, int t4)
{
#pragma unroll
    for (int dt = 0; dt < FA_NT_O; dt++) {
        const uint2 x = *(const uint2 *)(v_t + fa_dec_hdb_at(8 * dt + g, wkey + 8 * t4));
        fa_u32 pr[2];
        asm("prmt.b32 %0, %1, %2, 0x5140;\n" : "=r"(pr[0]) : "r"(x.x), "r"(x.y));
        asm("prmt.b32 %0, %1, %2, 0x7362;\n" : "=r"(pr[1]) : "r"(x.x), "r"(x.y));
#pragma unroll
        for (int ks = 0; ks < FA_KS_PV; ks++) {
            const fa_u32 b0 = fa_fp8x2_to_f16x2<0>(pr[ks]), b1 = fa_fp8x2_to_f16x2<1>(pr[ks]);
#pragma unroll
            for (int mi = 0; mi < FA_MI; mi++)
                fa_dec_mma(o[mi][dt], pa[ks][mi], b0, b1);
        }
    }
}
#endif

/* FA_MIN_CTAS (claims kernels: the CTAs an SM their shared memory allows) lets ptxas use the
 * registers those leave; else ptxas picks. */
#if FA_MIN_CTAS
#define FA_DEC_BOUNDS __launch_bounds__(FA_THREADS, FA_MIN_CTAS)
#else
#define FA_DEC_BOUNDS __launch_bounds__(FA_THREADS)
#endif
extern "C" __global__ void FA_DEC_BOUNDS FA_KERNEL_NAME(const __grid_constant__ fa_args args)
{
    extern __shared__ __align__(128) unsigned char fa_smem_raw[];
#if FA_DEC_TMA /* the map starts at the first 1024-aligned byte (plan.c adds the slack) */
    unsigned char *fa_smem = fa_smem_raw + ((FA_TMA_ALIGN - fa_smem_addr(fa_smem_raw) % FA_TMA_ALIGN) % FA_TMA_ALIGN);
#else
    unsigned char *fa_smem = fa_smem_raw;
#endif
    fa_u16 *sQ = (fa_u16 *)(fa_smem + FA_SM_Q);
    int *s_tab = (int *)(fa_smem + FA_SM_TAB), *s_lid = (int *)(fa_smem + FA_SM_LID);
    const fa_u32 bars = fa_smem_addr(fa_smem + FA_SM_BAR);
    const fa_u32 sK0 = fa_smem_addr(fa_smem + FA_SM_K), sV0 = fa_smem_addr(fa_smem + FA_SM_V);

    const int tid = threadIdx.x, warp = tid / 32, lane = tid % 32;
    const int g = lane / 4, t4 = lane % 4;
#if __CUDA_ARCH__ >= 900
    /* A split decode's merge is launched as a programmatic dependent (runtime/merge.c): it may
     * start once every CTA got here, and waits for this grid's completion before any load.
     * Unsplit grids leave a caller's own dependents to the grid's end. */
    if (args.num_splits > 1)
        asm volatile("griddepcontrol.launch_dependents;\n" ::: "memory");
#endif
#if FA_DEC_TMA && !FA_DEC_SLAB_BULK
    if (tid == 0) { /* the tensor maps, fetched while seq_lens and the block table load */
        asm volatile("prefetch.tensormap [%0];\n" ::"l"(&args.k_tmap) : "memory");
        asm volatile("prefetch.tensormap [%0];\n" ::"l"(&args.v_tmap) : "memory");
    }
#endif
    const int gqa = args.q_heads / args.kv_heads;
    const int row_tiles = (gqa * args.seqlen_q + FA_BLOCK_M - 1) / FA_BLOCK_M;
    /* CTA order (grid x: row tiles x splits, y: KV heads). fp8 NHD: the KV heads of one
     * (row tile, split) are consecutive CTAs, so the heads reading a block's interleaved rows
     * run together (H100, d128 split decode: 4-11% faster). 16-bit NHD rows gained nothing
     * and keep head-major order, which needs no registers for the CTA's coordinates (sm_80
     * d192 spilled remapped); so does HDB, whose fp8 slabs read no faster remapped (H100,
     * bench/results/2026-11-27-h100-session6: an earlier 1.4x slowdown was the benchmark
     * waiting on the host). */
#if FA_PAGED_NHD && FA_KV_FP8
    const long long cta = blockIdx.x + (long long)blockIdx.y * gridDim.x;
    const int xs = (int)(cta / gridDim.y), hk = (int)(cta % gridDim.y);
#else
    const int xs = blockIdx.x, hk = blockIdx.y;
#endif
    const int rt = xs % row_tiles, split = xs / row_tiles;

    fa_ctx c;
    c.b = blockIdx.z;
    c.hk = hk;
    c.h = c.hk * gqa;
#if FA_VARLEN /* packed queries: the grid's rows are max_seqlen_q's, this sequence has q_len */
    const int q_start = args.cu_seqlens_q[c.b];
    c.q_len = args.cu_seqlens_q[c.b + 1] - q_start;
#else
    const int q_start = 0;
    c.q_len = args.seqlen_q;
#endif
#if FA_DEC_DENSE
    int k_start = 0;
    c.kv_len = args.seqlen_k;
#if FA_VARLEN
    k_start = args.cu_seqlens_k[c.b];
    c.kv_len = args.cu_seqlens_k[c.b + 1] - k_start;
#endif
#else
    const int k_start = 0;
    c.kv_len = fa_paged_kv_len(args, c.b, c.q_len);
#endif
#if FA_VARLEN
    /* A sequence of more new tokens than max_seqlen_q (the grid's rows, and the split
     * partials' row length): the rows the grid holds come out NaN, reading no key, and no
     * partial lands past its row (FADSL_DEBUG_CHECKS refuses such offsets before launch). */
    const bool overrun = c.q_len > args.seqlen_q;
    if (overrun) {
        c.q_len = args.seqlen_q;
        c.kv_len = 0;
    }
#else
    const bool overrun = false;
#endif

    /* Rows of this CTA: [row0, row1) of G * q_len; their tokens and query heads. A row tile
     * past a packed sequence's rows has nothing to do (the merge skips its rows too). */
    const int n_rows = gqa * c.q_len;
    const int row0 = rt * FA_BLOCK_M, row1 = min(row0 + FA_BLOCK_M, n_rows);
#if FA_VARLEN
    if (row0 >= n_rows)
        return;
#endif
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
    const fa_tiles vt = fa_tiles_of(kb, ke, c.kv_len, FA_BLOCK_N, FA_SINK_TOKENS);
    const int n_list = vt.n;
    /* This split's share of the list: floor(n_list / splits) or one more tile, none empty
     * while n_list >= num_splits (so every CTA of a grid sized to the GPU's slots streams). */
    const int l0 = (int)((long long)split * n_list / args.num_splits);
    const int n_tiles = (int)((long long)(split + 1) * n_list / args.num_splits) - l0;
    /* The list index of this CTA's tile at each position (-1 past its last): its share, or
     * (FA_DEC_CLAIMS kernels given args.claim) tiles claimed as it goes (fa_dec_claim):
     * thread 0 knows the two positions past the entry ring's (lid_a, lid_b) and publishes
     * each in s_lid with its entries, a barrier or more before it is read. */
#if FA_DEC_CLAIMS
    unsigned long long *claim =
        args.claim ? args.claim + FA_CLAIM_WORDS * (((long long)c.b * gridDim.y + hk) * row_tiles + rt) : nullptr;
    int lid_a = -1, lid_b = -1;
    unsigned claim_base = 0; /* list index of the counter's first claim (thread 0) */
    /* Thread 0, from the second iteration on: lid_b comes from what the previous iteration's
     * claim returned into claim_raw, read only then, so the claim's round trip overlaps a
     * tile. Every iteration claims, also past the list (such claims count past n_list: -1). */
    unsigned claim_raw = 0;
    bool claim_tagged = false;
    auto has = [&](int p) { return claim ? s_lid[p % FA_TAB_SLOTS] >= 0 : p < n_tiles; };
    auto lid = [&](int p) { return claim ? s_lid[p % FA_TAB_SLOTS] : l0 + p; };
#else
    auto has = [&](int p) { return p < n_tiles; };
    auto lid = [&](int p) { return l0 + p; };
#endif

    /* Q rows (zero past the CTA's rows). */
    for (int i = tid; i < FA_BLOCK_M * (FA_HEAD_DIM / 8); i += FA_THREADS) {
        const int r = i / (FA_HEAD_DIM / 8), ch = i % (FA_HEAD_DIM / 8), gr = row0 + r;
        const bool ok = gr < row1;
        fa_ctx rc = c;
        rc.h = c.hk * gqa + (ok ? gr % gqa : 0);
        const fa_u16 *src = fa_q_row(args, rc, q_start, ok ? gr / gqa : 0) + (ok ? ch * 8 : 0);
        fa_cp_async16(fa_smem_addr(sQ + r * FA_LDQ + ch * 8), src, ok ? 16 : 0);
    }
    fa_cp_async_commit(); /* Q alone in the oldest group */

    /* Block-table entries of the first FA_STAGES tiles, and the next one in a register. */
    const fa_dec_src src = fa_dec_sources(args, c, k_start);
    int tab_next = 0;
    unsigned seen_entry = 0; /* the largest entry this thread put in the ring (fa_paged_block) */
#if FA_DEC_CLAIMS
    if (claim && warp == 0) {
        /* positions 0..FA_STAGES + 1: the first `own` are this split's fixed share (list
         * indices split * own..), claimed by nobody, so a long list starts without waiting on
         * the counter; the rest (short lists only) one tile each, claimed together, so a
         * short list spreads over the splits rather than going to the first CTAs in batches */
        int lids[FA_STAGES + 2];
#pragma unroll
        for (int p = 0; p < FA_STAGES + 2; p++)
            lids[p] = -1;
        if (lane == 0) {
            const int own = min(max(n_list / args.num_splits, 1), FA_STAGES + 2);
            claim_base = (unsigned)(args.num_splits * own);
            unsigned first = 0;
            claim_tagged = own < FA_STAGES + 2;
            if (claim_tagged) {
                fa_dec_claim_tag(claim, args.claim_tag);
                first = claim_base + fa_dec_claim(claim, FA_STAGES + 2 - own);
            }
#pragma unroll
            for (int p = 0; p < FA_STAGES + 2; p++)
                lids[p] = fa_dec_claimed(p < own ? (unsigned)(split * own + p) : first + (p - own), n_list);
        }
#pragma unroll
        for (int p = 0; p < FA_STAGES + 2; p++)
            lids[p] = __shfl_sync(0xffffffffu, lids[p], 0);
        if (lane < FA_TILE_ENTRIES)
#pragma unroll
            for (int p = 0; p <= FA_STAGES; p++) /* claims are increasing: the first -1 ends them */
                if (lids[p] >= 0) {
                    const int e = fa_dec_entry(args, c, fa_tile_at(vt, lids[p]), lane);
                    if (p < FA_STAGES)
                        s_tab[p * FA_TILE_ENTRIES + lane] = fa_paged_block(args, e, &seen_entry);
                    else
                        tab_next = e;
                }
        if (lane == 0) {
            for (int p = 0; p < FA_STAGES; p++)
                s_lid[p] = lids[p];
            lid_a = lids[FA_STAGES];
            lid_b = lids[FA_STAGES + 1];
        }
    } else if (!claim)
#endif
    if (tid < FA_TILE_ENTRIES) {
        for (int s = 0; s < FA_STAGES && s < n_tiles; s++)
            s_tab[s * FA_TILE_ENTRIES + tid] =
                fa_paged_block(args, fa_dec_entry(args, c, fa_tile_at(vt, l0 + s), tid), &seen_entry);
        if (FA_STAGES < n_tiles)
            tab_next = fa_dec_entry(args, c, fa_tile_at(vt, l0 + FA_STAGES), tid);
    }
#if FA_DEC_TMA
    if (tid == 0) { /* a stage's barrier expects its tile's bytes before any copy is issued */
        for (int s = 0; s < FA_STAGES; s++)
            fa_mbar_init(bars + s * 8, 1);
        asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
        for (int s = 0; s < FA_STAGES - 1 && has(s); s++)
            fa_mbar_expect_tx(bars + s * 8,
                              2 * FA_TMA_ENTRY_BYTES * fa_dec_tile_entries(fa_tile_at(vt, lid(s)), c.kv_len));
    }
#endif
    __syncthreads();
#pragma unroll
    for (int s = 0; s < FA_STAGES - 1; s++) {
        if (has(s))
            fa_dec_load_tile(args, c.hk, src, s_tab + s * FA_TILE_ENTRIES, sK0 + s * FA_STAGE_BYTES,
                             sV0 + s * FA_STAGE_BYTES, fa_tile_at(vt, lid(s)), c.kv_len, bars + s * 8);
        fa_cp_async_commit();
    }
#if FA_DEC_CLAIMS
    if (claim && tid == 0 && !claim_tagged) /* while the first tiles are in flight */
        fa_dec_claim_tag(claim, args.claim_tag);
#endif

    /* Scales: fp8 descales fold into the exponent (K) and the output (V); so does the
     * factor of a bf16 query tile rescaled to fp16 (waits for Q, the oldest group). */
    float k_desc = 1.f, v_desc = 1.f;
#if FA_KV_FP8
    fa_kv_descales(args, c.hk, &k_desc, &v_desc);
#if FA_DTYPE_BF16
    fa_cp_async_wait<FA_STAGES - 1>();
    __syncthreads();
    k_desc /= fa_dec_q_to_f16(sQ, tid, lane);
#endif
#endif
#if FA_DEC_FRAG_HDB
    fa_cp_async_wait<FA_STAGES - 1>();
    __syncthreads();
    fa_dec_q_permute(sQ, tid);
#endif
#if FA_HAS_SCORE
    const float mult = 1.f, s_scale = args.softmax_scale * k_desc;
#else
    const float mult = args.scale_log2 * k_desc;
#endif

    float o[FA_MI][FA_NT_O][4];
    float row_max[FA_MI][2], row_sum[FA_MI][2];
    fa_online_softmax_start(o, row_max, row_sum);

#if FA_DEC_FRAG
    const unsigned char *k_tiles = fa_smem + FA_SM_K, *v_tiles = fa_smem + FA_SM_V;
#endif
    /* ldmatrix lane addresses. Q (A operand): rows lane % 16, d chunk lane / 16. */
    const fa_u32 q_lane = fa_smem_addr(sQ) + ((lane % 16) * FA_LDQ + (lane / 16) * 8) * 2;
#if !FA_DEC_FRAG
#if FA_KV_FP8
    fa_u16 *wK = (fa_u16 *)(fa_smem + FA_SM_WARP) + warp * 2 * FA_WARP_BUF_ELEMS, *wV = wK + FA_WARP_BUF_ELEMS;
    const fa_u32 k_view = fa_smem_addr(wK), v_view = fa_smem_addr(wV);
    const int koff = 0;
#else
    const int koff = warp * FA_DEC_WARP_KEYS;
#endif
    /* Each lane's (d, key) in the 8x8 matrices of an ldmatrix x4; offsets by fa_dec_off. */
#if FA_PAGED_NHD
    /* K and V rows are keys: plain ldmatrix for K, transposing for V. */
    const int k_d = ((lane / 8) % 2) * 8, k_key = koff + (lane / 16) * 8 + lane % 8;
    const int v_d = (lane / 16) * 8, v_key = koff + ((lane / 8) % 2) * 8 + lane % 8;
#else
    /* Rows are d: transposing ldmatrix for K, plain for V. */
    const int k_d = ((lane / 8) % 2) * 8 + lane % 8, k_key = koff + (lane / 16) * 8;
    const int v_d = (lane / 16) * 8 + lane % 8, v_key = koff + ((lane / 8) % 2) * 8;
#endif
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

#if FA_DEC_Q_REGS
    /* Q (the oldest copy group; rescaled or permuted above) into its A fragments */
    fa_cp_async_wait<FA_STAGES - 1>();
    __syncthreads();
#if FA_DEC_FRAG
    fa_dec_qa q_frag[FA_DEC_Q_STEPS];
#pragma unroll
    for (int i = 0; i < FA_DEC_Q_STEPS; i++)
        fa_dec_q_step(q_frag[i], sQ, q_lane, g, t4, i);
#else
    fa_u32 q_a[FA_KS_QK][FA_MI][4];
#pragma unroll
    for (int ks = 0; ks < FA_KS_QK; ks++)
        fa_dec_q_ldmatrix(q_a[ks], q_lane, ks);
#endif
#endif
#if FA_DEC_TMA
    fa_cp_async_wait<0>(); /* Q; the loop's first barrier publishes it */
#endif
    for (int it = 0; has(it); it++) {
        const int ahead = it + FA_STAGES - 1, stage = it % FA_STAGES;
#if FA_DEC_TMA
        /* its stage's previous phase completed: tile it - 1 was read (thread 0 wrote s_lid) */
        if (tid == 0 && has(ahead))
            fa_mbar_expect_tx(bars + (ahead % FA_STAGES) * 8,
                              2 * FA_TMA_ENTRY_BYTES * fa_dec_tile_entries(fa_tile_at(vt, lid(ahead)), c.kv_len));
#else
        fa_cp_async_wait<FA_STAGES - 2>();
#endif
        __syncthreads(); /* every warp is done with tile it - 1, whose stage tile `ahead` takes */
        const int tile = fa_tile_at(vt, lid(it));
        if (has(ahead)) {
            const int st = ahead % FA_STAGES;
            fa_dec_load_tile(args, c.hk, src, s_tab + (ahead % FA_TAB_SLOTS) * FA_TILE_ENTRIES,
                             sK0 + st * FA_STAGE_BYTES, sV0 + st * FA_STAGE_BYTES,
                             fa_tile_at(vt, lid(ahead)), c.kv_len, bars + st * 8);
        }
        fa_cp_async_commit();
#if FA_DEC_CLAIMS
        if (claim && warp == 0) { /* position it + FA_STAGES into the ring; the entries of the one after */
            if (lane == 0 && it > 0) /* the claim made an iteration ago */
                lid_b = fa_dec_claimed(claim_base + claim_raw, n_list);
            const int pa = __shfl_sync(0xffffffffu, lid_a, 0), pb = __shfl_sync(0xffffffffu, lid_b, 0);
            const int slot = (it + FA_STAGES) % FA_TAB_SLOTS;
            if (pa >= 0 && lane < FA_TILE_ENTRIES) {
                s_tab[slot * FA_TILE_ENTRIES + lane] = fa_paged_block(args, tab_next, &seen_entry);
                if (pb >= 0)
                    tab_next = fa_dec_entry(args, c, fa_tile_at(vt, pb), lane);
            }
            if (lane == 0) {
                s_lid[slot] = pa;
                lid_a = pb;
                claim_raw = fa_dec_claim(claim, 1); /* the position after: read an iteration later */
            }
        } else if (!claim)
#endif
        if (tid < FA_TILE_ENTRIES && it + FA_STAGES < n_tiles) {
            s_tab[((it + FA_STAGES) % FA_TAB_SLOTS) * FA_TILE_ENTRIES + tid] =
                fa_paged_block(args, tab_next, &seen_entry);
            if (it + FA_STAGES + 1 < n_tiles)
                tab_next = fa_dec_entry(args, c, fa_tile_at(vt, l0 + it + FA_STAGES + 1), tid);
        }
#if FA_DEC_TMA
        fa_mbar_wait(bars + stage * 8, (it / FA_STAGES) & 1);
#endif

        const int n0 = tile * FA_BLOCK_N + warp * FA_DEC_WARP_KEYS;
        const int n1 = min(n0 + FA_DEC_WARP_KEYS, c.kv_len);
        const int cls = n0 < n1 ? fa_dec_tile_class(args, c, gqa, h_first, n_heads, qa0, qa1, n0, n1)
                                : FA_TILE_EMPTY;
        if (cls == FA_TILE_EMPTY)
            continue;
#if FA_DEC_TMA
        if (n0 + FA_DEC_WARP_KEYS > c.kv_len)
            fa_dec_zero_tail(fa_smem + FA_SM_V + stage * FA_STAGE_BYTES, warp, lane, n0, c.kv_len);
#endif
#if FA_DEC_FRAG
        const unsigned char *k_t = k_tiles + stage * FA_STAGE_BYTES, *v_t = v_tiles + stage * FA_STAGE_BYTES;
#elif FA_KV_FP8
        __syncwarp();
        fa_convert_warp_tile(fa_smem + FA_SM_K + stage * FA_STAGE_BYTES, wK, warp, lane);
        fa_convert_warp_tile(fa_smem + FA_SM_V + stage * FA_STAGE_BYTES, wV, warp, lane);
        __syncwarp();
        const fa_u32 k_s = k_view, v_s = v_view;
#else
        const fa_u32 k_s = sK0 + stage * FA_STAGE_BYTES, v_s = sV0 + stage * FA_STAGE_BYTES;
#endif
        const bool need_mask = (FA_HAS_MASK && cls != FA_TILE_FULL) || n0 + FA_DEC_WARP_KEYS > c.kv_len;

        float s[FA_MI][FA_NT_S][4];
#pragma unroll
        for (int mi = 0; mi < FA_MI; mi++)
#pragma unroll
            for (int nt = 0; nt < FA_NT_S; nt++)
                s[mi][nt][0] = s[mi][nt][1] = s[mi][nt][2] = s[mi][nt][3] = 0.f;
#if FA_DEC_FRAG
#pragma unroll
        for (int i = 0; i < FA_DEC_Q_STEPS; i++) {
#if FA_DEC_Q_REGS
            fa_dec_qk_step(s, q_frag[i], k_t, warp * FA_DEC_WARP_KEYS, g, t4, i);
#else
            fa_dec_qa qa;
            fa_dec_q_step(qa, sQ, q_lane, g, t4, i);
            fa_dec_qk_step(s, qa, k_t, warp * FA_DEC_WARP_KEYS, g, t4, i);
#endif
        }
#else
#pragma unroll
        for (int ks = 0; ks < FA_KS_QK; ks++) {
#if FA_DEC_Q_REGS
            const fa_u32(&qa)[FA_MI][4] = q_a[ks];
#else
            fa_u32 qa[FA_MI][4];
            fa_dec_q_ldmatrix(qa, q_lane, ks);
#endif
#pragma unroll
            for (int np = 0; np < FA_NT_S / 2; np++) {
                fa_u32 kb4[4];
                const fa_u32 k_at = k_s + fa_dec_off(k_d + 16 * ks, k_key + 16 * np);
#if FA_PAGED_NHD
                fa_ldmatrix_x4(k_at, kb4);
#else
                fa_ldmatrix_x4_trans(k_at, kb4);
#endif
#pragma unroll
                for (int mi = 0; mi < FA_MI; mi++) {
                    fa_dec_mma(s[mi][2 * np], qa[mi], kb4[0], kb4[1]);
                    fa_dec_mma(s[mi][2 * np + 1], qa[mi], kb4[2], kb4[3]);
                }
            }
        }
#endif

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
                        const int kpos = n0 + fa_dec_key(nt, 2 * t4 + e);
                        float &x = s[mi][nt][half * 2 + e];
#if FA_HAS_SCORE
                        x = fa_score(args, rc, r_q[mi][half], kpos, x * s_scale) * FA_LOG2E;
#endif
                        if (need_mask && !(kpos < c.kv_len && fa_visible(args, rc, r_q[mi][half], kpos)))
                            x = FA_NEG_INF;
                    }
            }
        /* the skipped rescale: not with fp8 warp buffers, where its deferral spills */
        fa_online_softmax<FA_MI, FA_NT_S, FA_NT_O, !FA_DEC_WARP_BUFS>(s, o, row_max, row_sum, mult);

        /* O += P.V */
#if FA_DEC_FRAG_HDB
        fa_u32 pa_all[FA_KS_PV][FA_MI][4];
#pragma unroll
        for (int ks = 0; ks < FA_KS_PV; ks++)
            fa_p_frags<true>(s, ks, pa_all[ks]);
        fa_dec_pv_hdb(o, pa_all, v_t, warp * FA_DEC_WARP_KEYS, g, t4);
#else
#pragma unroll
        for (int ks = 0; ks < FA_KS_PV; ks++) {
            fa_u32 pa[FA_MI][4];
            fa_p_frags<FA_KV_FP8 != 0>(s, ks, pa);
#if FA_DEC_FRAG
            fa_dec_pv_frag(o, pa, v_t, warp * FA_DEC_WARP_KEYS + 16 * ks + 4 * t4, g);
#else
#pragma unroll
            for (int dp = 0; dp < FA_NT_O / 2; dp++) {
                fa_u32 vb[4];
                const fa_u32 v_at = v_s + fa_dec_off(v_d + 16 * dp, v_key + 16 * ks);
#if FA_PAGED_NHD
                fa_ldmatrix_x4_trans(v_at, vb);
#else
                fa_ldmatrix_x4(v_at, vb);
#endif
#pragma unroll
                for (int mi = 0; mi < FA_MI; mi++) {
                    fa_dec_mma(o[mi][2 * dp], pa[mi], vb[0], vb[1]);
                    fa_dec_mma(o[mi][2 * dp + 1], pa[mi], vb[2], vb[3]);
                }
            }
#endif
        }
#endif
    }

    /* Combine the warps: each writes its (max, sum, O) rows, then every thread merges some
     * (row, 4 values of d) across warps. The stage buffers are free once copies are done.
     * The barrier also tells every thread whether one fetched an out-of-range entry. */
    fa_cp_async_wait<0>();
#if FA_DEC_DENSE
    __syncthreads();
#else
    fa_paged_poison(c, __syncthreads_or(fa_paged_bad(args, seen_entry)));
#endif
#if FA_DEC_TMA && FA_SM_K + FA_COMBINE_BYTES > FA_SM_BAR
    /* The combine rows reach the stage mbarriers (wide row tiles): every copy has landed and
     * been waited for, so they are invalidated before their bytes are reused. */
    if (tid == 0)
        for (int s = 0; s < FA_STAGES; s++)
            asm volatile("mbarrier.inval.shared::cta.b64 [%0];\n" ::"r"(bars + s * 8) : "memory");
    __syncthreads();
#endif
    float *c_o = (float *)(fa_smem + FA_SM_K);           /* [warps][BLOCK_M][FA_LDC] */
    float *c_m = c_o + FA_NUM_WARPS * FA_BLOCK_M * FA_LDC; /* [warps][BLOCK_M] */
    float *c_l = c_m + FA_NUM_WARPS * FA_BLOCK_M;
#pragma unroll
    for (int mi = 0; mi < FA_MI; mi++)
#pragma unroll
        for (int half = 0; half < 2; half++) {
            const int r = mi * 16 + g + half * 8;
            float *dst = c_o + (warp * FA_BLOCK_M + r) * FA_LDC;
#pragma unroll
            for (int nt = 0; nt < FA_NT_O; nt++) {
                dst[fa_dec_col(nt, 2 * t4)] = o[mi][nt][half * 2];
                dst[fa_dec_col(nt, 2 * t4 + 1)] = o[mi][nt][half * 2 + 1];
            }
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
            const float4 v = *(const float4 *)(c_o + (w * FA_BLOCK_M + r) * FA_LDC + d);
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
            scale_o = fa_fold_sink(args, rc, &mx, &l);
        }
#endif
        const bool poisoned = overrun || (!FA_DEC_DENSE && fa_paged_poisoned(c));
        const float inv = poisoned ? FA_NAN : fa_row_scale(scale_o * v_desc, l);
        const float lse = poisoned ? FA_NAN : fa_row_lse(mx, l);
        if (split_out) { /* partials [split, b, h, t] over max_seqlen_q tokens when packed */
            const long long srow = (((long long)split * args.batch + c.b) * args.q_heads + h) * args.seqlen_q + t;
            *(float4 *)(args.split_o + srow * FA_HEAD_DIM + d) =
                make_float4(acc[0] * inv, acc[1] * inv, acc[2] * inv, acc[3] * inv);
            if (d == 0)
                args.split_lse[srow] = lse;
        } else {
            fa_ctx rc = c;
            rc.h = h;
            *(uint2 *)(fa_out_row(args, rc, q_start, t) + d) =
                make_uint2(fa_pack2(acc[0] * inv, acc[1] * inv), fa_pack2(acc[2] * inv, acc[3] * inv));
            if (args.lse && d == 0)
                *fa_lse_at(args, rc, q_start, t) = lse;
        }
    }
}
