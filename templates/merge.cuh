/* merge.cuh - merges partial attention states (O_s, LSE_s) over disjoint key sets:
 * lse = log(sum_s exp(LSE_s)), O = sum_s exp(LSE_s - lse) * O_s; a row whose states are
 * all -inf gives O = 0 and lse = -inf. Used after split-KV decode (float32 partials in the
 * workspace) and by fadsl_merge_states (fp16/bf16 states).
 *
 * One warp a row (b, t, h); a lane owns 4 consecutive values of d per step. Grid:
 * ceil(rows / FA_MERGE_ROWS_PER_CTA), FA_MERGE_ROWS_PER_CTA * 32 threads. Expects
 * fa_merge_args.h, fa_common.cuh and FA_DTYPE_BF16/FP16, FA_MERGE_KERNEL_NAME.
 */

#define FA_MERGE_ROWS_PER_CTA 4

/* Four values of state s at element offset `off`, as floats. */
__device__ __forceinline__ float4 fa_merge_load4(const fa_merge_args &a, long long off)
{
    if (a.in_f32)
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

extern "C" __global__ void __launch_bounds__(FA_MERGE_ROWS_PER_CTA * 32)
    FA_MERGE_KERNEL_NAME(const __grid_constant__ fa_merge_args a)
{
    const long long row = (long long)blockIdx.x * FA_MERGE_ROWS_PER_CTA + threadIdx.x / 32;
    const int lane = threadIdx.x % 32;
    if (row >= (long long)a.batch * a.tokens * a.heads)
        return;
    const int h = (int)(row % a.heads), t = (int)(row / a.heads % a.tokens), b = (int)(row / a.heads / a.tokens);
    const long long lse0 = b * a.lse_b + t * a.lse_t + h * a.lse_h;
    float mx = FA_NEG_INF;
    for (int s = 0; s < a.num_states; s++)
        mx = fmaxf(mx, a.in_lse[lse0 + s * a.lse_state]);
    const float base = mx == FA_NEG_INF ? 0.f : mx;
    float l = 0.f;
    for (int s = 0; s < a.num_states; s++)
        l += __expf(a.in_lse[lse0 + s * a.lse_state] - base);
    const float inv = l > 0.f ? 1.f / l : 0.f;
    const long long in0 = b * a.in_b + t * a.in_t + h * a.in_h;
    fa_u16 *out = (fa_u16 *)a.out + b * a.out_b + t * a.out_t + h * a.out_h;
    for (int d = lane * 4; d < a.head_dim; d += 32 * 4) {
        float acc[4] = {0.f, 0.f, 0.f, 0.f};
        for (int s = 0; s < a.num_states; s++) {
            const float w = __expf(a.in_lse[lse0 + s * a.lse_state] - base) * inv;
            if (w == 0.f)
                continue; /* an empty state's O may be anything */
            const float4 v = fa_merge_load4(a, in0 + s * a.in_state + d);
            acc[0] += w * v.x;
            acc[1] += w * v.y;
            acc[2] += w * v.z;
            acc[3] += w * v.w;
        }
        *(uint2 *)(out + d) = make_uint2(fa_pack2(acc[0], acc[1]), fa_pack2(acc[2], acc[3]));
    }
    if (a.out_lse && lane == 0)
        a.out_lse[b * a.out_lse_b + t * a.out_lse_t + h * a.out_lse_h] = l > 0.f ? base + __logf(l) : FA_NEG_INF;
}
