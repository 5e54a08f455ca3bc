/* ---- variant none: device functions generated from its IR ---- */

__device__ __forceinline__ bool fa_mask(const fa_args &a, const fa_ctx &c, int q, int k)
{
    const bool v0 = true;
    return v0;
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
    const fa_av t0 = fa_av_pt(true);
    return fa_av_tile_class(t0);
}

__device__ __forceinline__ void fa_key_range(const fa_args &a, const fa_ctx &c, int q0, int q1, int *k_begin, int *k_end)
{
    /* the mask bounds no key range: every key stays a candidate */
}
