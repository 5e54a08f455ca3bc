/* ---- variant document: device functions generated from its IR ---- */

__device__ __forceinline__ bool fa_mask(const fa_args &a, const fa_ctx &c, int q, int k)
{
    const int v0 = k;
    const int v1 = q;
    const bool v2 = v0 <= v1;
    const int v3 = c.b;
    const int v4 = a.seqlen_k;
    const int v5 = fa_wmul(v3, v4);
    const int v6 = fa_wadd(v0, v5);
    const int v7 = fa_load_i32(a.vparam[0], v6, (long long)1 * a.batch * a.seqlen_k);
    const int v8 = 0;
    const bool v9 = v8 <= v1;
    const bool v10 = v1 < v4;
    const bool v11 = v9 && v10;
    const int v12 = fa_wadd(v1, v5);
    const int v13 = -1;
    const int v14 = v11 ? v12 : v13;
    const int v15 = fa_load_i32(a.vparam[0], v14, (long long)1 * a.batch * a.seqlen_k);
    const bool v16 = v7 == v15;
    const bool v17 = v2 && v16;
    return v17;
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
    const fa_av t3 = fa_av_pt(c.b);
    const fa_av t4 = fa_av_pt(a.seqlen_k);
    const fa_av t5 = fa_av_mul(t3, t4);
    const fa_av t6 = fa_av_add(t0, t5);
    const fa_av t7 = fa_av_load_i32(a.vparam[0], t6, (long long)1 * a.batch * a.seqlen_k);
    const fa_av t8 = fa_av_pt(0);
    const fa_av t9 = fa_av_le(t8, t1);
    const fa_av t10 = fa_av_lt(t1, t4);
    const fa_av t11 = fa_av_and(t9, t10);
    const fa_av t12 = fa_av_add(t1, t5);
    const fa_av t13 = fa_av_pt(-1);
    const fa_av t14 = fa_av_select(t11, t12, t13);
    const fa_av t15 = fa_av_load_i32(a.vparam[0], t14, (long long)1 * a.batch * a.seqlen_k);
    const fa_av t16 = fa_av_eq(t7, t15);
    const fa_av t17 = fa_av_and(t2, t16);
    return fa_av_tile_class(t17);
}

__device__ __forceinline__ int fa_tile_class_scan(const fa_args &a, const fa_ctx &c, int q0, int q1, int k0, int k1)
{
    const fa_av t0 = fa_av_make(k0, k1 - 1);
    const fa_av t1 = fa_av_make(q0, q1 - 1);
    const fa_av t2 = fa_av_le(t0, t1);
    const fa_av t3 = fa_av_pt(c.b);
    const fa_av t4 = fa_av_pt(a.seqlen_k);
    const fa_av t5 = fa_av_mul(t3, t4);
    const fa_av t6 = fa_av_add(t0, t5);
    const fa_av t7 = fa_av_scan_i32(a.vparam[0], t6, (long long)1 * a.batch * a.seqlen_k);
    const fa_av t8 = fa_av_pt(0);
    const fa_av t9 = fa_av_le(t8, t1);
    const fa_av t10 = fa_av_lt(t1, t4);
    const fa_av t11 = fa_av_and(t9, t10);
    const fa_av t12 = fa_av_add(t1, t5);
    const fa_av t13 = fa_av_pt(-1);
    const fa_av t14 = fa_av_select(t11, t12, t13);
    const fa_av t15 = fa_av_scan_i32(a.vparam[0], t14, (long long)1 * a.batch * a.seqlen_k);
    const fa_av t16 = fa_av_eq(t7, t15);
    const fa_av t17 = fa_av_and(t2, t16);
    return fa_av_tile_class(t17);
}

__device__ __forceinline__ void fa_key_range(const fa_args &a, const fa_ctx &c, int q0, int q1, int *k_begin, int *k_end)
{
    const fa_av t1 = fa_av_make(q0, q1 - 1);
    fa_av r0 = t1;
    r0 = fa_kr_le(r0);
    fa_kr_apply(r0, k_begin, k_end);
}
