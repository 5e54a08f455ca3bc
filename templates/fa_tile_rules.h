/* fa_tile_rules.h - the semantics of the variant IR's integer operations, concretely and
 * over intervals, in the common subset of C11 and CUDA C++. The compiler (host, C) runs
 * these functions in its CPU evaluator and tile classifier; the emitter pastes this file
 * into every translation unit and emits calls to the same functions, so the device code
 * and the compiler's tests agree by construction (compiler/ir.h, compiler/tile.c).
 *
 * An abstract value fa_av is a closed interval [lo, hi] of int32 values in 64-bit
 * bounds; a bool is an interval within [0, 1] ([0,1]: unknown). A result that could
 * leave the int32 range (where the element code would wrap) becomes the whole range.
 * A key range is an fa_av read as the half-open [lo, hi). At the end, the key tiles a row
 * tile visits (fa_tiles_of), which the compiler's tests check against visibility too.
 */
#ifndef FA_TILE_RULES_H
#define FA_TILE_RULES_H

#ifdef __CUDACC__
#define FA_RULE __device__ __forceinline__
#else
#define FA_RULE static inline
#endif

#define FA_I32_MIN (-2147483647LL - 1)
#define FA_I32_MAX 2147483647LL
#define FA_KR_INF (1LL << 62)

typedef struct fa_av {
    long long lo, hi;
} fa_av;

/* ---- element semantics: total integer division and bounds-checked loads ---- */

/* Two's-complement wrapping +, -, * and negation (plain signed arithmetic would be
 * undefined on overflow; the IR defines it as wrapping). */
FA_RULE int fa_wadd(int a, int b)
{
    return (int)((unsigned)a + (unsigned)b);
}

FA_RULE int fa_wsub(int a, int b)
{
    return (int)((unsigned)a - (unsigned)b);
}

FA_RULE int fa_wmul(int a, int b)
{
    return (int)((unsigned)a * (unsigned)b);
}

FA_RULE int fa_wneg(int a)
{
    return (int)(0u - (unsigned)a);
}

FA_RULE int fa_idiv(int a, int b)
{
    return b == 0 ? 0 : (b == -1 ? (int)(0u - (unsigned)a) : a / b);
}

FA_RULE int fa_imod(int a, int b)
{
    return b == 0 ? a : (b == -1 ? 0 : a % b);
}

FA_RULE int fa_load_i32(unsigned long long p, long long i, long long n)
{
    return i >= 0 && i < n ? ((const int *)p)[i] : 0;
}

FA_RULE float fa_load_f32(unsigned long long p, long long i, long long n)
{
    return i >= 0 && i < n ? ((const float *)p)[i] : 0.0f;
}

/* ---- intervals ---- */

FA_RULE long long fa_min64(long long a, long long b)
{
    return a < b ? a : b;
}

FA_RULE long long fa_max64(long long a, long long b)
{
    return a > b ? a : b;
}

FA_RULE fa_av fa_av_make(long long lo, long long hi)
{
    fa_av r;
    r.lo = lo;
    r.hi = hi;
    return r;
}

FA_RULE fa_av fa_av_pt(long long v)
{
    return fa_av_make(v, v);
}

FA_RULE fa_av fa_av_top(void)
{
    return fa_av_make(FA_I32_MIN, FA_I32_MAX);
}

FA_RULE fa_av fa_av_unknown(void)
{
    return fa_av_make(0, 1);
}

FA_RULE int fa_av_is_top(fa_av a)
{
    return a.lo <= FA_I32_MIN && a.hi >= FA_I32_MAX;
}

FA_RULE int fa_av_is_pt(fa_av a)
{
    return a.lo == a.hi;
}

/* [lo, hi] if it stays within int32, else the whole range (the element code may wrap). */
FA_RULE fa_av fa_av_fit(long long lo, long long hi)
{
    return lo < FA_I32_MIN || hi > FA_I32_MAX ? fa_av_top() : fa_av_make(lo, hi);
}

FA_RULE fa_av fa_av_add(fa_av a, fa_av b)
{
    return fa_av_fit(a.lo + b.lo, a.hi + b.hi);
}

FA_RULE fa_av fa_av_sub(fa_av a, fa_av b)
{
    return fa_av_fit(a.lo - b.hi, a.hi - b.lo);
}

FA_RULE fa_av fa_av_neg(fa_av a)
{
    return fa_av_fit(-a.hi, -a.lo);
}

FA_RULE fa_av fa_av_mul(fa_av a, fa_av b)
{
    long long p0 = a.lo * b.lo, p1 = a.lo * b.hi, p2 = a.hi * b.lo, p3 = a.hi * b.hi;
    return fa_av_fit(fa_min64(fa_min64(p0, p1), fa_min64(p2, p3)), fa_max64(fa_max64(p0, p1), fa_max64(p2, p3)));
}

/* Truncating division is monotone in each operand while the divisor keeps its sign, so
 * the corners bound it; a divisor interval holding 0 or -1 (with INT_MIN) gives top. */
FA_RULE fa_av fa_av_div(fa_av a, fa_av b)
{
    if (fa_av_is_pt(a) && fa_av_is_pt(b))
        return fa_av_pt(fa_idiv((int)a.lo, (int)b.lo));
    if (b.lo <= 0 && b.hi >= 0)
        return fa_av_top();
    if (a.lo == FA_I32_MIN && b.lo <= -1 && b.hi >= -1)
        return fa_av_top();
    long long p0 = a.lo / b.lo, p1 = a.lo / b.hi, p2 = a.hi / b.lo, p3 = a.hi / b.hi;
    return fa_av_make(fa_min64(fa_min64(p0, p1), fa_min64(p2, p3)), fa_max64(fa_max64(p0, p1), fa_max64(p2, p3)));
}

/* The remainder has the dividend's sign and a magnitude below the divisor's; a dividend
 * within one period of a positive point divisor maps to an exact interval. */
FA_RULE fa_av fa_av_mod(fa_av a, fa_av b)
{
    if (fa_av_is_pt(a) && fa_av_is_pt(b))
        return fa_av_pt(fa_imod((int)a.lo, (int)b.lo));
    if (b.lo <= 0 && b.hi >= 0)
        return fa_av_top();
    if (fa_av_is_pt(b) && a.lo >= 0 && a.lo / b.lo == a.hi / b.lo)
        return fa_av_make(a.lo % b.lo, a.hi % b.lo);
    long long m = fa_max64(b.lo < 0 ? -b.lo : b.lo, b.hi < 0 ? -b.hi : b.hi) - 1;
    return fa_av_make(a.lo >= 0 ? 0 : fa_max64(a.lo, -m), a.hi <= 0 ? 0 : fa_min64(a.hi, m));
}

FA_RULE fa_av fa_av_min(fa_av a, fa_av b)
{
    return fa_av_make(fa_min64(a.lo, b.lo), fa_min64(a.hi, b.hi));
}

FA_RULE fa_av fa_av_max(fa_av a, fa_av b)
{
    return fa_av_make(fa_max64(a.lo, b.lo), fa_max64(a.hi, b.hi));
}

FA_RULE fa_av fa_av_abs(fa_av a)
{
    if (a.lo >= 0)
        return a;
    if (a.hi <= 0)
        return fa_av_neg(a);
    return fa_av_fit(0, fa_max64(-a.lo, a.hi));
}

FA_RULE fa_av fa_av_lt(fa_av a, fa_av b)
{
    return a.hi < b.lo ? fa_av_pt(1) : a.lo >= b.hi ? fa_av_pt(0) : fa_av_unknown();
}

FA_RULE fa_av fa_av_le(fa_av a, fa_av b)
{
    return a.hi <= b.lo ? fa_av_pt(1) : a.lo > b.hi ? fa_av_pt(0) : fa_av_unknown();
}

FA_RULE fa_av fa_av_eq(fa_av a, fa_av b)
{
    if (fa_av_is_pt(a) && fa_av_is_pt(b) && a.lo == b.lo)
        return fa_av_pt(1);
    return a.hi < b.lo || b.hi < a.lo ? fa_av_pt(0) : fa_av_unknown();
}

FA_RULE fa_av fa_av_not(fa_av a)
{
    return fa_av_make(1 - a.hi, 1 - a.lo);
}

FA_RULE fa_av fa_av_ne(fa_av a, fa_av b)
{
    return fa_av_not(fa_av_eq(a, b));
}

FA_RULE fa_av fa_av_and(fa_av a, fa_av b)
{
    return fa_av_min(a, b);
}

FA_RULE fa_av fa_av_or(fa_av a, fa_av b)
{
    return fa_av_max(a, b);
}

FA_RULE fa_av fa_av_select(fa_av c, fa_av a, fa_av b)
{
    if (c.lo == 1)
        return a;
    if (c.hi == 0)
        return b;
    return fa_av_make(fa_min64(a.lo, b.lo), fa_max64(a.hi, b.hi));
}

/* A load at an index interval: exact at an in-bounds point, 0 wholly outside. */
FA_RULE fa_av fa_av_load_i32(unsigned long long p, fa_av i, long long n)
{
    if (i.hi < 0 || i.lo >= n)
        return fa_av_pt(0);
    return fa_av_is_pt(i) ? fa_av_pt(fa_load_i32(p, i.lo, n)) : fa_av_top();
}

/* Elements a scan (fa_av_scan_i32) reads at most; a longer index range gives the whole range. */
#define FA_SCAN_MAX 1024
/* On the device a scan is read by a group of FA_SCAN_LANES adjacent lanes (a power of two
 * dividing 32), each with FA_SCAN_LOADS loads in flight: a group covers a 128-key tile in
 * one pass, and a warp scans four tiles at once (the scans are latency-bound). */
#define FA_SCAN_LANES 8
#define FA_SCAN_LOADS 16

/* A load at an index interval, reading the elements: the hull of the values it can take
 * (0 where the interval leaves [0, n)). On the device the FA_SCAN_LANES lanes of a group
 * read the elements together, so every lane of the group must call it with the same
 * arguments. */
FA_RULE fa_av fa_av_scan_i32(unsigned long long p, fa_av i, long long n)
{
    if (i.hi < 0 || i.lo >= n || fa_av_is_pt(i))
        return fa_av_load_i32(p, i, n);
    const long long lo = fa_max64(i.lo, 0), hi = fa_min64(i.hi, n - 1);
    if (hi - lo >= FA_SCAN_MAX)
        return fa_av_top();
    const int *e = (const int *)p;
    int mn = (int)FA_I32_MAX, mx = (int)FA_I32_MIN;
#ifdef __CUDACC__
    const int lane = threadIdx.x % FA_SCAN_LANES;
    const unsigned group = FA_SCAN_LANES == 32 ? 0xffffffffu
                                               : ((1u << FA_SCAN_LANES) - 1u) << (threadIdx.x % 32 - lane);
    for (long long x0 = lo + lane; x0 - lane <= hi; x0 += FA_SCAN_LANES * FA_SCAN_LOADS) {
        int y[FA_SCAN_LOADS]; /* past hi a lane rereads element lo, which is in the hull */
#pragma unroll
        for (int r = 0; r < FA_SCAN_LOADS; r++)
            y[r] = e[x0 + FA_SCAN_LANES * r <= hi ? x0 + FA_SCAN_LANES * r : lo];
#pragma unroll
        for (int r = 0; r < FA_SCAN_LOADS; r++) {
            mn = min(mn, y[r]);
            mx = max(mx, y[r]);
        }
    }
    mn = __reduce_min_sync(group, mn);
    mx = __reduce_max_sync(group, mx);
#else
    for (long long x = lo; x <= hi; x++) {
        mn = e[x] < mn ? e[x] : mn;
        mx = e[x] > mx ? e[x] : mx;
    }
#endif
    if (i.lo < 0 || i.hi >= n)
        return fa_av_make(fa_min64(mn, 0), fa_max64(mx, 0));
    return fa_av_make(mn, mx);
}

/* FA_TILE_EMPTY (0) / FA_TILE_FULL (1) / FA_TILE_PARTIAL (2) of a visibility value. */
FA_RULE int fa_av_tile_class(fa_av v)
{
    return v.lo == 1 ? 1 : v.hi == 0 ? 0 : 2;
}

/* ---- key ranges: exact 64-bit interval arithmetic on the unwound bound, then sets ---- */

FA_RULE fa_av fa_kr_add(fa_av r, fa_av o)
{
    return fa_av_make(r.lo + o.lo, r.hi + o.hi);
}

FA_RULE fa_av fa_kr_sub(fa_av r, fa_av o)
{
    return fa_av_make(r.lo - o.hi, r.hi - o.lo);
}

FA_RULE fa_av fa_kr_neg(fa_av r)
{
    return fa_av_make(-r.hi, -r.lo);
}

FA_RULE fa_av fa_kr_all(void)
{
    return fa_av_make(-FA_KR_INF, FA_KR_INF);
}

FA_RULE fa_av fa_kr_none(void)
{
    return fa_av_make(FA_KR_INF, -FA_KR_INF);
}

/* Keys k with k < r, k <= r, k > r, k >= r, k == r for some r in the interval. */
FA_RULE fa_av fa_kr_lt(fa_av r)
{
    return fa_av_make(-FA_KR_INF, r.hi);
}

FA_RULE fa_av fa_kr_le(fa_av r)
{
    return fa_av_make(-FA_KR_INF, r.hi + 1);
}

FA_RULE fa_av fa_kr_gt(fa_av r)
{
    return fa_av_make(r.lo + 1, FA_KR_INF);
}

FA_RULE fa_av fa_kr_ge(fa_av r)
{
    return fa_av_make(r.lo, FA_KR_INF);
}

FA_RULE fa_av fa_kr_eq(fa_av r)
{
    return fa_av_make(r.lo, r.hi + 1);
}

/* A bound unwound through a node that may wrap (its interval is top) says nothing. */
FA_RULE fa_av fa_kr_guard(fa_av path, fa_av kr)
{
    return fa_av_is_top(path) ? fa_kr_all() : kr;
}

FA_RULE fa_av fa_kr_and(fa_av a, fa_av b)
{
    return fa_av_make(fa_max64(a.lo, b.lo), fa_min64(a.hi, b.hi));
}

FA_RULE fa_av fa_kr_or(fa_av a, fa_av b)
{
    return fa_av_make(fa_min64(a.lo, b.lo), fa_max64(a.hi, b.hi));
}

/* Narrows [*kb, *ke) to the range (clamped into it). */
FA_RULE void fa_kr_apply(fa_av r, int *kb, int *ke)
{
    long long b = *kb, e = *ke;
    long long nb = fa_min64(fa_max64(r.lo, b), e), ne = fa_min64(fa_max64(r.hi, b), e);
    *kb = (int)nb;
    *ke = (int)ne;
}

/* ---- the key tiles a row tile visits ---- */

/* Key tiles (of block_n keys) to visit, in order: n_sink sink tiles (0..n_sink - 1), then
 * tiles t_lo.. (fa_tile_at); n in all. */
typedef struct fa_tiles {
    int n_sink, t_lo, n;
} fa_tiles;

/* The tiles visiting keys [kb, ke) (none when ke <= kb; 0 <= kb, ke <= kv_len) and the
 * sink tokens (keys below sink_tokens) of a sequence of kv_len keys: the sink tiles first,
 * apart when they end below the range's first tile, else one run of tiles from 0 to past
 * both the range and the sinks. */
FA_RULE fa_tiles fa_tiles_of(int kb, int ke, int kv_len, int block_n, int sink_tokens)
{
    fa_tiles t;
    t.n_sink = 0;
    t.t_lo = kb / block_n;
    int t_hi = ke > kb ? (ke + block_n - 1) / block_n : t.t_lo;
    if (sink_tokens > 0) {
        const int st = ((sink_tokens < kv_len ? sink_tokens : kv_len) + block_n - 1) / block_n;
        const int none = t_hi <= t.t_lo;
        if (none || st >= t.t_lo) {
            const int range_end = none ? 0 : t_hi;
            t_hi = range_end > st ? range_end : st;
            t.t_lo = 0;
        } else {
            t.n_sink = st;
        }
    }
    t.n = t.n_sink + (t_hi - t.t_lo);
    return t;
}

/* The j-th tile visited. */
FA_RULE int fa_tile_at(fa_tiles t, int j)
{
    return j < t.n_sink ? j : t.t_lo + (j - t.n_sink);
}

#endif
