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

struct fa_scan_rows {
    fa_av t1;
    fa_av t5;
    fa_av t15;
};

__device__ __forceinline__ fa_scan_rows fa_tile_scan_rows(const fa_args &a, const fa_ctx &c, int q0, int q1)
{
    const fa_av t1 = fa_av_make(q0, q1 - 1);
    const fa_av t3 = fa_av_pt(c.b);
    const fa_av t4 = fa_av_pt(a.seqlen_k);
    const fa_av t5 = fa_av_mul(t3, t4);
    const fa_av t8 = fa_av_pt(0);
    const fa_av t9 = fa_av_le(t8, t1);
    const fa_av t10 = fa_av_lt(t1, t4);
    const fa_av t11 = fa_av_and(t9, t10);
    const fa_av t12 = fa_av_add(t1, t5);
    const fa_av t13 = fa_av_pt(-1);
    const fa_av t14 = fa_av_select(t11, t12, t13);
    const fa_av t15 = fa_av_scan_i32(a.vparam[0], t14, (long long)1 * a.batch * a.seqlen_k);
    fa_scan_rows r;
    r.t1 = t1;
    r.t5 = t5;
    r.t15 = t15;
    return r;
}

__device__ __forceinline__ int fa_tile_class_scan_keys(const fa_args &a, const fa_ctx &c, const fa_scan_rows &r, int k0, int k1)
{
    const fa_av t1 = r.t1;
    const fa_av t5 = r.t5;
    const fa_av t15 = r.t15;
    const fa_av t0 = fa_av_make(k0, k1 - 1);
    const fa_av t2 = fa_av_le(t0, t1);
    const fa_av t6 = fa_av_add(t0, t5);
    const fa_av t7 = fa_av_scan_i32(a.vparam[0], t6, (long long)1 * a.batch * a.seqlen_k);
    const fa_av t16 = fa_av_eq(t7, t15);
    const fa_av t17 = fa_av_and(t2, t16);
    return fa_av_tile_class(t17);
}

__device__ __forceinline__ int fa_tile_class_scan(const fa_args &a, const fa_ctx &c, int q0, int q1, int k0, int k1)
{
    return fa_tile_class_scan_keys(a, c, fa_tile_scan_rows(a, c, q0, q1), k0, k1);
}

struct fa_mask_const {
    int v4;
    int v5;
    int v8;
    int v13;
};

struct fa_mask_row {
    int v1;
    int v15;
};

struct fa_mask_col {
    int v0;
    int v7;
};

__device__ __forceinline__ fa_mask_const fa_mask_const_of(const fa_args &a, const fa_ctx &c)
{
    const int v3 = c.b;
    const int v4 = a.seqlen_k;
    const int v5 = fa_wmul(v3, v4);
    const int v8 = 0;
    const int v13 = -1;
    fa_mask_const r;
    r.v4 = v4;
    r.v5 = v5;
    r.v8 = v8;
    r.v13 = v13;
    return r;
}

__device__ __forceinline__ fa_mask_row fa_mask_row_at(const fa_args &a, const fa_ctx &c, const fa_mask_const &m, int q)
{
    const int v4 = m.v4;
    const int v5 = m.v5;
    const int v8 = m.v8;
    const int v13 = m.v13;
    const int v1 = q;
    const bool v9 = v8 <= v1;
    const bool v10 = v1 < v4;
    const bool v11 = v9 && v10;
    const int v12 = fa_wadd(v1, v5);
    const int v14 = v11 ? v12 : v13;
    const int v15 = fa_load_i32(a.vparam[0], v14, (long long)1 * a.batch * a.seqlen_k);
    fa_mask_row r;
    r.v1 = v1;
    r.v15 = v15;
    return r;
}

__device__ __forceinline__ fa_mask_col fa_mask_col_at(const fa_args &a, const fa_ctx &c, const fa_mask_const &m, int k)
{
    const int v5 = m.v5;
    const int v0 = k;
    const int v6 = fa_wadd(v0, v5);
    const int v7 = fa_load_i32(a.vparam[0], v6, (long long)1 * a.batch * a.seqlen_k);
    fa_mask_col r;
    r.v0 = v0;
    r.v7 = v7;
    return r;
}

__device__ __forceinline__ bool fa_mask_pair(const fa_args &a, const fa_ctx &c, const fa_mask_const &m, const fa_mask_row &r, const fa_mask_col &l)
{
    const int v1 = r.v1;
    const int v15 = r.v15;
    const int v0 = l.v0;
    const int v7 = l.v7;
    const bool v2 = v0 <= v1;
    const bool v16 = v7 == v15;
    const bool v17 = v2 && v16;
    return v17;
}

__device__ __forceinline__ void fa_key_range(const fa_args &a, const fa_ctx &c, int q0, int q1, int *k_begin, int *k_end)
{
    const fa_av t1 = fa_av_make(q0, q1 - 1);
    fa_av r0 = t1;
    r0 = fa_kr_le(r0);
    fa_kr_apply(r0, k_begin, k_end);
}
