/* ---- variant chunked_local: device functions generated from its IR ---- */

__device__ __forceinline__ bool fa_mask(const fa_args &a, const fa_ctx &c, int q, int k)
{
    const int v0 = k;
    const int v1 = q;
    const bool v2 = v0 <= v1;
    const int v3 = (int)a.vparam[0];
    const int v4 = fa_idiv(v1, v3);
    const int v5 = fa_wmul(v3, v4);
    const bool v6 = v5 <= v0;
    const bool v7 = v2 && v6;
    return v7;
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
    const fa_av t3 = fa_av_pt((int)a.vparam[0]);
    const fa_av t4 = fa_av_div(t1, t3);
    const fa_av t5 = fa_av_mul(t3, t4);
    const fa_av t6 = fa_av_le(t5, t0);
    const fa_av t7 = fa_av_and(t2, t6);
    return fa_av_tile_class(t7);
}

struct fa_mask_const {
    int v3;
};

struct fa_mask_row {
    int v1;
    int v5;
};

struct fa_mask_col {
    int v0;
};

__device__ __forceinline__ fa_mask_const fa_mask_const_of(const fa_args &a, const fa_ctx &c)
{
    const int v3 = (int)a.vparam[0];
    fa_mask_const r;
    r.v3 = v3;
    return r;
}

__device__ __forceinline__ fa_mask_row fa_mask_row_at(const fa_args &a, const fa_ctx &c, const fa_mask_const &m, int q)
{
    const int v3 = m.v3;
    const int v1 = q;
    const int v4 = fa_idiv(v1, v3);
    const int v5 = fa_wmul(v3, v4);
    fa_mask_row r;
    r.v1 = v1;
    r.v5 = v5;
    return r;
}

__device__ __forceinline__ fa_mask_col fa_mask_col_at(const fa_args &a, const fa_ctx &c, const fa_mask_const &m, int k)
{
    const int v0 = k;
    fa_mask_col r;
    r.v0 = v0;
    return r;
}

__device__ __forceinline__ bool fa_mask_pair(const fa_args &a, const fa_ctx &c, const fa_mask_const &m, const fa_mask_row &r, const fa_mask_col &l)
{
    const int v1 = r.v1;
    const int v5 = r.v5;
    const int v0 = l.v0;
    const bool v2 = v0 <= v1;
    const bool v6 = v5 <= v0;
    const bool v7 = v2 && v6;
    return v7;
}

__device__ __forceinline__ void fa_key_range(const fa_args &a, const fa_ctx &c, int q0, int q1, int *k_begin, int *k_end)
{
    const fa_av t1 = fa_av_make(q0, q1 - 1);
    const fa_av t3 = fa_av_pt((int)a.vparam[0]);
    const fa_av t4 = fa_av_div(t1, t3);
    const fa_av t5 = fa_av_mul(t3, t4);
    fa_av r0 = t1;
    r0 = fa_kr_le(r0);
    fa_av r1 = t5;
    r1 = fa_kr_ge(r1);
    const fa_av r2 = fa_kr_and(r0, r1);
    fa_kr_apply(r2, k_begin, k_end);
}
