/* ---- variant sliding_window: device functions generated from its IR ---- */

__device__ __forceinline__ bool fa_mask(const fa_args &a, const fa_ctx &c, int q, int k)
{
    const int v0 = q;
    const int v1 = k;
    const int v2 = fa_wsub(v0, v1);
    const int v3 = (int)a.vparam[0];
    const bool v4 = v2 <= v3;
    const int v5 = fa_wsub(v1, v0);
    const int v6 = (int)a.vparam[1];
    const bool v7 = v5 <= v6;
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
    const fa_av t1 = fa_av_make(k0, k1 - 1);
    const fa_av t2 = fa_av_sub(t0, t1);
    const fa_av t3 = fa_av_pt((int)a.vparam[0]);
    const fa_av t4 = fa_av_le(t2, t3);
    const fa_av t5 = fa_av_sub(t1, t0);
    const fa_av t6 = fa_av_pt((int)a.vparam[1]);
    const fa_av t7 = fa_av_le(t5, t6);
    const fa_av t8 = fa_av_and(t4, t7);
    return fa_av_tile_class(t8);
}

__device__ __forceinline__ void fa_key_range(const fa_args &a, const fa_ctx &c, int q0, int q1, int *k_begin, int *k_end)
{
    const fa_av t0 = fa_av_make(q0, q1 - 1);
    const fa_av t1 = fa_av_make(0, c.kv_len - 1);
    const fa_av t2 = fa_av_sub(t0, t1);
    const fa_av t3 = fa_av_pt((int)a.vparam[0]);
    const fa_av t5 = fa_av_sub(t1, t0);
    const fa_av t6 = fa_av_pt((int)a.vparam[1]);
    fa_av r0 = t3;
    r0 = fa_kr_sub(t0, r0);
    r0 = fa_kr_ge(r0);
    r0 = fa_kr_guard(t2, r0);
    fa_av r1 = t6;
    r1 = fa_kr_add(r1, t0);
    r1 = fa_kr_le(r1);
    r1 = fa_kr_guard(t5, r1);
    const fa_av r2 = fa_kr_and(r0, r1);
    fa_kr_apply(r2, k_begin, k_end);
}
