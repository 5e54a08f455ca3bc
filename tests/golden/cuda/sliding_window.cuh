/* ---- variant sliding_window: device functions generated from its IR ---- */

__device__ __forceinline__ bool fa_mask(const fa_args &a, const fa_ctx &c, int q, int k)
{
    const int v0 = q;
    const int v1 = (int)a.vparam[0];
    const int v2 = fa_wsub(v0, v1);
    const int v3 = k;
    const bool v4 = v2 <= v3;
    const int v5 = (int)a.vparam[1];
    const int v6 = fa_wadd(v0, v5);
    const bool v7 = v3 <= v6;
    const bool v8 = v4 && v7;
    return v8;
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
    const fa_av t0 = fa_av_make(q0, q1 - 1);
    const fa_av t1 = fa_av_pt((int)a.vparam[0]);
    const fa_av t2 = fa_av_sub(t0, t1);
    const fa_av t3 = fa_av_make(k0, k1 - 1);
    const fa_av t4 = fa_av_le(t2, t3);
    const fa_av t5 = fa_av_pt((int)a.vparam[1]);
    const fa_av t6 = fa_av_add(t0, t5);
    const fa_av t7 = fa_av_le(t3, t6);
    const fa_av t8 = fa_av_and(t4, t7);
    return fa_av_tile_class(t8);
}

__device__ __forceinline__ void fa_key_range(const fa_args &a, const fa_ctx &c, int q0, int q1, int *k_begin, int *k_end)
{
    const fa_av t0 = fa_av_make(q0, q1 - 1);
    const fa_av t1 = fa_av_pt((int)a.vparam[0]);
    const fa_av t2 = fa_av_sub(t0, t1);
    const fa_av t5 = fa_av_pt((int)a.vparam[1]);
    const fa_av t6 = fa_av_add(t0, t5);
    fa_av r0 = t2;
    r0 = fa_kr_ge(r0);
    fa_av r1 = t6;
    r1 = fa_kr_le(r1);
    const fa_av r2 = fa_kr_and(r0, r1);
    fa_kr_apply(r2, k_begin, k_end);
}
