/* merge.cuh - merges partial attention states (O_s, LSE_s) over disjoint key sets:
 * lse = log(sum_s exp(LSE_s)), O = sum_s exp(LSE_s - lse) * O_s; a row whose states are
 * all -inf gives O = 0 and lse = -inf, one with a NaN state NaN (maxima pass NaN on).
 * Used after split-KV decode (float32 partials in the workspace) and by
 * fadsl_merge_states (fp16/bf16 states).
 *
 * One CTA a row (b, t, h) of G warps (blockDim.x / 32, up to FA_MERGE_MAX_GROUPS; the
 * runtime takes enough that each warp has about FA_MERGE_UNROLL states): warp w merges
 * states w, w + G, ... in one pass (each round's LSE and O loads in flight together, an
 * online maximum), a lane owns 4 consecutive values of d per 128-wide step, and the warps'
 * (max, sum, O) meet in shared memory: one round trip to memory a row when G x
 * FA_MERGE_UNROLL covers the states. Grid: rows.
 * sm_90: waits on griddepcontrol before its first load (a programmatic dependent launch).
 * Expects fa_merge_args.h, fa_common.cuh and FA_DTYPE_BF16/FP16, FA_MERGE_KERNEL_NAME.
 */

#define FA_MERGE_MAX_GROUPS FA_MERGE_MAX_WARPS /* fa_merge_args.h, shared with runtime/merge.c */
#define FA_MERGE_D_STEP 128    /* d values a warp covers at once: 32 lanes x 4 */
#define FA_MERGE_UNROLL 4

/* Four values of state s at element offset `off`, as floats (F32: float32 states). */
template <bool F32> __device__ __forceinline__ float4 fa_merge_load4(const fa_merge_args &a, long long off)
{
    if (F32)
        return *(const float4 *)((const float *)a.in_o + off);
    const uint2 u = *(const uint2 *)((const fa_u16 *)a.in_o + off);
    float2 lo, hi;
#if FA_DTYPE_BF16
    lo = make_float2(__uint_as_float(u.x << 16), __uint_as_float(u.x & 0xffff0000u));
    hi = make_float2(__uint_as_float(u.y << 16), __uint_as_float(u.y & 0xffff0000u));
#else
    asm("{.reg .f16 a, b;\n mov.b32 {a, b}, %2;\n cvt.f32.f16 %0, a;\n cvt.f32.f16 %1, b;\n}\n"
        : "=f"(lo.x), "=f"(lo.y) : "r"(u.x));
    asm("{.reg .f16 a, b;\n mov.b32 {a, b}, %2;\n cvt.f32.f16 %0, a;\n cvt.f32.f16 %1, b;\n}\n"
        : "=f"(hi.x), "=f"(hi.y) : "r"(u.y));
#endif
    return make_float4(lo.x, lo.y, hi.x, hi.y);
}

/* This warp's states (w, w + G, ...) at 4 values of d from d: their largest LSE m, the sum
 * l of exp(LSE - m) and acc = the sum of exp(LSE - m) * O[d..d+3], FA_MERGE_UNROLL states a
 * round with all their loads issued before any use. Empty states (LSE -inf) count for
 * nothing: their O may be anything. */
template <bool F32>
__device__ __forceinline__ void fa_merge_warp(const fa_merge_args &a, long long lse0, long long in0, int d, int warp,
                                              int groups, float &m, float &l, float (&acc)[4])
{
    m = FA_NEG_INF, l = 0.f;
    acc[0] = acc[1] = acc[2] = acc[3] = 0.f;
    for (int s0 = warp; s0 < a.num_states; s0 += groups * FA_MERGE_UNROLL) {
        float x[FA_MERGE_UNROLL];
        float4 v[FA_MERGE_UNROLL];
#pragma unroll
        for (int u = 0; u < FA_MERGE_UNROLL; u++) {
            const int s = s0 + u * groups;
            const bool in = s < a.num_states;
            x[u] = in ? a.in_lse[lse0 + s * a.lse_state] : FA_NEG_INF;
            v[u] = in && d < a.head_dim ? fa_merge_load4<F32>(a, in0 + s * a.in_state + d) : make_float4(0.f, 0.f, 0.f, 0.f);
        }
        float mx = m;
#pragma unroll
        for (int u = 0; u < FA_MERGE_UNROLL; u++)
            mx = fa_max_nan(mx, x[u]);
        if (mx == FA_NEG_INF)
            continue;
        const float c = __expf(m - mx); /* 0 while m is -inf */
        l *= c;
        acc[0] *= c, acc[1] *= c, acc[2] *= c, acc[3] *= c;
#pragma unroll
        for (int u = 0; u < FA_MERGE_UNROLL; u++)
            if (x[u] != FA_NEG_INF) {
                const float w = __expf(x[u] - mx);
                l += w;
                acc[0] += w * v[u].x, acc[1] += w * v[u].y, acc[2] += w * v[u].z, acc[3] += w * v[u].w;
            }
        m = mx;
    }
}

extern "C" __global__ void __launch_bounds__(FA_MERGE_MAX_GROUPS * 32)
    FA_MERGE_KERNEL_NAME(const __grid_constant__ fa_merge_args a)
{
    __shared__ float4 part[FA_MERGE_MAX_GROUPS][32];
    __shared__ float part_m[FA_MERGE_MAX_GROUPS], part_l[FA_MERGE_MAX_GROUPS];
    const long long row = blockIdx.x;
    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32, groups = blockDim.x / 32;
    const int h = (int)(row % a.heads), t = (int)(row / a.heads % a.tokens), b = (int)(row / a.heads / a.tokens);
    const long long lse0 = b * a.lse_b + t * a.lse_t + h * a.lse_h, in0 = b * a.in_b + t * a.in_t + h * a.in_h;
#if __CUDA_ARCH__ >= 900
    /* Launched as a programmatic dependent of a split decode (runtime/merge.c): the decode's
     * partials are complete and visible past this point; a no-op otherwise. */
    asm volatile("griddepcontrol.wait;\n" ::: "memory");
#endif
    if (threadIdx.x == 0) /* the decode is over, its tile claims too: zeroed for the next launch */
        for (long long i = blockIdx.x; i < a.num_claims; i += gridDim.x)
            a.claims[i] = 0;
    long long out_row = t, lse_h = a.out_lse_h; /* the output's token row, the LSE's head stride */
    if (a.cu_tokens) { /* packed rows (fa_merge_args.h); a row past its sequence's is skipped */
        const int start = a.cu_tokens[b];
        if (t >= a.cu_tokens[b + 1] - start)
            return;
        out_row = start + t;
        lse_h = lse_h ? lse_h : a.cu_tokens[a.batch];
    }
    fa_u16 *out = (fa_u16 *)a.out + b * a.out_b + out_row * a.out_t + h * a.out_h;
    float *out_lse = a.out_lse ? a.out_lse + b * a.out_lse_b + out_row * a.out_lse_t + h * lse_h : nullptr;
    for (int d0 = 0; d0 < a.head_dim; d0 += FA_MERGE_D_STEP) {
        const int d = d0 + lane * 4;
        float m, l, acc[4];
        if (a.in_f32)
            fa_merge_warp<true>(a, lse0, in0, d, warp, groups, m, l, acc);
        else
            fa_merge_warp<false>(a, lse0, in0, d, warp, groups, m, l, acc);
        part[warp][lane] = make_float4(acc[0], acc[1], acc[2], acc[3]);
        if (lane == 0)
            part_m[warp] = m, part_l[warp] = l;
        __syncthreads();
        if (warp == 0) { /* the warps' sums, rescaled to the row's largest LSE */
            float mx = FA_NEG_INF;
            for (int w = 0; w < groups; w++)
                mx = fa_max_nan(mx, part_m[w]);
            float sum_l = 0.f;
            float4 sum = make_float4(0.f, 0.f, 0.f, 0.f);
            if (mx != FA_NEG_INF)
                for (int w = 0; w < groups; w++) {
                    const float f = __expf(part_m[w] - mx);
                    const float4 p = part[w][lane];
                    sum_l += f * part_l[w];
                    sum = make_float4(sum.x + f * p.x, sum.y + f * p.y, sum.z + f * p.z, sum.w + f * p.w);
                }
            const float inv = fa_row_scale(1.f, sum_l);
            if (d < a.head_dim)
                *(uint2 *)(out + d) = make_uint2(fa_pack2(sum.x * inv, sum.y * inv), fa_pack2(sum.z * inv, sum.w * inv));
            /* last chunk: every warp has read the input LSEs (out_lse may be one of them) */
            if (out_lse && d0 + FA_MERGE_D_STEP >= a.head_dim && lane == 0)
                *out_lse = sum_l > 0.f ? mx + __logf(sum_l) : sum_l == 0.f ? FA_NEG_INF : sum_l;
        }
        __syncthreads();
    }
}
