/* test_rt_gpu.c - the runtime on a GPU: device helpers, a causal GQA forward (dense and
 * varlen) against the float64 reference, the memory-cache hit of a second launch, forwards
 * and merges in contexts destroyed and re-created, fadsl_device_init of another device than
 * the current context's. Without a GPU the suite is not registered
 * ("skipped: no GPU"). */
#include "fadsl.h"
#include "ref.h"
#include "rt_test.h"
#include "testutil.h"

#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static void test_helpers(void)
{
    enum { N = 4096 };
    unsigned char host[N], back[N];
    for (int i = 0; i < N; i++)
        host[i] = (unsigned char)(i * 7);
    void *d = NULL;
    CU_ASSERT_EQUAL_FATAL(fadsl_device_alloc(&d, N), FADSL_OK);
    CU_ASSERT_EQUAL(fadsl_copy_to_device(d, host, N), FADSL_OK);
    CU_ASSERT_EQUAL(fadsl_copy_to_host(back, d, N), FADSL_OK);
    CU_ASSERT_EQUAL(memcmp(host, back, N), 0);
    CU_ASSERT_EQUAL(fadsl_device_memset(d, 0xab, N), FADSL_OK);
    CU_ASSERT_EQUAL(fadsl_copy_to_host(back, d, N), FADSL_OK);
    CU_ASSERT_EQUAL(back[N - 1], 0xab);
    void *e0, *e1;
    float ms = -1;
    CU_ASSERT_EQUAL(fadsl_event_create(&e0), FADSL_OK);
    CU_ASSERT_EQUAL(fadsl_event_create(&e1), FADSL_OK);
    CU_ASSERT_EQUAL(fadsl_event_record(e0, NULL), FADSL_OK);
    CU_ASSERT_EQUAL(fadsl_event_record(e1, NULL), FADSL_OK);
    CU_ASSERT_EQUAL(fadsl_event_elapsed_ms(e0, e1, &ms), FADSL_OK);
    CU_ASSERT_TRUE(ms >= 0);
    fadsl_event_destroy(e0);
    fadsl_event_destroy(e1);
    CU_ASSERT_EQUAL(fadsl_device_free(d), FADSL_OK);
}

/* Uploads n random bf16 values (kept, rounded, in *ref) and returns the device copy. */
static void *upload_random(size_t n, double **ref, unsigned *seed)
{
    uint16_t *h = malloc(n * 2);
    *ref = malloc(n * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        *seed = *seed * 1664525u + 1013904223u;
        h[i] = fa_ref_to_bf16(((double)(*seed >> 8) / (1 << 24)) * 2 - 1);
        (*ref)[i] = fa_ref_from_bf16(h[i]);
    }
    void *d = NULL;
    CU_ASSERT_EQUAL(fadsl_device_alloc(&d, n * 2), FADSL_OK);
    CU_ASSERT_EQUAL(fadsl_copy_to_device(d, h, n * 2), FADSL_OK);
    free(h);
    return d;
}

/* A causal GQA forward (dense, or varlen with lens_q/lens_k) compared to the reference. */
static void run_causal(int batch, const int *lens_q, const int *lens_k, int seqlen_q, int seqlen_k)
{
    enum { HQ = 8, HK = 2, D = 128 };
    int total_q = 0, total_k = 0, max_q = 0, max_k = 0;
    int cu_q[16] = {0}, cu_k[16] = {0};
    for (int b = 0; b < batch; b++) {
        int lq = lens_q ? lens_q[b] : seqlen_q, lk = lens_k ? lens_k[b] : seqlen_k;
        cu_q[b + 1] = total_q += lq;
        cu_k[b + 1] = total_k += lk;
        max_q = lq > max_q ? lq : max_q;
        max_k = lk > max_k ? lk : max_k;
    }
    unsigned seed = 1234;
    double *q, *k, *v;
    void *dq = upload_random((size_t)total_q * HQ * D, &q, &seed);
    void *dk = upload_random((size_t)total_k * HK * D, &k, &seed);
    void *dv = upload_random((size_t)total_k * HK * D, &v, &seed);
    size_t on = (size_t)total_q * HQ * D;
    void *dout = NULL, *dcu = NULL;
    CU_ASSERT_EQUAL(fadsl_device_alloc(&dout, on * 2), FADSL_OK);
    CU_ASSERT_EQUAL(fadsl_device_memset(dout, 0xff, on * 2), FADSL_OK);   /* NaN poison */
    CU_ASSERT_EQUAL(fadsl_device_alloc(&dcu, sizeof cu_q + sizeof cu_k), FADSL_OK);
    CU_ASSERT_EQUAL(fadsl_copy_to_device(dcu, cu_q, sizeof cu_q), FADSL_OK);
    CU_ASSERT_EQUAL(fadsl_copy_to_device((char *)dcu + sizeof cu_q, cu_k, sizeof cu_k), FADSL_OK);

    fadsl_fwd_desc d = {.variant = "causal", .dtype = FA_DTYPE_BF16, .q = dq, .k = dk, .v = dv, .o = dout,
                        .batch = batch, .seqlen_q = seqlen_q, .seqlen_k = seqlen_k, .q_heads = HQ,
                        .kv_heads = HK, .head_dim = D};
    if (lens_q) {
        d.cu_seqlens_q = dcu;
        d.cu_seqlens_k = (const int *)((char *)dcu + sizeof cu_q);
        d.max_seqlen_q = max_q;
        d.max_seqlen_k = max_k;
    }
    fadsl_status s = fadsl_forward(&d, NULL);
    if (s)
        printf("\n  %s: %s\n", fadsl_status_name(s), fadsl_last_error());
    CU_ASSERT_EQUAL_FATAL(s, FADSL_OK);
    CU_ASSERT_EQUAL(fadsl_stream_sync(NULL), FADSL_OK);
    fadsl_cache_stats c0, c1;
    fadsl_cache_stats_get(&c0);
    CU_ASSERT_EQUAL(fadsl_forward(&d, NULL), FADSL_OK);   /* a memory hit: no compile */
    CU_ASSERT_EQUAL(fadsl_stream_sync(NULL), FADSL_OK);
    fadsl_cache_stats_get(&c1);
    CU_ASSERT_EQUAL(c1.compiles, c0.compiles);
    CU_ASSERT_EQUAL(c1.memory_hits, c0.memory_hits + 1);

    uint16_t *h = malloc(on * 2);
    double *got = malloc(on * sizeof(double)), *want = malloc(on * sizeof(double));
    CU_ASSERT_EQUAL(fadsl_copy_to_host(h, dout, on * 2), FADSL_OK);
    int nonfinite = 0;
    for (size_t i = 0; i < on; i++) {
        got[i] = fa_ref_from_bf16(h[i]);
        nonfinite += !isfinite(got[i]);
    }
    fa_ref_problem p = {.batch = batch, .q_heads = HQ, .kv_heads = HK, .head_dim = D, .seqlens_q = lens_q,
                        .seqlens_k = lens_k, .seqlen_q = seqlen_q, .seqlen_k = seqlen_k, .q = q, .k = k,
                        .v = v, .causal = true, .out = want};
    fa_ref_attention(&p);
    double err = fa_ref_rel_error(got, want, on);
    printf("(rel err %.2e) ", err);
    CU_ASSERT_EQUAL(nonfinite, 0);
    CU_ASSERT_TRUE(err < 1e-2);
    free(h), free(got), free(want), free(q), free(k), free(v);
    fadsl_device_free(dq), fadsl_device_free(dk), fadsl_device_free(dv), fadsl_device_free(dout),
        fadsl_device_free(dcu);
}

static void test_causal_gqa_dense(void)
{
    run_causal(2, NULL, NULL, 200, 333);
}

static void test_causal_gqa_varlen(void)
{
    int lq[3] = {1, 130, 64}, lk[3] = {77, 130, 300};
    run_causal(3, lq, lk, 0, 0);
}

/* fadsl_merge_states of two random bf16 states in the current context against its formula;
 * returns the relative error (1 on a failed call). */
static double merge_once(unsigned *seed)
{
    enum { B = 1, S = 3, H = 2, D = 64, N = B * S * H * D, ROWS = B * S * H };
    double *oa, *ob;
    void *da = upload_random(N, &oa, seed), *db = upload_random(N, &ob, seed), *dout = NULL, *dl = NULL;
    float la[ROWS], lb[ROWS];
    for (int r = 0; r < ROWS; r++) {
        *seed = *seed * 1664525u + 1013904223u;
        la[r] = (float)(*seed >> 8) / (1 << 24) * 8 - 4;
        lb[r] = (float)r - 2.5f;
    }
    CU_ASSERT_EQUAL(fadsl_device_alloc(&dout, N * 2), FADSL_OK);
    CU_ASSERT_EQUAL(fadsl_device_memset(dout, 0xff, N * 2), FADSL_OK);   /* NaN poison */
    CU_ASSERT_EQUAL(fadsl_device_alloc(&dl, sizeof la + sizeof lb), FADSL_OK);
    CU_ASSERT_EQUAL(fadsl_copy_to_device(dl, la, sizeof la), FADSL_OK);
    CU_ASSERT_EQUAL(fadsl_copy_to_device((char *)dl + sizeof la, lb, sizeof lb), FADSL_OK);
    fadsl_status s = fadsl_merge_states(FA_DTYPE_BF16, da, dl, db, (const float *)((char *)dl + sizeof la), dout,
                                        NULL, B, S, H, D, NULL);
    if (s)
        printf("\n  merge: %s: %s\n", fadsl_status_name(s), fadsl_last_error());
    uint16_t got[N];
    double gotd[N], want[N];
    double err = 1;
    if (!s && fadsl_stream_sync(NULL) == FADSL_OK && fadsl_copy_to_host(got, dout, sizeof got) == FADSL_OK) {
        /* out is [B, S, H, D], lse [B, H, S] */
        for (int i = 0; i < N; i++) {
            int h = i / D % H, t = i / D / H % S;
            double a = la[h * S + t], b = lb[h * S + t], m = a > b ? a : b;
            double wa = exp(a - m), wb = exp(b - m);
            want[i] = (wa * oa[i] + wb * ob[i]) / (wa + wb);
            gotd[i] = fa_ref_from_bf16(got[i]);
        }
        err = fa_ref_rel_error(gotd, want, N);
    }
    free(oa), free(ob);
    fadsl_device_free(da), fadsl_device_free(db), fadsl_device_free(dout), fadsl_device_free(dl);
    return err;
}

/* Runs body(ud, i, ctx) in `rounds` contexts of device 0, each created (and made current)
 * before it and destroyed after it, or with `keep` all destroyed at the end (so every
 * handle differs); the thread's context is restored. False, having said so, when libcuda
 * lacks the calls. */
static bool in_new_contexts(int rounds, bool keep, void (*body)(void *ud, int i, void *ctx), void *ud)
{
    typedef int (*create_fn)(void **ctx, unsigned flags, int dev);
    typedef int (*ctx_fn)(void *ctx);
    typedef int (*get_fn)(void **ctx);
    void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    create_fn create = lib ? (create_fn)dlsym(lib, "cuCtxCreate_v2") : NULL;
    ctx_fn destroy = lib ? (ctx_fn)dlsym(lib, "cuCtxDestroy_v2") : NULL;
    ctx_fn set = lib ? (ctx_fn)dlsym(lib, "cuCtxSetCurrent") : NULL;
    get_fn get = lib ? (get_fn)dlsym(lib, "cuCtxGetCurrent") : NULL;
    if (!create || !destroy || !set || !get) {
        printf("(skipped: libcuda lacks cuCtxCreate_v2) ");
        if (lib)
            dlclose(lib);
        return false;
    }
    void *primary = NULL, **kept = calloc((size_t)rounds, sizeof *kept);
    CU_ASSERT_EQUAL_FATAL(get(&primary), 0);
    for (int i = 0; i < rounds; i++) {
        void *ctx = NULL;
        CU_ASSERT_EQUAL_FATAL(create(&ctx, 0, 0), 0);
        body(ud, i, ctx);
        if (keep)
            kept[i] = ctx;
        else
            CU_ASSERT_EQUAL(destroy(ctx), 0);
    }
    for (int i = 0; i < rounds; i++)
        if (kept[i])
            CU_ASSERT_EQUAL(destroy(kept[i]), 0);
    free(kept);
    CU_ASSERT_EQUAL(set(primary), 0);
    dlclose(lib);
    return true;
}

/* Forwards in contexts created and destroyed one after another (the caller's current
 * context serves). The driver may give a new context a destroyed one's address; the
 * function loaded in the destroyed one must not be launched in it (the kernel cache keys
 * loaded functions by handle and cuCtxGetId). */
enum { FORWARD_ROUNDS = 4 };

typedef struct {
    void *seen[FORWARD_ROUNDS];
    int reused;   /* new contexts at a destroyed one's address */
} forward_rounds;

static void forward_round(void *ud, int i, void *ctx)
{
    forward_rounds *f = ud;
    for (int j = 0; j < i; j++)
        f->reused += f->seen[j] == ctx;
    f->seen[i] = ctx;
    run_causal(2, NULL, NULL, 200, 333);
}

static void test_recreated_contexts(void)
{
    forward_rounds f = {0};
    if (in_new_contexts(FORWARD_ROUNDS, false, forward_round, &f))
        printf("(%d of %d new contexts at a destroyed one's address) ", f.reused, FORWARD_ROUNDS - 1);
}

/* The merge kernel in more live contexts than the runtime once kept merge records for
 * (64, after which split decodes failed): each merge is right in its own context. */
typedef struct {
    unsigned seed;
    int failed;
    double worst;
} merge_rounds;

static void merge_round(void *ud, int i, void *ctx)
{
    (void)i, (void)ctx;
    merge_rounds *m = ud;
    double err = merge_once(&m->seed);
    m->failed += !(err < 1e-2);
    m->worst = err > m->worst ? err : m->worst;
}

static void test_merge_in_many_contexts(void)
{
    enum { ROUNDS = 72 };
    merge_rounds m = {.seed = 99};
    if (!in_new_contexts(ROUNDS, true, merge_round, &m))
        return;
    CU_ASSERT_EQUAL(m.failed, 0);
    printf("(%d contexts, worst rel err %.2e) ", ROUNDS, m.worst);
}

/* fadsl_device_init(1) with device 0's context current is refused and changes nothing
 * (needs two GPUs). */
static void test_device_init_other_device(void)
{
    typedef int (*count_fn)(int *n);
    typedef int (*get_fn)(void **ctx);
    void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    count_fn count = lib ? (count_fn)dlsym(lib, "cuDeviceGetCount") : NULL;
    get_fn get = lib ? (get_fn)dlsym(lib, "cuCtxGetCurrent") : NULL;
    int n = 0;
    if (!count || !get || count(&n) != 0 || n < 2) {
        printf("(skipped: one GPU) ");
        if (lib)
            dlclose(lib);
        return;
    }
    void *before = NULL, *after = NULL;
    CU_ASSERT_EQUAL_FATAL(fadsl_device_init(0, NULL), FADSL_OK);
    CU_ASSERT_EQUAL(get(&before), 0);
    fa_arch arch = FA_ARCH__COUNT;
    CU_ASSERT_EQUAL(fadsl_device_init(1, &arch), FADSL_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(fadsl_last_error(), "current CUDA context is on device 0"));
    CU_ASSERT_EQUAL(arch, FA_ARCH__COUNT);
    CU_ASSERT_EQUAL(get(&after), 0);
    CU_ASSERT_PTR_EQUAL(before, after);
    dlclose(lib);
}

void fa_suite_rt_gpu(void)
{
    fa_arch arch;
    if (fadsl_device_init(0, &arch) != FADSL_OK) {
        printf("rt_gpu: skipped: no GPU (%s)\n", fadsl_last_error());
        return;
    }
    static const CU_TestInfo tests[] = {{"helpers", test_helpers},
                                        {"causal_gqa_dense", test_causal_gqa_dense},
                                        {"causal_gqa_varlen", test_causal_gqa_varlen},
                                        {"recreated_contexts", test_recreated_contexts},
                                        {"merge_in_many_contexts", test_merge_in_many_contexts},
                                        {"device_init_other_device", test_device_init_other_device},
                                        CU_TEST_INFO_NULL};
    CU_SuiteInfo suites[] = {{"rt_gpu", NULL, NULL, fa_rt_setup, fa_rt_teardown, (CU_TestInfo *)tests},
                             CU_SUITE_INFO_NULL};
    CU_register_suites(suites);
}
