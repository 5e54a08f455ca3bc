/* ---- variant sink_window: device functions generated from its IR ---- */

__device__ __forceinline__ bool fa_mask(const fa_args &a, const fa_ctx &c, int q, int k)
{
    const int v0 = k;
    const int v1 = q;
    const bool v2 = v0 <= v1;
    const int v3 = fa_wsub(v1, v0);
    const int v4 = (int)a.vparam[0];
    const bool v5 = v3 < v4;
    const bool v6 = v2 && v5;
    return v6;
}

__device__ __forceinline__ bool fa_visible(const fa_args &a, const fa_ctx &c, int q, int k)
{
    const int v0 = k;
    const int v1 = q;
    const bool v2 = v0 <= v1;
    const int v7 = 4;
    const bool v8 = v0 < v7;
    const bool v9 = v2 && v8;
    return fa_mask(a, c, q, k) || v9;
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
    const fa_av t3 = fa_av_sub(t1, t0);
    const fa_av t4 = fa_av_pt((int)a.vparam[0]);
    const fa_av t5 = fa_av_lt(t3, t4);
    const fa_av t6 = fa_av_and(t2, t5);
    const fa_av t7 = fa_av_pt(4);
    const fa_av t8 = fa_av_lt(t0, t7);
    const fa_av t9 = fa_av_and(t2, t8);
    const fa_av t10 = fa_av_or(t6, t9);
    return fa_av_tile_class(t10);
}

__device__ __forceinline__ void fa_key_range(const fa_args &a, const fa_ctx &c, int q0, int q1, int *k_begin, int *k_end)
{
    const fa_av t0 = fa_av_make(0, c.kv_len - 1);
    const fa_av t1 = fa_av_make(q0, q1 - 1);
    const fa_av t3 = fa_av_sub(t1, t0);
    const fa_av t4 = fa_av_pt((int)a.vparam[0]);
    fa_av r0 = t1;
    r0 = fa_kr_le(r0);
    fa_av r1 = t4;
    r1 = fa_kr_sub(t1, r1);
    r1 = fa_kr_gt(r1);
    r1 = fa_kr_guard(t3, r1);
    const fa_av r2 = fa_kr_and(r0, r1);
    fa_kr_apply(r2, k_begin, k_end);
}
