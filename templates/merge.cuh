/* merge.cuh - merges partial attention states (O_s, LSE_s) over disjoint key sets:
 * lse = log(sum_s exp(LSE_s)), O = sum_s exp(LSE_s - lse) * O_s; a row whose states are
 * all -inf gives O = 0 and lse = -inf. Used after split-KV decode (float32 partials in the
 * workspace) and by fadsl_merge_states (fp16/bf16 states).
 *
 * One CTA a row (b, t, h) of G warps (blockDim.x / 32, up to FA_MERGE_MAX_GROUPS; the
 * runtime takes enough that each warp has about FA_MERGE_UNROLL states): warp w sums states
 * w, w + G, ... (their loads in flight together, not one state after another), a lane owns 4
 * consecutive values of d per 128-wide step, and the warps' sums meet in shared memory.
 * Every warp finds the max and sum of the LSEs itself (lane-strided, shuffles). Grid: rows.
 * sm_90: waits on griddepcontrol before its first load (a programmatic dependent launch).
 * Expects fa_merge_args.h, fa_common.cuh and FA_DTYPE_BF16/FP16, FA_MERGE_KERNEL_NAME.
 */

#define FA_MERGE_MAX_GROUPS 16 /* runtime/merge.c: MERGE_MAX_WARPS */
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

/* acc += sum over this warp's states of weight * O_s[d..d+3]; weight = exp(lse_s - base) * inv. */
template <bool F32>
__device__ __forceinline__ void fa_merge_states_of_warp(const fa_merge_args &a, long long lse0, long long in0, int d,
                                                        float base, float inv, int warp, int groups, float (&acc)[4])
{
#pragma unroll FA_MERGE_UNROLL
    for (int s = warp; s < a.num_states; s += groups) {
        const float w = __expf(a.in_lse[lse0 + s * a.lse_state] - base) * inv;
        const float4 v = fa_merge_load4<F32>(a, in0 + s * a.in_state + d);
        if (w != 0.f) { /* an empty state's O may be anything */
            acc[0] += w * v.x;
            acc[1] += w * v.y;
            acc[2] += w * v.z;
            acc[3] += w * v.w;
        }
    }
}

extern "C" __global__ void __launch_bounds__(FA_MERGE_MAX_GROUPS * 32)
    FA_MERGE_KERNEL_NAME(const __grid_constant__ fa_merge_args a)
{
    __shared__ float4 part[FA_MERGE_MAX_GROUPS][32];
    const long long row = blockIdx.x;
    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32, groups = blockDim.x / 32;
    const int h = (int)(row % a.heads), t = (int)(row / a.heads % a.tokens), b = (int)(row / a.heads / a.tokens);
    const long long lse0 = b * a.lse_b + t * a.lse_t + h * a.lse_h;
#if __CUDA_ARCH__ >= 900
    /* Launched as a programmatic dependent of a split decode (runtime/merge.c): the decode's
     * partials are complete and visible past this point; a no-op otherwise. */
    asm volatile("griddepcontrol.wait;\n" ::: "memory");
#endif
    float mx = FA_NEG_INF;
    for (int s = lane; s < a.num_states; s += 32)
        mx = fmaxf(mx, a.in_lse[lse0 + s * a.lse_state]);
    for (int off = 16; off > 0; off /= 2)
        mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, off));
    const float base = mx == FA_NEG_INF ? 0.f : mx;
    float l = 0.f;
    for (int s = lane; s < a.num_states; s += 32)
        l += __expf(a.in_lse[lse0 + s * a.lse_state] - base);
    for (int off = 16; off > 0; off /= 2)
        l += __shfl_xor_sync(0xffffffffu, l, off);
    const float inv = l > 0.f ? 1.f / l : 0.f;
    const long long in0 = b * a.in_b + t * a.in_t + h * a.in_h;
    fa_u16 *out = (fa_u16 *)a.out + b * a.out_b + t * a.out_t + h * a.out_h;
    for (int d0 = 0; d0 < a.head_dim; d0 += FA_MERGE_D_STEP) {
        const int d = d0 + lane * 4;
        float acc[4] = {0.f, 0.f, 0.f, 0.f};
        if (d < a.head_dim) {
            if (a.in_f32)
                fa_merge_states_of_warp<true>(a, lse0, in0, d, base, inv, warp, groups, acc);
            else
                fa_merge_states_of_warp<false>(a, lse0, in0, d, base, inv, warp, groups, acc);
        }
        part[warp][lane] = make_float4(acc[0], acc[1], acc[2], acc[3]);
        __syncthreads();
        if (warp == 0 && d < a.head_dim) {
            float4 sum = part[0][lane];
            for (int w = 1; w < groups; w++) {
                const float4 p = part[w][lane];
                sum = make_float4(sum.x + p.x, sum.y + p.y, sum.z + p.z, sum.w + p.w);
            }
            *(uint2 *)(out + d) = make_uint2(fa_pack2(sum.x, sum.y), fa_pack2(sum.z, sum.w));
        }
        __syncthreads();
    }
    if (a.out_lse && threadIdx.x == 0)
        a.out_lse[b * a.out_lse_b + t * a.out_lse_t + h * a.out_lse_h] = l > 0.f ? base + __logf(l) : FA_NEG_INF;
}
