/* causal_gqa.c - causal attention with grouped-query heads (32 query heads over 8 KV
 * heads, head_dim 128, bf16) through the fadsl runtime, checked against the float64
 * reference and timed.
 *
 *   causal_gqa [seqlen] [batch]      (defaults 512 and 2)
 *
 * Without a GPU it compiles the kernel for sm_90a (fadsl_compile), says so and exits 0. */
#include "fadsl.h"

/* The float64 reference of the tests (tests/ref.c, linked into the examples). */
#include "ref.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

enum { Q_HEADS = 32, KV_HEADS = 8, HEAD_DIM = 128, ITERS = 20 };

#define CHECK(call)                                                                              \
    do {                                                                                         \
        fadsl_status s_ = (call);                                                                \
        if (s_ != FADSL_OK) {                                                                    \
            fprintf(stderr, "%s failed: %s: %s\n", #call, fadsl_status_name(s_), fadsl_last_error()); \
            exit(1);                                                                             \
        }                                                                                        \
    } while (0)

/* n random bf16 values in [-1, 1): device copy returned, rounded values in *host. */
static void *random_tensor(size_t n, double **host)
{
    uint16_t *bits = malloc(n * 2);
    *host = malloc(n * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        bits[i] = fa_ref_to_bf16((double)rand() / RAND_MAX * 2 - 1);
        (*host)[i] = fa_ref_from_bf16(bits[i]);
    }
    void *dev;
    CHECK(fadsl_device_alloc(&dev, n * 2));
    CHECK(fadsl_copy_to_device(dev, bits, n * 2));
    free(bits);
    return dev;
}

static int compile_only(const fadsl_fwd_desc *desc)
{
    fadsl_fwd_desc d = *desc;
    d.arch = "sm_90a";
    /* Any aligned addresses do for building the key: nothing is launched. */
    d.q = d.k = d.v = d.o = (void *)(uintptr_t)0x1000;
    fa_key key;
    fadsl_compile_info info;
    CHECK(fadsl_make_key(&d, &key));
    CHECK(fadsl_compile(d.variant, &key, &info));
    static const char *const origins[] = {"NVRTC", "the memory cache", "the disk cache"};
    printf("compiled %s: %zu-byte %s, from %s in %.2f s (%d threads, %d bytes of shared memory)\n",
           info.kernel_name, info.image_size, info.path == FADSL_PATH_PTX ? "PTX" : "cubin", origins[info.origin],
           info.seconds, info.threads, info.smem_bytes);
    return 0;
}

int main(int argc, char **argv)
{
    int seqlen = argc > 1 ? atoi(argv[1]) : 512, batch = argc > 2 ? atoi(argv[2]) : 2;
    fadsl_fwd_desc d = {.variant = "causal", .dtype = FA_DTYPE_BF16, .batch = batch, .seqlen_q = seqlen,
                        .seqlen_k = seqlen, .q_heads = Q_HEADS, .kv_heads = KV_HEADS, .head_dim = HEAD_DIM};
    fa_arch arch;
    fadsl_status s = fadsl_device_init(0, &arch);
    if (s == FADSL_ERR_NO_DRIVER) {
        printf("no GPU here (%s): compiling the kernel for sm_90a only\n", fadsl_last_error());
        return compile_only(&d);
    }
    CHECK(s);
    printf("device arch %s; batch %d, seqlen %d, %d/%d heads, head_dim %d, bf16, causal\n", fa_arch_name(arch),
           batch, seqlen, Q_HEADS, KV_HEADS, HEAD_DIM);

    size_t nq = (size_t)batch * seqlen * Q_HEADS * HEAD_DIM, nk = (size_t)batch * seqlen * KV_HEADS * HEAD_DIM;
    double *q, *k, *v;
    d.q = random_tensor(nq, &q);
    d.k = random_tensor(nk, &k);
    d.v = random_tensor(nk, &v);
    CHECK(fadsl_device_alloc(&d.o, nq * 2));
    CHECK(fadsl_device_alloc((void **)&d.lse, (size_t)batch * Q_HEADS * seqlen * 4));
    CHECK(fadsl_forward(&d, NULL));   /* the first call compiles (or loads from the disk cache) */
    CHECK(fadsl_stream_sync(NULL));

    uint16_t *obits = malloc(nq * 2);
    float *lse = malloc((size_t)batch * Q_HEADS * seqlen * 4);
    double *out = malloc(nq * sizeof(double)), *ref = malloc(nq * sizeof(double));
    double *ref_lse = malloc((size_t)batch * seqlen * Q_HEADS * sizeof(double));
    CHECK(fadsl_copy_to_host(obits, d.o, nq * 2));
    CHECK(fadsl_copy_to_host(lse, d.lse, (size_t)batch * Q_HEADS * seqlen * 4));
    for (size_t i = 0; i < nq; i++)
        out[i] = fa_ref_from_bf16(obits[i]);
    fa_ref_problem p = {.batch = batch, .q_heads = Q_HEADS, .kv_heads = KV_HEADS, .head_dim = HEAD_DIM,
                        .seqlen_q = seqlen, .seqlen_k = seqlen, .q = q, .k = k, .v = v, .causal = true,
                        .out = ref, .lse = ref_lse};
    fa_ref_attention(&p);
    /* The kernel's LSE is [batch, q_heads, seqlen]; the reference's [rows, q_heads]. */
    double lse_err = 0;
    for (int b = 0; b < batch; b++)
        for (int h = 0; h < Q_HEADS; h++)
            for (int i = 0; i < seqlen; i++) {
                double want = ref_lse[((size_t)b * seqlen + i) * Q_HEADS + h];
                double got = lse[((size_t)b * Q_HEADS + h) * seqlen + i];
                lse_err = fmax(lse_err, fabs(got - want));
            }
    double err = fa_ref_rel_error(out, ref, nq);
    printf("relative error %.3e (bf16 bound 1e-2), max |lse error| %.3e\n", err, lse_err);

    void *start, *end;
    CHECK(fadsl_event_create(&start));
    CHECK(fadsl_event_create(&end));
    CHECK(fadsl_event_record(start, NULL));
    for (int i = 0; i < ITERS; i++)
        CHECK(fadsl_forward(&d, NULL));
    CHECK(fadsl_event_record(end, NULL));
    float ms = 0;
    CHECK(fadsl_event_elapsed_ms(start, end, &ms));
    ms /= ITERS;
    double flops = 4.0 * batch * Q_HEADS * (double)seqlen * seqlen * HEAD_DIM / 2;   /* causal: half */
    printf("kernel time %.3f ms (mean of %d), %.1f TFLOP/s\n", ms, ITERS, flops / (ms * 1e-3) / 1e12);

    fadsl_event_destroy(start);
    fadsl_event_destroy(end);
    fadsl_device_free((void *)d.q);
    fadsl_device_free((void *)d.k);
    fadsl_device_free((void *)d.v);
    fadsl_device_free(d.o);
    fadsl_device_free(d.lse);
    free(q), free(k), free(v), free(obits), free(lse), free(out), free(ref), free(ref_lse);
    return err < 1e-2 ? 0 : 1;
}
