/* fa_common.cuh - device helpers shared by the kernel templates: element types and
 * conversions, cp.async, ldmatrix, mma.sync, exp2 and warp reductions. No CUDA toolkit
 * header is used: every primitive is a PTX instruction (see KERNELS.md, section A).
 * Expects the configuration macros of templates/README.md (FA_DTYPE_BF16 / FA_DTYPE_FP16).
 */
#ifndef FA_COMMON_CUH
#define FA_COMMON_CUH

typedef unsigned short fa_u16;  /* one fp16/bf16 element as stored */
typedef unsigned int fa_u32;

/* Per-(sequence, head) context handed to the variant's device functions. */
struct fa_ctx {
    int b;       /* sequence */
    int h;       /* query head */
    int hk;      /* KV head */
    int q_len;   /* new query tokens of this sequence */
    int kv_len;  /* keys of this sequence */
};

#define FA_LOG2E 1.4426950408889634f
#define FA_LN2 0.6931471805599453f
#define FA_NEG_INF __int_as_float(0xff800000)
#define FA_NAN __int_as_float(0x7fffffff)

__device__ __forceinline__ fa_u32 fa_smem_addr(const void *p)
{
    return (fa_u32)__cvta_generic_to_shared(p);
}

#if FA_KV_FP8
/* Two fp8 values (bytes 2 * HALF and 2 * HALF + 1 of x) to an fp16 pair, the first in the
 * low half. e5m2 is the top byte of an fp16; e4m3 converts with one cvt on sm_89+, else its
 * exponent and mantissa are shifted under fp16's exponent field and one multiply by 2^8
 * rebiases it (subnormals stay exact: fp16 arithmetic keeps denormals); the NaN code
 * (S.1111.111) comes out of that as +-480, above the largest finite value (448), and is made
 * NaN again. */
template <int HALF> __device__ __forceinline__ fa_u32 fa_fp8x2_to_f16x2(fa_u32 x)
{
    fa_u32 a;
#if FA_KV_FP8 == 1 && __CUDA_ARCH__ >= 890
    if (HALF)
        asm("{.reg .b16 l, h;\n mov.b32 {l, h}, %1;\n cvt.rn.f16x2.e4m3x2 %0, h;\n}\n" : "=r"(a) : "r"(x));
    else
        asm("{.reg .b16 l, h;\n mov.b32 {l, h}, %1;\n cvt.rn.f16x2.e4m3x2 %0, l;\n}\n" : "=r"(a) : "r"(x));
#else
    asm("prmt.b32 %0, %1, 0, %2;\n" : "=r"(a) : "r"(x), "n"(HALF ? 0x3424 : 0x1404)); /* bytes -> high bytes of lanes */
#if FA_KV_FP8 == 1
    a = (a & 0x80008000u) | ((a & 0x7f007f00u) >> 1);
    asm("mul.rn.f16x2 %0, %1, %2;\n" : "=r"(a) : "r"(a), "r"(0x5c005c00u)); /* 2^8 */
    const fa_u32 t = (a & 0x7fff7fffu) ^ 0x5f805f80u;               /* a lane of 0: +-480 */
    const fa_u32 nan = (((t + 0x7fff7fffu) & 0x80008000u) ^ 0x80008000u) >> 15; /* 1 in such lanes */
    a |= nan * 0x7fffu;                                             /* all exponent and mantissa bits: NaN */
#endif
#endif
    return a;
}

/* 16 fp8 values to 16 fp16 (y0: the first 8). */
__device__ __forceinline__ void fa_fp8x16_to_f16(uint4 x, uint4 &y0, uint4 &y1)
{
    y0 = make_uint4(fa_fp8x2_to_f16x2<0>(x.x), fa_fp8x2_to_f16x2<1>(x.x), fa_fp8x2_to_f16x2<0>(x.y),
                    fa_fp8x2_to_f16x2<1>(x.y));
    y1 = make_uint4(fa_fp8x2_to_f16x2<0>(x.z), fa_fp8x2_to_f16x2<1>(x.z), fa_fp8x2_to_f16x2<0>(x.w),
                    fa_fp8x2_to_f16x2<1>(x.w));
}

/* An fp16 pair to a bf16 pair (exact for values converted from fp8: both hold their
 * mantissa and exponent range). */
__device__ __forceinline__ fa_u32 fa_f16x2_to_bf16x2(fa_u32 x)
{
    fa_u32 y;
    asm("{.reg .f16 l, h;\n .reg .f32 fl, fh;\n mov.b32 {l, h}, %1;\n cvt.f32.f16 fl, l;\n cvt.f32.f16 fh, h;\n"
        " cvt.rn.bf16x2.f32 %0, fh, fl;\n}\n"
        : "=r"(y) : "r"(x));
    return y;
}

/* 16 fp8 values to 16 of the query type (y0: the first 8); exact. */
__device__ __forceinline__ void fa_fp8x16_to_qtype(uint4 x, uint4 &y0, uint4 &y1)
{
    fa_fp8x16_to_f16(x, y0, y1);
#if FA_DTYPE_BF16
    y0 = make_uint4(fa_f16x2_to_bf16x2(y0.x), fa_f16x2_to_bf16x2(y0.y), fa_f16x2_to_bf16x2(y0.z),
                    fa_f16x2_to_bf16x2(y0.w));
    y1 = make_uint4(fa_f16x2_to_bf16x2(y1.x), fa_f16x2_to_bf16x2(y1.y), fa_f16x2_to_bf16x2(y1.z),
                    fa_f16x2_to_bf16x2(y1.w));
#endif
}

/* The k and v descales of KV head hk: the per-head arrays where given, else per tensor. */
__device__ __forceinline__ void fa_kv_descales(const fa_args &a, int hk, float *k_desc, float *v_desc)
{
    *k_desc = a.k_descale_per_head ? a.k_descale_per_head[hk] : a.k_descale;
    *v_desc = a.v_descale_per_head ? a.v_descale_per_head[hk] : a.v_descale;
}
#endif

/* 16-byte asynchronous copy global -> shared; src_bytes 0 fills zeros (out of range). */
__device__ __forceinline__ void fa_cp_async16(fa_u32 dst, const void *src, int src_bytes)
{
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(src), "r"(src_bytes));
}

__device__ __forceinline__ void fa_cp_async_commit()
{
    asm volatile("cp.async.commit_group;\n" ::);
}

template <int N> __device__ __forceinline__ void fa_cp_async_wait()
{
    asm volatile("cp.async.wait_group %0;\n" ::"n"(N));
}

/* mbarriers (sm_90: try_wait). A barrier's phases alternate parity 0, 1, 0, ... */
__device__ __forceinline__ void fa_mbar_init(fa_u32 bar, int count)
{
    asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;\n" ::"r"(bar), "r"(count) : "memory");
}

__device__ __forceinline__ void fa_mbar_wait(fa_u32 bar, int parity)
{
    asm volatile("{\n.reg .pred done;\nwait_%=:\n"
                 "mbarrier.try_wait.parity.shared::cta.b64 done, [%0], %1;\n"
                 "@!done bra wait_%=;\n}\n" ::"r"(bar), "r"(parity) : "memory");
}

/* Orders this thread's generic shared-memory accesses before later async-proxy ones
 * (bulk copies, wgmma operand reads). */
__device__ __forceinline__ void fa_fence_proxy_async()
{
    asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");
}

/* Four 8x8 b16 matrices; lanes 8i..8i+7 give the row addresses of matrix i. */
__device__ __forceinline__ void fa_ldmatrix_x4(fa_u32 addr, fa_u32 r[4])
{
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(addr));
}

__device__ __forceinline__ void fa_ldmatrix_x4_trans(fa_u32 addr, fa_u32 r[4])
{
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(addr));
}

/* D = A(16x16, row) * B(16x8, col) + D, fp32 accumulation. */
__device__ __forceinline__ void fa_mma16816(float d[4], const fa_u32 a[4], fa_u32 b0, fa_u32 b1)
{
#if FA_DTYPE_BF16
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 "
#else
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 "
#endif
                 "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

/* Two floats to a packed pair of elements, `lo` in the low half (round to nearest). */
__device__ __forceinline__ fa_u32 fa_pack2_f16(float lo, float hi)
{
    fa_u32 r;
    asm("cvt.rn.f16x2.f32 %0, %1, %2;\n" : "=r"(r) : "f"(hi), "f"(lo));
    return r;
}

__device__ __forceinline__ fa_u32 fa_pack2(float lo, float hi)
{
#if FA_DTYPE_BF16
    fa_u32 r;
    asm("cvt.rn.bf16x2.f32 %0, %1, %2;\n" : "=r"(r) : "f"(hi), "f"(lo));
    return r;
#else
    return fa_pack2_f16(lo, hi);
#endif
}

__device__ __forceinline__ float fa_exp2(float x)
{
    float y;
    asm("ex2.approx.ftz.f32 %0, %1;\n" : "=f"(y) : "f"(x));
    return y;
}

/* Reductions over the four lanes of a quad (the threads sharing a fragment row). */
__device__ __forceinline__ float fa_quad_max(float x)
{
    x = fmaxf(x, __shfl_xor_sync(0xffffffffu, x, 1));
    return fmaxf(x, __shfl_xor_sync(0xffffffffu, x, 2));
}

__device__ __forceinline__ float fa_quad_sum(float x)
{
    x += __shfl_xor_sync(0xffffffffu, x, 1);
    return x + __shfl_xor_sync(0xffffffffu, x, 2);
}

/* The online-softmax state before the first tile: O zero, no max, no sum. */
template <int MI, int NO>
__device__ __forceinline__ void fa_online_softmax_start(float (&o)[MI][NO][4], float (&row_max)[MI][2],
                                                        float (&row_sum)[MI][2])
{
#pragma unroll
    for (int mi = 0; mi < MI; mi++) {
#pragma unroll
        for (int nt = 0; nt < NO; nt++)
            o[mi][nt][0] = o[mi][nt][1] = o[mi][nt][2] = o[mi][nt][3] = 0.f;
        row_max[mi][0] = row_max[mi][1] = FA_NEG_INF;
        row_sum[mi][0] = row_sum[mi][1] = 0.f;
    }
}

/* One online-softmax step over mma.sync accumulators: s[MI][NT][4] holds a tile's scores
 * (times `mult` in log2 units; -inf where masked) for the thread's rows (g and g + 8 of
 * each m16 tile); they become probabilities against the rows' updated maxima, and the
 * rows' sums and O accumulators o[MI][NO][4] are rescaled to those maxima. SKIP_SAME: the
 * warp skips rescaling O when no row's maximum moved (every factor exactly 1), as in
 * long decode scans, where a tile seldom raises a row's maximum. */
template <int MI, int NT, int NO, bool SKIP_SAME = false>
__device__ __forceinline__ void fa_online_softmax(float (&s)[MI][NT][4], float (&o)[MI][NO][4],
                                                  float (&row_max)[MI][2], float (&row_sum)[MI][2], float mult)
{
    float corrs[MI][2];
    bool same = true;
#pragma unroll
    for (int mi = 0; mi < MI; mi++)
#pragma unroll
        for (int half = 0; half < 2; half++) {
            float mx = FA_NEG_INF;
#pragma unroll
            for (int nt = 0; nt < NT; nt++)
                mx = fmaxf(mx, fmaxf(s[mi][nt][half * 2], s[mi][nt][half * 2 + 1]));
            mx = fmaxf(fa_quad_max(mx) * mult, row_max[mi][half]);
            const float base = mx == FA_NEG_INF ? 0.f : mx;
            const float corr = fa_exp2(row_max[mi][half] - base);
            row_max[mi][half] = mx;
            float sum = 0.f;
#pragma unroll
            for (int nt = 0; nt < NT; nt++)
#pragma unroll
                for (int e = 0; e < 2; e++) {
                    const float p = fa_exp2(fmaf(s[mi][nt][half * 2 + e], mult, -base));
                    s[mi][nt][half * 2 + e] = p;
                    sum += p;
                }
            row_sum[mi][half] = row_sum[mi][half] * corr + sum;
            corrs[mi][half] = corr;
            same = same && corr == 1.f;
        }
    if (SKIP_SAME && __all_sync(0xffffffffu, same))
        return;
#pragma unroll
    for (int mi = 0; mi < MI; mi++)
#pragma unroll
        for (int half = 0; half < 2; half++)
#pragma unroll
            for (int nt = 0; nt < NO; nt++) {
                o[mi][nt][half * 2] *= corrs[mi][half];
                o[mi][nt][half * 2 + 1] *= corrs[mi][half];
            }
}

/* P's A fragments of k16 step ks from mma.sync accumulators s (n8 tiles 2 ks and 2 ks + 1),
 * packed as the query type, or as fp16 with F16 (the fp16 tensor cores of fp8 caches). */
template <bool F16, int MI, int NT>
__device__ __forceinline__ void fa_p_frags(const float (&s)[MI][NT][4], int ks, fa_u32 (&pa)[MI][4])
{
#pragma unroll
    for (int mi = 0; mi < MI; mi++)
#pragma unroll
        for (int r = 0; r < 4; r++) {
            const float lo = s[mi][2 * ks + r / 2][(r % 2) * 2], hi = s[mi][2 * ks + r / 2][(r % 2) * 2 + 1];
            pa[mi][r] = F16 ? fa_pack2_f16(lo, hi) : fa_pack2(lo, hi);
        }
}

/* The natural-log LSE of a row from its running max (log2 units) and full sum: -inf for a
 * row that saw nothing (sum 0); NaN when the sum is NaN (a NaN or infinite K reached the
 * row), so that a merge of split partials passes the NaN on rather than dropping the
 * state as empty. */
__device__ __forceinline__ float fa_row_lse(float mx, float l)
{
    return l > 0.f ? (mx + __log2f(l)) * FA_LN2 : l == 0.f ? FA_NEG_INF : l;
}

/* The factor `num` / l that turns a row's accumulated O into its output: 0 for a row that
 * saw nothing (l 0), NaN for a NaN sum (passed on, as fa_row_lse does). */
__device__ __forceinline__ float fa_row_scale(float num, float l)
{
    return l > 0.f ? num / l : l == 0.f ? 0.f : l;
}

/* The larger of a and b, NaN if either is (fmaxf drops a NaN). */
__device__ __forceinline__ float fa_max_nan(float a, float b)
{
    return a != a ? a : b != b ? b : fmaxf(a, b);
}

#ifdef FA_ARGS_H /* ---- helpers of the kernels taking fa_args (not the merge kernel) ---- */

/* The variant's device functions (templates/README.md), defined by the emitter after this
 * file; declared here so the shared helpers below can call them. */
__device__ __forceinline__ void fa_key_range(const fa_args &a, const fa_ctx &c, int q0, int q1, int *k_begin,
                                             int *k_end);
#if FA_LEARNED_SINKS
__device__ __forceinline__ float fa_sink_logit(const fa_args &a, const fa_ctx &c);
#endif

#if FA_PAGED_BLOCK
/* Keys of paged sequence b, seq_lens[b], when it is in range: at most the launch's key bound
 * (args.seqlen_k, which the block-table rows hold) and at least its q_len new tokens. Out of
 * range it is 0, below q_len: no key is read (so a bad length never reads past its table
 * row, FADSL_DEBUG_CHECKS or not) and the sequence's rows come out NaN (fa_paged_poisoned),
 * not silently wrong. */
__device__ __forceinline__ int fa_paged_kv_len(const fa_args &a, int b, int q_len)
{
    const int n = a.seq_lens[b];
    return n <= a.seqlen_k && n >= q_len ? n : 0;
}

/* Block-table entry e as a block index, clamped into the cache (0..num_blocks - 1) so no
 * copy leaves it; *seen keeps the largest entry looked up (unsigned: a negative one is above
 * every block). A CTA whose threads saw one out of range (fa_paged_bad, ORed over the CTA)
 * gives its rows NaN (fa_paged_poison), not a silent wrong answer. Only the entries of keys
 * a CTA visits are looked up. FADSL_DEBUG_CHECKS refuses such a table before launch. A max
 * and a min: a flag set through a compare cost fa3_fwd's producers 4-7% (H100, session 20). */
__device__ __forceinline__ unsigned fa_paged_block(const fa_args &a, int e, unsigned *seen)
{
    *seen = max(*seen, (unsigned)e);
    return min((unsigned)e, (unsigned)a.num_blocks - 1);
}

/* fa_paged_block for copies that zero-fill instead of clamping (the fp8 producers of
 * fa3_fwd, whose registers a clamp overflows): whether entry e names a block; *seen too. */
__device__ __forceinline__ bool fa_paged_block_ok(const fa_args &a, int e, unsigned *seen)
{
    *seen = max(*seen, (unsigned)e);
    return (unsigned)e < (unsigned)a.num_blocks;
}

/* Whether a thread's largest entry (fa_paged_block) names no block. */
__device__ __forceinline__ bool fa_paged_bad(const fa_args &a, unsigned seen)
{
    return seen >= (unsigned)a.num_blocks;
}

/* A paged sequence whose seq_lens was out of range (fa_paged_kv_len), or a CTA that met an
 * out-of-range block-table entry (fa_paged_poison): its rows come out NaN. */
__device__ __forceinline__ bool fa_paged_poisoned(const fa_ctx &c)
{
    return c.kv_len < c.q_len;
}

/* Marks c poisoned when `bad` (a CTA's fa_paged_bad, ORed), once its keys are all read:
 * kv_len below any q_len. */
__device__ __forceinline__ void fa_paged_poison(fa_ctx &c, bool bad)
{
    if (bad)
        c.kv_len = -1;
}
#endif

/* Sequence context of CTA (blockIdx.y = query head, blockIdx.z = sequence): lengths from
 * the dense sizes, cu_seqlens (varlen) or seq_lens (paged); q_start / k_start are the
 * sequence's first packed rows (0 when not packed). */
__device__ __forceinline__ fa_ctx fa_sequence(const fa_args &a, int *q_start, int *k_start)
{
    fa_ctx c;
    c.b = blockIdx.z;
    c.h = blockIdx.y;
    c.hk = c.h / (a.q_heads / a.kv_heads);
    *q_start = *k_start = 0;
    c.q_len = a.seqlen_q;
    c.kv_len = a.seqlen_k;
#if FA_VARLEN
    *q_start = a.cu_seqlens_q[c.b];
    c.q_len = a.cu_seqlens_q[c.b + 1] - *q_start;
#if !FA_PAGED_BLOCK /* a paged cache gives kv_len through seq_lens */
    *k_start = a.cu_seqlens_k[c.b];
    c.kv_len = a.cu_seqlens_k[c.b + 1] - *k_start;
#endif
#endif
#if FA_PAGED_BLOCK
    c.kv_len = fa_paged_kv_len(a, c.b, c.q_len);
#endif
    return c;
}

/* The tiles a row tile at positions [qa0, qa1) visits: its derived key range's and the sinks'. */
__device__ __forceinline__ fa_tiles fa_visit_tiles(const fa_args &a, const fa_ctx &c, int qa0, int qa1, int block_n)
{
    int kb = 0, ke = c.kv_len;
    fa_key_range(a, c, qa0, qa1, &kb, &ke);
    return fa_tiles_of(max(kb, 0), min(ke, c.kv_len), c.kv_len, block_n, FA_SINK_TOKENS);
}

/* The row tile of the CTA's (sequence blockIdx.z, head blockIdx.y): block_m rows counted
 * back from the last (under a causal mask the last tiles see the most keys, and starting
 * them first keeps the grid's tail short), and the key tiles it visits. False when the
 * tile lies past its sequence (varlen). */
struct fa_row_tile {
    fa_ctx c;
    int q_start, k_start; /* the sequence's first packed rows (0 when not packed) */
    int m0, m_rows;       /* the tile's rows within the sequence */
    int qa0, qa1;         /* absolute positions of its first row and one past its last */
    fa_tiles tiles;
};

__device__ __forceinline__ bool fa_cta_row_tile(const fa_args &a, int block_m, int block_n, fa_row_tile *t)
{
    t->c = fa_sequence(a, &t->q_start, &t->k_start);
    t->m0 = (gridDim.x - 1 - blockIdx.x) * block_m;
    if (t->m0 >= t->c.q_len)
        return false;
    t->m_rows = min(block_m, t->c.q_len - t->m0);
    t->qa0 = t->c.kv_len - t->c.q_len + t->m0;
    t->qa1 = t->qa0 + t->m_rows;
    t->tiles = fa_visit_tiles(a, t->c, t->qa0, t->qa1, block_n);
    return true;
}

#if FA_LEARNED_SINKS
/* Folds the learned sink of (c's sequence, head) into a row's max *mx (log2 units) and sum
 * *l; returns the factor for the row's accumulated O. A sink of -inf adds nothing, also to
 * a row that saw no key (exp2(-inf - -inf) would be NaN). */
__device__ __forceinline__ float fa_fold_sink(const fa_args &a, const fa_ctx &c, float *mx, float *l)
{
    const float sink = fa_sink_logit(a, c) * FA_LOG2E;
    const float m2 = fmaxf(*mx, sink);
    const float scale_o = *mx == FA_NEG_INF ? 0.f : fa_exp2(*mx - m2);
    *l = *l * scale_o + (m2 == FA_NEG_INF ? 0.f : fa_exp2(sink - m2));
    *mx = m2;
    return scale_o;
}
#endif

/* Finishes a row from its running max (log2 units) and full sum: folds in a learned sink,
 * returns the factor that turns the accumulated O into the output (fa_row_scale) and sets
 * *lse (fa_row_lse). */
__device__ __forceinline__ float fa_finish_row(const fa_args &a, const fa_ctx &c, float mx, float l, float *lse)
{
    float scale_o = 1.f;
#if FA_LEARNED_SINKS
    scale_o = fa_fold_sink(a, c, &mx, &l);
#endif
#if FA_PAGED_BLOCK
    if (fa_paged_poisoned(c)) {
        *lse = FA_NAN;
        return FA_NAN;
    }
#endif
#if FA_VARLEN
    if (c.q_len > a.seqlen_q) { /* more rows than max_seqlen_q: the grid misses some, so none is kept */
        *lse = FA_NAN;
        return FA_NAN;
    }
#endif
    *lse = fa_row_lse(mx, l);
    return fa_row_scale(scale_o, l);
}

/* Row r (of sequence c) of Q. */
__device__ __forceinline__ const fa_u16 *fa_q_row(const fa_args &a, const fa_ctx &c, int q_start, int r)
{
    const fa_u16 *src = (const fa_u16 *)a.q + (long long)c.h * a.q_head_stride;
#if FA_VARLEN
    return src + (long long)(q_start + r) * a.q_row_stride;
#else
    return src + (long long)c.b * a.q_batch_stride + (long long)r * a.q_row_stride;
#endif
}

/* Key row n0 of sequence c's KV head in a contiguous or varlen (packed from row k_start)
 * K or V tensor; later rows follow at row_stride. */
__device__ __forceinline__ const fa_u16 *fa_kv_row(const fa_ctx &c, const void *base, long long batch_stride,
                                                   long long head_stride, long long row_stride, int k_start, int n0)
{
    const fa_u16 *p = (const fa_u16 *)base + (long long)c.hk * head_stride;
#if FA_VARLEN
    return p + (long long)(k_start + n0) * row_stride;
#else
    return p + (long long)c.b * batch_stride + (long long)n0 * row_stride;
#endif
}

/* Row r (of sequence c) of O, and the LSE element of that row. */
__device__ __forceinline__ fa_u16 *fa_out_row(const fa_args &a, const fa_ctx &c, int q_start, int r)
{
    fa_u16 *dst = (fa_u16 *)a.o + (long long)c.h * a.o_head_stride;
#if FA_VARLEN
    return dst + (long long)(q_start + r) * a.o_row_stride;
#else
    return dst + (long long)c.b * a.o_batch_stride + (long long)r * a.o_row_stride;
#endif
}

__device__ __forceinline__ float *fa_lse_at(const fa_args &a, const fa_ctx &c, int q_start, int r)
{
#if FA_VARLEN
    return a.lse + (long long)c.h * (a.lse_rows ? a.lse_rows : a.cu_seqlens_q[a.batch]) + q_start + r;
#else
    return a.lse + ((long long)c.b * a.q_heads + c.h) * a.seqlen_q + r;
#endif
}

#endif /* FA_ARGS_H */

#endif
