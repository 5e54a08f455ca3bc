/* ---- variant causal: device functions generated from its IR ---- */

__device__ __forceinline__ bool fa_mask(const fa_args &a, const fa_ctx &c, int q, int k)
{
    const int v0 = k;
    const int v1 = q;
    const bool v2 = v0 <= v1;
    return v2;
}

__device__ __forceinline__ bool fa_visible(const fa_args &a, const fa_ctx &c, int q, int k)
{
    return fa_mask(a, c, q, k);
}

__device__ __forceinline__ float fa_score(const fa_args &a, const fa_ctx &c, int q, int k, float s)
{
    return s;
}

__device__ __forceinline__ float fa_score_pos(const fa_args &a, const fa_ctx &c, int q, int k, float qf, float kf, float s)
{
    return s;
}

__device__ __forceinline__ int fa_tile_class(const fa_args &a, const fa_ctx &c, int q0, int q1, int k0, int k1)
{
    const fa_av t0 = fa_av_make(k0, k1 - 1);
    const fa_av t1 = fa_av_make(q0, q1 - 1);
    const fa_av t2 = fa_av_le(t0, t1);
    return fa_av_tile_class(t2);
}

__device__ __forceinline__ void fa_key_range(const fa_args &a, const fa_ctx &c, int q0, int q1, int *k_begin, int *k_end)
{
    const fa_av t1 = fa_av_make(q0, q1 - 1);
    fa_av r0 = t1;
    r0 = fa_kr_le(r0);
    fa_kr_apply(r0, k_begin, k_end);
}
