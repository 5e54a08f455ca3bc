/* test_rt_gpu.c - the runtime on a GPU: device helpers, a causal GQA forward (dense and
 * varlen) against the float64 reference, the memory-cache hit of a second launch, forwards
 * and merges in contexts destroyed and re-created, first launches racing in a new context,
 * fadsl_device_init of another device than the current context's. Without a GPU the suite
 * is not registered ("skipped: no GPU"). */
#include "fadsl.h"
#include "ref.h"
#include "rt_test.h"
#include "testutil.h"

#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
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

/* A causal GQA forward's problem: random bf16 inputs on the device (and rounded on the
 * host), the descriptor without its output. */
typedef struct causal_case {
    int batch, seqlen_q, seqlen_k;
    const int *lens_q, *lens_k;
    double *q, *k, *v;
    size_t out_elems;
    void *dq, *dk, *dv, *dcu;
    fadsl_fwd_desc d;
} causal_case;

enum { CAUSAL_HQ = 8, CAUSAL_HK = 2, CAUSAL_D = 128 };

/* Sets up c for batch sequences (varlen with lens_q/lens_k, else seqlen_q x seqlen_k). */
static void causal_setup(causal_case *c, int batch, const int *lens_q, const int *lens_k, int seqlen_q,
                         int seqlen_k)
{
    enum { HQ = CAUSAL_HQ, HK = CAUSAL_HK, D = CAUSAL_D };
    int total_q = 0, total_k = 0, max_q = 0, max_k = 0;
    int cu_q[16] = {0}, cu_k[16] = {0};
    for (int b = 0; b < batch; b++) {
        int lq = lens_q ? lens_q[b] : seqlen_q, lk = lens_k ? lens_k[b] : seqlen_k;
        cu_q[b + 1] = total_q += lq;
        cu_k[b + 1] = total_k += lk;
        max_q = lq > max_q ? lq : max_q;
        max_k = lk > max_k ? lk : max_k;
    }
    *c = (causal_case){.batch = batch, .seqlen_q = seqlen_q, .seqlen_k = seqlen_k, .lens_q = lens_q,
                       .lens_k = lens_k, .out_elems = (size_t)total_q * HQ * D};
    unsigned seed = 1234;
    c->dq = upload_random((size_t)total_q * HQ * D, &c->q, &seed);
    c->dk = upload_random((size_t)total_k * HK * D, &c->k, &seed);
    c->dv = upload_random((size_t)total_k * HK * D, &c->v, &seed);
    CU_ASSERT_EQUAL(fadsl_device_alloc(&c->dcu, sizeof cu_q + sizeof cu_k), FADSL_OK);
    CU_ASSERT_EQUAL(fadsl_copy_to_device(c->dcu, cu_q, sizeof cu_q), FADSL_OK);
    CU_ASSERT_EQUAL(fadsl_copy_to_device((char *)c->dcu + sizeof cu_q, cu_k, sizeof cu_k), FADSL_OK);
    c->d = (fadsl_fwd_desc){.variant = "causal", .dtype = FA_DTYPE_BF16, .q = c->dq, .k = c->dk, .v = c->dv,
                            .batch = batch, .seqlen_q = seqlen_q, .seqlen_k = seqlen_k, .q_heads = HQ,
                            .kv_heads = HK, .head_dim = D};
    if (lens_q) {
        c->d.cu_seqlens_q = c->dcu;
        c->d.cu_seqlens_k = (const int *)((char *)c->dcu + sizeof cu_q);
        c->d.max_seqlen_q = max_q;
        c->d.max_seqlen_k = max_k;
    }
}

/* A device output of c's size poisoned with NaN. */
static void *causal_output(const causal_case *c)
{
    void *dout = NULL;
    CU_ASSERT_EQUAL(fadsl_device_alloc(&dout, c->out_elems * 2), FADSL_OK);
    CU_ASSERT_EQUAL(fadsl_device_memset(dout, 0xff, c->out_elems * 2), FADSL_OK);
    return dout;
}

/* Asserts c's output dout finite and within the reference's bound; *bits (may be NULL) gets
 * a copy of its bf16 values (the caller frees it). */
static void causal_check(const causal_case *c, const void *dout, uint16_t **bits)
{
    size_t on = c->out_elems;
    uint16_t *h = malloc(on * 2);
    double *got = malloc(on * sizeof(double)), *want = malloc(on * sizeof(double));
    CU_ASSERT_EQUAL(fadsl_copy_to_host(h, dout, on * 2), FADSL_OK);
    int nonfinite = 0;
    for (size_t i = 0; i < on; i++) {
        got[i] = fa_ref_from_bf16(h[i]);
        nonfinite += !isfinite(got[i]);
    }
    fa_ref_problem p = {.batch = c->batch, .q_heads = CAUSAL_HQ, .kv_heads = CAUSAL_HK, .head_dim = CAUSAL_D,
                        .seqlens_q = c->lens_q, .seqlens_k = c->lens_k, .seqlen_q = c->seqlen_q,
                        .seqlen_k = c->seqlen_k, .q = c->q, .k = c->k, .v = c->v, .causal = true, .out = want};
    fa_ref_attention(&p);
    double err = fa_ref_rel_error(got, want, on);
    printf("(rel err %.2e) ", err);
    CU_ASSERT_EQUAL(nonfinite, 0);
    CU_ASSERT_TRUE(err < 1e-2);
    if (bits)
        *bits = h;
    else
        free(h);
    free(got), free(want);
}

static void causal_free(causal_case *c)
{
    free(c->q), free(c->k), free(c->v);
    fadsl_device_free(c->dq), fadsl_device_free(c->dk), fadsl_device_free(c->dv), fadsl_device_free(c->dcu);
}

/* A causal GQA forward (dense, or varlen with lens_q/lens_k) compared to the reference; a
 * second launch is a memory hit. */
static void run_causal(int batch, const int *lens_q, const int *lens_k, int seqlen_q, int seqlen_k)
{
    causal_case c;
    causal_setup(&c, batch, lens_q, lens_k, seqlen_q, seqlen_k);
    c.d.o = causal_output(&c);
    fadsl_status s = fadsl_forward(&c.d, NULL);
    if (s)
        printf("\n  %s: %s\n", fadsl_status_name(s), fadsl_last_error());
    CU_ASSERT_EQUAL_FATAL(s, FADSL_OK);
    CU_ASSERT_EQUAL(fadsl_stream_sync(NULL), FADSL_OK);
    fadsl_cache_stats c0, c1;
    fadsl_cache_stats_get(&c0);
    CU_ASSERT_EQUAL(fadsl_forward(&c.d, NULL), FADSL_OK);   /* a memory hit: no compile */
    CU_ASSERT_EQUAL(fadsl_stream_sync(NULL), FADSL_OK);
    fadsl_cache_stats_get(&c1);
    CU_ASSERT_EQUAL(c1.compiles, c0.compiles);
    CU_ASSERT_EQUAL(c1.memory_hits, c0.memory_hits + 1);
    causal_check(&c, c.d.o, NULL);
    fadsl_device_free(c.d.o);
    causal_free(&c);
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
    bool reused = false;
    for (int j = 0; j < i; j++)
        reused |= f->seen[j] == ctx;
    f->reused += reused;
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

/* First launches racing in a new context: RACERS threads launch one compiled forward there
 * at once, none finding the function loaded in it (each may load it; one record stays, the
 * other modules go), and every output is the reference's, the same bits in each. */
enum { RACERS = 8 };

typedef struct racer {
    int (*set_current)(void *ctx);
    void *ctx;
    pthread_barrier_t *start;
    fadsl_fwd_desc d;
    fadsl_status s;
} racer;

static void *race(void *p)
{
    racer *r = p;
    bool current = r->set_current(r->ctx) == 0;
    pthread_barrier_wait(r->start);
    r->s = !current ? FADSL_ERR_DRIVER : fadsl_forward(&r->d, NULL);
    if (!r->s)
        r->s = fadsl_stream_sync(NULL);
    return NULL;
}

static void race_round(void *ud, int i, void *ctx)
{
    (void)i;
    causal_case c;
    causal_setup(&c, 2, NULL, NULL, 200, 333);
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, RACERS);
    racer r[RACERS];
    pthread_t t[RACERS];
    for (int j = 0; j < RACERS; j++) {
        r[j] = (racer){.set_current = (int (*)(void *))ud, .ctx = ctx, .start = &start, .d = c.d};
        r[j].d.o = causal_output(&c);
    }
    for (int j = 0; j < RACERS; j++)
        CU_ASSERT_EQUAL_FATAL(pthread_create(&t[j], NULL, race, &r[j]), 0);
    for (int j = 0; j < RACERS; j++)
        pthread_join(t[j], NULL);
    pthread_barrier_destroy(&start);
    uint16_t *first = NULL, *other = NULL;
    for (int j = 0; j < RACERS; j++) {
        if (r[j].s)
            printf("\n  racer %d: %s\n", j, fadsl_status_name(r[j].s));
        CU_ASSERT_EQUAL(r[j].s, FADSL_OK);
        if (j == 0) {
            causal_check(&c, r[j].d.o, &first);
        } else {
            other = malloc(c.out_elems * 2);
            CU_ASSERT_EQUAL(fadsl_copy_to_host(other, r[j].d.o, c.out_elems * 2), FADSL_OK);
            CU_ASSERT_EQUAL(memcmp(first, other, c.out_elems * 2), 0);
            free(other);
        }
        fadsl_device_free(r[j].d.o);
    }
    free(first);
    causal_free(&c);
}

static void test_first_launches_race(void)
{
    void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    void *set_current = lib ? dlsym(lib, "cuCtxSetCurrent") : NULL;
    if (set_current)
        in_new_contexts(2, false, race_round, set_current);
    else
        printf("(skipped: libcuda lacks cuCtxSetCurrent) ");
    if (lib)
        dlclose(lib);
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
                                        {"first_launches_race", test_first_launches_race},
                                        {"device_init_other_device", test_device_init_other_device},
                                        CU_TEST_INFO_NULL};
    CU_SuiteInfo suites[] = {{"rt_gpu", NULL, NULL, fa_rt_setup, fa_rt_teardown, (CU_TestInfo *)tests},
                             CU_SUITE_INFO_NULL};
    CU_register_suites(suites);
}
