/* ---- variant document: device functions generated from its IR ---- */

__device__ __forceinline__ bool fa_mask(const fa_args &a, const fa_ctx &c, int q, int k)
{
    const int v0 = k;
    const int v1 = q;
    const bool v2 = v0 <= v1;
    const int v3 = 0;
    const bool v4 = v3 <= v0;
    const int v5 = a.seqlen_k;
    const bool v6 = v0 < v5;
    const bool v7 = v4 && v6;
    const int v8 = c.b;
    const int v9 = fa_wmul(v5, v8);
    const int v10 = fa_wadd(v0, v9);
    const int v11 = -1;
    const int v12 = v7 ? v10 : v11;
    const int v13 = fa_load_i32(a.vparam[0], v12, (long long)1 * a.batch * a.seqlen_k);
    const bool v14 = v3 <= v1;
    const bool v15 = v1 < v5;
    const bool v16 = v14 && v15;
    const int v17 = fa_wadd(v1, v9);
    const int v18 = v16 ? v17 : v11;
    const int v19 = fa_load_i32(a.vparam[0], v18, (long long)1 * a.batch * a.seqlen_k);
    const bool v20 = v13 == v19;
    const bool v21 = v2 && v20;
    return v21;
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
    const fa_av t3 = fa_av_pt(0);
    const fa_av t4 = fa_av_le(t3, t0);
    const fa_av t5 = fa_av_pt(a.seqlen_k);
    const fa_av t6 = fa_av_lt(t0, t5);
    const fa_av t7 = fa_av_and(t4, t6);
    const fa_av t8 = fa_av_pt(c.b);
    const fa_av t9 = fa_av_mul(t5, t8);
    const fa_av t10 = fa_av_add(t0, t9);
    const fa_av t11 = fa_av_pt(-1);
    const fa_av t12 = fa_av_select(t7, t10, t11);
    const fa_av t13 = fa_av_load_i32(a.vparam[0], t12, (long long)1 * a.batch * a.seqlen_k);
    const fa_av t14 = fa_av_le(t3, t1);
    const fa_av t15 = fa_av_lt(t1, t5);
    const fa_av t16 = fa_av_and(t14, t15);
    const fa_av t17 = fa_av_add(t1, t9);
    const fa_av t18 = fa_av_select(t16, t17, t11);
    const fa_av t19 = fa_av_load_i32(a.vparam[0], t18, (long long)1 * a.batch * a.seqlen_k);
    const fa_av t20 = fa_av_eq(t13, t19);
    const fa_av t21 = fa_av_and(t2, t20);
    return fa_av_tile_class(t21);
}

__device__ __forceinline__ void fa_key_range(const fa_args &a, const fa_ctx &c, int q0, int q1, int *k_begin, int *k_end)
{
    const fa_av t1 = fa_av_make(q0, q1 - 1);
    fa_av r0 = t1;
    r0 = fa_kr_le(r0);
    fa_kr_apply(r0, k_begin, k_end);
}
