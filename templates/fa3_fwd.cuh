/* fa3_fwd.cuh - Hopper (sm_90a) forward kernel: wgmma tensor cores, the FA3 data path.
 *
 * One CTA computes FA_BLOCK_M query rows of one (sequence, query head). A producer
 * warpgroup (after the consumers) copies Q and the K/V tiles into FA_STAGES shared-memory
 * stages with cp.async and signals "full" mbarriers (a stage's K and V each have theirs);
 * the FA_BLOCK_M / 64 consumer warpgroups (64 rows each) wait on them, compute, and release
 * K once Q.K^T has read it and V once P.V has, on "empty" mbarriers. No CTA-wide barrier
 * runs in the main loop, so the consumers drift apart and one's softmax overlaps the other's
 * matrix products; setmaxnreg moves registers from the producer to the consumers.
 * Per K/V tile of FA_BLOCK_N keys, each consumer warpgroup computes:
 *   S = Q.K^T       wgmma, both operands from shared memory (K-major, 128-byte swizzle)
 *   softmax         online, exp2 with the scale folded, masks from the emitted functions
 *   O += P.V        wgmma with P from registers (the S accumulator layout is the A
 *                   fragment layout) and V from shared memory read MN-major
 * cp.async writes through the generic proxy; consumers fence.proxy.async after the full
 * barrier so the tensor cores (async proxy) see them.
 *
 * Shared-memory tiles are stored as column blocks of 64 elements: a [rows, D] tile is
 * [D / 64][rows][64] with the 16-byte chunk index XORed by row mod 8 (the 128-byte swizzle
 * atom of wgmma: 8 rows x 128 bytes). Descriptors: K-major LBO 16 (unused), SBO 1024;
 * MN-major LBO = rows x 128 (next 64-column block), SBO 1024.
 *
 * Variants enter as in fa2_fwd.cuh (templates/README.md): key range and sink tiles,
 * per-warpgroup tile classes (EMPTY skipped, FULL unmasked; with FA_TILE_SCAN the CTA's
 * scanned tiles, fa_scan.cuh, walked by producer and consumers), fa_visible, fa_score (or
 * fa_score_pos, or, for a score alpha * s + lambda * (k - q) + mu, fa_score_linear's
 * coefficients applied per tile), fa_sink_logit. A sink tile apart from the key range is
 * computed FA_SINK_N keys wide; row maxima move lazily (FA_RESCALE_SLACK).
 * Head dims 64, 96 (dense or varlen), 128, 192 and 256 (64-key tiles, 80 for light
 * variants over dense or varlen K/V: compiler/plan.c); fp16/bf16; dense, varlen and paged
 * (NHD blocks gathered by the producer); GQA. fp8 paged caches (FA_KV_FP8, in blocks of up
 * to 64 keys at d192 and d256): two producer warpgroups (one could not issue the
 * conversions fast enough; d256: one, at one 16-bit stage) copy the bytes into byte stages
 * and convert them to the query type into the 16-bit stages (fa3_convert8); the descales
 * join the softmax scale and the normalisation.
 *
 * FA_PAGED_NHD 0 (HDB cache [blocks, kv_heads, D, block_size]): a (block, head) holds K and
 * V transposed, keys contiguous along each d row. Tiles stay that way: sub-tiles [D][W keys]
 * with W the block size up to 64, each d row swizzled with its own width (16 bytes: none;
 * 32, 64, 128 bytes: the wgmma swizzle of that width), so a block of up to 64 keys is copied
 * as the contiguous run it is in global memory. The wgmma then read K MN-major (N = keys)
 * and V K-major (K = keys), the transpose bits of both flipped; sink tiles take whole tiles
 * (FA_SINK_N 0).
 */

#if FA_DTYPE_BF16
#define FA_WGMMA_TYPE "bf16.bf16"
#else
#define FA_WGMMA_TYPE "f16.f16"
#endif

#define FA_THREADS (FA_NUM_WARPS * 32)
#define FA_CONSUMERS (FA_BLOCK_M / 64)          /* consumer warpgroups */
#define FA_CONSUMER_THREADS (FA_CONSUMERS * 128)
/* the producer warpgroups, after the consumers: one, or over fp8 caches two sharing the
 * conversions but at d256 (compiler/plan.c producers_fp8 sets FA_NUM_WARPS) */
#define FA_PRODUCER_THREADS (FA_THREADS - FA_CONSUMER_THREADS)
/* setmaxnreg budgets: three consumer warpgroups (d64's 192-row tiles) take 160 registers a
 * thread, their producer 32 */
#define FA_PRODUCER_REGS (FA_PRODUCER_THREADS > 128 ? 40 : FA_CONSUMERS == 3 ? 32 : 72)
/* Named barriers past the consumers' turns (1..FA_CONSUMERS, fa3_consume): a paged kernel's
 * producer threads OR whether they saw an entry out of range (fa_paged_bad) on FA3_BAR_PRODUCERS,
 * and producer warp w hands the result to consumer warpgroup w on FA3_BAR_ENTRIES + w. */
#define FA3_BAR_PRODUCERS (FA_CONSUMERS + 1)
#define FA3_BAR_ENTRIES (FA_CONSUMERS + 2)
static_assert(FA3_BAR_ENTRIES + FA_CONSUMERS <= 16 && FA_PRODUCER_THREADS / 32 >= FA_CONSUMERS,
              "a named barrier and a producer warp for each consumer warpgroup");
#define FA_CONSUMER_REGS (FA_CONSUMERS == 3 ? 160 : 216)
static_assert(FA_PRODUCER_THREADS % 128 == 0 &&
                  FA_PRODUCER_THREADS * FA_PRODUCER_REGS + FA_CONSUMER_THREADS * FA_CONSUMER_REGS <= 65536,
              "whole producer warpgroups within the register file");
/* Columns of the shared Q, K and V tiles: the head dim in whole 64-column blocks
 * (compiler/plan.c fa3_tile_d). At d96 (128) Q.K^T reads the first 96 and P.V (n96) the
 * first 96 of V's, so what the copies leave in the tiles' last 32 columns does not matter. */
#define FA3_TILE_D ((FA_HEAD_DIM + 63) / 64 * 64)
static_assert(FA3_TILE_D == FA_HEAD_DIM || !FA_PAGED_BLOCK, "padded tiles: dense or varlen K/V only");
#define FA_CHUNKS (FA_HEAD_DIM / 8)     /* 16-byte chunks per row (copied) */
#define FA_NT_O (FA_HEAD_DIM / 8)       /* n8 blocks of a warp's O rows */
#define FA_KS_QK (FA_HEAD_DIM / 16)     /* k16 steps of Q.K^T */
#define FA_KS_PV (FA_BLOCK_N / 16)      /* k16 steps of P.V */
#define FA_ATOM_BYTES 1024              /* 8 rows x 128 bytes */
/* With two stages (d256) the producer copies a tile's K as soon as Q.K^T has read the
 * stage's K, then its V once P.V has read the stage's V; waiting for both before either
 * copy left K's copy no time to land before the next Q.K^T. Three stages have that slack. */
#define FA3_EARLY_K (FA_STAGES == 2)

/* wgmma transpose bits of the K and V operands: K-major K and MN-major V, or for an HDB
 * cache the other way round. */
#define FA3_HDB (FA_PAGED_BLOCK && !FA_PAGED_NHD)
#if FA3_HDB
#define FA3_TNSP_K "1"
#define FA3_TNSP_V "0"
#else
#define FA3_TNSP_K "0"
#define FA3_TNSP_V "1"
#endif

/* wgmma descriptor layout types (bits 62-63) */
#define FA3_SWIZZLE_NONE 0
#define FA3_SWIZZLE_128B 1
#define FA3_SWIZZLE_64B 2
#define FA3_SWIZZLE_32B 3

/* Byte offset of chunk c (16 bytes) of row r in a column-blocked, swizzled tile of `rows` rows. */
__device__ __forceinline__ fa_u32 fa3_off(int rows, int r, int c)
{
    return (fa_u32)((c / 8) * rows * 128 + r * 128 + (((c % 8) ^ (r & 7)) << 4));
}

__device__ __forceinline__ unsigned long long fa3_desc(fa_u32 addr, fa_u32 lbo, fa_u32 sbo, int layout)
{
    return (unsigned long long)((addr & 0x3ffff) >> 4) | ((unsigned long long)(lbo >> 4) << 16) |
           ((unsigned long long)(sbo >> 4) << 32) | ((unsigned long long)layout << 62);
}

/* K-major operand (Q, K) of `rows` rows: descriptor of k16 step `ks`. */
__device__ __forceinline__ unsigned long long fa3_desc_k(fa_u32 tile, int rows, int ks)
{
    return fa3_desc(tile + (ks % 4) * 32 + (ks / 4) * rows * 128, 16, FA_ATOM_BYTES, FA3_SWIZZLE_128B);
}

/* MN-major operand (V, `rows` keys): descriptor of k16 step `ks` (16 keys). */
__device__ __forceinline__ unsigned long long fa3_desc_mn(fa_u32 tile, int rows, int ks)
{
    return fa3_desc(tile + ks * 2 * FA_ATOM_BYTES, rows * 128, FA_ATOM_BYTES, FA3_SWIZZLE_128B);
}

#if FA3_HDB
/* HDB tiles are [FA_BLOCK_N / FA3_HDB_W][D][FA3_HDB_W keys]: sub-tiles whose d rows hold
 * FA3_HDB_W keys (the block size up to 64), swizzled with the row's width (16-byte rows:
 * none; 32, 64, 128 bytes: the wgmma swizzle of that width, chunk bits 4.. XORed with address
 * bits 7..). A block's slab [D][block_size] of up to 64 keys is then one contiguous run of a
 * sub-tile, as it is in global memory. */
#define FA3_HDB_W (FA_PAGED_BLOCK < 64 ? FA_PAGED_BLOCK : 64)
#define FA3_HDB_ROW (FA3_HDB_W * 2)      /* bytes of a sub-tile row */
#define FA3_HDB_CHUNKS (FA3_HDB_W / 8)   /* 16-byte chunks of a row */
#define FA3_HDB_SUB (FA_HEAD_DIM * FA3_HDB_ROW) /* bytes of a sub-tile (a multiple of 1024) */
#define FA3_HDB_LAYOUT                                                                                              \
    (FA3_HDB_W == 8 ? FA3_SWIZZLE_NONE : FA3_HDB_W == 16 ? FA3_SWIZZLE_32B : FA3_HDB_W == 32 ? FA3_SWIZZLE_64B      \
                                                                                          : FA3_SWIZZLE_128B)

/* The swizzled byte offset of linear offset `at` in an HDB tile (sub-tiles are whole
 * multiples of 1024 bytes, so only the offset within one matters). */
__device__ __forceinline__ fa_u32 fa3_hdb_swz(fa_u32 at)
{
    return at ^ (((at >> 7) & (FA3_HDB_CHUNKS - 1)) << 4);
}

/* Linear (unswizzled) byte offset of chunk ch of d row d of sub-tile sub. */
__device__ __forceinline__ fa_u32 fa3_hdb_lin(int sub, int d, int ch)
{
    return (fa_u32)(sub * FA3_HDB_SUB + d * FA3_HDB_ROW + ch * 16);
}

/* Byte offset of chunk ch of d row d of sub-tile sub. */
__device__ __forceinline__ fa_u32 fa3_hdb_off(int sub, int d, int ch)
{
    return fa3_hdb_swz(fa3_hdb_lin(sub, d, ch));
}

/* K tile read MN-major (N = keys, K = d): k16 step ks starts at d row 16 ks; the next
 * FA3_HDB_W keys are the next sub-tile, the next 8 d rows 8 rows on. Without swizzle the
 * two strides trade fields. */
__device__ __forceinline__ unsigned long long fa3_desc_kt(fa_u32 tile, int ks)
{
    const fa_u32 start = tile + ks * 16 * FA3_HDB_ROW;
    return FA3_HDB_W == 8 ? fa3_desc(start, 8 * FA3_HDB_ROW, FA3_HDB_SUB, FA3_HDB_LAYOUT)
                          : fa3_desc(start, FA3_HDB_SUB, 8 * FA3_HDB_ROW, FA3_HDB_LAYOUT);
}

/* V tile read K-major (K = keys, N = d): k16 step ks is keys 16 ks.., in sub-tile
 * 16 ks / FA3_HDB_W; without swizzle its second 8 keys are the next sub-tile. */
__device__ __forceinline__ unsigned long long fa3_desc_vt(fa_u32 tile, int ks)
{
    const fa_u32 start = tile + ks * 16 / FA3_HDB_W * FA3_HDB_SUB + ks * 16 % FA3_HDB_W * 2;
    return fa3_desc(start, FA3_HDB_W == 8 ? FA3_HDB_SUB : 16, 8 * FA3_HDB_ROW, FA3_HDB_LAYOUT);
}
#else
/* Descriptors of k16 step `ks` of a K tile (Q.K^T: over D) and a V tile (P.V: over keys). */
__device__ __forceinline__ unsigned long long fa3_desc_kt(fa_u32 tile, int ks)
{
    return fa3_desc_k(tile, FA_BLOCK_N, ks);
}

__device__ __forceinline__ unsigned long long fa3_desc_vt(fa_u32 tile, int ks)
{
    return fa3_desc_mn(tile, FA_BLOCK_N, ks);
}
#endif

__device__ __forceinline__ void fa_wgmma_fence()
{
    asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
}

__device__ __forceinline__ void fa_wgmma_commit()
{
    asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
}

template <int N> __device__ __forceinline__ void fa_wgmma_wait()
{
    asm volatile("wgmma.wait_group.sync.aligned %0;\n" ::"n"(N) : "memory");
}

/* Keeps the compiler from moving accumulator reads across an asynchronous wgmma. */
template <int N> __device__ __forceinline__ void fa_fence_regs(float (&d)[N])
{
#pragma unroll
    for (int i = 0; i < N; i++)
        asm volatile("" : "+f"(d[i])::"memory");
}

template <int N> __device__ __forceinline__ void fa_setmaxnreg_inc()
{
    asm volatile("setmaxnreg.inc.sync.aligned.u32 %0;\n" ::"n"(N));
}

template <int N> __device__ __forceinline__ void fa_setmaxnreg_dec()
{
    asm volatile("setmaxnreg.dec.sync.aligned.u32 %0;\n" ::"n"(N));
}

/* Named barriers (ids 1..): bar.sync waits for `threads` arrivals, bar.arrive adds 128. */
__device__ __forceinline__ void fa_bar_sync(int id, int threads)
{
    asm volatile("bar.sync %0, %1;\n" ::"r"(id), "r"(threads) : "memory");
}

__device__ __forceinline__ void fa_bar_arrive(int id, int threads)
{
    asm volatile("bar.arrive %0, %1;\n" ::"r"(id), "r"(threads) : "memory");
}

/* bar.sync of `threads` on barrier id that also ORs their `pred`s: true if any was. */
__device__ __forceinline__ bool fa_bar_or(int id, int threads, bool pred)
{
    int any;
    asm volatile("{\n .reg .pred p, q;\n setp.ne.s32 p, %1, 0;\n"
                 " barrier.cta.red.or.pred q, %2, %3, p;\n selp.s32 %0, 1, 0, q;\n}\n"
                 : "=r"(any)
                 : "r"((int)pred), "r"(id), "r"(threads)
                 : "memory");
    return any != 0;
}

__device__ __forceinline__ void fa_mbar_arrive(fa_u32 bar)
{
    asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];\n" ::"r"(bar) : "memory");
}

/* Arrives on `bar` once all of this thread's earlier cp.async copies have landed. */
__device__ __forceinline__ void fa_mbar_arrive_cp_async(fa_u32 bar)
{
    asm volatile("cp.async.mbarrier.arrive.noinc.shared::cta.b64 [%0];\n" ::"r"(bar) : "memory");
}

/* A stage's K and V tiles have mbarriers of their own, so K is released once Q.K^T has
 * read it and refilled while P.V still reads V (fp8's two stages wait on this). Q's
 * barrier follows the 4 x FA_STAGES of them. */
enum { FA3_FULL_K, FA3_FULL_V, FA3_EMPTY_K, FA3_EMPTY_V, FA3_STAGE_BARS };
#define FA3_SCAN_AT 128 /* a tile scan's area (fa_scan.cuh), from the mbarriers (plan.c FA3_SMEM_SLACK) */

__device__ __forceinline__ fa_u32 fa3_bar(fa_u32 bars, int which, int stage)
{
    return bars + (which * FA_STAGES + stage) * 8;
}


/* D(64x16) += A(64x16, shared) * B(16x16, shared: K, FA3_TNSP_K); scale_d 0 overwrites D. */
__device__ __forceinline__ void fa_wgmma_ss_n16(float d[8], unsigned long long da, unsigned long long db, int scale_d)
{
    asm volatile("{\n.reg .pred p;\nsetp.ne.b32 p, %10, 0;\n"
                 "wgmma.mma_async.sync.aligned.m64n16k16.f32." FA_WGMMA_TYPE " {%0,%1,%2,%3,%4,%5,%6,%7}, %8, %9, p, 1, 1, 0, " FA3_TNSP_K ";\n}\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7])
                 : "l"(da), "l"(db), "r"(scale_d));
}
/* D(64x32) += A(64x16, shared) * B(16x32, shared: K, FA3_TNSP_K); scale_d 0 overwrites D. */
__device__ __forceinline__ void fa_wgmma_ss_n32(float d[16], unsigned long long da, unsigned long long db, int scale_d)
{
    asm volatile("{\n.reg .pred p;\nsetp.ne.b32 p, %18, 0;\n"
                 "wgmma.mma_async.sync.aligned.m64n32k16.f32." FA_WGMMA_TYPE " {%0,%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15}, %16, %17, p, 1, 1, 0, " FA3_TNSP_K ";\n}\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15])
                 : "l"(da), "l"(db), "r"(scale_d));
}
/* D(64x64) += A(64x16, shared) * B(16x64, shared: K, FA3_TNSP_K); scale_d 0 overwrites D. */
__device__ __forceinline__ void fa_wgmma_ss_n64(float d[32], unsigned long long da, unsigned long long db, int scale_d)
{
    asm volatile("{\n.reg .pred p;\nsetp.ne.b32 p, %34, 0;\n"
                 "wgmma.mma_async.sync.aligned.m64n64k16.f32." FA_WGMMA_TYPE " {%0,%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,%16,%17,%18,%19,%20,%21,%22,%23,%24,%25,%26,%27,%28,%29,%30,%31}, %32, %33, p, 1, 1, 0, " FA3_TNSP_K ";\n}\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]), "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]), "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31])
                 : "l"(da), "l"(db), "r"(scale_d));
}
/* D(64x80) += A(64x16, shared) * B(16x80, shared: K, FA3_TNSP_K); scale_d 0 overwrites D. */
__device__ __forceinline__ void fa_wgmma_ss_n80(float d[40], unsigned long long da, unsigned long long db, int scale_d)
{
    asm volatile("{\n.reg .pred p;\nsetp.ne.b32 p, %42, 0;\n"
                 "wgmma.mma_async.sync.aligned.m64n80k16.f32." FA_WGMMA_TYPE " {%0,%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,%16,%17,%18,%19,%20,%21,%22,%23,%24,%25,%26,%27,%28,%29,%30,%31,%32,%33,%34,%35,%36,%37,%38,%39}, %40, %41, p, 1, 1, 0, " FA3_TNSP_K ";\n}\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]), "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]), "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]), "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39])
                 : "l"(da), "l"(db), "r"(scale_d));
}
/* D(64x128) += A(64x16, shared) * B(16x128, shared: K, FA3_TNSP_K); scale_d 0 overwrites D. */
__device__ __forceinline__ void fa_wgmma_ss_n128(float d[64], unsigned long long da, unsigned long long db, int scale_d)
{
    asm volatile("{\n.reg .pred p;\nsetp.ne.b32 p, %66, 0;\n"
                 "wgmma.mma_async.sync.aligned.m64n128k16.f32." FA_WGMMA_TYPE " {%0,%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,%16,%17,%18,%19,%20,%21,%22,%23,%24,%25,%26,%27,%28,%29,%30,%31,%32,%33,%34,%35,%36,%37,%38,%39,%40,%41,%42,%43,%44,%45,%46,%47,%48,%49,%50,%51,%52,%53,%54,%55,%56,%57,%58,%59,%60,%61,%62,%63}, %64, %65, p, 1, 1, 0, " FA3_TNSP_K ";\n}\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]), "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]), "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]), "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]), "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]), "+f"(d[48]), "+f"(d[49]), "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]), "+f"(d[56]), "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63])
                 : "l"(da), "l"(db), "r"(scale_d));
}
/* D(64x64) += A(64x16, registers) * B(16x64, shared: V, FA3_TNSP_V). */
__device__ __forceinline__ void fa_wgmma_rs_n64(float d[32], const fa_u32 a[4], unsigned long long db)
{
    asm volatile("wgmma.mma_async.sync.aligned.m64n64k16.f32." FA_WGMMA_TYPE " {%0,%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,%16,%17,%18,%19,%20,%21,%22,%23,%24,%25,%26,%27,%28,%29,%30,%31}, {%32,%33,%34,%35}, %36, 1, 1, 1, " FA3_TNSP_V ";\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]), "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]), "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(db));
}
/* D(64x96) += A(64x16, registers) * B(16x96, shared: V, FA3_TNSP_V). */
__device__ __forceinline__ void fa_wgmma_rs_n96(float d[48], const fa_u32 a[4], unsigned long long db)
{
    asm volatile("wgmma.mma_async.sync.aligned.m64n96k16.f32." FA_WGMMA_TYPE " {%0,%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,%16,%17,%18,%19,%20,%21,%22,%23,%24,%25,%26,%27,%28,%29,%30,%31,%32,%33,%34,%35,%36,%37,%38,%39,%40,%41,%42,%43,%44,%45,%46,%47}, {%48,%49,%50,%51}, %52, 1, 1, 1, " FA3_TNSP_V ";\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]), "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]), "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]), "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]), "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(db));
}
/* D(64x128) += A(64x16, registers) * B(16x128, shared: V, FA3_TNSP_V). */
__device__ __forceinline__ void fa_wgmma_rs_n128(float d[64], const fa_u32 a[4], unsigned long long db)
{
    asm volatile("wgmma.mma_async.sync.aligned.m64n128k16.f32." FA_WGMMA_TYPE " {%0,%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,%16,%17,%18,%19,%20,%21,%22,%23,%24,%25,%26,%27,%28,%29,%30,%31,%32,%33,%34,%35,%36,%37,%38,%39,%40,%41,%42,%43,%44,%45,%46,%47,%48,%49,%50,%51,%52,%53,%54,%55,%56,%57,%58,%59,%60,%61,%62,%63}, {%64,%65,%66,%67}, %68, 1, 1, 1, " FA3_TNSP_V ";\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]), "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]), "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]), "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]), "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]), "+f"(d[48]), "+f"(d[49]), "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]), "+f"(d[56]), "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(db));
}
/* D(64x192) += A(64x16, registers) * B(16x192, shared: V, FA3_TNSP_V). */
__device__ __forceinline__ void fa_wgmma_rs_n192(float d[96], const fa_u32 a[4], unsigned long long db)
{
    asm volatile("wgmma.mma_async.sync.aligned.m64n192k16.f32." FA_WGMMA_TYPE " {%0,%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,%16,%17,%18,%19,%20,%21,%22,%23,%24,%25,%26,%27,%28,%29,%30,%31,%32,%33,%34,%35,%36,%37,%38,%39,%40,%41,%42,%43,%44,%45,%46,%47,%48,%49,%50,%51,%52,%53,%54,%55,%56,%57,%58,%59,%60,%61,%62,%63,%64,%65,%66,%67,%68,%69,%70,%71,%72,%73,%74,%75,%76,%77,%78,%79,%80,%81,%82,%83,%84,%85,%86,%87,%88,%89,%90,%91,%92,%93,%94,%95}, {%96,%97,%98,%99}, %100, 1, 1, 1, " FA3_TNSP_V ";\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]), "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]), "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]), "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]), "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]), "+f"(d[48]), "+f"(d[49]), "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]), "+f"(d[56]), "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63]), "+f"(d[64]), "+f"(d[65]), "+f"(d[66]), "+f"(d[67]), "+f"(d[68]), "+f"(d[69]), "+f"(d[70]), "+f"(d[71]), "+f"(d[72]), "+f"(d[73]), "+f"(d[74]), "+f"(d[75]), "+f"(d[76]), "+f"(d[77]), "+f"(d[78]), "+f"(d[79]), "+f"(d[80]), "+f"(d[81]), "+f"(d[82]), "+f"(d[83]), "+f"(d[84]), "+f"(d[85]), "+f"(d[86]), "+f"(d[87]), "+f"(d[88]), "+f"(d[89]), "+f"(d[90]), "+f"(d[91]), "+f"(d[92]), "+f"(d[93]), "+f"(d[94]), "+f"(d[95])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(db));
}
/* D(64x256) += A(64x16, registers) * B(16x256, shared: V, FA3_TNSP_V). */
__device__ __forceinline__ void fa_wgmma_rs_n256(float d[128], const fa_u32 a[4], unsigned long long db)
{
    asm volatile("wgmma.mma_async.sync.aligned.m64n256k16.f32." FA_WGMMA_TYPE " {%0,%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,%16,%17,%18,%19,%20,%21,%22,%23,%24,%25,%26,%27,%28,%29,%30,%31,%32,%33,%34,%35,%36,%37,%38,%39,%40,%41,%42,%43,%44,%45,%46,%47,%48,%49,%50,%51,%52,%53,%54,%55,%56,%57,%58,%59,%60,%61,%62,%63,%64,%65,%66,%67,%68,%69,%70,%71,%72,%73,%74,%75,%76,%77,%78,%79,%80,%81,%82,%83,%84,%85,%86,%87,%88,%89,%90,%91,%92,%93,%94,%95,%96,%97,%98,%99,%100,%101,%102,%103,%104,%105,%106,%107,%108,%109,%110,%111,%112,%113,%114,%115,%116,%117,%118,%119,%120,%121,%122,%123,%124,%125,%126,%127}, {%128,%129,%130,%131}, %132, 1, 1, 1, " FA3_TNSP_V ";\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]), "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]), "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]), "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]), "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]), "+f"(d[48]), "+f"(d[49]), "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]), "+f"(d[56]), "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63]), "+f"(d[64]), "+f"(d[65]), "+f"(d[66]), "+f"(d[67]), "+f"(d[68]), "+f"(d[69]), "+f"(d[70]), "+f"(d[71]), "+f"(d[72]), "+f"(d[73]), "+f"(d[74]), "+f"(d[75]), "+f"(d[76]), "+f"(d[77]), "+f"(d[78]), "+f"(d[79]), "+f"(d[80]), "+f"(d[81]), "+f"(d[82]), "+f"(d[83]), "+f"(d[84]), "+f"(d[85]), "+f"(d[86]), "+f"(d[87]), "+f"(d[88]), "+f"(d[89]), "+f"(d[90]), "+f"(d[91]), "+f"(d[92]), "+f"(d[93]), "+f"(d[94]), "+f"(d[95]), "+f"(d[96]), "+f"(d[97]), "+f"(d[98]), "+f"(d[99]), "+f"(d[100]), "+f"(d[101]), "+f"(d[102]), "+f"(d[103]), "+f"(d[104]), "+f"(d[105]), "+f"(d[106]), "+f"(d[107]), "+f"(d[108]), "+f"(d[109]), "+f"(d[110]), "+f"(d[111]), "+f"(d[112]), "+f"(d[113]), "+f"(d[114]), "+f"(d[115]), "+f"(d[116]), "+f"(d[117]), "+f"(d[118]), "+f"(d[119]), "+f"(d[120]), "+f"(d[121]), "+f"(d[122]), "+f"(d[123]), "+f"(d[124]), "+f"(d[125]), "+f"(d[126]), "+f"(d[127])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(db));
}

#define FA_CAT_(a, b) a##b
#define FA_CAT(a, b) FA_CAT_(a, b)
#define fa_wgmma_qk FA_CAT(fa_wgmma_ss_n, FA_BLOCK_N)
#define fa_wgmma_pv FA_CAT(fa_wgmma_rs_n, FA_HEAD_DIM)

/* A sink tile visited apart from the key range holds its FA_SINK_TOKENS keys in its first
 * FA_SINK_N (16, 32 or 64) rows: only those are multiplied (n16..n64 wgmma, one to four
 * k16 steps of P.V) instead of a whole FA_BLOCK_N tile. 0: sinks take whole tiles. */
#if FA3_HDB
#define FA_SINK_N 0
#elif FA_SINK_TOKENS > 0 && FA_SINK_TOKENS <= 16
#define FA_SINK_N 16
#elif FA_SINK_TOKENS > 0 && FA_SINK_TOKENS <= 32
#define FA_SINK_N 32
#elif FA_SINK_TOKENS > 0 && FA_SINK_TOKENS <= 64 && FA_BLOCK_N > 64
#define FA_SINK_N 64
#else
#define FA_SINK_N 0
#endif
#if FA_SINK_N
#define fa_wgmma_qk_sink FA_CAT(fa_wgmma_ss_n, FA_SINK_N)
#endif

/* Lazy rescaling (log2 units): a row's running max moves only when a tile's max exceeds it
 * by more than this, so most tiles skip rescaling O; probabilities stay below 2^8. */
#define FA_RESCALE_SLACK 8.f

/* Copies ROWS rows of a [rows, D] operand (row r at base + r * row_stride) into a
 * column-blocked tile; rows at or past `valid` are zero-filled. Run by the producer. */
template <int ROWS>
__device__ __forceinline__ void fa3_load_rows(fa_u32 dst, const fa_u16 *base, long long row_stride, int valid)
{
#pragma unroll
    for (int j = 0; j < (ROWS * FA_CHUNKS + FA_PRODUCER_THREADS - 1) / FA_PRODUCER_THREADS; j++) {
        const int i = threadIdx.x % FA_PRODUCER_THREADS + j * FA_PRODUCER_THREADS;
        if ((ROWS * FA_CHUNKS) % FA_PRODUCER_THREADS != 0 && i >= ROWS * FA_CHUNKS)
            break;
        const int r = i / FA_CHUNKS, c = i % FA_CHUNKS;
        const bool ok = r < valid;
        fa_cp_async16(dst + fa3_off(ROWS, r, c), ok ? base + (long long)r * row_stride + c * 8 : base, ok ? 16 : 0);
    }
}

/* Key rows a pass of the K/V row copy: the most whole rows of FA_CHUNKS chunks the
 * producer threads hold that divide the tile and nest with the paged block size. */
__device__ constexpr int fa3_rows_a_pass()
{
    int r = FA_PRODUCER_THREADS / FA_CHUNKS;
    while (r > 1 && (FA_BLOCK_N % r != 0 || (FA_PAGED_BLOCK && FA_PAGED_BLOCK % r != 0 && r % FA_PAGED_BLOCK != 0)))
        r--;
    return r;
}

/* Which tiles fa3_load_kv copies. */
enum { FA3_COPY_K = 1, FA3_COPY_V = 2, FA3_COPY_KV = FA3_COPY_K | FA3_COPY_V };

/* Issues the copies of the K and/or V tiles (PARTS) starting at key n0 into kd, vd:
 * contiguous or varlen rows, or, for a paged cache, rows (NHD, [blocks, block_size,
 * kv_heads, D]) or d rows of each block (HDB) gathered through the sequence's block table
 * (one lookup serves K and V; clamped into the cache: fa_paged_block, *seen). */
template <int PARTS>
__device__ __forceinline__ void fa3_load_kv(const fa_args &a, const fa_ctx &c, fa_u32 kd, fa_u32 vd, int k_start,
                                            int n0, unsigned *seen)
{
#if FA3_HDB
    /* A thread copies one 16-byte chunk (8 keys: one lookup, one byte count) of every
     * RSTEP-th d row of one sub-tile, from d0. The TPS threads of a sub-tile
     * run along its rows in order, so each quarter warp copies 128 contiguous bytes (whole
     * lines, four sectors an L2 request) into one 128-byte span of shared memory (no bank
     * conflict under the row-width swizzle). A chunk's keys share a block (block sizes are
     * multiples of 8); past the sequence they are zeros, a chunk straddling its end copied
     * in part (cp.async fills the rest with zeros). K and V caches share one shape
     * (runtime/args.c), so one offset serves both. */
    constexpr int TPS = FA_PRODUCER_THREADS * FA3_HDB_W / FA_BLOCK_N; /* threads a sub-tile */
    constexpr int RSTEP = TPS / FA3_HDB_CHUNKS;                       /* d rows a pass */
    static_assert(TPS % FA3_HDB_CHUNKS == 0 && FA_HEAD_DIM % RSTEP == 0, "whole passes of d rows");
    const int t = threadIdx.x % FA_PRODUCER_THREADS, sub = t / TPS, ch = t % FA3_HDB_CHUNKS;
    const int d0 = t % TPS / FA3_HDB_CHUNKS;
    const int pos = n0 + sub * FA3_HDB_W + ch * 8, left = c.kv_len - pos;
    const int *table = a.block_table + (long long)c.b * a.max_blocks_per_seq;
    const long long at = (left > 0 ? fa_paged_block(a, table[pos / FA_PAGED_BLOCK], seen) : 0u) * a.k_block_stride +
                         (long long)c.hk * a.k_head_stride + d0 * FA_PAGED_BLOCK + pos % FA_PAGED_BLOCK;
    const fa_u16 *kp = (const fa_u16 *)a.k + at, *vp = (const fa_u16 *)a.v + at;
    const int bytes = 2 * min(max(left, 0), 8);
#pragma unroll
    for (int d = d0; d < FA_HEAD_DIM; d += RSTEP) {
        const fa_u32 off = fa3_hdb_off(sub, d, ch);
        if (PARTS & FA3_COPY_K)
            fa_cp_async16(kd + off, kp + (d - d0) * FA_PAGED_BLOCK, bytes);
        if (PARTS & FA3_COPY_V)
            fa_cp_async16(vd + off, vp + (d - d0) * FA_PAGED_BLOCK, bytes);
    }
#elif FA_PAGED_BLOCK
    /* A thread copies chunk ch of every RAP-th key row from r0; its rows stay inside one
     * block for PASSES_A_BLOCK passes, so it looks the block up once for them (K and V
     * caches share one shape: one offset serves both). Threads past RAP whole rows (d192:
     * 32 of 128) copy nothing. */
    constexpr int RAP = fa3_rows_a_pass(); /* rows a pass */
    constexpr int PASSES_A_BLOCK = FA_PAGED_BLOCK >= RAP ? FA_PAGED_BLOCK / RAP : 1;
    static_assert(FA_BLOCK_N % RAP == 0 && (FA_PAGED_BLOCK % RAP == 0 || RAP % FA_PAGED_BLOCK == 0),
                  "whole passes of rows");
    const int t = threadIdx.x % FA_PRODUCER_THREADS, ch = t % FA_CHUNKS, r0 = t / FA_CHUNKS;
    if (t >= RAP * FA_CHUNKS)
        return;
    const int *table = a.block_table + (long long)c.b * a.max_blocks_per_seq;
    const long long head = (long long)c.hk * a.k_head_stride + ch * 8;
    long long blk = 0;
    /* unrolled as the dense copy below (4 passes), or over a whole block's passes so the
     * lookups stay where the unrolled code knows them */
    constexpr int WANT = PASSES_A_BLOCK > 4 ? PASSES_A_BLOCK : 4;
    constexpr int UNROLL = FA_BLOCK_N / RAP < WANT ? FA_BLOCK_N / RAP : WANT;
#pragma unroll UNROLL
    for (int j = 0; j < FA_BLOCK_N / RAP; j++) {
        const int r = r0 + j * RAP, pos = n0 + r;
        const bool ok = pos < c.kv_len; /* rows only grow: once past the end, all later are */
        if (j % PASSES_A_BLOCK == 0)
            blk = ok ? (long long)fa_paged_block(a, table[pos / FA_PAGED_BLOCK], seen) * a.k_block_stride : 0;
        const long long at = blk + (long long)(pos % FA_PAGED_BLOCK) * a.k_row_stride + head;
        const fa_u32 off = fa3_off(FA_BLOCK_N, r, ch);
        if (PARTS & FA3_COPY_K)
            fa_cp_async16(kd + off, (const fa_u16 *)a.k + at, ok ? 16 : 0);
        if (PARTS & FA3_COPY_V)
            fa_cp_async16(vd + off, (const fa_u16 *)a.v + at, ok ? 16 : 0);
    }
#else
    /* As the paged NHD copy: chunk ch of every RAP-th key row from r0, so a thread's
     * shared-memory slot and source column stay fixed (d192: 32 of 128 threads idle). */
    constexpr int RAP = fa3_rows_a_pass();
    /* Passes unrolled: 4 at d128-d256 (H200, B=2, S=8192: 1.12-1.18x the speed of
     * copies indexed per chunk and fully unrolled, whose hoisted addresses spilled; not
     * unrolled, 1.05-1.15x), all 8 at d64 (4: 0.98x causal) but under three consumer
     * warpgroups, whose producer's 32 registers do not hold 8 passes' addresses. */
    constexpr int UNROLL = FA_BLOCK_N / RAP <= 8 && FA_CONSUMERS < 3 ? FA_BLOCK_N / RAP : 4;
    const int t = threadIdx.x % FA_PRODUCER_THREADS, ch = t % FA_CHUNKS, r0 = t / FA_CHUNKS;
    if (t >= RAP * FA_CHUNKS)
        return;
    const fa_u16 *kp = fa_kv_row(c, a.k, a.k_batch_stride, a.k_head_stride, a.k_row_stride, k_start, n0) + ch * 8;
    const fa_u16 *vp = fa_kv_row(c, a.v, a.v_batch_stride, a.v_head_stride, a.v_row_stride, k_start, n0) + ch * 8;
    const int valid = c.kv_len - n0;
    const long long kstep = (long long)RAP * a.k_row_stride, vstep = (long long)RAP * a.v_row_stride;
    const fa_u16 *const kbase = kp, *const vbase = vp; /* row n0: the source of zero fills */
    kp += (long long)r0 * a.k_row_stride;
    vp += (long long)r0 * a.v_row_stride;
#pragma unroll UNROLL
    for (int j = 0; j < FA_BLOCK_N / RAP; j++, kp += kstep, vp += vstep) {
        const int r = r0 + j * RAP;
        const bool ok = r < valid;
        const fa_u32 off = fa3_off(FA_BLOCK_N, r, ch);
        if (PARTS & FA3_COPY_K)
            fa_cp_async16(kd + off, ok ? kp : kbase, ok ? 16 : 0);
        if (PARTS & FA3_COPY_V)
            fa_cp_async16(vd + off, ok ? vp : vbase, ok ? 16 : 0);
    }
#endif
}

#if FA_KV_FP8
/* fp8 caches (paged, either layout): the producer copies a tile's K and V bytes into one of
 * FA3_BYTE_STAGES byte stages (K then V, chunk i of each at 16 i), and once its own copies
 * have landed converts them (exactly) to the query type into the 16-bit stage the
 * consumers read: the tiles and descriptors of a 16-bit cache of the same layout. */
#define FA3_BYTE_STAGES 2
#define FA3_TILE8 (FA_BLOCK_N * FA_HEAD_DIM)                  /* bytes of an fp8 K or V tile */
#define FA3_CHUNKS8 (FA3_TILE8 / 16 / FA_PRODUCER_THREADS)    /* its 16-byte chunks a thread */
static_assert(FA3_TILE8 % (16 * FA_PRODUCER_THREADS) == 0 && FA_BLOCK_N % FA_PAGED_BLOCK == 0, "whole chunks");

/* Chunk i (16 bytes: consecutive ones run along the cache's contiguous slabs or key rows) of the
 * fp8 tile from key n0: its offset in either cache, its byte count (16 where its block is
 * in the sequence and in the cache, fa_paged_block_ok; else 0: zeros), the two 16-bit
 * chunks it converts into, and the keys of their first elements (an HDB block's keys past
 * the sequence's end are zeroed after conversion; NHD chunks are whole keys). */
struct fa3_chunk8 {
    long long src;
    int bytes;
    fa_u32 dst0, dst1;
    int key0, key1;
};

__device__ __forceinline__ fa3_chunk8 fa3_chunk8_at(const fa_args &a, const fa_ctx &c, int n0, int i, unsigned *seen)
{
    fa3_chunk8 k;
    const int *table = a.block_table + (long long)c.b * a.max_blocks_per_seq;
#if FA3_HDB
    constexpr int SLAB = FA_HEAD_DIM * FA_PAGED_BLOCK / 16; /* chunks of a block's [D][block_size] slab */
    const int blk = i / SLAB, o = i % SLAB * 16, d = o / FA_PAGED_BLOCK;
    const int kt = blk * FA_PAGED_BLOCK + o % FA_PAGED_BLOCK, pos = n0 + blk * FA_PAGED_BLOCK;
    const int e = pos < c.kv_len ? table[pos / FA_PAGED_BLOCK] : 0;
    const bool ok = fa_paged_block_ok(a, e, seen) && pos < c.kv_len;
    k.src = ok ? (long long)e * a.k_block_stride + (long long)c.hk * a.k_head_stride + o : 0;
    const fa_u32 at = fa3_hdb_lin(kt / FA3_HDB_W, d, kt % FA3_HDB_W / 8);
    k.dst0 = fa3_hdb_swz(at);
    k.dst1 = fa3_hdb_swz(at + 16); /* the next 8 keys, or at block size 8 the next d row */
    k.key0 = n0 + kt;
    k.key1 = k.key0 + (FA_PAGED_BLOCK == 8 ? 0 : 8);
#else
    /* At d128 a key row is 8 chunks, and its 16-bit chunks 2 ch fall in two 64-column blocks
     * on the same four swizzle slots: a quarter warp on one row would store two chunks to
     * each slot (bank conflicts). It takes half rows of two adjacent keys instead (odd and
     * even rows' slots interleave), still four whole rows a warp. */
    constexpr int CPR = FA_HEAD_DIM / 16; /* chunks a key row */
    const int r = CPR == 8 ? i / 16 * 2 + i / 4 % 2 : i / CPR, ch = CPR == 8 ? i / 8 % 2 * 4 + i % 4 : i % CPR;
    const int pos = n0 + r;
    const int e = pos < c.kv_len ? table[pos / FA_PAGED_BLOCK] : 0;
    const bool ok = fa_paged_block_ok(a, e, seen) && pos < c.kv_len;
    k.src = ok ? (long long)e * a.k_block_stride + (long long)(pos % FA_PAGED_BLOCK) * a.k_row_stride +
                     (long long)c.hk * a.k_head_stride + ch * 16
               : 0;
    k.dst0 = fa3_off(FA_BLOCK_N, r, 2 * ch);
    k.dst1 = fa3_off(FA_BLOCK_N, r, 2 * ch + 1);
    k.key0 = k.key1 = 0;
#endif
    k.bytes = ok ? 16 : 0;
    return k;
}

/* Issues this thread's copies of the fp8 K and V tiles from key n0 into byte stage bst. An
 * entry out of range (fa_paged_block_ok) sets the shared word `bad_word` to 1 at once, so no
 * register carries it through the loop: one did, and the 40-register producers recomputed
 * threadIdx in their conversions instead, 5% slower on HDB chunks (H100, session 20). The
 * consumers read the word after their last "full" wait, which these stores precede. */
__device__ __forceinline__ void fa3_copy8(const fa_args &a, const fa_ctx &c, fa_u32 bst, int n0, fa_u32 bad_word)
{
    unsigned seen = 0;
#pragma unroll
    for (int m = 0; m < FA3_CHUNKS8; m++) {
        const int i = threadIdx.x % FA_PRODUCER_THREADS + m * FA_PRODUCER_THREADS;
        const fa3_chunk8 k = fa3_chunk8_at(a, c, n0, i, &seen);
        fa_cp_async16(bst + i * 16, (const unsigned char *)a.k + k.src, k.bytes);
        fa_cp_async16(bst + FA3_TILE8 + i * 16, (const unsigned char *)a.v + k.src, k.bytes);
    }
    if (fa_paged_bad(a, seen))
        asm volatile("st.shared.u32 [%0], 1;\n" ::"r"(bad_word) : "memory");
}

/* The elements of y (8 keys from `key`) at or past the sequence's end, zeroed. */
__device__ __forceinline__ uint4 fa3_zero_past(uint4 y, int key, int kv_len)
{
    const int valid = kv_len - key;
    fa_u32 w[4] = {y.x, y.y, y.z, y.w};
#pragma unroll
    for (int e = 0; e < 4; e++)
        w[e] = 2 * e >= valid ? 0u : 2 * e + 1 >= valid ? (w[e] & 0xffffu) : w[e];
    return make_uint4(w[0], w[1], w[2], w[3]);
}

/* The fp8 producers' out-of-range entry word (fa3_copy8): after Q's mbarrier, inside the
 * 128 bytes compiler/plan.c leaves for the mbarriers. */
__device__ __forceinline__ fa_u32 fa3_bad_word(fa_u32 q_full)
{
    return q_full + 8;
}
static_assert(FA3_STAGE_BARS * FA_STAGES * 8 + 8 + 4 <= 128, "the mbarriers and the entry word in plan.c's slack");

__device__ __forceinline__ unsigned fa3_ld_shared_u32(fa_u32 addr)
{
    unsigned v;
    asm volatile("ld.shared.u32 %0, [%1];\n" : "=r"(v) : "r"(addr) : "memory");
    return v;
}

__device__ __forceinline__ uint4 fa3_ld_shared16(fa_u32 addr)
{
    uint4 v;
    asm volatile("ld.shared.v4.b32 {%0, %1, %2, %3}, [%4];\n"
                 : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
                 : "r"(addr)
                 : "memory");
    return v;
}

__device__ __forceinline__ void fa3_st_shared16(fa_u32 addr, uint4 v)
{
    asm volatile("st.shared.v4.b32 [%0], {%1, %2, %3, %4};\n" ::"r"(addr), "r"(v.x), "r"(v.y), "r"(v.z), "r"(v.w)
                 : "memory");
}

/* This thread's chunks of an fp8 K or V tile (from key n0) in byte stage src, converted into
 * the 16-bit tile dst. Its own copies only, so no barrier between their wait and this. */
__device__ __forceinline__ void fa3_convert8(const fa_args &a, const fa_ctx &c, fa_u32 src, fa_u32 dst, int n0)
{
    const bool tail = FA3_HDB && n0 + FA_BLOCK_N > c.kv_len;
    unsigned unread = 0; /* the entries were the copies' to see (fa3_copy8); k.src is unused */
#pragma unroll
    for (int m = 0; m < FA3_CHUNKS8; m++) {
        const int i = threadIdx.x % FA_PRODUCER_THREADS + m * FA_PRODUCER_THREADS;
        const fa3_chunk8 k = fa3_chunk8_at(a, c, n0, i, &unread);
        uint4 y0, y1;
        fa_fp8x16_to_qtype(fa3_ld_shared16(src + i * 16), y0, y1);
        if (tail) {
            y0 = fa3_zero_past(y0, k.key0, c.kv_len);
            y1 = fa3_zero_past(y1, k.key1, c.kv_len);
        }
        fa3_st_shared16(dst + k.dst0, y0);
        fa3_st_shared16(dst + k.dst1, y1);
    }
}
#endif

/* Online-softmax state of a thread's two rows (g and g + 8 of its warp's 16). */
struct fa3_state {
    float row_max[2];     /* log2 units; may trail the true max by FA_RESCALE_SLACK */
    float row_sum[2];     /* this thread's partial sums */
    bool need_mask;       /* the current tile needs per-element masking */
    bool exact_positions; /* every position is below 2^23 in magnitude: fa_score_pos applies */
    float lin_a, lin_l, lin_m; /* FA_SCORE_LINEAR: alpha * scale, lambda, mu in log2 units */
#if FA_MASK_SPLIT
    fa_mask_const mask_c; /* the mask's parts that read no position, and its rows' parts */
    fa_mask_row mask_r[2];
#endif
#if FA_KV_FP8
    float qk_scale, scale_log2; /* the softmax scale times the k descale, and in log2 units */
#endif
};

/* The softmax scale, and in log2 units: an fp8 cache's k descale folded in. */
#if FA_KV_FP8
#define FA3_QK_SCALE st.qk_scale
#define FA3_SCALE_LOG2 st.scale_log2
#else
#define FA3_QK_SCALE args.softmax_scale
#define FA3_SCALE_LOG2 args.scale_log2
#endif

/* Scores of the NC keys from n0 in s (log2 units after fa_score, or raw dot products),
 * masked, turned into probabilities against the row maxima; corr receives each row's
 * rescale factor for O (exactly 1 where the max did not move). */
template <int NC>
__device__ __forceinline__ void fa3_softmax(const fa_args &args, const fa_ctx &c, fa3_state &st, float (&s)[NC / 2],
                                            int rq0, int n0, int t4, float corr[2])
{
    float zrow[2] = {0.f, 0.f}; /* a row's score offset in this tile, kept out of the elements */
#if FA_SCORE_LINEAR
    /* score = alpha * s + lambda * (k - q) + mu: per element the scaled dot product plus
     * the column's part of the bias (lambda * (k - n0)); the row's part
     * (lambda * (n0 - q) + mu, the same on the four lanes of a row) joins the row max and
     * the exponent's offset. */
    const float mult = 1.f, col0 = (float)(2 * t4);
#pragma unroll
    for (int i = 0; i < NC / 2; i++)
        s[i] = fmaf(s[i], st.lin_a, st.lin_l * (col0 + (float)((i / 4) * 8 + i % 2)));
#pragma unroll
    for (int half = 0; half < 2; half++)
        zrow[half] = fmaf(st.lin_l, (float)(n0 - rq0 - half * 8), st.lin_m);
#elif FA_HAS_SCORE
    const float mult = 1.f;
    if (st.exact_positions) { /* positions as floats without a conversion per element */
        const float qf = (float)rq0, kf = (float)(n0 + 2 * t4);
#pragma unroll
        for (int i = 0; i < NC / 2; i++)
            s[i] = fa_score_pos(args, c, rq0 + ((i % 4) / 2) * 8, n0 + (i / 4) * 8 + 2 * t4 + i % 2,
                                qf + (float)(((i % 4) / 2) * 8), kf + (float)((i / 4) * 8 + i % 2),
                                s[i] * FA3_QK_SCALE) *
                   FA_LOG2E;
    } else {
#pragma unroll
        for (int i = 0; i < NC / 2; i++)
            s[i] = fa_score(args, c, rq0 + ((i % 4) / 2) * 8, n0 + (i / 4) * 8 + 2 * t4 + i % 2,
                            s[i] * FA3_QK_SCALE) *
                   FA_LOG2E;
    }
#else
    const float mult = FA3_SCALE_LOG2;
#endif
    if (st.need_mask) {
        /* a tile past the sink keys and inside the sequence needs the mask alone */
        if (n0 >= FA_SINK_TOKENS && n0 + NC <= c.kv_len) {
#if FA_MASK_SPLIT
#pragma unroll
            for (int nt = 0; nt < NC / 8; nt++)
#pragma unroll
                for (int e = 0; e < 2; e++) {
                    const fa_mask_col col = fa_mask_col_at(args, c, st.mask_c, n0 + nt * 8 + 2 * t4 + e);
#pragma unroll
                    for (int half = 0; half < 2; half++)
                        if (!fa_mask_pair(args, c, st.mask_c, st.mask_r[half], col))
                            s[nt * 4 + half * 2 + e] = FA_NEG_INF;
                }
#else
#pragma unroll
            for (int i = 0; i < NC / 2; i++)
                if (!fa_mask(args, c, rq0 + ((i % 4) / 2) * 8, n0 + (i / 4) * 8 + 2 * t4 + i % 2))
                    s[i] = FA_NEG_INF;
#endif
        } else {
#pragma unroll
            for (int i = 0; i < NC / 2; i++) {
                const int qpos = rq0 + ((i % 4) / 2) * 8, kpos = n0 + (i / 4) * 8 + 2 * t4 + i % 2;
                if (!(kpos < c.kv_len && fa_visible(args, c, qpos, kpos)))
                    s[i] = FA_NEG_INF;
            }
        }
    }
#pragma unroll
    for (int half = 0; half < 2; half++) {
        /* tree reductions: short dependency chains (a consumer warp's softmax is latency bound) */
        float m[NC / 8];
#pragma unroll
        for (int nt = 0; nt < NC / 8; nt++)
            m[nt] = fmaxf(s[nt * 4 + half * 2], s[nt * 4 + half * 2 + 1]);
#pragma unroll
        for (int w = 1; w < NC / 8; w *= 2)
#pragma unroll
            for (int i = 0; i + w < NC / 8; i += 2 * w)
                m[i] = fmaxf(m[i], m[i + w]);
        const float mx = fa_quad_max(m[0]) * mult + zrow[half];
        const float old = st.row_max[half];
        if (mx > old + FA_RESCALE_SLACK) /* also the first visible tile: old is -inf */
            st.row_max[half] = mx;
        const float cur = st.row_max[half], base = cur == FA_NEG_INF ? 0.f : cur;
        corr[half] = cur == old ? 1.f : fa_exp2(old - base);
        const float shift = zrow[half] - base;
        float sum[4] = {0.f, 0.f, 0.f, 0.f};
#pragma unroll
        for (int nt = 0; nt < NC / 8; nt++) {
#pragma unroll
            for (int e = 0; e < 2; e++) {
                const float p = fa_exp2(fmaf(s[nt * 4 + half * 2 + e], mult, shift));
                s[nt * 4 + half * 2 + e] = p;
                sum[(nt * 2 + e) % 4] += p;
            }
        }
        st.row_sum[half] = st.row_sum[half] * corr[half] + ((sum[0] + sum[1]) + (sum[2] + sum[3]));
    }
}

/* O rescaled by the rows' factors, skipped when no row of the warp moved its max. */
__device__ __forceinline__ void fa3_rescale(float (&o)[FA_HEAD_DIM / 2], const float corr[2])
{
    if (!__any_sync(0xffffffffu, corr[0] != 1.f || corr[1] != 1.f))
        return;
#pragma unroll
    for (int nt = 0; nt < FA_NT_O; nt++)
#pragma unroll
        for (int e = 0; e < 4; e++)
            o[nt * 4 + e] *= corr[e / 2];
}

/* The A fragments of P.V (k16 steps of 16 keys, the first NC / 16 of pa) from
 * probabilities in the S layout. */
template <int NC>
__device__ __forceinline__ void fa3_pack_p(const float (&s)[NC / 2], fa_u32 (&pa)[FA_KS_PV][4])
{
#pragma unroll
    for (int ks = 0; ks < NC / 16; ks++)
#pragma unroll
        for (int r = 0; r < 4; r++)
            pa[ks][r] = fa_pack2(s[8 * ks + 2 * r], s[8 * ks + 2 * r + 1]);
}

/* A consumer warpgroup: waits for each stage, computes its 64 rows, releases the stage,
 * and writes O and LSE. The pipeline (FA3's intra-warpgroup overlap) issues S_{j+1} = Q.K^T
 * and O += P_j.V_j back to back and runs the softmax of S_{j+1} while P_j.V_j is on the
 * tensor cores. Every wgmma sits on a path all four warps take together: an EMPTY tile
 * (for this warpgroup) is computed and fully masked rather than skipped. */
__device__ __forceinline__ void fa3_consume(const fa_args &args, const fa_ctx &c, fa_u32 sQ, fa_u32 sK0, fa_u32 sV0,
                                            fa_u32 bars, fa_u32 q_full, int wg, int wl, int g, int t4, int qa0,
                                            int qa1, int q_start, int m0, int m_rows, const fa_visits &v)
{
    const fa_u32 stage_bytes = FA_BLOCK_N * FA3_TILE_D * 2;
    float o[FA_HEAD_DIM / 2];
#pragma unroll
    for (int i = 0; i < FA_HEAD_DIM / 2; i++)
        o[i] = 0.f;
    fa3_state st;
    st.row_max[0] = st.row_max[1] = FA_NEG_INF;
    st.row_sum[0] = st.row_sum[1] = 0.f;
    st.exact_positions = c.kv_len < (1 << 23) && c.q_len < (1 << 23);
    /* fp8 caches: the descales join the softmax scale (K) and the normalisation (V) */
    float v_desc = 1.f;
#if FA_KV_FP8
    float k_desc;
    fa_kv_descales(args, c.hk, &k_desc, &v_desc);
    st.qk_scale = args.softmax_scale * k_desc;
    st.scale_log2 = args.scale_log2 * k_desc;
#endif
#if FA_SCORE_LINEAR
    fa_score_linear(args, c, &st.lin_a, &st.lin_l, &st.lin_m);
    st.lin_a *= FA3_QK_SCALE * FA_LOG2E;
    st.lin_l *= FA_LOG2E;
    st.lin_m *= FA_LOG2E;
#endif

    const int wr0 = wg * 64; /* this warpgroup's first row in the tile */
    const int wq0 = qa0 + wr0, wq1 = min(qa1, wq0 + 64);
    const int rq0 = wq0 + wl * 16 + g; /* this thread's first query position */
#if FA_MASK_SPLIT
    st.mask_c = fa_mask_const_of(args, c);
    st.mask_r[0] = fa_mask_row_at(args, c, st.mask_c, rq0);
    st.mask_r[1] = fa_mask_row_at(args, c, st.mask_c, rq0 + 8);
#endif
    const fa_u32 q_s = sQ + wr0 * 128;
    float s[FA_BLOCK_N / 2];
    fa_u32 pa[FA_KS_PV][4];
    float corr[2];
    int pos = 0;   /* fa_visit_next's place in the list */
    int known;     /* a tile's class as the scan found it */

    /* Waits for tile j, issues its S = Q.K^T, and decides whether it needs masking. */
    auto issue_scores = [&](int j) {
        const int stj = j % FA_STAGES;
        fa_mbar_wait(fa3_bar(bars, FA3_FULL_K, stj), (j / FA_STAGES) & 1);
        fa_fence_proxy_async();
        fa_wgmma_fence();
#pragma unroll
        for (int ks = 0; ks < FA_KS_QK; ks++)
            fa_wgmma_qk(s, fa3_desc_k(q_s, FA_BLOCK_M, ks), fa3_desc_kt(sK0 + stj * stage_bytes, ks),
                        ks > 0);
        fa_wgmma_commit();
        const int n0 = fa_visit_next(v, j, &pos, &known);
        const int cls = FA_TILE_SCAN && known != FA_TILE_PARTIAL ? known
                        : wq0 < wq1 ? fa_tile_class(args, c, wq0, wq1, n0, min(n0 + FA_BLOCK_N, c.kv_len))
                                    : FA_TILE_EMPTY;
        st.need_mask = (FA_HAS_MASK && cls != FA_TILE_FULL) || n0 + FA_BLOCK_N > c.kv_len || wq0 >= wq1;
        return n0;
    };
    /* P of the scores just computed, and O rescaled to the new row maxima. */
    auto take_probabilities = [&]() {
        fa3_rescale(o, corr);
        fa3_pack_p<FA_BLOCK_N>(s, pa);
    };
    auto issue_pv = [&](int j, int steps) {
        const fa_u32 v_s = sV0 + (j % FA_STAGES) * stage_bytes;
        fa_mbar_wait(fa3_bar(bars, FA3_FULL_V, j % FA_STAGES), (j / FA_STAGES) & 1);
        fa_fence_proxy_async();
#pragma unroll
        for (int ks = 0; ks < FA_KS_PV; ks++)
            if (ks < steps)
                fa_wgmma_pv(o, pa[ks], fa3_desc_vt(v_s, ks));
        fa_wgmma_commit();
    };

    /* Ping-pong: the consumer warpgroups take turns issuing their matrix products (named
     * barrier 1 + wg is "my turn"), so one's softmax runs while the other's wgmma do. The
     * last warpgroup hands warpgroup 0 its first turn; one hand-over is left at exit. */
    const int my_turn = 1 + wg, next_turn = 1 + (wg + 1) % FA_CONSUMERS;
    const int pair = 2 * 128;
    if (FA_CONSUMERS > 1 && wg == FA_CONSUMERS - 1)
        fa_bar_arrive(1, pair);
    auto take_turn = [&]() {
        if (FA_CONSUMERS > 1)
            fa_bar_sync(my_turn, pair);
    };
    auto pass_turn = [&]() {
        if (FA_CONSUMERS > 1)
            fa_bar_arrive(next_turn, pair);
    };

    fa_mbar_wait(q_full, 0);
    if (v.n > 0) {
        int pv_steps = FA_KS_PV; /* k16 steps of the pending P.V (a sink tile has fewer) */
        take_turn();
        int n0 = 0;
#if FA_SINK_N
        /* A sink tile (keys from 0, stage 0) is multiplied FA_SINK_N keys wide; its P.V
         * then overlaps the next tile's softmax like any other. */
        float ss[FA_SINK_N / 2];
        const bool sink_first = v.tiles.n_sink > 0; /* the first tile visited, scanned or not */
        if (sink_first) {
            fa_visit_next(v, 0, &pos, &known);
            fa_mbar_wait(fa3_bar(bars, FA3_FULL_K, 0), 0);
            fa_fence_proxy_async();
            fa_wgmma_fence();
#pragma unroll
            for (int ks = 0; ks < FA_KS_QK; ks++)
                fa_wgmma_qk_sink(ss, fa3_desc_k(q_s, FA_BLOCK_M, ks), fa3_desc_kt(sK0, ks), ks > 0);
            fa_wgmma_commit();
        } else
#endif
            n0 = issue_scores(0);
        pass_turn();
        fa_wgmma_wait<0>();
        fa_mbar_arrive(fa3_bar(bars, FA3_EMPTY_K, 0)); /* tile 0's K is read */
#if FA_SINK_N
        if (sink_first) {
            fa_fence_regs(ss);
            st.need_mask = true;
            fa3_softmax<FA_SINK_N>(args, c, st, ss, rq0, 0, t4, corr);
            fa3_pack_p<FA_SINK_N>(ss, pa); /* O is still zero: nothing to rescale */
            pv_steps = FA_SINK_N / 16;
        } else
#endif
        {
            fa_fence_regs(s);
            fa3_softmax<FA_BLOCK_N>(args, c, st, s, rq0, n0, t4, corr);
            take_probabilities();
        }
        for (int it = 0; it + 1 < v.n; it++) {
            take_turn();
            n0 = issue_scores(it + 1);
            issue_pv(it, pv_steps);
            pv_steps = FA_KS_PV;
            pass_turn();
            fa_wgmma_wait<1>();
            fa_fence_regs(s);
            fa_mbar_arrive(fa3_bar(bars, FA3_EMPTY_K, (it + 1) % FA_STAGES)); /* tile it + 1's K is read */
            fa3_softmax<FA_BLOCK_N>(args, c, st, s, rq0, n0, t4, corr);
            fa_wgmma_wait<0>();
            fa_fence_regs(o);
            fa_mbar_arrive(fa3_bar(bars, FA3_EMPTY_V, it % FA_STAGES)); /* tile `it` is consumed */
            take_probabilities();
        }
        take_turn();
        fa_wgmma_fence();
        issue_pv(v.n - 1, pv_steps);
        pass_turn();
        fa_wgmma_wait<0>();
        fa_fence_regs(o);
        fa_mbar_arrive(fa3_bar(bars, FA3_EMPTY_V, (v.n - 1) % FA_STAGES));
    }

    /* Epilogue: learned sink, normalisation, O and LSE stores. */
#if FA_PAGED_BLOCK
    fa_ctx cf = c; /* poisoned as well if a producer copy met an out-of-range block-table entry */
#if FA_KV_FP8
    fa_paged_poison(cf, fa3_ld_shared_u32(fa3_bad_word(q_full)) != 0); /* after the last "full" wait */
#else
    fa_paged_poison(cf, fa_bar_or(FA3_BAR_ENTRIES + wg, 128 + 32, false));
#endif
#else
    const fa_ctx &cf = c;
#endif
#pragma unroll
    for (int half = 0; half < 2; half++) {
        const int r = wr0 + wl * 16 + g + half * 8; /* row in the tile */
        float lse;
        const float inv = fa_finish_row(args, cf, st.row_max[half], fa_quad_sum(st.row_sum[half]), &lse) * v_desc;
        if (r < m_rows) {
            fa_u16 *dst = fa_out_row(args, c, q_start, m0 + r);
#pragma unroll
            for (int nt = 0; nt < FA_NT_O; nt++)
                *(fa_u32 *)(dst + nt * 8 + 2 * t4) = fa_pack2(o[nt * 4 + half * 2] * inv, o[nt * 4 + half * 2 + 1] * inv);
            if (args.lse && t4 == 0)
                *fa_lse_at(args, c, q_start, m0 + r) = lse;
        }
    }
}

extern "C" __global__ void __launch_bounds__(FA_THREADS, 1) FA_KERNEL_NAME(const __grid_constant__ fa_args args)
{
    extern __shared__ __align__(1024) unsigned char fa_smem[];
    /* wgmma's swizzle atoms want 1024-byte aligned tiles: the plan reserves the slack. The
     * mbarriers sit after the tiles (and an fp8 cache's byte stages): FA3_STAGE_BARS arrays
     * of FA_STAGES (fa3_bar), then Q's. */
    const fa_u32 sQ = (fa_smem_addr(fa_smem) + FA_ATOM_BYTES - 1) & ~(fa_u32)(FA_ATOM_BYTES - 1);
    const fa_u32 sK0 = sQ + FA_BLOCK_M * FA3_TILE_D * 2;
    const fa_u32 stage_bytes = FA_BLOCK_N * FA3_TILE_D * 2;
    const fa_u32 sV0 = sK0 + FA_STAGES * stage_bytes;
#if FA_KV_FP8
    const fa_u32 sB0 = sV0 + FA_STAGES * stage_bytes; /* byte stages of fp8 copies */
    const fa_u32 bars = sB0 + FA3_BYTE_STAGES * 2 * FA3_TILE8;
#else
    const fa_u32 bars = sV0 + FA_STAGES * stage_bytes;
#endif
    const fa_u32 q_full = bars + FA3_STAGE_BARS * FA_STAGES * 8;
#if FA_TILE_SCAN
    unsigned *scan_area = (unsigned *)(fa_smem + (bars + FA3_SCAN_AT - fa_smem_addr(fa_smem)));
#endif

    const int tid = threadIdx.x, warp = tid / 32, lane = tid % 32;
    const int g = lane / 4, t4 = lane % 4;

    fa_row_tile rt;
    if (!fa_cta_row_tile(args, FA_BLOCK_M, FA_BLOCK_N, &rt))
        return;
    const fa_ctx &c = rt.c;
    const int q_start = rt.q_start, k_start = rt.k_start, m0 = rt.m0, m_rows = rt.m_rows, qa0 = rt.qa0, qa1 = rt.qa1;

    if (tid == 0) {
        for (int st = 0; st < FA_STAGES; st++) {
            fa_mbar_init(fa3_bar(bars, FA3_FULL_K, st), FA_PRODUCER_THREADS);
            fa_mbar_init(fa3_bar(bars, FA3_FULL_V, st), FA_PRODUCER_THREADS);
            fa_mbar_init(fa3_bar(bars, FA3_EMPTY_K, st), FA_CONSUMER_THREADS);
            fa_mbar_init(fa3_bar(bars, FA3_EMPTY_V, st), FA_CONSUMER_THREADS);
        }
        fa_mbar_init(q_full, FA_PRODUCER_THREADS);
#if FA_KV_FP8
        asm volatile("st.shared.u32 [%0], 0;\n" ::"r"(fa3_bad_word(q_full)) : "memory");
#endif
        asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
    }
#if FA_TILE_SCAN
    fa_scan_clear(scan_area, rt.tiles);
#endif
    __syncthreads();

    /* The warpgroup index, made visibly warp-uniform for the compiler (divergence analysis
     * would otherwise serialize the wgmma instructions in the branches below). */
    const int wgi = __shfl_sync(0xffffffffu, tid / 128, 0);
    unsigned seen_entry = 0; /* paged, 16-bit: the largest block-table entry a producer looked up */
#if FA_TILE_SCAN
    const int first = fa_visit_first(rt.tiles, qa1);
    if (wgi >= FA_CONSUMERS) { /* the copies of Q and of the first tile fly during the scan */
        fa3_load_rows<FA_BLOCK_M>(sQ, fa_q_row(args, c, q_start, m0), args.q_row_stride, m_rows);
        fa_mbar_arrive_cp_async(q_full);
        const int n0 = fa_tile_at(rt.tiles, first) * FA_BLOCK_N;
#if FA_KV_FP8
        if (rt.tiles.n > 0)
            fa3_copy8(args, c, sB0, n0, fa3_bad_word(q_full));
        fa_cp_async_commit();
#else
        if (rt.tiles.n > 0) {
            fa3_load_kv<FA3_COPY_KV>(args, c, sK0, sV0, k_start, n0, &seen_entry);
            fa_mbar_arrive_cp_async(fa3_bar(bars, FA3_FULL_K, 0));
            fa_mbar_arrive_cp_async(fa3_bar(bars, FA3_FULL_V, 0));
        }
#endif
    }
    const fa_visits v = fa_scan_visits(args, c, rt.tiles, qa0, qa1, first, scan_area);
#else
    const fa_visits v = {rt.tiles, rt.tiles.n};
#endif
    if (wgi >= FA_CONSUMERS) {
        /* ---- producer warpgroup: Q (without a scan), then K/V tiles into the stages ---- */
        fa_setmaxnreg_dec<FA_PRODUCER_REGS>();
#if !FA_TILE_SCAN
        fa3_load_rows<FA_BLOCK_M>(sQ, fa_q_row(args, c, q_start, m0), args.q_row_stride, m_rows);
        fa_mbar_arrive_cp_async(q_full);
#endif
#if FA_KV_FP8
        const fa_u32 bad_word = fa3_bad_word(q_full);
        /* copies of tile j + 1 fly while tile j converts */
        int copy_pos = 0, convert_pos = 0, known;
#if !FA_TILE_SCAN /* else the first tile's copies were issued before the scan */
        if (v.n > 0)
            fa3_copy8(args, c, sB0, fa_visit_next(v, 0, &copy_pos, &known), bad_word);
        fa_cp_async_commit();
#endif
        for (int j = 0; j < v.n; j++) {
            const int stj = j % FA_STAGES;
            if (j + 1 < v.n) {
                fa3_copy8(args, c, sB0 + (j + 1) % FA3_BYTE_STAGES * 2 * FA3_TILE8,
                          fa_visit_next(v, j + 1, &copy_pos, &known), bad_word);
                fa_cp_async_commit();
                fa_cp_async_wait<1>();
            } else {
                fa_cp_async_wait<0>();
            }
            /* K as soon as Q.K^T has read the stage's last K, then V after its P.V */
            const fa_u32 bst = sB0 + j % FA3_BYTE_STAGES * 2 * FA3_TILE8;
            const int n0 = fa_visit_next(v, j, &convert_pos, &known);
            for (int kv = 0; kv < 2; kv++) {
                if (j >= FA_STAGES)
                    fa_mbar_wait(fa3_bar(bars, kv ? FA3_EMPTY_V : FA3_EMPTY_K, stj), (j / FA_STAGES - 1) & 1);
                fa3_convert8(args, c, bst + kv * FA3_TILE8, (kv ? sV0 : sK0) + stj * stage_bytes, n0);
                fa_fence_proxy_async(); /* the generic stores, before the tensor cores read them */
                fa_mbar_arrive(fa3_bar(bars, kv ? FA3_FULL_V : FA3_FULL_K, stj));
            }
        }
#else
        int pos = 0, known;
        for (int j = FA_TILE_SCAN ? 1 : 0; j < v.n; j++) { /* with a scan, tile 0's copies are issued */
            const int stj = j % FA_STAGES;
            const fa_u32 kd = sK0 + stj * stage_bytes, vd = sV0 + stj * stage_bytes;
            const int phase = (j / FA_STAGES - 1) & 1; /* of the stage's empty barriers */
            if (j >= FA_STAGES) {
                fa_mbar_wait(fa3_bar(bars, FA3_EMPTY_K, stj), phase);
                if (!FA3_EARLY_K)
                    fa_mbar_wait(fa3_bar(bars, FA3_EMPTY_V, stj), phase);
            }
            const int n0 = fa_visit_next(v, j, &pos, &known);
            fa3_load_kv<FA3_EARLY_K ? FA3_COPY_K : FA3_COPY_KV>(args, c, kd, vd, k_start, n0, &seen_entry);
            fa_mbar_arrive_cp_async(fa3_bar(bars, FA3_FULL_K, stj));
            if (FA3_EARLY_K) {
                if (j >= FA_STAGES)
                    fa_mbar_wait(fa3_bar(bars, FA3_EMPTY_V, stj), phase);
                fa3_load_kv<FA3_COPY_V>(args, c, kd, vd, k_start, n0, &seen_entry);
            }
            fa_mbar_arrive_cp_async(fa3_bar(bars, FA3_FULL_V, stj));
        }
#endif
        fa_cp_async_wait<0>();
#if FA_PAGED_BLOCK && !FA_KV_FP8
        /* the producer threads' entry flags, ORed, to each consumer warpgroup w through
         * producer warp w */
        const bool bad = fa_bar_or(FA3_BAR_PRODUCERS, FA_PRODUCER_THREADS, fa_paged_bad(args, seen_entry));
        const int pw = warp - FA_CONSUMER_THREADS / 32;
        if (pw < FA_CONSUMERS)
            fa_bar_or(FA3_BAR_ENTRIES + pw, 128 + 32, bad);
#endif
    } else {
        /* ---- consumer warpgroups ---- */
        fa_setmaxnreg_inc<FA_CONSUMER_REGS>();
        fa3_consume(args, c, sQ, sK0, sV0, bars, q_full, wgi, warp % 4, g, t4, qa0, qa1, q_start, m0, m_rows, v);
    }
}
