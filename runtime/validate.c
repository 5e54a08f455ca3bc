/* validate.c - refuses malformed requests before anything is compiled or launched, each
 * with its own status and a message naming the bad value, and builds the dispatch key. */
#include "fart.h"

#include <float.h>
#include <math.h>
#include <stdint.h>

enum { GRID_YZ_MAX = 65535, GRID_X_MAX = INT32_MAX };

bool fart_mul64(int64_t a, int64_t b, int64_t *out)
{
    if (b && a > INT64_MAX / b)
        return false;
    *out = a * b;
    return true;
}

fadsl_status fart_grid_x(const char *what, int64_t rows, int per_cta, int copies, unsigned *gx)
{
    int64_t ctas = rows / per_cta + (rows % per_cta != 0), total;
    if (!fart_mul64(ctas, copies, &total) || total > GRID_X_MAX)
        return fart_fail(FADSL_ERR_SEQLEN,
                         "%s %lld need %lld CTAs of %d rows%s, above the grid limit %d; split the request",
                         what, (long long)rows, (long long)ctas, per_cta, copies > 1 ? " per split" : "",
                         GRID_X_MAX);
    *gx = (unsigned)total;
    return FADSL_OK;
}

int fart_paged_max_len(const fadsl_paged_desc *pg)
{
    int64_t capacity = (int64_t)pg->max_blocks_per_seq * pg->block_size;
    return pg->max_seq_len ? pg->max_seq_len : (int)(capacity < FART_MAX_LEN ? capacity : FART_MAX_LEN);
}

/* A length (query rows or keys) the kernels can index: at most FART_MAX_LEN. */
static fadsl_status check_len(const char *what, int64_t len)
{
    if (len > FART_MAX_LEN)
        return fart_fail(FADSL_ERR_SEQLEN,
                         "%s %lld is above the length limit %d (kernels index rows and keys in int32, "
                         "rounded up to whole tiles); split the request into shorter sequences",
                         what, (long long)len, FART_MAX_LEN);
    return FADSL_OK;
}

static fadsl_status check_heads(int q_heads, int kv_heads)
{
    if (q_heads < 1 || q_heads > GRID_YZ_MAX)
        return fart_fail(FADSL_ERR_HEADS, "q_heads %d is out of range (1..%d)", q_heads, GRID_YZ_MAX);
    if (kv_heads < 1)
        return fart_fail(FADSL_ERR_HEADS, "kv_heads %d is out of range (at least 1)", kv_heads);
    if (q_heads % kv_heads)
        return fart_fail(FADSL_ERR_HEADS, "q_heads %d is not a multiple of kv_heads %d", q_heads, kv_heads);
    return FADSL_OK;
}

/* fa_key.decode_rows for a paged decode of several new tokens a sequence (speculative
 * decoding, short chunks): the rows of a CTA sized for all of its tokens (the plan's, so one
 * kernel has one name), so they share its K/V reads instead of taking a row tile each; 0
 * where that sizes the CTA as the GQA ratio alone does, or is not faster. H100, GQA 8 x 2-8
 * tokens (bench/results/2026-11-27-h100-session8/rows_c_bench.txt): fp8 NHD 6-10% faster,
 * 16-bit NHD at d64 41%; 16-bit at d128 slower from two 16-row tiles to one of 32 (NHD 9%,
 * HDB 21%: the second tile's reads hit L2 and a 32-row CTA fits three an SM instead of four)
 * but 17-19% faster from four tiles to two (more than 48 rows); fp8 HDB 53% slower (its
 * byte-fragment tiles need one row tile). */
static int decode_rows_for(const fa_key *key, int tokens)
{
    enum { WIDE_16BIT_MIN_DIM = 96, WIDE_16BIT_MIN_ROWS = 49 /* four 16-row tiles */ };
    int64_t rows = (int64_t)key->gqa_ratio * tokens;
    bool fp8 = fa_dtype_size(key->kv_dtype) == 1, nhd = key->paged_layout == FA_PAGED_NHD || !key->paged_block_size;
    bool wins = fp8 ? nhd : (nhd && key->head_dim < WIDE_16BIT_MIN_DIM) || rows >= WIDE_16BIT_MIN_ROWS;
    int all = fa_plan_decode_block_m(key->head_dim, rows), one = fa_plan_decode_block_m(key->head_dim, key->gqa_ratio);
    return wins && all > one ? all : 0;
}

/* Sequences and query rows: zero is an empty batch, negative or too many is out of range. */
static fadsl_status check_batch(const char *what, int batch, const char *rows_name, int rows)
{
    if (batch == 0)
        return fart_fail(FADSL_ERR_EMPTY_BATCH, "empty batch: %s is 0", what);
    if (batch < 0 || batch > GRID_YZ_MAX)
        return fart_fail(FADSL_ERR_SEQLEN, "%s %d is out of range (1..%d)", what, batch, GRID_YZ_MAX);
    if (rows == 0)
        return fart_fail(FADSL_ERR_EMPTY_BATCH, "empty batch: %s is 0", rows_name);
    if (rows < 0)
        return fart_fail(FADSL_ERR_SEQLEN, "%s %d is negative", rows_name, rows);
    return check_len(rows_name, rows);
}

static fadsl_status check_ptr(const char *name, const void *p, unsigned align)
{
    if (!p)
        return fart_fail(FADSL_ERR_NULL_POINTER, "%s is NULL", name);
    if ((uintptr_t)p % align)
        return fart_fail(FADSL_ERR_MISALIGNED, "%s %p is not %u-byte aligned", name, p, align);
    return FADSL_OK;
}

/* Descales scale fp8 caches only (0 means 1): a 16-bit cache given one other than 0 or 1
 * (or per-head arrays) would silently come out unscaled, and a NaN, infinite or negative
 * one would poison every output. */
static fadsl_status check_descales(const fadsl_paged_desc *pg)
{
    const char *kv = fa_dtype_name(pg->kv_dtype);
    const struct {
        const char *name;
        float value;
    } scales[] = {{"k_descale", pg->k_descale}, {"v_descale", pg->v_descale}};
    bool fp8 = fa_dtype_size(pg->kv_dtype) == 1;
    if (!fp8 && (pg->k_descale_per_head || pg->v_descale_per_head))
        return fart_fail(FADSL_ERR_INVALID, "paged per-head descales apply to fp8 caches only, and this cache is %s: "
                                            "leave k_descale_per_head and v_descale_per_head NULL", kv);
    for (size_t i = 0; i < sizeof scales / sizeof scales[0]; i++) {
        float x = scales[i].value;
        if (!fp8 && x != 0 && x != 1)
            return fart_fail(FADSL_ERR_INVALID,
                             "paged %s %g applies to fp8 caches only, and this cache is %s: leave it 0 and scale "
                             "the values themselves",
                             scales[i].name, (double)x, kv);
        if (fp8 && !(isfinite(x) && x >= 0))
            return fart_fail(FADSL_ERR_INVALID, "paged %s %g of the %s cache is not a finite positive number (0 means 1)",
                             scales[i].name, (double)x, kv);
        if (x > 0 && x < FLT_MIN) /* the kernels flush it to 0 */
            return fart_fail(FADSL_ERR_INVALID, "paged %s %g of the %s cache is below float32's normal range (%g)",
                             scales[i].name, (double)x, kv, (double)FLT_MIN);
    }
    return FADSL_OK;
}

/* A paged request takes its batch, lengths, kv_heads and K/V from the cache, its query rows
 * a sequence from `rows_name` (`rows`: q_tokens_per_seq, or max_seqlen_q when packed) and
 * its key bound from max_len: the other fields naming them must be unset (0, NULL) or agree,
 * so that a mistaken one is refused, not ignored. */
static fadsl_status check_paged_fields(const fadsl_fwd_desc *d, const fadsl_paged_desc *pg, int rows,
                                       const char *rows_name, int max_len)
{
    const char *bound = "the paged key bound: max_seq_len, or max_blocks_per_seq * block_size up to 2^31 - 1024";
    const char *to_bound = "; to bound the keys, set paged max_seq_len instead";
    const bool packed = d->cu_seqlens_q != NULL; /* rows are max_seqlen_q, else q_tokens_per_seq */
    const struct {
        const char *name;
        int given, want;
        const char *source, *hint;
        fadsl_status status;
    } same[] = {{"batch", d->batch, pg->num_seqs, "paged num_seqs", "", FADSL_ERR_INVALID},
                {"kv_heads", d->kv_heads, pg->num_kv_heads, "paged num_kv_heads", "", FADSL_ERR_HEADS},
                {"seqlen_q", d->seqlen_q, rows, rows_name, "", FADSL_ERR_SEQLEN},
                {packed ? "paged q_tokens_per_seq" : "max_seqlen_q", packed ? pg->q_tokens_per_seq : d->max_seqlen_q,
                 rows, rows_name, "", FADSL_ERR_SEQLEN},
                {"seqlen_k", d->seqlen_k, max_len, bound, to_bound, FADSL_ERR_SEQLEN},
                {"max_seqlen_k", d->max_seqlen_k, max_len, bound, to_bound, FADSL_ERR_SEQLEN}};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
        if (same[i].given && same[i].given != same[i].want)
            return fart_fail(same[i].status, "%s %d differs from %d (%s), which a paged request uses (leave %s 0%s)",
                             same[i].name, same[i].given, same[i].want, same[i].source, same[i].name,
                             same[i].hint);
    const struct {
        const char *name;
        const void *given, *want;
        const char *source;
    } ptrs[] = {{"k", d->k, pg->k_cache, "paged k_cache"},
                {"v", d->v, pg->v_cache, "paged v_cache"},
                {"cu_seqlens_k", d->cu_seqlens_k, NULL, "paged seq_lens, which give the key counts"}};
    for (size_t i = 0; i < sizeof ptrs / sizeof ptrs[0]; i++)
        if (ptrs[i].given && ptrs[i].given != ptrs[i].want)
            return fart_fail(FADSL_ERR_INVALID, "%s %p is set, but a paged request reads %s (leave %s NULL)",
                             ptrs[i].name, ptrs[i].given, ptrs[i].source, ptrs[i].name);
    const struct {
        const char *name;
        const int64_t *given;
    } strides[] = {{"k_stride", d->k_stride}, {"v_stride", d->v_stride}};
    for (size_t i = 0; i < sizeof strides / sizeof strides[0]; i++) {
        const int64_t *st = strides[i].given;
        if (st[0] || st[1] || st[2])
            return fart_fail(FADSL_ERR_INVALID,
                             "%s {%lld, %lld, %lld} is set, but a paged cache's strides follow from its layout "
                             "and sizes (leave %s all 0)",
                             strides[i].name, (long long)st[0], (long long)st[1], (long long)st[2], strides[i].name);
    }
    return FADSL_OK;
}

static fadsl_status check_paged(const fadsl_fwd_desc *d, const fadsl_paged_desc *pg)
{
    const struct {
        const char *name;
        int value;
    } sizes[] = {{"num_blocks", pg->num_blocks}, {"block_size", pg->block_size},
                 {"num_kv_heads", pg->num_kv_heads}, {"max_blocks_per_seq", pg->max_blocks_per_seq}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        if (sizes[i].value <= 0) /* negative too: RUNTIME.md's status table */
            return fart_fail(FADSL_ERR_EMPTY_PAGED_CACHE, "paged KV cache is empty: %s is %d (it must be positive)",
                             sizes[i].name, sizes[i].value);
    int bs = pg->block_size;
    if (!fa_paged_block_size_valid(bs))
        return fart_fail(FADSL_ERR_BLOCK_SIZE, "paged block_size %d is invalid (valid: " FA_PAGED_BLOCK_SIZES ")", bs);
    if (pg->head_dim != d->head_dim)
        return fart_fail(FADSL_ERR_PAGED_HEAD_DIM, "paged cache head_dim %d differs from the request's head_dim %d",
                         pg->head_dim, d->head_dim);
    if ((unsigned)pg->kv_dtype >= FA_DTYPE__COUNT)
        return fart_fail(FADSL_ERR_INVALID, "paged kv_dtype %d is not an fa_dtype", (int)pg->kv_dtype);
    if ((unsigned)pg->layout > FA_PAGED_NHD)
        return fart_fail(FADSL_ERR_INVALID, "paged layout %d is not an fa_paged_layout", (int)pg->layout);
    fadsl_status s = check_descales(pg);
    if (s)
        return s;
    /* Queries: q_tokens_per_seq each, or packed with cu_seqlens_q (at most max_seqlen_q each). */
    bool packed = d->cu_seqlens_q != NULL;
    const char *rows_name = packed ? "max_seqlen_q" : "q_tokens_per_seq";
    int rows = packed ? d->max_seqlen_q : pg->q_tokens_per_seq;
    s = check_batch("paged num_seqs", pg->num_seqs, rows_name, rows);
    if (s || (packed && (s = check_ptr("cu_seqlens_q", d->cu_seqlens_q, 4))))
        return s;
    int64_t capacity = (int64_t)pg->max_blocks_per_seq * bs;
    if (pg->max_seq_len < 0 || pg->max_seq_len > capacity)
        return fart_fail(FADSL_ERR_SEQLEN, "paged max_seq_len %d is out of range (0..%lld = max_blocks_per_seq * block_size)",
                         pg->max_seq_len, (long long)capacity);
    if ((s = check_len("paged max_seq_len", pg->max_seq_len)))
        return s;
    int max_len = fart_paged_max_len(pg);
    if (rows > max_len)
        return fart_fail(FADSL_ERR_SEQLEN, "%s %d exceeds the sequence length bound %d (new tokens are in the cache)",
                         rows_name, rows, max_len);
    if ((s = check_paged_fields(d, pg, rows, rows_name, max_len)))
        return s;
    const struct {
        const char *name;
        const void *p;
        unsigned align;
    } optional[] = {{"paged k_descale_per_head", pg->k_descale_per_head, 4},
                    {"paged v_descale_per_head", pg->v_descale_per_head, 4},
                    {"paged workspace", pg->workspace, 16}};
    for (size_t i = 0; i < sizeof optional / sizeof optional[0]; i++)
        if (optional[i].p && (s = check_ptr(optional[i].name, optional[i].p, optional[i].align)))
            return s;
    if ((s = check_ptr("paged k_cache", pg->k_cache, 16)) || (s = check_ptr("paged v_cache", pg->v_cache, 16)) ||
        (s = check_ptr("paged block_tables", pg->block_tables, 4)) || (s = check_ptr("paged seq_lens", pg->seq_lens, 4)))
        return s;
    return FADSL_OK;
}

static fadsl_status check_shape(const fadsl_fwd_desc *d)
{
    if (d->paged)
        return check_paged(d, d->paged);
    fadsl_status s;
    if (d->cu_seqlens_q || d->cu_seqlens_k) {
        if ((s = check_batch("batch (sequences)", d->batch, "max_seqlen_q", d->max_seqlen_q)))
            return s;
        if (d->max_seqlen_k <= 0)
            return fart_fail(FADSL_ERR_SEQLEN, "max_seqlen_k %d is out of range (at least 1)", d->max_seqlen_k);
        if ((s = check_len("max_seqlen_k", d->max_seqlen_k)) || (s = check_ptr("cu_seqlens_q", d->cu_seqlens_q, 4)) ||
            (s = check_ptr("cu_seqlens_k", d->cu_seqlens_k, 4)))
            return s;
    } else {
        if ((s = check_batch("batch", d->batch, "seqlen_q", d->seqlen_q)))
            return s;
        if (d->seqlen_k <= 0)
            return fart_fail(FADSL_ERR_SEQLEN, "seqlen_k %d is out of range (at least 1)", d->seqlen_k);
        if ((s = check_len("seqlen_k", d->seqlen_k)))
            return s;
    }
    if ((s = check_ptr("k", d->k, 16)) || (s = check_ptr("v", d->v, 16)))
        return s;
    return FADSL_OK;
}

/* total_q (q/o rows and lse's second dimension of packed queries): 0 (cu_seqlens_q's last
 * offset) or more, and only with cu_seqlens_q. max_seqlen_q may exceed it (a loose bound,
 * as under CUDA graph capture); the offsets are device data (FADSL_DEBUG_CHECKS=1 checks
 * they end within it). */
static fadsl_status check_total_q(const fadsl_fwd_desc *d)
{
    if (d->total_q && !d->cu_seqlens_q)
        return fart_fail(FADSL_ERR_INVALID, "total_q %d applies to packed queries (cu_seqlens_q) only: leave it 0",
                         d->total_q);
    if (d->total_q < 0)
        return fart_fail(FADSL_ERR_SEQLEN, "total_q %d is negative (0: cu_seqlens_q[batch])", d->total_q);
    return FADSL_OK;
}

/* Element strides must keep every row 16-byte aligned: multiples of 8 elements. */
static fadsl_status check_strides(const fa_args *a, bool paged)
{
    const struct {
        const char *name;
        long long v;
    } st[] = {{"q batch", a->q_batch_stride}, {"q row", a->q_row_stride}, {"q head", a->q_head_stride},
              {"o batch", a->o_batch_stride}, {"o row", a->o_row_stride}, {"o head", a->o_head_stride},
              {"k batch", a->k_batch_stride}, {"k row", a->k_row_stride}, {"k head", a->k_head_stride},
              {"v batch", a->v_batch_stride}, {"v row", a->v_row_stride}, {"v head", a->v_head_stride}};
    /* A paged cache's strides follow from its layout (HDB rows are 1 apart). */
    size_t n = paged ? 6 : sizeof st / sizeof st[0];
    for (size_t i = 0; i < n; i++) {
        if (st[i].v < 0)
            return fart_fail(FADSL_ERR_INVALID, "%s stride %lld is negative", st[i].name, st[i].v);
        if (st[i].v % 8)
            return fart_fail(FADSL_ERR_MISALIGNED, "%s stride %lld is not a multiple of 8 elements", st[i].name,
                             st[i].v);
    }
    return FADSL_OK;
}

/* o's elements must be distinct: with its dimensions of more than one index sorted by
 * stride, each stride must clear the span of those before it (head_dim contiguous first).
 * Layouts that interleave one dimension inside another's gaps are refused too. Packed rows
 * are total_q, else at most batch * max_seqlen_q (the offsets are device data). */
static fadsl_status check_output_overlap(const fadsl_fwd_desc *d, const fa_args *a)
{
    int64_t packed_rows = d->total_q ? d->total_q : (int64_t)a->batch * a->seqlen_q;
    struct dim {
        const char *name;
        long long stride;
        int64_t extent;
    } dims[] = {{"head", a->o_head_stride, a->q_heads},
                {"row", a->o_row_stride, a->cu_seqlens_q ? packed_rows : a->seqlen_q},
                {"batch", a->o_batch_stride, a->cu_seqlens_q ? 1 : a->batch}};
    enum { NDIMS = sizeof dims / sizeof dims[0] };
    for (int i = 1; i < NDIMS; i++) /* insertion sort by stride */
        for (int j = i; j > 0 && dims[j].stride < dims[j - 1].stride; j--) {
            struct dim t = dims[j];
            dims[j] = dims[j - 1], dims[j - 1] = t;
        }
    int64_t span = d->head_dim; /* elements one index past the last reached so far */
    for (int i = 0; i < NDIMS; i++) {
        if (dims[i].extent <= 1)
            continue;
        if (dims[i].stride < span)
            return fart_fail(FADSL_ERR_INVALID,
                             "o strides {batch %lld, row %lld, head %lld} make outputs overlap: the %s stride %lld "
                             "is below %lld, the elements the smaller strides span; give each output its own "
                             "elements (strides all 0: contiguous)",
                             a->o_batch_stride, a->o_row_stride, a->o_head_stride, dims[i].name, dims[i].stride,
                             (long long)span);
        int64_t reach;
        if (!fart_mul64(dims[i].stride, dims[i].extent - 1, &reach) || reach > INT64_MAX - span)
            return fart_fail(FADSL_ERR_INVALID, "o's %s stride %lld reaches past int64 offsets", dims[i].name,
                             dims[i].stride);
        span += reach;
    }
    return FADSL_OK;
}

fadsl_status fart_prepare(const fadsl_fwd_desc *d, const fa_program *p, fa_key *key, fa_args *args)
{
    fa_arch arch = key->arch;
    if ((unsigned)d->dtype >= FA_DTYPE__COUNT)
        return fart_fail(FADSL_ERR_INVALID, "dtype %d is not an fa_dtype", (int)d->dtype);
    if (d->head_dim <= 0)
        return fart_fail(FADSL_ERR_INVALID, "head_dim %d is out of range", d->head_dim);
    int kv_heads = d->paged ? d->paged->num_kv_heads : d->kv_heads;
    fadsl_status s;
    if ((s = check_shape(d)) || (s = check_heads(d->q_heads, kv_heads)) || (s = check_total_q(d)))
        return s;
    if ((s = check_ptr("q", d->q, 16)) || (s = check_ptr("o", d->o, 16)))
        return s;
    if (d->lse && (uintptr_t)d->lse % 4)
        return fart_fail(FADSL_ERR_MISALIGNED, "lse %p is not 4-byte aligned", (void *)d->lse);
    /* the split partials are float4 stores into the workspace; a paged request's is its cache's */
    if (d->workspace && d->paged)
        return fart_fail(FADSL_ERR_INVALID, "workspace is set on a paged request, which takes paged->workspace: "
                                            "move it there (or leave workspace NULL)");
    if (d->workspace && (s = check_ptr("workspace", d->workspace, 16)))
        return s;
    /* The kernels take the scale (and scale * log2 e) as float32, and most apply it to scores
     * already masked to -inf and reduced to their maximum: a negative scale would turn those
     * into +inf, a zero or denormal one (flushed) into NaN. */
    const double scale = d->softmax_scale, scale_log2 = fabs(scale) * 1.4426950408889634;
    if (isnan(scale) || isinf(scale) || scale_log2 > FLT_MAX)
        return fart_fail(FADSL_ERR_INVALID, "softmax_scale %g is not a finite float32 (with log2(e) folded in)", scale);
    if (scale < 0 || (scale != 0 && fmin(scale, scale_log2) < FLT_MIN))
        return fart_fail(FADSL_ERR_INVALID,
                         "softmax_scale %g is %s: pass a positive scale of at least %g, or 0 for 1/sqrt(head_dim)",
                         scale, scale < 0 ? "negative" : "below float32's normal range", (double)FLT_MIN);
    /* An fp8 cache's per-tensor k_descale (checked by check_descales) folds into that scale:
     * scored variants take scale * k_descale, others that times log2(e). A per-head array
     * replaces it (its values are the caller's). */
    const fadsl_paged_desc *pg = d->paged;
    if (pg && fa_dtype_size(pg->kv_dtype) == 1 && !pg->k_descale_per_head && pg->k_descale > 0) {
        const double folded = (scale != 0 ? scale : 1.0 / sqrt((double)d->head_dim)) * pg->k_descale;
        if (!(folded >= FLT_MIN && folded * 1.4426950408889634 <= FLT_MAX))
            return fart_fail(FADSL_ERR_INVALID,
                             "paged k_descale %g times the softmax scale is %g, outside float32's normal range (with "
                             "log2(e) folded in): the kernels apply the product to every score",
                             (double)pg->k_descale, folded);
    }

    fa_key_init(key);
    key->arch = arch;
    key->dtype = d->dtype;
    key->kv_dtype = d->paged ? d->paged->kv_dtype : d->dtype;
    key->head_dim = d->head_dim;
    key->gqa_ratio = d->q_heads / kv_heads;
    key->paged_block_size = d->paged ? d->paged->block_size : 0;
    key->paged_layout = d->paged ? d->paged->layout : FA_PAGED_HDB;
    key->varlen = d->cu_seqlens_q != NULL;
    fa_key_set_variant(key, p);
    /* the key's types first: an unsupported head dim is named as such, not as sizes too large */
    char err[256];
    fa_status ts = fa_plan_check_types(key, err, sizeof err);
    if (ts != FA_OK)
        return fart_fail((fadsl_status)ts, "%s", err);
    if ((s = fart_fill_args(d, p, args)) || (s = check_strides(args, d->paged != NULL)))
        return s;
    return check_output_overlap(d, args);
}

fadsl_status fart_route(const fadsl_fwd_desc *d, const fa_args *a, fa_key *key)
{
    /* New tokens a sequence: each sequence's, or at most max_seqlen_q when packed. */
    int tokens = key->varlen ? d->max_seqlen_q : d->paged ? d->paged->q_tokens_per_seq : d->seqlen_q;
    key->decode = d->paged ? fart_paged_decode(key, tokens) : fart_dense_decode(a, key, tokens);
    key->decode_rows = 0;
    if (!key->decode)
        return FADSL_OK;
    /* A decode CTA's rows are the query heads of one KV head times the new tokens. */
    fadsl_status s = check_len(key->varlen ? "decode query rows a kv head (max_seqlen_q x q_heads / kv_heads)"
                               : d->paged  ? "paged decode query rows a kv head (q_tokens_per_seq x q_heads / kv_heads)"
                                           : "decode query rows a kv head (seqlen_q x q_heads / kv_heads)",
                               (int64_t)key->gqa_ratio * tokens);
    if (!s)
        key->decode_rows = decode_rows_for(key, tokens);
    return s;
}
