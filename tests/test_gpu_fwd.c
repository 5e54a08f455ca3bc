/* test_gpu_fwd.c - the forward kernels on a GPU against the float64 reference.
 *
 * Every standard-library variant x {fp16, bf16} x every head dim x {dense, varlen}; GQA
 * ratios 1, 4, 8 and MQA and the lengths (1, 17, 127, 300, 520, 1000; q_len != kv_len)
 * rotate through the cases. Inputs are fresh random numbers (never zeros), outputs and LSE
 * are poisoned with NaN before each launch and must be fully written. Thresholds
 * (../shared/DESIGN.md): ||out - ref|| / ||ref|| under 1e-2 (bf16), 5e-3 (fp16); LSE within
 * 1e-3 beyond float32 rounding (testutil.h: fa_lse_error); rows that see nothing give 0 and
 * -inf. A second test runs requests of 1-5 query tokens, which the runtime sends to the
 * decode template (checked through the key), split over a workspace or unsplit. Without a
 * GPU the suite registers no test and says that it skipped. The reference semantics of each
 * variant are written here independently of the compiler (variant_refs), from the variants'
 * documentation.
 */
#include "fadsl.h"
#include "ref.h"
#include "rt_test.h"
#include "testutil.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* ---- host element conversions (round to nearest even) ---------------------------- */

static uint16_t to_bf16(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

static float from_bf16(uint16_t h)
{
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static uint16_t to_fp16(float f)
{
    /* exact for the normal range the tests use; subnormals round through the float math */
    uint32_t u;
    memcpy(&u, &f, 4);
    uint32_t sign = (u >> 16) & 0x8000u;
    float a = fabsf(f);
    if (a >= 65520.f)
        return (uint16_t)(sign | 0x7c00u);
    if (a < 6.103515625e-05f) /* subnormal half: multiples of 2^-24 */
        return (uint16_t)(sign | (uint32_t)lrintf(a * 16777216.f));
    uint32_t mant = u & 0x7fffffu, exp = ((u >> 23) & 0xffu) - 127 + 15;
    uint32_t h = (exp << 10) | (mant >> 13);
    uint32_t rest = mant & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u)))
        h++;
    return (uint16_t)(sign | h);
}

static float from_fp16(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16, exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;
    float f;
    if (exp == 0)
        f = ldexpf((float)mant, -24);
    else if (exp == 31)
        f = mant ? NAN : INFINITY;
    else
        f = ldexpf((float)(mant | 0x400u), (int)exp - 25);
    uint32_t u;
    memcpy(&u, &f, 4);
    u |= sign;
    memcpy(&f, &u, 4);
    return f;
}

/* ---- cases ------------------------------------------------------------------------ */

enum { MAX_BATCH = 3, NUM_HEAD_DIMS = 5, Q_HEADS = 16 };
static const int head_dims[NUM_HEAD_DIMS] = {64, 96, 128, 192, 256};
static const int kv_heads_cycle[4] = {16, 4, 2, 1}; /* GQA 1, 4, 8 and MQA (16) */
static const int shapes[][2] = {{1, 1}, {17, 17}, {127, 300}, {300, 127}, {64, 520}, {200, 1000}, {1000, 1000}};
enum { NUM_SHAPES = sizeof shapes / sizeof shapes[0] };

typedef struct gpu_case {
    const struct variant_ref *var;
    fa_dtype dtype;
    int head_dim, batch, q_heads, kv_heads;
    bool varlen;
    int lens_q[MAX_BATCH], lens_k[MAX_BATCH], total_q, total_k, max_q, max_k;
    /* variant parameters (host copies for the reference) */
    int window, window_left, window_right, prefix, chunk;
    double cap;
    double slopes[Q_HEADS], sinks[Q_HEADS];
    int *doc; /* [batch, max_k] */
    bool no_workspace; /* a decode run unsplit (no workspace given) */
    /* data */
    double *q, *k, *v, *ref_out, *ref_lse;
    fadsl_param params[4];
    int num_params;
    void *dq, *dk, *dv, *d_o, *dlse, *dcu_q, *dcu_k, *dtensor, *dws;
    size_t ws_size;
} gpu_case;

/* The reference meaning of each standard-library variant. */
typedef struct variant_ref {
    const char *name;
    bool (*visible)(void *ud, int b, int h, int q, int k);
    double (*score)(void *ud, int b, int h, int q, int k, double s);
    bool learned_sinks;
    void (*setup)(gpu_case *c); /* parameters and their fadsl_param entries */
} variant_ref;

static bool vis_all(void *ud, int b, int h, int q, int k) { return true; }
static bool vis_causal(void *ud, int b, int h, int q, int k) { return k <= q; }
static bool vis_window(void *ud, int b, int h, int q, int k)
{
    const gpu_case *c = ud;
    return k >= q - c->window_left && k <= q + c->window_right;
}
static bool vis_sink_window(void *ud, int b, int h, int q, int k)
{
    const gpu_case *c = ud;
    return k <= q && (q - k < c->window || k < 4);
}
/* The sink counts of the two source variants below (the Hopper template computes a sink
 * tile 32 and 64 keys wide for them). */
static bool vis_sinks24(void *ud, int b, int h, int q, int k)
{
    const gpu_case *c = ud;
    return k <= q && (q - k < c->window || k < 24);
}
static bool vis_sinks40(void *ud, int b, int h, int q, int k)
{
    const gpu_case *c = ud;
    return k <= q && (q - k < c->window || k < 40);
}
static bool vis_head3_sinks150(void *ud, int b, int h, int q, int k) { return fa_test_head3_sinks150_visible(q, k); }
static bool vis_causal_window(void *ud, int b, int h, int q, int k)
{
    const gpu_case *c = ud;
    return k <= q && q - k < c->window;
}
static bool same_document(const gpu_case *c, int b, int q, int k)
{
    return c->doc[b * c->max_k + q] == c->doc[b * c->max_k + k];
}
static bool vis_document(void *ud, int b, int h, int q, int k)
{
    return k <= q && same_document(ud, b, q, k);
}
static bool vis_document_sinks24(void *ud, int b, int h, int q, int k)
{
    return k <= q && (same_document(ud, b, q, k) || k < 24);
}
static bool vis_other_documents(void *ud, int b, int h, int q, int k)
{
    return k <= q && !same_document(ud, b, q, k);
}
static bool vis_prefix(void *ud, int b, int h, int q, int k)
{
    const gpu_case *c = ud;
    return k <= q || k < c->prefix;
}
static bool vis_chunked(void *ud, int b, int h, int q, int k)
{
    const gpu_case *c = ud;
    return k <= q && k / c->chunk == q / c->chunk;
}
static double score_alibi(void *ud, int b, int h, int q, int k, double s)
{
    const gpu_case *c = ud;
    return s - c->slopes[h] * (q - k);
}
static double score_softcap(void *ud, int b, int h, int q, int k, double s)
{
    const gpu_case *c = ud;
    return c->cap * tanh(s / c->cap);
}

static double rnd(void) { return (double)rand() / RAND_MAX * 2.0 - 1.0; }

static void add_scalar(gpu_case *c, const char *name, double v)
{
    c->params[c->num_params++] = (fadsl_param){.name = name, .value = v};
}

/* Uploads a per-head f32 tensor parameter. */
static void add_head_tensor(gpu_case *c, const char *name, const double *vals)
{
    float f[Q_HEADS];
    for (int i = 0; i < Q_HEADS; i++)
        f[i] = (float)vals[i];
    CU_ASSERT_EQUAL_FATAL(fadsl_device_alloc(&c->dtensor, sizeof f), FADSL_OK);
    CU_ASSERT_EQUAL_FATAL(fadsl_copy_to_device(c->dtensor, f, sizeof f), FADSL_OK);
    c->params[c->num_params++] = (fadsl_param){.name = name, .tensor = c->dtensor};
}

static void setup_none(gpu_case *c) {}
static void setup_window(gpu_case *c)
{
    c->window_left = 1 + rand() % 200;
    c->window_right = rand() % 2 ? 0 : rand() % 50;
    add_scalar(c, "window_left", c->window_left);
    add_scalar(c, "window_right", c->window_right);
}
static void setup_alibi(gpu_case *c)
{
    for (int h = 0; h < Q_HEADS; h++)
        c->slopes[h] = pow(2.0, -8.0 * (h + 1) / Q_HEADS);
    add_head_tensor(c, "slopes", c->slopes);
}
static void setup_sink_window(gpu_case *c)
{
    c->window = 1 + rand() % 150;
    add_scalar(c, "window", c->window);
}
static void setup_softcap(gpu_case *c)
{
    c->cap = 5.0 + rand() % 30;
    add_scalar(c, "cap", c->cap);
}
static void setup_gpt_oss(gpu_case *c)
{
    c->window = 1 + rand() % 150;
    add_scalar(c, "window", c->window);
    for (int h = 0; h < Q_HEADS; h++)
        c->sinks[h] = rnd() * 3.0;
    add_head_tensor(c, "sinks", c->sinks);
}
static void setup_document(gpu_case *c)
{
    /* documents of about 8, 40 or 400 tokens: tiles of other documents skipped, tiles inside
     * one document FULL (the forward kernels' tile scan) */
    static const int mean_len[] = {8, 40, 400};
    const int mean = mean_len[rand() % 3];
    c->doc = calloc((size_t)c->batch * (size_t)c->max_k, sizeof(int));
    for (int b = 0; b < c->batch; b++) {
        int d = 0;
        for (int i = 0; i < c->max_k; i++) {
            if (rand() % mean == 0)
                d++;
            c->doc[b * c->max_k + i] = d;
        }
    }
    size_t bytes = (size_t)c->batch * (size_t)c->max_k * sizeof(int);
    CU_ASSERT_EQUAL_FATAL(fadsl_device_alloc(&c->dtensor, bytes), FADSL_OK);
    CU_ASSERT_EQUAL_FATAL(fadsl_copy_to_device(c->dtensor, c->doc, bytes), FADSL_OK);
    c->params[c->num_params++] = (fadsl_param){.name = "doc", .tensor = c->dtensor};
}
static void setup_prefix(gpu_case *c)
{
    c->prefix = rand() % 100;
    add_scalar(c, "prefix", c->prefix);
}
static void setup_chunked(gpu_case *c)
{
    c->chunk = 1 + rand() % 128;
    add_scalar(c, "chunk", c->chunk);
}

static const variant_ref variant_refs[] = {
    {"none", vis_all, NULL, false, setup_none},
    {"causal", vis_causal, NULL, false, setup_none},
    {"sliding_window", vis_window, NULL, false, setup_window},
    {"causal_alibi", vis_causal, score_alibi, false, setup_alibi},
    {"sink_window", vis_sink_window, NULL, false, setup_sink_window},
    {"softcap", vis_causal, score_softcap, false, setup_softcap},
    {"gpt_oss", vis_causal_window, NULL, true, setup_gpt_oss},
    {"document", vis_document, NULL, false, setup_document},
    /* a scanning kernel whose first visit is a sink tile */
    {"variant docsinks { param doc : i32[batch, kv_len]; sink 24; mask = k <= q && doc[b, k] == doc[b, q]; }",
     vis_document_sinks24, NULL, false, setup_document},
    /* earlier documents only: the diagonal tile a scanning CTA visits first is often EMPTY */
    {"variant otherdocs { param doc : i32[batch, kv_len]; mask = k <= q && doc[b, k] != doc[b, q]; }",
     vis_other_documents, NULL, false, setup_document},
    {"prefix_lm", vis_prefix, NULL, false, setup_prefix},
    {"chunked_local", vis_chunked, NULL, false, setup_chunked},
    {"variant sinks24 { param window : i32; sink 24; mask = k <= q && q - k < window; }", vis_sinks24, NULL, false,
     setup_sink_window},
    {"variant sinks40 { param window : i32; sink 40; mask = k <= q && q - k < window; }", vis_sinks40, NULL, false,
     setup_sink_window},
    {FA_TEST_HEAD3_SINKS150, vis_head3_sinks150, NULL, false, setup_none},
};
enum { NUM_VARIANTS = sizeof variant_refs / sizeof variant_refs[0] };

/* Random inputs rounded to the element type, kept as doubles for the reference. */
static double *random_elems(size_t n, fa_dtype t, uint16_t **dev_copy)
{
    double *d = malloc(n * sizeof(double));
    uint16_t *h = malloc(n * sizeof(uint16_t));
    for (size_t i = 0; i < n; i++) {
        float f = (float)rnd();
        h[i] = t == FA_DTYPE_BF16 ? to_bf16(f) : to_fp16(f);
        d[i] = t == FA_DTYPE_BF16 ? from_bf16(h[i]) : from_fp16(h[i]);
    }
    *dev_copy = h;
    return d;
}

/* Case `index` of a test: shape sh (q_len, kv_len of the first sequence; varlen's others
 * scaled from them). */
static void build_case(gpu_case *c, int index, const int *sh, const variant_ref *var, fa_dtype t, int hd, bool varlen)
{
    memset(c, 0, sizeof *c);
    c->var = var;
    c->dtype = t;
    c->head_dim = hd;
    c->varlen = varlen;
    c->q_heads = Q_HEADS;
    c->kv_heads = kv_heads_cycle[index % 4];
    /* A document mask indexes doc[b, q]: keep every query position inside the sequence. */
    int lq = sh[0], lk = sh[1];
    if (var->setup == setup_document && lq > lk)
        lq = lk;
    c->batch = varlen ? 3 : 2;
    for (int b = 0; b < c->batch; b++) {
        c->lens_q[b] = varlen && b > 0 ? 1 + (lq * (b + 1)) / 4 : lq;
        c->lens_k[b] = varlen && b > 0 ? 1 + (lk * (b + 2)) / 5 : lk;
        if (var->setup == setup_document && c->lens_q[b] > c->lens_k[b])
            c->lens_q[b] = c->lens_k[b];
        c->total_q += c->lens_q[b];
        c->total_k += c->lens_k[b];
        c->max_q = c->lens_q[b] > c->max_q ? c->lens_q[b] : c->max_q;
        c->max_k = c->lens_k[b] > c->max_k ? c->lens_k[b] : c->max_k;
    }
    var->setup(c);
    size_t nq = (size_t)c->total_q * Q_HEADS * (size_t)hd, nk = (size_t)c->total_k * (size_t)c->kv_heads * (size_t)hd;
    uint16_t *hq, *hk, *hv;
    c->q = random_elems(nq, t, &hq);
    c->k = random_elems(nk, t, &hk);
    c->v = random_elems(nk, t, &hv);
    c->dq = fa_rt_upload(hq, nq * 2);
    c->dk = fa_rt_upload(hk, nk * 2);
    c->dv = fa_rt_upload(hv, nk * 2);
    free(hq);
    free(hk);
    free(hv);
    CU_ASSERT_EQUAL_FATAL(fadsl_device_alloc(&c->d_o, nq * 2), FADSL_OK);
    CU_ASSERT_EQUAL_FATAL(fadsl_device_alloc(&c->dlse, (size_t)c->total_q * Q_HEADS * 4), FADSL_OK);
    if (varlen) {
        int cu_q[MAX_BATCH + 1] = {0}, cu_k[MAX_BATCH + 1] = {0};
        for (int b = 0; b < c->batch; b++) {
            cu_q[b + 1] = cu_q[b] + c->lens_q[b];
            cu_k[b + 1] = cu_k[b] + c->lens_k[b];
        }
        c->dcu_q = fa_rt_upload(cu_q, sizeof cu_q);
        c->dcu_k = fa_rt_upload(cu_k, sizeof cu_k);
    }
}

static void describe(const gpu_case *c, char *buf, size_t n)
{
    snprintf(buf, n, "%s %s hd%d %s heads %d/%d lens q=%d,%d,%d k=%d,%d,%d", c->var->name, fa_dtype_name(c->dtype),
             c->head_dim, c->varlen ? "varlen" : "dense", c->q_heads, c->kv_heads, c->lens_q[0], c->lens_q[1],
             c->lens_q[2], c->lens_k[0], c->lens_k[1], c->lens_k[2]);
}

static void fill_desc(const gpu_case *c, fadsl_fwd_desc *d)
{
    memset(d, 0, sizeof *d);
    d->variant = c->var->name;
    d->dtype = c->dtype;
    d->q = c->dq;
    d->k = c->dk;
    d->v = c->dv;
    d->o = c->d_o;
    d->lse = c->dlse;
    d->batch = c->batch;
    d->seqlen_q = c->lens_q[0];
    d->seqlen_k = c->lens_k[0];
    d->q_heads = c->q_heads;
    d->kv_heads = c->kv_heads;
    d->head_dim = c->head_dim;
    if (c->varlen) {
        d->cu_seqlens_q = c->dcu_q;
        d->cu_seqlens_k = c->dcu_k;
        d->max_seqlen_q = c->max_q;
        d->max_seqlen_k = c->max_k;
    }
    d->params = c->params;
    d->num_params = c->num_params;
    d->workspace = c->dws;
    d->workspace_size = c->ws_size;
}

/* Whether the runtime must send case c (of either test) to the decode template
 * (fart_dense_decode's rule: query rows a KV head up to 256 at d64, 96 at d96, 128 at d128,
 * 64 at d192/d256; not more query tokens than keys unless packed). */
static bool expect_decode(const gpu_case *c)
{
    int tokens = c->varlen ? c->max_q : c->lens_q[0], rows = tokens * (c->q_heads / c->kv_heads);
    int d = c->head_dim, limit = d == 64 ? 256 : d == 96 ? 96 : d == 128 ? 128 : 64;
    return (c->varlen || tokens <= c->lens_k[0]) && rows <= limit;
}

static void *run_reference(void *arg)
{
    gpu_case *c = arg;
    size_t nq = (size_t)c->total_q * Q_HEADS * (size_t)c->head_dim;
    c->ref_out = malloc(nq * sizeof(double));
    c->ref_lse = malloc((size_t)c->total_q * Q_HEADS * sizeof(double));
    fa_ref_problem p = {.batch = c->batch, .q_heads = c->q_heads, .kv_heads = c->kv_heads,
                        .head_dim = c->head_dim, .seqlens_q = c->lens_q, .seqlens_k = c->lens_k,
                        .q = c->q, .k = c->k, .v = c->v, .visible = c->var->visible, .score = c->var->score,
                        .ud = c, .sink_logit = c->var->learned_sinks ? c->sinks : NULL,
                        .out = c->ref_out, .lse = c->ref_lse};
    fa_ref_attention(&p);
    return NULL;
}

/* Worst errors seen per variant and dtype, printed as the run's summary. */
typedef struct worst_err {
    double rel, lse;
    int cases;
} worst_err;
static worst_err worst[16][2];

/* Compares one case's device results with its reference; returns true when within bounds. */
static bool check_case(gpu_case *c, worst_err *w)
{
    size_t nq = (size_t)c->total_q * Q_HEADS * (size_t)c->head_dim, nl = (size_t)c->total_q * Q_HEADS;
    uint16_t *o = malloc(nq * 2);
    float *lse = malloc(nl * 4);
    CU_ASSERT_EQUAL_FATAL(fadsl_copy_to_host(o, c->d_o, nq * 2), FADSL_OK);
    CU_ASSERT_EQUAL_FATAL(fadsl_copy_to_host(lse, c->dlse, nl * 4), FADSL_OK);
    double num = 0, den = 0, lse_err = 0;
    size_t unwritten = 0, lse_bad = 0;
    for (size_t i = 0; i < nq; i++) {
        double x = c->dtype == FA_DTYPE_BF16 ? from_bf16(o[i]) : from_fp16(o[i]);
        if (!isfinite(x)) {
            unwritten++;
            continue;
        }
        num += (x - c->ref_out[i]) * (x - c->ref_out[i]);
        den += c->ref_out[i] * c->ref_out[i];
    }
    /* Device LSE is [heads, total_q] (varlen) or [batch, heads, seqlen_q]; reference [total_q, heads]. */
    int row0 = 0;
    for (int b = 0; b < c->batch; b++) {
        for (int i = 0; i < c->lens_q[b]; i++)
            for (int h = 0; h < Q_HEADS; h++) {
                size_t dev = c->varlen ? (size_t)h * c->total_q + row0 + i
                                       : ((size_t)b * Q_HEADS + h) * c->lens_q[0] + i;
                double r = c->ref_lse[(size_t)(row0 + i) * Q_HEADS + h], x = lse[dev];
                if (isinf(r) || isinf(x)) {
                    lse_bad += !(isinf(r) && isinf(x) && r < 0 && x < 0);
                } else if (isnan(x)) {
                    lse_bad++;
                } else if (fa_lse_error(x, r) > lse_err) {
                    lse_err = fa_lse_error(x, r);
                }
            }
        row0 += c->lens_q[b];
    }
    double rel = den > 0 ? sqrt(num / den) : sqrt(num);
    double tol = c->dtype == FA_DTYPE_BF16 ? 1e-2 : 5e-3;
    bool ok = unwritten == 0 && lse_bad == 0 && rel < tol && lse_err < FA_LSE_TOL;
    w->rel = rel > w->rel ? rel : w->rel;
    w->lse = lse_err > w->lse ? lse_err : w->lse;
    w->cases++;
    if (!ok) {
        char d[256];
        describe(c, d, sizeof d);
        printf("\n  FAIL %s: rel err %.3e (tol %.0e), lse err %.3e, unwritten %zu, bad lse %zu", d, rel, tol, lse_err,
               unwritten, lse_bad);
    }
    free(o);
    free(lse);
    return ok;
}

static void free_case(gpu_case *c)
{
    void *dev[] = {c->dq, c->dk, c->dv, c->d_o, c->dlse, c->dcu_q, c->dcu_k, c->dtensor, c->dws};
    for (size_t i = 0; i < sizeof dev / sizeof dev[0]; i++)
        if (dev[i])
            fadsl_device_free(dev[i]);
    free(c->q);
    free(c->k);
    free(c->v);
    free(c->ref_out);
    free(c->ref_lse);
    free(c->doc);
}

/* Runs the given cases: references on CPU threads while the kernels compile (prewarm),
 * then one poisoned launch each, checked. */
static void run_cases(gpu_case *cases, int n)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int width = cpus > 1 ? (int)cpus : 1;
    fadsl_prewarm_item *items = calloc((size_t)n, sizeof *items);
    int decodes = 0, splits = 0;
    memset(worst, 0, sizeof worst);
    for (int i = 0; i < n; i++) {
        fadsl_fwd_desc d;
        fill_desc(&cases[i], &d);
        items[i].variant = cases[i].var->name;
        CU_ASSERT_EQUAL_FATAL(fadsl_make_key(&d, &items[i].key), FADSL_OK);
        CU_ASSERT_EQUAL(items[i].key.decode, expect_decode(&cases[i]));
        decodes += items[i].key.decode;
        if (!cases[i].no_workspace) { /* the split-KV scratch a decode asks for (0 otherwise) */
            CU_ASSERT_EQUAL_FATAL(fadsl_workspace_size(&d, &cases[i].ws_size), FADSL_OK);
            if (cases[i].ws_size)
                CU_ASSERT_EQUAL_FATAL(fadsl_device_alloc(&cases[i].dws, cases[i].ws_size), FADSL_OK);
            splits += cases[i].ws_size > 0;
        }
    }
    fadsl_prewarm *pw = NULL;
    CU_ASSERT_EQUAL_FATAL(fadsl_prewarm_start(items, n, width, &pw), FADSL_OK);
    for (int i = 0; i < n; i += width) {
        pthread_t th[256];
        int m = n - i < width ? n - i : width;
        m = m > 256 ? 256 : m;
        for (int j = 0; j < m; j++)
            pthread_create(&th[j], NULL, run_reference, &cases[i + j]);
        for (int j = 0; j < m; j++)
            pthread_join(th[j], NULL);
    }
    int failed_compiles = 0;
    CU_ASSERT_EQUAL(fadsl_prewarm_wait(pw, &failed_compiles), FADSL_OK);
    CU_ASSERT_EQUAL(failed_compiles, 0);
    int bad = 0;
    for (int i = 0; i < n; i++) {
        gpu_case *c = &cases[i];
        fadsl_fwd_desc d;
        fill_desc(c, &d);
        size_t nq = (size_t)c->total_q * Q_HEADS * (size_t)c->head_dim;
        CU_ASSERT_EQUAL_FATAL(fadsl_device_memset(c->d_o, 0xff, nq * 2), FADSL_OK); /* NaN */
        CU_ASSERT_EQUAL_FATAL(fadsl_device_memset(c->dlse, 0xff, (size_t)c->total_q * Q_HEADS * 4), FADSL_OK);
        fadsl_status s = fadsl_forward(&d, NULL);
        if (s != FADSL_OK) {
            printf("\n  forward failed: %s", fadsl_last_error());
            bad++;
            continue;
        }
        CU_ASSERT_EQUAL_FATAL(fadsl_stream_sync(NULL), FADSL_OK);
        bad += !check_case(c, &worst[c->var - variant_refs][c->dtype == FA_DTYPE_FP16]);
    }
    printf("\n  %-16s %6s %10s %10s %6s\n", "variant", "dtype", "max rel", "max lse", "cases");
    for (int v = 0; v < NUM_VARIANTS; v++)
        for (int t = 0; t < 2; t++)
            if (worst[v][t].cases)
                printf("  %-16.40s %6s %10.2e %10.2e %6d\n", variant_refs[v].name, t ? "fp16" : "bf16", worst[v][t].rel,
                       worst[v][t].lse, worst[v][t].cases);
    printf("  %d of %d cases within bounds (%d on the dense decode template, %d given a split-KV workspace)\n",
           n - bad, n, decodes, splits);
    CU_ASSERT_EQUAL(bad, 0);
    for (int i = 0; i < n; i++)
        free_case(&cases[i]);
    free(items);
}

/* Every variant x dtype x head dim x {dense, varlen}, case i of shape sh[i / shape_div %
 * n_shapes], every unsplit_every-th case (0: none) without a workspace. FA_GPU_TEST_STRIDE=N
 * keeps every N-th case (a representative subset for compute-sanitizer runs);
 * FA_GPU_TEST_VARIANT=name keeps the variants whose name starts with it. */
static void run_grid(unsigned seed, const int (*sh)[2], int n_shapes, int shape_div, int unsplit_every)
{
    srand(seed);
    const char *env = getenv("FA_GPU_TEST_STRIDE"), *only = getenv("FA_GPU_TEST_VARIANT");
    int stride = env && atoi(env) > 0 ? atoi(env) : 1;
    int total = NUM_VARIANTS * 2 * NUM_HEAD_DIMS * 2, i = 0, n = 0;
    gpu_case *cases = calloc((size_t)total, sizeof *cases);
    for (int v = 0; v < NUM_VARIANTS; v++)
        for (int t = 0; t < 2; t++)
            for (int hd = 0; hd < NUM_HEAD_DIMS; hd++)
                for (int vl = 0; vl < 2; vl++, i++)
                    if (i % stride == 0 && (!only || !strncmp(variant_refs[v].name, only, strlen(only)))) {
                        gpu_case *c = &cases[n++];
                        build_case(c, i, sh[i / shape_div % n_shapes], &variant_refs[v],
                                   t ? FA_DTYPE_FP16 : FA_DTYPE_BF16, head_dims[hd], vl);
                        c->no_workspace = unsplit_every && i % unsplit_every == 0;
                    }
    run_cases(cases, n);
    free(cases);
}

static void test_all_variants(void)
{
    run_grid(1234, shapes, NUM_SHAPES, 1, 0);
}

/* Decode-sized requests (1, 2 or 5 query tokens; 1 to 5000 keys, exact tile multiples
 * among them; packed sequences with fewer keys than queries), the GQA cycle; every third
 * case without a workspace (unsplit). */
static void test_dense_decode(void)
{
    static const int decode_shapes[][2] = {{1, 1}, {1, 77}, {2, 640}, {5, 1000}, {1, 5000}, {5, 3}, {1, 4096}};
    run_grid(4321, decode_shapes, sizeof decode_shapes / sizeof decode_shapes[0], 4, 3);
}

void fa_suite_gpu_fwd(void)
{
    if (fadsl_device_init(0, NULL) != FADSL_OK) {
        printf("gpu_fwd: skipped, no GPU (%s)\n", fadsl_last_error());
        return;
    }
    static const CU_TestInfo tests[] = {
        {"all_variants", test_all_variants}, {"dense_decode", test_dense_decode}, CU_TEST_INFO_NULL};
    fa_test_add_suite("gpu_fwd", tests);
}
