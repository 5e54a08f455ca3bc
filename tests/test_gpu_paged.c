/* test_gpu_paged.c - paged KV-cache attention on a GPU against the float64 reference on
 * the same data gathered contiguously.
 *
 * Cases: both layouts x every block size x cache {q type, fp8 e4m3, fp8 e5m2} at decode
 * (one new token), then chunked prefill (2, 5, 64, 500 new tokens: the decode template up
 * to 128 query rows a KV head (fp8 HDB on fa3_fwd: 160; fp8 on fa2_fwd: 256; HDB caches
 * no forward template reads: all), the forward templates above). GQA 1, 4, 8 and 16 (MQA), head
 * dims 128 and 64, variants none / causal / sliding_window / gpt_oss (learned sinks) rotate
 * through them; sequence lengths are uneven, with 1 and exact block multiples. Blocks are
 * handed out in a shuffled order and every byte of the cache no sequence owns is NaN.
 * Then fp8 caches at head dims 64, 96, 128 and 256 (each fp8 operand path the GPU takes;
 * an H100 never takes HDB fragments by 8-byte cp.async), 16-bit caches at 96, 192 and 256
 * (HDB blocks of 32 keys also at 64), and sink_window / causal_alibi at decode and in chunks.
 * Then fp8 batches (GQA 1, 4 CTAs an SM of 16 KV heads; NHD d128 gpt_oss decode and causal
 * chunks of 2 over blocks of 128, HDB d128 sliding_window decode over blocks of 16 and d64
 * gpt_oss chunks of 2 over blocks of 8) that the 128-key plan (two or three CTAs an SM)
 * would run in two waves: on sm_90a the launch must take the 64-key plan (decode_tile64,
 * four or more).
 * Then HDB fp8 decodes long enough to split, which on sm_90a must claim their tiles (the
 * decode_claims sibling). Then the pre-Hopper copy paths as sm_80 PTX on this GPU (when it
 * is newer), and wide GQA (32-64 query heads a KV head: several row tiles a KV head, some
 * holding part of a token's heads), packed queries (cu_seqlens_q) over every cache kind, and fp8
 * NHD chunks (fa3_fwd on sm_90a at d64/d128, and at d192/d256 in blocks of up to 64 keys;
 * else fa2_fwd above 256 rows) and HDB chunks
 * above 128 rows (the forward templates), then a NaN code in one visible key on each fp8
 * conversion path (the rows that see it must be NaN, as the reference's are), then an
 * out-of-range seq_lens[0] (above the key bound, below the new tokens, negative) on each
 * template, then a block-table entry of sequence 0 naming no block on each copy path, then
 * packed queries whose sequence 0 has more tokens than max_seqlen_q, all without the debug
 * checks: no fault, sequence 0's rows NaN, the others right. Table entries past a
 * sequence's blocks are -1 in every case (a kernel must not read them).
 * Every other case gets the workspace fadsl_workspace_size asks for (split-KV and merge),
 * filled with 0xff bytes first, as are 4 KiB past it that must stay so, and launched twice
 * on it (HDB fp8 splits claim tiles through counters kept there: stale ones must not
 * count), the rest run unsplit; fp8 cases
 * alternate per-tensor and per-head descales. Outputs and LSE are poisoned (NaN) before
 * each launch. Bounds: ||out - ref|| / ||ref|| under 1e-2 (bf16), 5e-3 (fp16), 5e-2 (fp8
 * caches); LSE within 1e-3 beyond float32 rounding (fa_lse_error). Then fadsl_merge_states
 * against its formula, with rows empty in one or both states and rows of a NaN state (NaN
 * out).
 * The cases' kernels compile ahead on worker threads (prewarm_cases), then the cases run.
 */
#include "fadsl.h"
#include "fart.h"
#include "ref.h"
#include "rt_test.h"
#include "testutil.h"

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

enum { BATCH = 3, MAX_BATCH = 40, Q_HEADS = 16, MAX_Q_HEADS = 64, MAX_KV_HEADS = 16, MAX_CASES = 192 };
/* Packed cases: rows of q/o past the last sequence's (padding the kernels must not write). */
enum { PACKED_PAD = 3 };
/* Bad index data given to the GPU (without FADSL_DEBUG_CHECKS): an out-of-range seq_lens[0]
 * (past the table row, i.e. above the key bound; fewer keys than new tokens; negative),
 * packed queries whose sequence 0 (BAD_ROWS) or last sequence (BAD_ROWS_LAST, whose split
 * partials would land past the workspace) has more new tokens than max_seqlen_q, or a
 * block-table entry of sequence 0 that names no block (-1, num_blocks, INT_MIN, INT_MAX) in
 * the block of key lens[0] - T, which every row of sequence 0 sees. That sequence's rows must
 * come out NaN, the others' right. */
enum {
    BAD_NONE,
    BAD_ABOVE,
    BAD_BELOW,
    BAD_NEGATIVE,
    BAD_ROWS,
    BAD_ROWS_LAST,
    BAD_ENTRY_MINUS1,
    BAD_ENTRY_PAST,
    BAD_ENTRY_MIN,
    BAD_ENTRY_MAX
};
/* Bytes past a split case's workspace, 0xff before the launches, that must stay so. */
enum { WS_GUARD = 4096 };

typedef struct pg_case {
    fa_paged_layout layout;
    int bs, head_dim, kv_heads, T, batch, lens[MAX_BATCH], total_k;
    fa_dtype dtype, kv;
    const char *variant;
    const char *arch; /* NULL: the device's; "sm_80": that kernel, as PTX the driver assembles */
    bool split, per_head_descale, tile64; /* tile64: the launch must take the 64-key fp8 plan */
    bool claims; /* the split launches must take the tile-claiming sibling */
    int q_heads;                          /* Q_HEADS, or up to MAX_Q_HEADS (wide GQA cases) */
    int rows;                             /* > 0: the key's decode_rows must be this */
    bool packed;                          /* packed queries: lq[b] new tokens each, at most T */
    bool nan_key;                         /* K of sequence 0's last key (KV head 0, d 0) is NaN */
    int bad;                              /* BAD_*: the GPU gets a bad seq_lens[0] or entry */
    bool total_q;                         /* packed: total_q set (q/o/lse rows with the padding) */
    const char *kernel;                   /* non-NULL: the key's kernel name must start so */
    int lq[MAX_BATCH];
    int window_left, window_right, window;
    double sinks[MAX_Q_HEADS], k_desc, v_desc, head_kdesc[MAX_KV_HEADS], head_vdesc[MAX_KV_HEADS];
    double *q, *k, *v, *ref_out, *ref_lse; /* contiguous copies for the reference */
} pg_case;

static double rnd(void) { return (double)rand() / RAND_MAX * 2.0 - 1.0; }

/* ---- element codes ------------------------------------------------------------------ */

/* A random stored value and its real value. fp8: a random finite code of magnitude <= 2. */
static double random_elem(fa_dtype t, uint8_t *bytes)
{
    if (t == FA_DTYPE_FP8E4M3 || t == FA_DTYPE_FP8E5M2) {
        for (;;) {
            uint8_t x = (uint8_t)(rand() & 0xff);
            double v = fa_ref_from_fp8(x, t == FA_DTYPE_FP8E4M3);
            if (!isnan(v) && fabs(v) <= 2.0) {
                bytes[0] = x;
                return v;
            }
        }
    }
    double x = rnd();
    uint16_t h = t == FA_DTYPE_BF16 ? fa_ref_to_bf16(x) : fa_ref_to_fp16(x);
    memcpy(bytes, &h, 2);
    return t == FA_DTYPE_BF16 ? fa_ref_from_bf16(h) : fa_ref_from_fp16(h);
}

/* ---- variants ------------------------------------------------------------------------ */

static bool vis_all(void *ud, int b, int h, int q, int k) { return true; }
static bool vis_causal(void *ud, int b, int h, int q, int k) { return k <= q; }
static bool vis_window(void *ud, int b, int h, int q, int k)
{
    const pg_case *c = ud;
    return k >= q - c->window_left && k <= q + c->window_right;
}
static bool vis_causal_window(void *ud, int b, int h, int q, int k)
{
    const pg_case *c = ud;
    return k <= q && q - k < c->window;
}

static bool vis_sink_window(void *ud, int b, int h, int q, int k)
{
    const pg_case *c = ud;
    return k <= q && (q - k < c->window || k < 4);
}

static bool vis_head3_sinks150(void *ud, int b, int h, int q, int k) { return fa_test_head3_sinks150_visible(q, k); }

/* causal_alibi's score; its slopes are the case's per-head values in `sinks` */
static double score_alibi(void *ud, int b, int h, int q, int k, double s)
{
    const pg_case *c = ud;
    return s - c->sinks[h] * (q - k);
}

static const char *const variant_cycle[] = {"causal", "sliding_window", "gpt_oss", "none"};

static fa_ref_visible_fn visible_of(const char *v)
{
    return !strcmp(v, "causal") || !strcmp(v, "causal_alibi") ? vis_causal
           : !strcmp(v, "sliding_window")                      ? vis_window
           : !strcmp(v, "gpt_oss")                             ? vis_causal_window
           : !strcmp(v, "sink_window")                         ? vis_sink_window
           : !strcmp(v, FA_TEST_HEAD3_SINKS150)                ? vis_head3_sinks150
                                                               : vis_all;
}

/* ---- one case ------------------------------------------------------------------------ */

/* New tokens of sequence b. */
static int tokens_of(const pg_case *c, int b)
{
    return c->packed ? c->lq[b] : c->T;
}

/* Query rows of the batch: batch x T, or packed ones. */
static int total_rows(const pg_case *c)
{
    int n = 0;
    for (int b = 0; b < c->batch; b++)
        n += tokens_of(c, b);
    return n;
}

static void *reference(void *arg)
{
    pg_case *c = arg;
    int lq[MAX_BATCH];
    for (int b = 0; b < c->batch; b++)
        lq[b] = tokens_of(c, b);
    size_t nq = (size_t)total_rows(c) * c->q_heads;
    c->ref_out = malloc(nq * c->head_dim * sizeof(double));
    c->ref_lse = malloc(nq * sizeof(double));
    fa_ref_problem p = {.batch = c->batch, .q_heads = c->q_heads, .kv_heads = c->kv_heads, .head_dim = c->head_dim,
                        .seqlens_q = lq, .seqlens_k = c->lens, .q = c->q, .k = c->k, .v = c->v,
                        .visible = visible_of(c->variant), .ud = c,
                        .score = !strcmp(c->variant, "causal_alibi") ? score_alibi : NULL,
                        .sink_logit = !strcmp(c->variant, "gpt_oss") ? c->sinks : NULL,
                        .out = c->ref_out, .lse = c->ref_lse};
    fa_ref_attention(&p);
    return NULL;
}

static void describe(const pg_case *c, char *buf, size_t n)
{
    char tokens[48] = "";
    if (c->packed)
        snprintf(tokens, sizeof tokens, " packed %d,%d,%d", c->lq[0], c->lq[1], c->lq[2]);
    snprintf(buf, n, "%s %s q %s kv %s hd%d bs%d T%d%s heads %d/%d lens %d,%d,%d%s %s%s%s", c->variant,
             c->layout == FA_PAGED_NHD ? "nhd" : "hdb", fa_dtype_name(c->dtype), fa_dtype_name(c->kv), c->head_dim,
             c->bs, c->T, tokens, c->q_heads, c->kv_heads, c->lens[0], c->lens[1], c->lens[2],
             c->batch > BATCH ? ",..." : "", c->split ? "split" : "unsplit", c->arch ? " " : "", c->arch ? c->arch : "");
}

/* SMs of the current context's device (0 when unknown). */
static int device_sms(void)
{
    const fart_cu *cu;
    CUdevice dev;
    int sms = 0;
    if (fart_driver(&cu) || cu->CtxGetDevice(&dev) || cu->DeviceGetAttribute(&sms, FART_CU_ATTR_SM_COUNT, dev))
        return 0;
    return sms;
}

/* Rows of each head in a packed LSE: total_q when the case sets it (padding included),
 * else the packed rows. */
static int lse_rows(const pg_case *c)
{
    return total_rows(c) + (c->total_q ? PACKED_PAD : 0);
}

/* Relative error of one launch's output against the reference; its largest LSE error and
 * the count of unwritten or non-finite values accumulate into *lse_err and *bad (packed:
 * and of values written into the PACKED_PAD rows past the last sequence's). LSE: dense
 * [b, h, t], packed [h, lse_rows]. */
static double check_output(const pg_case *c, const uint16_t *o, const float *lse, double *lse_err, size_t *bad)
{
    const int rows = total_rows(c);
    size_t nq = (size_t)rows * c->q_heads * c->head_dim;
    for (size_t i = nq; c->packed && i < nq + (size_t)PACKED_PAD * c->q_heads * c->head_dim; i++)
        *bad += o[i] != 0xffff; /* still the poison */
    for (int h = 0; h < c->q_heads; h++) /* and the LSE's padding columns (total_q set) */
        for (int r = rows; r < lse_rows(c); r++) {
            uint32_t u;
            memcpy(&u, &lse[(size_t)h * lse_rows(c) + r], 4);
            *bad += u != 0xffffffffu;
        }
    double num = 0, den = 0;
    for (size_t i = 0; i < nq; i++) {
        double x = c->dtype == FA_DTYPE_BF16 ? fa_ref_from_bf16(o[i]) : fa_ref_from_fp16(o[i]);
        if (isnan(c->ref_out[i]) || !isfinite(x)) { /* the reference's NaN rows must be NaN */
            *bad += !(isnan(c->ref_out[i]) && isnan(x));
            continue;
        }
        num += (x - c->ref_out[i]) * (x - c->ref_out[i]);
        den += c->ref_out[i] * c->ref_out[i];
    }
    for (int b = 0, row = 0; b < c->batch; b++)
        for (int t = 0; t < tokens_of(c, b); t++, row++)
            for (int h = 0; h < c->q_heads; h++) {
                double r = c->ref_lse[(size_t)row * c->q_heads + h],
                       x = lse[c->packed ? (size_t)h * lse_rows(c) + row : ((size_t)b * c->q_heads + h) * c->T + t];
                if (isnan(r) || isnan(x))
                    *bad += !(isnan(r) && isnan(x));
                else if (isinf(r) || isinf(x))
                    *bad += !(isinf(r) && isinf(x) && r < 0 && x < 0);
                else if (fa_lse_error(x, r) > *lse_err)
                    *lse_err = fa_lse_error(x, r);
            }
    return den > 0 ? sqrt(num / den) : sqrt(num);
}

static int claims_taken; /* cases whose split launches took the tile-claiming sibling */

/* The case's seq_lens on the GPU: its lengths, with sequence 0's made out of range (BAD_ABOVE,
 * BAD_BELOW, BAD_NEGATIVE; the key bound is max_blocks x block size: no max_seq_len is set). */
static void *upload_lens(const pg_case *c, int max_blocks)
{
    int lens[MAX_BATCH];
    memcpy(lens, c->lens, sizeof lens);
    if (c->bad == BAD_ABOVE)
        lens[0] = max_blocks * c->bs + c->bs;
    else if (c->bad == BAD_BELOW)
        lens[0] = c->T - 1;
    else if (c->bad == BAD_NEGATIVE)
        lens[0] = -7;
    return fa_rt_upload(lens, (size_t)c->batch * sizeof lens[0]);
}

/* The case's block table on the GPU: entries past each sequence's blocks are -1 (never
 * read), and a BAD_ENTRY_* case's entry of key lens[0] - T names no block. */
static void *upload_table(const pg_case *c, int *table, int max_blocks, int num_blocks)
{
    for (int b = 0; b < c->batch; b++)
        for (int i = (c->lens[b] + c->bs - 1) / c->bs; i < max_blocks; i++)
            table[b * max_blocks + i] = -1;
    const int bad_entry[] = {[BAD_ENTRY_MINUS1] = -1, [BAD_ENTRY_PAST] = num_blocks, [BAD_ENTRY_MIN] = INT_MIN,
                             [BAD_ENTRY_MAX] = INT_MAX};
    if (c->bad >= BAD_ENTRY_MINUS1)
        table[(c->lens[0] - tokens_of(c, 0)) / c->bs] = bad_entry[c->bad];
    return fa_rt_upload(table, (size_t)c->batch * max_blocks * sizeof *table);
}

/* Cases whose reference has NaN rows (a NaN key, a bad seq_lens[0] or entry); no other case
 * any. */
static bool expects_nan_rows(const pg_case *c)
{
    return c->nan_key || c->bad != BAD_NONE;
}

/* Bad index data (BAD_*): the reference's rows of the sequence it concerns (sequence 0, or
 * the last for BAD_ROWS_LAST) become NaN. */
static void poison_reference(pg_case *c)
{
    if (c->bad == BAD_NONE)
        return;
    const int bad_seq = c->bad == BAD_ROWS_LAST ? c->batch - 1 : 0;
    size_t first = 0; /* the sequence's first row of the reference */
    for (int b = 0; b < bad_seq; b++)
        first += (size_t)tokens_of(c, b) * c->q_heads;
    const size_t n = (size_t)tokens_of(c, bad_seq) * c->q_heads;
    for (size_t i = first * c->head_dim; i < (first + n) * c->head_dim; i++)
        c->ref_out[i] = NAN;
    for (size_t i = first; i < first + n; i++)
        c->ref_lse[i] = NAN;
}

/* Blocks of case c: a block-table row (the longest sequence's) and the cache's count (the
 * sequences' blocks and 7 no sequence owns). */
static void case_blocks(const pg_case *c, int *max_blocks, int *num_blocks)
{
    int used = 0;
    *max_blocks = 0;
    for (int b = 0; b < c->batch; b++) {
        int nb = (c->lens[b] + c->bs - 1) / c->bs;
        *max_blocks = nb > *max_blocks ? nb : *max_blocks;
        used += nb;
    }
    *num_blocks = used + 7;
}

/* Rows of case c's q and o buffers: its query rows, and the padding past them when packed. */
static int buffer_rows(const pg_case *c) { return total_rows(c) + (c->packed ? PACKED_PAD : 0); }

/* Device buffers a case's request names. */
typedef struct case_bufs {
    void *q, *k, *v, *table, *lens, *kdesc, *vdesc, *sinks, *cu, *o, *lse;
} case_bufs;

/* Case c's request over buffers b: its cache (*pg), parameters (up to 3) and descriptor. */
static void case_request(const pg_case *c, const case_bufs *b, fadsl_paged_desc *pg, fadsl_param *params,
                         fadsl_fwd_desc *d)
{
    int max_blocks, num_blocks, es = fa_dtype_size(c->kv);
    case_blocks(c, &max_blocks, &num_blocks);
    *pg = (fadsl_paged_desc){.layout = c->layout, .kv_dtype = c->kv, .k_cache = b->k, .v_cache = b->v,
                             .num_blocks = num_blocks, .block_size = c->bs, .num_kv_heads = c->kv_heads,
                             .head_dim = c->head_dim, .block_tables = b->table, .max_blocks_per_seq = max_blocks,
                             .seq_lens = b->lens, .num_seqs = c->batch, .q_tokens_per_seq = c->packed ? 0 : c->T,
                             .k_descale = es == 1 ? (float)c->k_desc : 0.f, /* fp8 caches only */
                             .v_descale = es == 1 ? (float)c->v_desc : 0.f};
    if (es == 1 && c->per_head_descale) {
        pg->k_descale_per_head = b->kdesc;
        pg->v_descale_per_head = b->vdesc;
    }
    int np = 0;
    if (!strcmp(c->variant, "sliding_window")) {
        params[np++] = (fadsl_param){.name = "window_left", .value = c->window_left};
        params[np++] = (fadsl_param){.name = "window_right", .value = c->window_right};
    } else if (!strcmp(c->variant, "gpt_oss")) {
        params[np++] = (fadsl_param){.name = "window", .value = c->window};
        params[np++] = (fadsl_param){.name = "sinks", .tensor = b->sinks};
    } else if (!strcmp(c->variant, "sink_window")) {
        params[np++] = (fadsl_param){.name = "window", .value = c->window};
    } else if (!strcmp(c->variant, "causal_alibi")) {
        params[np++] = (fadsl_param){.name = "slopes", .tensor = b->sinks};
    }
    *d = (fadsl_fwd_desc){.variant = c->variant, .dtype = c->dtype, .q = b->q, .o = b->o, .lse = b->lse,
                          .q_heads = c->q_heads, .head_dim = c->head_dim, .params = params, .num_params = np,
                          .paged = pg, .arch = c->arch};
    if (c->packed) {
        d->cu_seqlens_q = b->cu;
        d->max_seqlen_q = c->T;
        d->total_q = c->total_q ? buffer_rows(c) : 0;
    }
}

/* Builds the cache (shuffled blocks, NaN elsewhere), runs, and checks one case. */
static bool run_case(pg_case *c, pthread_t *ref_thread)
{
    int es = fa_dtype_size(c->kv), D = c->head_dim, H = c->kv_heads, bs = c->bs;
    int max_blocks, num_blocks;
    case_blocks(c, &max_blocks, &num_blocks);
    int *perm = malloc((size_t)num_blocks * sizeof *perm), *table = calloc((size_t)c->batch * max_blocks, sizeof *table);
    for (int i = 0; i < num_blocks; i++)
        perm[i] = i;
    for (int i = num_blocks - 1; i > 0; i--) {
        int j = rand() % (i + 1), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    size_t block_elems = (size_t)bs * H * D, cache_bytes = (size_t)num_blocks * block_elems * es;
    uint8_t *kc = malloc(cache_bytes), *vc = malloc(cache_bytes);
    memset(kc, 0xff, cache_bytes); /* NaN in every type */
    memset(vc, 0xff, cache_bytes);
    c->k = malloc((size_t)c->total_k * H * D * sizeof(double));
    c->v = malloc((size_t)c->total_k * H * D * sizeof(double));
    CU_ASSERT_FATAL(H <= MAX_KV_HEADS);
    float kd[MAX_KV_HEADS], vd[MAX_KV_HEADS];
    for (int h = 0; h < H; h++) {
        kd[h] = (float)(c->per_head_descale ? c->head_kdesc[h] : c->k_desc);
        vd[h] = (float)(c->per_head_descale ? c->head_vdesc[h] : c->v_desc);
    }
    int next = 0, row = 0;
    for (int b = 0; b < c->batch; b++) {
        for (int i = 0; i < (c->lens[b] + bs - 1) / bs; i++)
            table[b * max_blocks + i] = perm[next++];
        for (int pos = 0; pos < c->lens[b]; pos++, row++) {
            size_t blk = (size_t)table[b * max_blocks + pos / bs];
            for (int h = 0; h < H; h++)
                for (int d = 0; d < D; d++) {
                    size_t off = blk * block_elems + (c->layout == FA_PAGED_NHD
                                                          ? ((size_t)(pos % bs) * H + h) * D + d
                                                          : ((size_t)h * D + d) * bs + pos % bs);
                    size_t r = ((size_t)row * H + h) * D + d;
                    c->k[r] = random_elem(c->kv, kc + off * es) * (es == 1 ? kd[h] : 1.0);
                    c->v[r] = random_elem(c->kv, vc + off * es) * (es == 1 ? vd[h] : 1.0);
                }
        }
    }
    if (c->nan_key) { /* every type's NaN: e4m3 and e5m2 0x7f, fp16 and bf16 0x7fff */
        int pos = c->lens[0] - 1;
        size_t off = (size_t)table[pos / bs] * block_elems + (c->layout == FA_PAGED_NHD ? (size_t)(pos % bs) * H * D
                                                                                         : (size_t)(pos % bs));
        memset(kc + off * es, 0xff, es);
        kc[off * es + es - 1] = 0x7f;
        c->k[(size_t)pos * H * D] = NAN;
    }
    const int rows = total_rows(c), buf_rows = buffer_rows(c);
    size_t nq = (size_t)buf_rows * c->q_heads * D, nl = (size_t)(c->packed ? lse_rows(c) : rows) * c->q_heads;
    uint16_t *hq = malloc(nq * 2);
    c->q = malloc(nq * sizeof(double));
    for (size_t i = 0; i < nq; i++)
        c->q[i] = random_elem(c->dtype, (uint8_t *)&hq[i]);
    int cu[MAX_BATCH + 1] = {0};
    for (int b = 0; b < c->batch; b++)
        cu[b + 1] = cu[b] + tokens_of(c, b);
    pthread_create(ref_thread, NULL, reference, c);

    void *dq = fa_rt_upload(hq, nq * 2), *dk = fa_rt_upload(kc, cache_bytes), *dv = fa_rt_upload(vc, cache_bytes);
    void *dtab = upload_table(c, table, max_blocks, num_blocks), *dlens = upload_lens(c, max_blocks);
    void *dkd = fa_rt_upload(kd, sizeof kd), *dvd = fa_rt_upload(vd, sizeof vd), *d_o, *dlse, *ws = NULL;
    float sinks[MAX_Q_HEADS] = {0};
    for (int h = 0; h < c->q_heads; h++)
        sinks[h] = (float)c->sinks[h];
    void *dsinks = fa_rt_upload(sinks, sizeof sinks), *dcu = fa_rt_upload(cu, sizeof cu);
    CU_ASSERT_EQUAL_FATAL(fadsl_device_alloc(&d_o, nq * 2), FADSL_OK);
    CU_ASSERT_EQUAL_FATAL(fadsl_device_alloc(&dlse, nl * 4), FADSL_OK);

    case_bufs bufs = {.q = dq, .k = dk, .v = dv, .table = dtab, .lens = dlens, .kdesc = dkd, .vdesc = dvd,
                      .sinks = dsinks, .cu = dcu, .o = d_o, .lse = dlse};
    fadsl_paged_desc pg;
    fadsl_param params[3];
    fadsl_fwd_desc d;
    case_request(c, &bufs, &pg, params, &d);
    fa_key key;
    bool rows_ok = c->rows <= 0 || (fadsl_make_key(&d, &key) == FADSL_OK && key.decode_rows == c->rows);
    char kname[160] = "";
    rows_ok = rows_ok && (!c->kernel || (fadsl_make_key(&d, &key) == FADSL_OK &&
                                         fa_key_name(&key, kname, sizeof kname) >= 0 &&
                                         strncmp(kname, c->kernel, strlen(c->kernel)) == 0));
    size_t ws_bytes = 0;
    CU_ASSERT_EQUAL(fadsl_workspace_size(&d, &ws_bytes), FADSL_OK);
    int launches = 1;
    /* only split HDB fp8 launches may take the tile-claiming sibling (fa_plan_has_claims;
     * not when occupancy leaves the launch unsplit or the sibling holds fewer CTAs) */
    const bool may_claim = c->split && ws_bytes && c->layout == FA_PAGED_HDB && es == 1;
    bool claims_ok = true, claimed = false;
    if (c->split && ws_bytes) {
        CU_ASSERT_EQUAL_FATAL(fadsl_device_alloc(&ws, ws_bytes + WS_GUARD), FADSL_OK);
        CU_ASSERT_EQUAL_FATAL(fadsl_device_memset(ws, 0xff, ws_bytes + WS_GUARD), FADSL_OK);
        pg.workspace = ws;
        pg.workspace_size = ws_bytes;
        launches = 2;
    }
    uint16_t *o = malloc(nq * 2);
    float *lse = malloc(nl * 4);
    fadsl_status s = FADSL_OK;
    bool tile64_ok = true;
    double rel = 0, lse_err = 0;
    size_t bad = 0;
    for (int launch = 0; launch < launches; launch++) {
        CU_ASSERT_EQUAL_FATAL(fadsl_device_memset(d_o, 0xff, nq * 2), FADSL_OK);
        CU_ASSERT_EQUAL_FATAL(fadsl_device_memset(dlse, 0xff, nl * 4), FADSL_OK);
        fadsl_status sl = fadsl_forward(&d, NULL);
        claimed = fart_paged_last_claims();
        /* a split launch (claiming ones included) never reports the 64-key plan */
        tile64_ok = tile64_ok && (!c->tile64 || fart_paged_last_tile64()) && !(claimed && fart_paged_last_tile64());
        claims_ok = claims_ok && (may_claim || !claimed) && (!c->claims || claimed);
        if (sl != FADSL_OK) {
            printf("\n  forward failed: %s", fadsl_last_error());
            s = sl;
        }
        CU_ASSERT_EQUAL(fadsl_stream_sync(NULL), FADSL_OK);
        CU_ASSERT_EQUAL(fadsl_copy_to_host(o, d_o, nq * 2), FADSL_OK);
        CU_ASSERT_EQUAL(fadsl_copy_to_host(lse, dlse, nl * 4), FADSL_OK);
        if (launch == 0) { /* the reference ran while the GPU did */
            pthread_join(*ref_thread, NULL);
            poison_reference(c);
        }
        double r = check_output(c, o, lse, &lse_err, &bad);
        rel = r > rel ? r : rel;
    }
    if (ws) { /* nothing past the workspace asked for */
        static uint8_t guard[WS_GUARD];
        CU_ASSERT_EQUAL(fadsl_copy_to_host(guard, (uint8_t *)ws + ws_bytes, WS_GUARD), FADSL_OK);
        for (int i = 0; i < WS_GUARD; i++)
            bad += guard[i] != 0xff;
    }
    double tol = es == 1 ? 5e-2 : c->dtype == FA_DTYPE_BF16 ? 1e-2 : 5e-3;
    size_t nan_rows = 0; /* the reference's (expects_nan_rows) */
    for (size_t i = 0; i < (size_t)rows * c->q_heads; i++)
        nan_rows += isnan(c->ref_lse[i]);
    bool ok = s == FADSL_OK && bad == 0 && rel < tol && lse_err < FA_LSE_TOL && tile64_ok && rows_ok && claims_ok &&
              expects_nan_rows(c) == (nan_rows > 0);
    char desc[256];
    describe(c, desc, sizeof desc);
    printf("\n  %s %-90s rel %.2e lse %.2e%s%s", ok ? "ok  " : "FAIL", desc, rel, lse_err,
           bad ? " (unwritten or bad values, or writes past the workspace)" : "",
           c->tile64 ? tile64_ok ? " (64-key plan)" : " (64-key plan NOT taken)" : "");
    if (c->rows > 0)
        printf("%s %d-row CTAs", rows_ok ? "" : " NOT", c->rows);
    if (c->kernel)
        printf("%s %s", rows_ok ? "" : " NOT", c->kernel);
    if (expects_nan_rows(c))
        printf(" (%zu NaN rows%s)", nan_rows,
               c->bad >= BAD_ENTRY_MINUS1 ? ", bad block_tables[0] entry"
               : c->bad == BAD_ROWS       ? ", sequence 0's tokens above max_seqlen_q"
               : c->bad == BAD_ROWS_LAST  ? ", the last sequence's tokens above max_seqlen_q"
               : c->bad                   ? ", bad seq_lens[0]"
                                          : "");
    if (claimed)
        printf(claims_ok ? " (tile claims)" : " (tile claims taken by a launch that may not)");
    else if (c->claims)
        printf(" (tile claims NOT taken)");
    claims_taken += claimed;
    void *dev[] = {dq, dk, dv, dtab, dlens, dkd, dvd, dsinks, dcu, d_o, dlse, ws};
    for (size_t i = 0; i < sizeof dev / sizeof dev[0]; i++)
        if (dev[i])
            fadsl_device_free(dev[i]);
    free(perm), free(table), free(kc), free(vc), free(hq), free(o), free(lse);
    free(c->q), free(c->k), free(c->v), free(c->ref_out), free(c->ref_lse);
    return ok;
}

/* Compiles the cases' kernels (each key and the siblings a launch may take) on worker
 * threads, one a CPU, before the cases run one by one: on a fresh cache the suite's time
 * was mostly compiles in a row. Cases given an arch run as PTX of an older one and compile
 * at their launch. Keys come from each request over stand-in buffer addresses (only their
 * alignment is checked before launch); a request the runtime refuses here fails its case. */
static void prewarm_cases(const pg_case *cases, int n)
{
    static fadsl_prewarm_item items[MAX_CASES];
    void *s = (void *)(uintptr_t)(1u << 20); /* aligned for every buffer, never read */
    case_bufs b = {s, s, s, s, s, s, s, s, s, s, s};
    int m = 0;
    for (int i = 0; i < n; i++) {
        fadsl_paged_desc pg;
        fadsl_param params[3];
        fadsl_fwd_desc d;
        case_request(&cases[i], &b, &pg, params, &d);
        if (!cases[i].arch && fadsl_make_key(&d, &items[m].key) == FADSL_OK)
            items[m++].variant = cases[i].variant;
    }
    fadsl_prewarm *pw = NULL;
    int failed = 0;
    CU_ASSERT_EQUAL_FATAL(fadsl_prewarm_start(items, m, 0, &pw), FADSL_OK); /* 0: a thread a CPU */
    CU_ASSERT_EQUAL(fadsl_prewarm_wait(pw, &failed), FADSL_OK);
    CU_ASSERT_EQUAL(failed, 0);
}

/* Case n of the suite's table (the table's size checked). */
static pg_case *case_at(pg_case *cases, int n)
{
    CU_ASSERT_FATAL(n < MAX_CASES);
    return &cases[n];
}

static void setup_case(pg_case *c, int i, fa_paged_layout layout, int bs, fa_dtype kv, int T)
{
    static const int kv_heads_cycle[4] = {16, 4, 2, 1}; /* GQA 1, 4, 8 and MQA */
    memset(c, 0, sizeof *c);
    c->layout = layout;
    c->bs = bs;
    c->T = T;
    c->batch = BATCH;
    c->dtype = i % 3 == 2 ? FA_DTYPE_FP16 : FA_DTYPE_BF16;
    c->kv = kv == FA_DTYPE_BF16 ? c->dtype : kv;
    c->head_dim = i % 5 == 4 ? 64 : 128;
    c->kv_heads = kv_heads_cycle[i % 4];
    c->variant = variant_cycle[i % 4];
    c->split = i % 2 == 0;
    c->per_head_descale = i % 4 >= 2;
    c->k_desc = 0.5, c->v_desc = 1.5;
    c->q_heads = Q_HEADS;
    for (int h = 0; h < MAX_KV_HEADS; h++) {
        c->head_kdesc[h] = 0.25 + 0.1 * h;
        c->head_vdesc[h] = 2.0 - 0.1 * h;
        c->sinks[h] = rnd() * 3.0;
    }
    c->window_left = 1 + rand() % 300;
    c->window_right = rand() % 2 ? 0 : rand() % 40;
    c->window = 1 + rand() % 300;
    /* uneven lengths: 1 (decode only), an exact block multiple, and a long odd one */
    c->lens[0] = T == 1 ? 1 : T + rand() % 50;
    c->lens[1] = bs * (1 + (T + rand() % 600) / bs);
    c->lens[2] = T + 700 + rand() % 1500;
    for (int b = 0; b < BATCH; b++)
        c->total_k += c->lens[b];
}

static void test_paged_cases(void)
{
    srand(4321);
    static const int block_sizes[5] = {8, 16, 32, 64, 128};
    static const fa_dtype kvs[3] = {FA_DTYPE_BF16, FA_DTYPE_FP8E4M3, FA_DTYPE_FP8E5M2};
    static const int chunk_tokens[4] = {2, 5, 64, 500};
    static pg_case cases[MAX_CASES];
    int n = 0;
    for (int l = 0; l < 2; l++)
        for (int b = 0; b < 5; b++)
            for (int k = 0; k < 3; k++, n++)
                setup_case(case_at(cases, n), n, l ? FA_PAGED_HDB : FA_PAGED_NHD, block_sizes[b], kvs[k], 1);
    for (int l = 0; l < 2; l++)
        for (int t = 0; t < 4; t++, n++)
            setup_case(case_at(cases, n), n, l ? FA_PAGED_HDB : FA_PAGED_NHD, block_sizes[(t + l) % 5], kvs[l ? t % 3 : 0],
                       chunk_tokens[t]);
    /* fp8 caches at head dims 96 and 256 (the per-warp conversion buffers and wide tiles),
     * HDB fp8 fragments at d64 from block size 8 (sm_90a: bulk slabs; else 8-byte cp.async)
     * and at d128 from whole 128-key blocks;
     * 16-bit caches at 96, 192 and 256 (sm_90: 32-wide TMA boxes with the 64-byte swizzle
     * at 96, three and four 64-wide boxes, HDB slabs and 64-key HDB boxes), 16-bit HDB
     * blocks of 32 keys at 64, 96, 192 and 256 (sm_90a: two d rows a 128-byte TMA row), and
     * 16-bit chunks at 192 and 256 (sm_90a: fa3_fwd's 64-key tiles; at 192, NHD rows of 24
     * chunks copied by 96 of the 128 producer threads) and fp8 ones at 192 and 256 (fa3_fwd's
     * converting producers; at 256 one warpgroup, one 16-bit stage) */
    static const struct {
        fa_paged_layout layout;
        int bs, head_dim, T;
        fa_dtype kv;
    } wide[] = {{FA_PAGED_NHD, 16, 96, 1, FA_DTYPE_FP8E4M3},
                {FA_PAGED_HDB, 32, 96, 1, FA_DTYPE_FP8E5M2},
                {FA_PAGED_NHD, 64, 256, 1, FA_DTYPE_FP8E5M2},
                {FA_PAGED_HDB, 16, 256, 1, FA_DTYPE_FP8E4M3},
                {FA_PAGED_NHD, 32, 256, 5, FA_DTYPE_FP8E4M3},
                {FA_PAGED_HDB, 8, 64, 2, FA_DTYPE_FP8E5M2},
                {FA_PAGED_HDB, 128, 128, 5, FA_DTYPE_FP8E4M3},
                {FA_PAGED_NHD, 16, 96, 1, FA_DTYPE_BF16},
                {FA_PAGED_HDB, 64, 96, 1, FA_DTYPE_BF16},
                {FA_PAGED_NHD, 128, 192, 2, FA_DTYPE_BF16},
                {FA_PAGED_HDB, 8, 256, 1, FA_DTYPE_BF16},
                {FA_PAGED_NHD, 8, 256, 1, FA_DTYPE_BF16},
                {FA_PAGED_HDB, 32, 64, 1, FA_DTYPE_BF16},
                {FA_PAGED_HDB, 32, 96, 2, FA_DTYPE_BF16},
                {FA_PAGED_HDB, 32, 192, 1, FA_DTYPE_BF16},
                {FA_PAGED_HDB, 32, 256, 1, FA_DTYPE_BF16},
                {FA_PAGED_NHD, 16, 256, 200, FA_DTYPE_BF16},
                {FA_PAGED_NHD, 128, 256, 500, FA_DTYPE_BF16},
                {FA_PAGED_NHD, 16, 192, 200, FA_DTYPE_BF16},
                {FA_PAGED_NHD, 128, 192, 500, FA_DTYPE_BF16},
                {FA_PAGED_HDB, 8, 192, 160, FA_DTYPE_BF16},
                {FA_PAGED_HDB, 64, 192, 300, FA_DTYPE_BF16},
                {FA_PAGED_NHD, 16, 192, 200, FA_DTYPE_FP8E4M3},
                {FA_PAGED_HDB, 32, 192, 300, FA_DTYPE_FP8E5M2},
                {FA_PAGED_NHD, 16, 256, 200, FA_DTYPE_FP8E4M3},
                {FA_PAGED_HDB, 64, 256, 300, FA_DTYPE_FP8E5M2},
                {FA_PAGED_HDB, 8, 256, 200, FA_DTYPE_FP8E4M3}};
    for (size_t w = 0; w < sizeof wide / sizeof wide[0]; w++, n++) {
        setup_case(case_at(cases, n), n, wide[w].layout, wide[w].bs, wide[w].kv, wide[w].T);
        cases[n].head_dim = wide[w].head_dim;
    }
    /* sink tokens and ALiBi over the cache: decode and chunks (the Hopper template's
     * narrow sink tile and per-tile ALiBi bias on gathered blocks); windows short enough
     * that the sink tile sits apart from the key range, and sinks reaching past it */
    static const struct {
        const char *variant;
        fa_paged_layout layout;
        int bs, T;
    } extra[] = {{"sink_window", FA_PAGED_NHD, 16, 1},   {"sink_window", FA_PAGED_HDB, 32, 1},
                 {"sink_window", FA_PAGED_NHD, 16, 64},  {"sink_window", FA_PAGED_NHD, 64, 500},
                 {"causal_alibi", FA_PAGED_NHD, 32, 1},  {"causal_alibi", FA_PAGED_NHD, 16, 64},
                 {"causal_alibi", FA_PAGED_NHD, 128, 500}, {FA_TEST_HEAD3_SINKS150, FA_PAGED_NHD, 16, 1},
                 {FA_TEST_HEAD3_SINKS150, FA_PAGED_HDB, 32, 5}};
    for (size_t e = 0; e < sizeof extra / sizeof extra[0]; e++, n++) {
        setup_case(case_at(cases, n), n, extra[e].layout, extra[e].bs, FA_DTYPE_BF16, extra[e].T);
        cases[n].variant = extra[e].variant;
        cases[n].head_dim = 128;
        for (int h = 0; h < Q_HEADS; h++) /* ALiBi slopes 2^-8(h+1)/H, as in the paper */
            if (!strcmp(extra[e].variant, "causal_alibi"))
                cases[n].sinks[h] = pow(2.0, -8.0 * (h + 1) / Q_HEADS);
    }
    /* fp8 at GQA 1 with a batch the 128-key plan (two or three CTAs an SM) would run in two
     * waves and the 64-key plan (four or more) in one: the launch must take the 64-key plan
     * (NHD, and HDB blocks of up to 16 keys, whose slabs come by bulk copy). */
    fa_arch arch = FA_ARCH_SM80;
    int sms = fadsl_device_init(0, &arch) == FADSL_OK ? device_sms() : 0;
    static const struct {
        fa_paged_layout layout;
        int bs, head_dim, T;
        fa_dtype kv;
        const char *variant;
    } t64[] = {{FA_PAGED_NHD, 16, 128, 1, FA_DTYPE_FP8E4M3, "gpt_oss"},
               {FA_PAGED_NHD, 128, 128, 2, FA_DTYPE_FP8E5M2, "causal"},
               {FA_PAGED_HDB, 16, 128, 1, FA_DTYPE_FP8E4M3, "sliding_window"},
               {FA_PAGED_HDB, 8, 64, 2, FA_DTYPE_FP8E5M2, "gpt_oss"}};
    for (size_t e = 0; e < sizeof t64 / sizeof t64[0]; e++) {
        if (sms <= 0 || 4 * sms / 16 > MAX_BATCH) {
            printf("\n  skipped: the 64-key fp8 plan cases (%d SMs)", sms);
            break;
        }
        setup_case(case_at(cases, n), 3, t64[e].layout, t64[e].bs, t64[e].kv, t64[e].T);
        pg_case *c = case_at(cases, n++);
        /* the launch takes the 64-key plan on sm_90a only (runtime/paged.c); elsewhere only
         * the answer counts */
        c->kv_heads = 16, c->head_dim = t64[e].head_dim, c->split = false, c->tile64 = arch == FA_ARCH_SM90A;
        c->variant = t64[e].variant;
        c->batch = 4 * sms / 16; /* 4 CTAs an SM: 16 KV heads x batch */
        for (int b = BATCH; b < c->batch; b++)
            c->total_k += c->lens[b] = t64[e].T + rand() % 600;
    }
    /* HDB fp8 decodes long enough to split (lengths 2000-4000: 16-31 tiles of 128 keys, 5 or
     * more splits): on sm_90a (without FADSL_DETERMINISTIC) both launches must take the
     * tile-claiming sibling, with learned sinks (folded in split 0), a causal chunk of 5
     * tokens, 2 tokens at GQA 2, and d64 at GQA 8. The last case's longest sequence (128
     * tiles, more splits) gives every split a whole fixed first share (no claims before
     * its first copies), while its shortest has fewer tiles than splits. */
    static const struct {
        const char *variant;
        int bs, head_dim, kv_heads, T, long_len;
        fa_dtype kv;
    } claim_cases[] = {{"gpt_oss", 16, 128, 4, 1, 4096, FA_DTYPE_FP8E4M3},
                       {"causal", 8, 128, 16, 5, 4096, FA_DTYPE_FP8E5M2},
                       {"none", 16, 128, 8, 2, 4096, FA_DTYPE_FP8E4M3},
                       {"causal", 16, 64, 2, 1, 4096, FA_DTYPE_FP8E5M2},
                       {"none", 16, 128, 4, 1, 16384, FA_DTYPE_FP8E4M3},
                       {FA_TEST_HEAD3_SINKS150, 16, 128, 8, 1, 4096, FA_DTYPE_FP8E4M3}};
    const bool claims_expected = arch == FA_ARCH_SM90A && !fart_env_flag("FADSL_DETERMINISTIC");
    for (size_t e = 0; e < sizeof claim_cases / sizeof claim_cases[0]; e++, n++) {
        pg_case *c = case_at(cases, n);
        setup_case(c, n, FA_PAGED_HDB, claim_cases[e].bs, claim_cases[e].kv, claim_cases[e].T);
        c->variant = claim_cases[e].variant;
        c->head_dim = claim_cases[e].head_dim;
        c->kv_heads = claim_cases[e].kv_heads;
        c->split = true;
        c->claims = claims_expected;
        c->total_k = 0;
        c->lens[0] = 2000 + rand() % 500;
        c->lens[1] = claim_cases[e].long_len; /* an exact block multiple */
        c->lens[2] = 3000 + rand() % 1000;
        for (int b = 0; b < BATCH; b++)
            c->total_k += c->lens[b];
    }
    /* The cp.async paths of GPUs before Hopper, run here as sm_80 PTX: 16-bit NHD copies
     * in whole passes (blocks shorter and longer than a pass, blocks spanning tiles), HDB,
     * fp8 NHD fragments and HDB fragments (block size 8: the 8-byte copies an H100 never
     * takes natively), and 16-bit tiles of more than 8 copies a thread at d192 and d256
     * (their copy loops unrolled in parts: fully unrolled they spilled); head dim 0: the
     * case's own */
    static const struct {
        fa_paged_layout layout;
        int bs, T;
        fa_dtype kv;
        int head_dim;
    } pre_hopper[] = {{FA_PAGED_NHD, 8, 1, FA_DTYPE_BF16, 0},      {FA_PAGED_NHD, 16, 5, FA_DTYPE_BF16, 0},
                      {FA_PAGED_NHD, 128, 1, FA_DTYPE_BF16, 0},    {FA_PAGED_HDB, 16, 1, FA_DTYPE_BF16, 0},
                      {FA_PAGED_NHD, 16, 1, FA_DTYPE_FP8E4M3, 0},  {FA_PAGED_NHD, 64, 2, FA_DTYPE_FP8E5M2, 0},
                      {FA_PAGED_HDB, 8, 1, FA_DTYPE_FP8E4M3, 0},   {FA_PAGED_HDB, 64, 1, FA_DTYPE_FP8E4M3, 0},
                      {FA_PAGED_HDB, 16, 1, FA_DTYPE_BF16, 256},   {FA_PAGED_NHD, 32, 2, FA_DTYPE_BF16, 192}};
    for (size_t e = 0; e < sizeof pre_hopper / sizeof pre_hopper[0]; e++, n++) {
        setup_case(case_at(cases, n), n, pre_hopper[e].layout, pre_hopper[e].bs, pre_hopper[e].kv, pre_hopper[e].T);
        cases[n].arch = "sm_80";
        if (pre_hopper[e].head_dim)
            cases[n].head_dim = pre_hopper[e].head_dim;
    }
    /* Wide GQA: more query heads a KV head than one CTA takes at the head dim (compiler/plan.c
     * caps rows x head dim), so a KV head has several row tiles: d128 GQA 64 in two 32-row
     * tiles of half a token's heads each (split), fp8 d128 GQA 32 over 2 tokens (a tile a
     * token), d256 GQA 32 in 16-row tiles (unsplit), d64 GQA 64 in one 64-row tile, d128
     * GQA 48 over 2 tokens (HDB, split: tile 1 holds heads 32-47 of token 0 and 0-15 of
     * token 1), and fp8 d256 GQA 40 (16-row tiles, the last 8 rows and 8 padding, split).
     * Then GQA 8 with a few new tokens in one CTA (runtime/validate.c, fa_key.decode_rows):
     * fp8 NHD d128 x 4 and x 8 tokens (32-row tiles), bf16 NHD d64 x 3 (32 rows: tokens
     * wrap inside the tile) and x 5 (48), bf16 HDB d128 x 8 (two 32-row tiles). */
    static const struct {
        const char *variant;
        fa_paged_layout layout;
        int bs, head_dim, q_heads, kv_heads, T;
        fa_dtype kv;
        bool split;
        int rows; /* the key's decode_rows (0: unchecked) */
    } wide_gqa[] = {{"sliding_window", FA_PAGED_NHD, 16, 128, 64, 1, 1, FA_DTYPE_BF16, true, 0},
                    {"gpt_oss", FA_PAGED_HDB, 32, 128, 64, 2, 2, FA_DTYPE_FP8E4M3, true, 0},
                    {"causal_alibi", FA_PAGED_NHD, 16, 256, 32, 1, 1, FA_DTYPE_BF16, false, 0},
                    {"causal", FA_PAGED_NHD, 64, 64, 64, 1, 1, FA_DTYPE_FP8E5M2, true, 0},
                    {"causal", FA_PAGED_HDB, 16, 128, 48, 1, 2, FA_DTYPE_BF16, true, 0},
                    {"sink_window", FA_PAGED_NHD, 32, 256, 40, 1, 1, FA_DTYPE_FP8E4M3, true, 0},
                    {"causal", FA_PAGED_NHD, 16, 128, 16, 2, 4, FA_DTYPE_FP8E4M3, true, 32},
                    {"causal", FA_PAGED_NHD, 16, 128, 16, 2, 8, FA_DTYPE_FP8E5M2, false, 32},
                    {"gpt_oss", FA_PAGED_NHD, 32, 64, 16, 2, 3, FA_DTYPE_BF16, true, 32},
                    {"sliding_window", FA_PAGED_NHD, 16, 64, 16, 2, 5, FA_DTYPE_BF16, false, 48},
                    {"none", FA_PAGED_HDB, 32, 128, 16, 2, 8, FA_DTYPE_BF16, true, 32}};
    for (size_t e = 0; e < sizeof wide_gqa / sizeof wide_gqa[0]; e++, n++) {
        pg_case *c = case_at(cases, n);
        setup_case(c, n, wide_gqa[e].layout, wide_gqa[e].bs, wide_gqa[e].kv, wide_gqa[e].T);
        c->variant = wide_gqa[e].variant;
        c->head_dim = wide_gqa[e].head_dim;
        c->q_heads = wide_gqa[e].q_heads;
        c->kv_heads = wide_gqa[e].kv_heads;
        c->split = wide_gqa[e].split;
        c->rows = wide_gqa[e].rows;
        for (int h = 0; h < c->q_heads; h++)
            c->sinks[h] = !strcmp(c->variant, "causal_alibi") ? pow(2.0, -8.0 * (h + 1) / c->q_heads) : rnd() * 3.0;
    }
    /* Packed queries (cu_seqlens_q, max_seqlen_q = T): per-sequence counts of 0 or 1, T and
     * about T / 2, PACKED_PAD rows of q/o past the last. The decode template up to 128
     * rows (GQA x T; fp8 HDB 160; where fa3_fwd does not serve the key: fp8 NHD 256, HDB
     * all; its CTAs past a sequence's rows return, the merge skips their rows), the forward
     * template above that (bf16 NHD x 500, bf16 HDB x 64 at GQA 4, fp8 HDB x 500 on sm_90a).
     * Every other case sets total_q (LSE rows [h, total_q] counting the padding).
     * The HDB fp8 split case is long enough to claim tiles on sm_90a; one runs as sm_80 PTX. */
    static const struct {
        const char *variant;
        fa_paged_layout layout;
        int bs, kv_heads, T;
        fa_dtype kv;
        bool split, long_seqs;
        const char *arch;
    } packed[] = {{"causal", FA_PAGED_NHD, 16, 4, 3, FA_DTYPE_BF16, true, false, NULL},
                  {"gpt_oss", FA_PAGED_NHD, 16, 2, 5, FA_DTYPE_FP8E4M3, true, false, NULL},
                  {"sliding_window", FA_PAGED_HDB, 32, 4, 64, FA_DTYPE_BF16, false, false, NULL},
                  {"causal", FA_PAGED_HDB, 16, 16, 500, FA_DTYPE_FP8E5M2, true, false, NULL},
                  {"none", FA_PAGED_HDB, 16, 4, 4, FA_DTYPE_FP8E4M3, true, true, NULL},
                  {"causal", FA_PAGED_NHD, 64, 4, 500, FA_DTYPE_BF16, false, false, NULL},
                  {"sink_window", FA_PAGED_NHD, 128, 1, 2, FA_DTYPE_FP8E5M2, false, false, NULL},
                  {"gpt_oss", FA_PAGED_HDB, 16, 4, 5, FA_DTYPE_BF16, true, false, "sm_80"}};
    for (size_t e = 0; e < sizeof packed / sizeof packed[0]; e++, n++) {
        pg_case *c = case_at(cases, n);
        setup_case(c, n, packed[e].layout, packed[e].bs, packed[e].kv, packed[e].T);
        c->variant = packed[e].variant;
        c->head_dim = 128;
        c->kv_heads = packed[e].kv_heads;
        c->split = packed[e].split;
        c->arch = packed[e].arch;
        c->packed = true;
        c->total_q = e % 2 == 1;
        c->lq[0] = (int)(e % 2);
        c->lq[1] = c->T;
        c->lq[2] = c->T / 2 + 1;
        if (packed[e].long_seqs) {
            c->claims = claims_expected;
            c->total_k = 0;
            for (int b = 0; b < BATCH; b++)
                c->total_k += c->lens[b] = 2000 + rand() % 2000;
        }
    }
    /* fp8 NHD chunks above the decode template's rows (sm_90a at d64/d128: 128, fa3_fwd's
     * converting producer, sink tokens in a sink tile; else 256, fa2_fwd's byte stages
     * converted to 16-bit tiles),
     * per-tensor and per-head descales, a score function
     * (ALiBi: the K descale inside the scale), learned sinks, packed queries, sm_80 PTX. */
    static const struct {
        const char *variant;
        int bs, kv_heads, T;
        fa_dtype kv, q;
        bool packed;
        const char *arch;
    } fp8_chunks[] = {{"causal", 16, 4, 80, FA_DTYPE_FP8E4M3, FA_DTYPE_BF16, false, NULL},
                      {"sliding_window", 32, 2, 500, FA_DTYPE_FP8E5M2, FA_DTYPE_BF16, false, NULL},
                      {"causal_alibi", 64, 4, 100, FA_DTYPE_FP8E4M3, FA_DTYPE_FP16, false, NULL},
                      {"gpt_oss", 16, 4, 500, FA_DTYPE_FP8E4M3, FA_DTYPE_BF16, true, NULL},
                      {"causal", 128, 1, 70, FA_DTYPE_FP8E5M2, FA_DTYPE_FP16, true, NULL},
                      {"causal", 16, 4, 80, FA_DTYPE_FP8E4M3, FA_DTYPE_BF16, false, "sm_80"},
                      {"sink_window", 16, 4, 65, FA_DTYPE_FP8E5M2, FA_DTYPE_BF16, false, "sm_86"},
                      {"sliding_window", 32, 2, 300, FA_DTYPE_FP8E4M3, FA_DTYPE_FP16, true, "sm_80"},
                      {"causal", 8, 4, 200, FA_DTYPE_FP8E5M2, FA_DTYPE_BF16, false, NULL},
                      {"sink_window", 16, 4, 80, FA_DTYPE_FP8E4M3, FA_DTYPE_BF16, false, NULL},
                      {"causal", 8, 2, 100, FA_DTYPE_FP8E5M2, FA_DTYPE_FP16, false, NULL}};
    /* head dims: 128, then 64, then 256 (sm_86: 32-key tiles, one stage), 256 (sm_80: one
     * stage, 8 warps) and 96 (six byte chunks a key); 65 tokens x GQA 4 is 260 rows, just past
     * the decode template's 256. The last two on fa3_fwd: sink tokens, and blocks of 8 keys. */
    static const int fp8_chunk_dims[] = {128, 64, 128, 128, 128, 128, 256, 256, 96, 128, 64};
    for (size_t e = 0; e < sizeof fp8_chunks / sizeof fp8_chunks[0]; e++, n++) {
        pg_case *c = case_at(cases, n);
        setup_case(c, n, FA_PAGED_NHD, fp8_chunks[e].bs, fp8_chunks[e].kv, fp8_chunks[e].T);
        c->variant = fp8_chunks[e].variant;
        c->dtype = fp8_chunks[e].q;
        c->head_dim = fp8_chunk_dims[e];
        c->kv_heads = fp8_chunks[e].kv_heads;
        c->split = false;
        c->arch = fp8_chunks[e].arch;
        c->per_head_descale = e % 2 == 1;
        /* native on sm_90a at d64/d128: fa3_fwd's converting producer; else fa2_fwd */
        c->kernel = arch == FA_ARCH_SM90A && !c->arch && (c->head_dim == 64 || c->head_dim == 128) ? "fa3_fwd_"
                                                                                                : "fa2_fwd_";
        if (fp8_chunks[e].packed) {
            c->packed = true;
            c->total_q = true;
            c->lq[0] = 1, c->lq[1] = c->T, c->lq[2] = c->T / 3;
        }
        for (int h = 0; h < Q_HEADS; h++)
            if (!strcmp(c->variant, "causal_alibi"))
                c->sinks[h] = pow(2.0, -8.0 * (h + 1) / Q_HEADS);
    }
    /* HDB chunks above 128 query rows a KV head: on sm_90a the forward template (fa3_fwd, K
     * read MN-major and V K-major from [D][W keys] sub-tiles, W the block size up to 64, each
     * width its own swizzle; sink tokens as whole tiles; fp8 bytes converted by the
     * producer, keys past a sequence's end inside its last block zeroed), elsewhere the
     * decode template. Every block size at d64 and d128, both query types, 16-bit and fp8
     * caches, GQA 1 to 16, sequence ends inside 8-key chunks, packed queries; 16-bit caches
     * at d256 (64-key tiles: sub-tiles of up to 64 keys, one a tile from block size 64, half
     * a block of 128). */
    static const struct {
        const char *variant;
        int bs, head_dim, kv_heads, T;
        fa_dtype q, kv;
        bool packed;
    } hdb_chunks[] = {{"causal", 8, 128, 4, 500, FA_DTYPE_BF16, FA_DTYPE_BF16, false},
                      {"sliding_window", 16, 64, 2, 100, FA_DTYPE_FP16, FA_DTYPE_FP16, false},
                      {"gpt_oss", 32, 128, 4, 80, FA_DTYPE_BF16, FA_DTYPE_BF16, false},
                      {"sink_window", 64, 128, 4, 300, FA_DTYPE_BF16, FA_DTYPE_BF16, false},
                      {"causal_alibi", 128, 64, 1, 200, FA_DTYPE_FP16, FA_DTYPE_FP16, false},
                      {"none", 16, 128, 4, 500, FA_DTYPE_BF16, FA_DTYPE_BF16, true},
                      {"causal", 8, 64, 16, 300, FA_DTYPE_BF16, FA_DTYPE_BF16, true},
                      {"sliding_window", 8, 128, 2, 24, FA_DTYPE_BF16, FA_DTYPE_BF16, false},
                      {"causal", 32, 64, 8, 130, FA_DTYPE_FP16, FA_DTYPE_FP16, false},
                      {"causal", 8, 128, 4, 300, FA_DTYPE_BF16, FA_DTYPE_FP8E4M3, false},
                      {"sliding_window", 16, 64, 2, 150, FA_DTYPE_FP16, FA_DTYPE_FP8E5M2, false},
                      {"gpt_oss", 32, 128, 4, 90, FA_DTYPE_BF16, FA_DTYPE_FP8E4M3, true},
                      {"causal_alibi", 128, 128, 8, 200, FA_DTYPE_FP16, FA_DTYPE_FP8E4M3, false},
                      {"none", 64, 64, 1, 60, FA_DTYPE_BF16, FA_DTYPE_FP8E5M2, true},
                      {"causal", 16, 256, 4, 200, FA_DTYPE_BF16, FA_DTYPE_BF16, false},
                      {"gpt_oss", 64, 256, 2, 150, FA_DTYPE_FP16, FA_DTYPE_FP16, true},
                      {"sliding_window", 128, 256, 4, 300, FA_DTYPE_BF16, FA_DTYPE_BF16, false},
                      {"causal", 8, 256, 8, 160, FA_DTYPE_FP16, FA_DTYPE_FP16, true}};
    for (size_t e = 0; e < sizeof hdb_chunks / sizeof hdb_chunks[0]; e++, n++) {
        pg_case *c = case_at(cases, n);
        setup_case(c, n, FA_PAGED_HDB, hdb_chunks[e].bs, FA_DTYPE_BF16, hdb_chunks[e].T);
        c->variant = hdb_chunks[e].variant;
        c->dtype = hdb_chunks[e].q;
        c->kv = hdb_chunks[e].kv;
        c->per_head_descale = e % 2 == 0;
        c->head_dim = hdb_chunks[e].head_dim;
        c->kv_heads = hdb_chunks[e].kv_heads;
        c->split = false;
        c->kernel = arch == FA_ARCH_SM90A ? "fa3_fwd_" : "fa_decode_paged_";
        c->window = 40 + rand() % 200; /* sink_window: the sink tile apart from the key range */
        if (hdb_chunks[e].packed) {
            c->packed = true;
            c->total_q = e % 2 == 1;
            c->lq[0] = 1, c->lq[1] = c->T, c->lq[2] = c->T / 3;
        }
        for (int h = 0; h < Q_HEADS; h++)
            if (!strcmp(c->variant, "causal_alibi"))
                c->sinks[h] = pow(2.0, -8.0 * (h + 1) / Q_HEADS);
    }
    /* A NaN code in the K of a visible key (sequence 0's last): the rows that see it must
     * come out NaN, the others within bounds. Every conversion path: as sm_80 PTX (e4m3
     * without the hardware cvt, whose NaN code must not read as 480) the decode template's
     * NHD and HDB fp8 tiles and fa2_fwd's byte stages, e5m2; natively the decode template
     * (split: the merge keeps the NaN) and fa3_fwd's converting producers on sm_90a, and a
     * 16-bit cache. Sequence 0 is long enough that the NaN is one key among hundreds. */
    static const struct {
        fa_paged_layout layout;
        int bs, T, kv_heads;
        fa_dtype kv;
        bool split;
        const char *arch;
    } nan_keys[] = {{FA_PAGED_NHD, 16, 1, 4, FA_DTYPE_FP8E4M3, true, "sm_80"},
                    {FA_PAGED_HDB, 16, 1, 4, FA_DTYPE_FP8E4M3, false, "sm_80"},
                    {FA_PAGED_NHD, 16, 80, 4, FA_DTYPE_FP8E4M3, false, "sm_80"},
                    {FA_PAGED_NHD, 32, 1, 2, FA_DTYPE_FP8E5M2, true, "sm_80"},
                    {FA_PAGED_NHD, 16, 1, 4, FA_DTYPE_FP8E4M3, true, NULL},
                    {FA_PAGED_NHD, 16, 80, 4, FA_DTYPE_FP8E4M3, false, NULL},
                    {FA_PAGED_HDB, 64, 80, 4, FA_DTYPE_FP8E4M3, false, NULL},
                    {FA_PAGED_HDB, 16, 1, 4, FA_DTYPE_BF16, true, NULL}};
    for (size_t e = 0; e < sizeof nan_keys / sizeof nan_keys[0]; e++, n++) {
        pg_case *c = case_at(cases, n);
        setup_case(c, n, nan_keys[e].layout, nan_keys[e].bs, nan_keys[e].kv, nan_keys[e].T);
        c->kv_heads = nan_keys[e].kv_heads;
        c->split = nan_keys[e].split;
        c->arch = nan_keys[e].arch;
        c->nan_key = true;
        c->total_k += 300 + nan_keys[e].T - c->lens[0];
        c->lens[0] = 300 + nan_keys[e].T;
    }
    /* Bad index data without FADSL_DEBUG_CHECKS (BAD_*): no fault, sequence 0's rows NaN, the
     * others right. An out-of-range seq_lens[0] on the decode template (unsplit, split with
     * tile claims, a 5-token chunk, as sm_80 PTX), fa3_fwd chunks of both layouts and
     * fa2_fwd's as sm_80 PTX; then a block-table entry of sequence 0 that names no block on
     * each copy path that looks entries up: the decode template (TMA unsplit and split, fp8
     * fragments split, HDB fp8 with tile claims, a 5-token chunk, as sm_80 PTX), fa3_fwd's
     * 16-bit NHD and HDB producers and its fp8 ones, fa2_fwd's 16-bit and byte-stage copies
     * as sm_80 PTX, with windows widened so every row of sequence 0 sees the bad block; then
     * packed queries whose sequence 0 has 3 tokens more than max_seqlen_q on the decode
     * template (split NHD, split HDB fp8, unsplit NHD fp8), fa3_fwd (fp8 NHD, bf16 HDB) and
     * fa2_fwd (sm_80 PTX), and whose last sequence has on split decodes (NHD, HDB fp8). */
    static const struct {
        fa_paged_layout layout;
        int bs, T;
        fa_dtype kv;
        bool split;
        const char *arch;
        int bad;
    } bad_data[] = {{FA_PAGED_NHD, 16, 1, FA_DTYPE_BF16, false, NULL, BAD_ABOVE},
                    {FA_PAGED_HDB, 16, 1, FA_DTYPE_FP8E4M3, true, NULL, BAD_NEGATIVE},
                    {FA_PAGED_NHD, 16, 5, FA_DTYPE_BF16, true, NULL, BAD_BELOW},
                    {FA_PAGED_NHD, 16, 80, FA_DTYPE_FP8E4M3, false, NULL, BAD_ABOVE},
                    {FA_PAGED_HDB, 64, 80, FA_DTYPE_BF16, false, NULL, BAD_BELOW},
                    {FA_PAGED_NHD, 16, 80, FA_DTYPE_FP8E4M3, false, "sm_80", BAD_ABOVE},
                    {FA_PAGED_NHD, 16, 1, FA_DTYPE_FP8E4M3, true, "sm_80", BAD_BELOW},
                    {FA_PAGED_NHD, 16, 1, FA_DTYPE_BF16, false, NULL, BAD_ENTRY_MINUS1},
                    {FA_PAGED_NHD, 16, 1, FA_DTYPE_BF16, true, NULL, BAD_ENTRY_PAST},
                    {FA_PAGED_NHD, 16, 1, FA_DTYPE_FP8E4M3, true, NULL, BAD_ENTRY_MIN},
                    {FA_PAGED_HDB, 16, 1, FA_DTYPE_FP8E4M3, true, NULL, BAD_ENTRY_MAX},
                    {FA_PAGED_NHD, 16, 5, FA_DTYPE_BF16, true, NULL, BAD_ENTRY_PAST},
                    {FA_PAGED_HDB, 32, 1, FA_DTYPE_BF16, true, "sm_80", BAD_ENTRY_MINUS1},
                    {FA_PAGED_NHD, 16, 80, FA_DTYPE_BF16, false, NULL, BAD_ENTRY_MINUS1},
                    {FA_PAGED_HDB, 64, 80, FA_DTYPE_BF16, false, NULL, BAD_ENTRY_PAST},
                    {FA_PAGED_NHD, 16, 80, FA_DTYPE_FP8E4M3, false, NULL, BAD_ENTRY_MAX},
                    {FA_PAGED_HDB, 16, 80, FA_DTYPE_FP8E4M3, false, NULL, BAD_ENTRY_MIN},
                    {FA_PAGED_NHD, 16, 80, FA_DTYPE_BF16, false, "sm_80", BAD_ENTRY_PAST},
                    {FA_PAGED_NHD, 16, 80, FA_DTYPE_FP8E4M3, false, "sm_80", BAD_ENTRY_MINUS1},
                    {FA_PAGED_NHD, 16, 1, FA_DTYPE_BF16, true, NULL, BAD_ROWS},
                    {FA_PAGED_HDB, 16, 2, FA_DTYPE_FP8E4M3, true, NULL, BAD_ROWS},
                    {FA_PAGED_NHD, 32, 3, FA_DTYPE_FP8E5M2, false, NULL, BAD_ROWS},
                    {FA_PAGED_NHD, 16, 80, FA_DTYPE_FP8E4M3, false, NULL, BAD_ROWS},
                    {FA_PAGED_HDB, 64, 80, FA_DTYPE_BF16, false, NULL, BAD_ROWS},
                    {FA_PAGED_NHD, 16, 80, FA_DTYPE_BF16, false, "sm_80", BAD_ROWS},
                    {FA_PAGED_NHD, 16, 1, FA_DTYPE_BF16, true, NULL, BAD_ROWS_LAST},
                    {FA_PAGED_HDB, 16, 2, FA_DTYPE_FP8E4M3, true, NULL, BAD_ROWS_LAST}};
    for (size_t e = 0; e < sizeof bad_data / sizeof bad_data[0]; e++, n++) {
        pg_case *c = case_at(cases, n);
        setup_case(c, n, bad_data[e].layout, bad_data[e].bs, bad_data[e].kv, bad_data[e].T);
        c->kv_heads = 4;
        c->split = bad_data[e].split;
        c->arch = bad_data[e].arch;
        c->bad = bad_data[e].bad;
        if (c->bad == BAD_ROWS || c->bad == BAD_ROWS_LAST) { /* packed: 3 tokens more than max_seqlen_q = T */
            const int over = c->bad == BAD_ROWS ? 0 : BATCH - 1;
            c->packed = true;
            c->lq[0] = c->T, c->lq[1] = 1, c->lq[2] = c->T;
            c->lq[over] = c->T + 3;
            c->total_k += 200 + c->lq[over] - c->lens[over];
            c->lens[over] = 200 + c->lq[over];
        }
        if (c->bad >= BAD_ENTRY_MINUS1) {
            c->total_k += 300 + c->T - c->lens[0];
            c->lens[0] = 300 + c->T; /* the bad block one of many */
            c->window_left += c->T;
            c->window += c->T;
        }
    }
    prewarm_cases(cases, n);
    int bad = 0;
    for (int i = 0; i < n; i++) {
        pthread_t th;
        bad += !run_case(&cases[i], &th);
    }
    printf("\n  %d of %d paged cases within bounds, %d with tile claims\n", n - bad, n, claims_taken);
    CU_ASSERT_EQUAL(bad, 0);
    /* on sm_90a the HDB fp8 split cases of blocks up to 16 keys exercise the claims */
    CU_ASSERT(arch != FA_ARCH_SM90A || fart_env_flag("FADSL_DETERMINISTIC") || claims_taken > 0);
}

/* fadsl_merge_states against its formula; some rows empty (-inf) in one or both states.
 * Into new buffers, then in place (out = out_a, lse = lse_a): D spans two of the kernel's
 * 128-wide chunks, so an LSE overwritten before the last chunk read it would show. */
static void test_merge_states(void)
{
    enum { B = 2, S = 7, H = 5, D = 256 };
    size_t n = (size_t)B * S * H * D, nl = (size_t)B * H * S;
    for (int t = 0; t < 4; t++) {
        fa_dtype dt = t % 2 ? FA_DTYPE_FP16 : FA_DTYPE_BF16;
        bool in_place = t >= 2;
        uint16_t *a = malloc(n * 2), *bb = malloc(n * 2), *out = malloc(n * 2);
        double *da = malloc(n * sizeof(double)), *db = malloc(n * sizeof(double));
        float la[B * H * S], lb[B * H * S], lo[B * H * S];
        for (size_t i = 0; i < n; i++) {
            da[i] = random_elem(dt, (uint8_t *)&a[i]);
            db[i] = random_elem(dt, (uint8_t *)&bb[i]);
        }
        for (size_t i = 0; i < nl; i++) {
            la[i] = i % 11 == 0 ? -INFINITY : i % 13 == 5 ? NAN : (float)(rnd() * 5); /* NaN: a poisoned state */
            /* i % 26 == 5: a NaN state beside an empty one (alone in its warp's maximum) */
            lb[i] = i % 7 == 0 || i % 26 == 5 ? -INFINITY : (float)(rnd() * 5);
        }
        void *d_a = fa_rt_upload(a, n * 2), *d_b = fa_rt_upload(bb, n * 2), *d_la = fa_rt_upload(la, sizeof la), *d_lb = fa_rt_upload(lb, sizeof lb);
        void *d_o = d_a, *d_lo = d_la;
        if (!in_place) {
            CU_ASSERT_EQUAL_FATAL(fadsl_device_alloc(&d_o, n * 2), FADSL_OK);
            CU_ASSERT_EQUAL_FATAL(fadsl_device_alloc(&d_lo, sizeof lo), FADSL_OK);
            CU_ASSERT_EQUAL_FATAL(fadsl_device_memset(d_o, 0xff, n * 2), FADSL_OK);
            CU_ASSERT_EQUAL_FATAL(fadsl_device_memset(d_lo, 0xff, sizeof lo), FADSL_OK);
        }
        fadsl_status s = fadsl_merge_states(dt, d_a, d_la, d_b, d_lb, d_o, d_lo, B, S, H, D, NULL);
        if (s)
            printf("\n  merge failed: %s", fadsl_last_error());
        CU_ASSERT_EQUAL_FATAL(s, FADSL_OK);
        CU_ASSERT_EQUAL(fadsl_stream_sync(NULL), FADSL_OK);
        CU_ASSERT_EQUAL(fadsl_copy_to_host(out, d_o, n * 2), FADSL_OK);
        CU_ASSERT_EQUAL(fadsl_copy_to_host(lo, d_lo, sizeof lo), FADSL_OK);
        double num = 0, den = 0, lerr = 0;
        int bad = 0;
        for (int b = 0; b < B; b++)
            for (int q = 0; q < S; q++)
                for (int h = 0; h < H; h++) {
                    size_t li = ((size_t)b * H + h) * S + q;
                    if (isnan(la[li])) { /* passed on, never dropped as an empty state */
                        bool nan_row = isnan(lo[li]);
                        for (int d = 0; d < D; d++) {
                            size_t i = (((size_t)b * S + q) * H + h) * D + d;
                            double g = dt == FA_DTYPE_BF16 ? fa_ref_from_bf16(out[i]) : fa_ref_from_fp16(out[i]);
                            nan_row = nan_row && isnan(g);
                        }
                        bad += !nan_row;
                        continue;
                    }
                    double x = la[li], y = lb[li], m = fmax(x, y);
                    double lse = isinf(m) ? -INFINITY : m + log(exp(x - m) + exp(y - m));
                    double wa = isinf(lse) ? 0 : exp(x - lse), wb = isinf(lse) ? 0 : exp(y - lse);
                    if (isinf(lse) ? !(isinf(lo[li]) && lo[li] < 0) : !(fabs(lo[li] - lse) < 1e-4))
                        bad++;
                    else if (!isinf(lse))
                        lerr = fmax(lerr, fabs(lo[li] - lse));
                    for (int d = 0; d < D; d++) {
                        size_t i = (((size_t)b * S + q) * H + h) * D + d;
                        double r = wa * da[i] + wb * db[i];
                        double g = dt == FA_DTYPE_BF16 ? fa_ref_from_bf16(out[i]) : fa_ref_from_fp16(out[i]);
                        if (!isfinite(g))
                            bad++;
                        num += (g - r) * (g - r);
                        den += r * r;
                    }
                }
        double rel = sqrt(num / den);
        printf("\n  merge_states %s%s: rel %.2e, lse err %.2e, bad %d", fa_dtype_name(dt), in_place ? " in place" : "",
               rel, lerr, bad);
        CU_ASSERT(rel < (dt == FA_DTYPE_BF16 ? 1e-2 : 5e-3));
        CU_ASSERT_EQUAL(bad, 0);
        void *dev[] = {d_a, d_b, d_la, d_lb, d_o, d_lo};
        for (size_t i = 0; i < (in_place ? 4u : 6u); i++)
            fadsl_device_free(dev[i]);
        free(a), free(bb), free(out), free(da), free(db);
    }
    printf("\n");
}

void fa_suite_gpu_paged(void)
{
    if (fadsl_device_init(0, NULL) != FADSL_OK) {
        printf("gpu_paged: skipped, no GPU (%s)\n", fadsl_last_error());
        return;
    }
    static const CU_TestInfo tests[] = {{"paged_cases", test_paged_cases},
                                        {"merge_states", test_merge_states},
                                        CU_TEST_INFO_NULL};
    fa_test_add_suite("gpu_paged", tests);
}
