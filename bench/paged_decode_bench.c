/* paged_decode_bench.c - times fadsl paged decode (CUDA events, median of repeated
 * launches after warm-up) and prints GB/s of K+V bytes read. 32 query / 8 KV heads, d128,
 * unless a single row names others. Block tables are shuffled (BENCH_ORDERED_BLOCKS=1: each
 * sequence's blocks in order, one after another); BENCH_Q_TOKENS=N: N new tokens a sequence
 * (speculative decoding, chunks), the last N of its keys; BENCH_REPS=N: N timed launches
 * (default 30; more keep the GPU busy for power and clock readings).
 * Build (from the repo root, after building build-pd):
 *   gcc -O2 -std=c11 -Iruntime -Icompiler -Itemplates bench/paged_decode_bench.c \
 *       build-pd/libfadsl_static.a build-pd/libfadsl_compiler.a -L/usr/local/cuda/lib64 \
 *       -lnvrtc -ldl -lpthread -lm -Wl,-rpath,/usr/local/cuda/lib64 -o build-pd/paged_decode_bench
 */
#include "fadsl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { WARMUP = 5, DEFAULT_REPS = 30, FILL_CHUNK = 1 << 24 };
static int q_heads = 32, kv_heads = 8, head_dim = 128;

#define CHECK(x)                                                                                   \
    do {                                                                                           \
        fadsl_status s_ = (x);                                                                     \
        if (s_) {                                                                                  \
            fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #x, fadsl_last_error());      \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

static unsigned long long rng = 88172645463325252ull;
static unsigned next_rand(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (unsigned)rng;
}

/* Fills `bytes` of device memory with random finite values of the cache type. */
static void fill(void *dev, size_t bytes, bool fp8)
{
    static unsigned char *pat;
    if (!pat)
        pat = malloc(FILL_CHUNK);
    for (size_t i = 0; i < FILL_CHUNK; i += 2) {
        unsigned r = next_rand();
        if (fp8) {
            pat[i] = (unsigned char)((r & 0x37) | (r & 0x80)); /* |x| < 2, never NaN */
            pat[i + 1] = (unsigned char)(((r >> 8) & 0x37) | ((r >> 8) & 0x80));
        } else {
            unsigned short h = (unsigned short)((r & 0x8000) | 0x3e00 | (r & 0x7f)); /* bf16, |x| in [0.125, 0.25) */
            memcpy(pat + i, &h, 2);
        }
    }
    for (size_t off = 0; off < bytes; off += FILL_CHUNK)
        CHECK(fadsl_copy_to_device((char *)dev + off, pat, bytes - off < FILL_CHUNK ? bytes - off : FILL_CHUNK));
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* One configuration: returns the median microseconds and prints a row. */
static double run(int batch, int len, int bs, fa_paged_layout layout, fa_dtype kv)
{
    int es = fa_dtype_size(kv), blocks_per_seq = (len + bs - 1) / bs, num_blocks = batch * blocks_per_seq;
    size_t cache = (size_t)num_blocks * bs * kv_heads * head_dim * es;
    void *k, *v, *q, *o, *tab, *lens, *ws = NULL;
    CHECK(fadsl_device_alloc(&k, cache));
    CHECK(fadsl_device_alloc(&v, cache));
    fill(k, cache, es == 1);
    fill(v, cache, es == 1);
    const char *qt = getenv("BENCH_Q_TOKENS");
    int tokens = qt && atoi(qt) > 0 ? atoi(qt) : 1;
    size_t nq = (size_t)batch * tokens * q_heads * head_dim;
    CHECK(fadsl_device_alloc(&q, nq * 2));
    CHECK(fadsl_device_alloc(&o, nq * 2));
    fill(q, nq * 2, false);
    int *h_tab = malloc((size_t)num_blocks * sizeof *h_tab), *h_lens = malloc((size_t)batch * sizeof *h_lens);
    for (int i = 0; i < num_blocks; i++)
        h_tab[i] = i;
    const char *ordered = getenv("BENCH_ORDERED_BLOCKS");
    for (int i = num_blocks - 1; i > 0 && !(ordered && strcmp(ordered, "0") != 0); i--) { /* shuffled blocks */
        int j = (int)(next_rand() % (unsigned)(i + 1)), t = h_tab[i];
        h_tab[i] = h_tab[j];
        h_tab[j] = t;
    }
    for (int b = 0; b < batch; b++)
        h_lens[b] = len;
    CHECK(fadsl_device_alloc(&tab, (size_t)num_blocks * sizeof *h_tab));
    CHECK(fadsl_copy_to_device(tab, h_tab, (size_t)num_blocks * sizeof *h_tab));
    CHECK(fadsl_device_alloc(&lens, (size_t)batch * sizeof *h_lens));
    CHECK(fadsl_copy_to_device(lens, h_lens, (size_t)batch * sizeof *h_lens));
    fadsl_paged_desc pg = {.layout = layout, .kv_dtype = kv, .k_cache = k, .v_cache = v, .num_blocks = num_blocks,
                           .block_size = bs, .num_kv_heads = kv_heads, .head_dim = head_dim, .block_tables = tab,
                           .max_blocks_per_seq = blocks_per_seq, .seq_lens = lens, .num_seqs = batch,
                           .q_tokens_per_seq = tokens, .max_seq_len = len, .k_descale = 1.f, .v_descale = 1.f};
    fadsl_fwd_desc d = {.variant = "none", .dtype = FA_DTYPE_BF16, .q = q, .o = o, .q_heads = q_heads,
                        .head_dim = head_dim, .paged = &pg};
    size_t wsb = 0;
    CHECK(fadsl_workspace_size(&d, &wsb));
    if (wsb) {
        CHECK(fadsl_device_alloc(&ws, wsb));
        pg.workspace = ws;
        pg.workspace_size = wsb;
    }
    void *e0, *e1;
    CHECK(fadsl_event_create(&e0));
    CHECK(fadsl_event_create(&e1));
    for (int i = 0; i < WARMUP; i++)
        CHECK(fadsl_forward(&d, NULL));
    const char *reps_env = getenv("BENCH_REPS");
    const int reps = reps_env && atoi(reps_env) > 0 ? atoi(reps_env) : DEFAULT_REPS;
    float *ms = malloc((size_t)reps * sizeof *ms);
    for (int i = 0; i < reps; i++) {
        CHECK(fadsl_event_record(e0, NULL));
        CHECK(fadsl_forward(&d, NULL));
        CHECK(fadsl_event_record(e1, NULL));
        CHECK(fadsl_event_elapsed_ms(e0, e1, &ms[i]));
    }
    qsort(ms, reps, sizeof ms[0], cmp_float);
    double us = ms[reps / 2] * 1e3, bytes = 2.0 * batch * len * kv_heads * head_dim * es;
    printf("| %d x %d | %s | %d | %s | %s | %.1f | %.0f |\n", batch, len, layout == FA_PAGED_NHD ? "nhd" : "hdb", bs,
           fa_dtype_name(kv), wsb ? "yes" : "no", us, bytes / us / 1e3);
    fflush(stdout);
    void *dev[] = {k, v, q, o, tab, lens, ws};
    for (int i = 0; i < 7; i++)
        if (dev[i])
            fadsl_device_free(dev[i]);
    fadsl_event_destroy(e0);
    fadsl_event_destroy(e1);
    free(h_tab);
    free(h_lens);
    free(ms);
    return us;
}

/* No arguments: the full table. `BATCH LEN BS nhd|hdb bf16|fp8e4m3|fp8e5m2 [Q_HEADS KV_HEADS
 * [HEAD_DIM]]`: that one row (for a profiler). */
int main(int argc, char **argv)
{
    if (argc > 1 && (argc < 6 || argc == 7 || argc > 9)) {
        fprintf(stderr, "usage: %s [BATCH LEN BS nhd|hdb bf16|fp8e4m3|fp8e5m2 [Q_HEADS KV_HEADS [HEAD_DIM]]]\n",
                argv[0]);
        return 2;
    }
    CHECK(fadsl_device_init(0, NULL));
    if (argc >= 6) {
        if (argc >= 8)
            q_heads = atoi(argv[6]), kv_heads = atoi(argv[7]);
        if (argc == 9)
            head_dim = atoi(argv[8]);
        fa_dtype kv = strcmp(argv[5], "fp8e4m3") == 0   ? FA_DTYPE_FP8E4M3
                      : strcmp(argv[5], "fp8e5m2") == 0 ? FA_DTYPE_FP8E5M2
                                                        : FA_DTYPE_BF16;
        run(atoi(argv[1]), atoi(argv[2]), atoi(argv[3]), strcmp(argv[4], "hdb") == 0 ? FA_PAGED_HDB : FA_PAGED_NHD,
            kv);
        return 0;
    }
    static const int shapes[][2] = {{64, 4096}, {8, 32768}, {1, 131072}};
    static const int block_sizes[] = {8, 16, 32, 64, 128};
    printf("| batch x len | layout | bs | cache | split ws | us | GB/s |\n| --- | --- | ---: | --- | --- | ---: | ---: |\n");
    for (int s = 0; s < 3; s++) {
        run(shapes[s][0], shapes[s][1], 16, FA_PAGED_NHD, FA_DTYPE_BF16);
        run(shapes[s][0], shapes[s][1], 16, FA_PAGED_NHD, FA_DTYPE_FP8E4M3);
        run(shapes[s][0], shapes[s][1], 16, FA_PAGED_HDB, FA_DTYPE_BF16);
    }
    for (int l = 0; l < 2; l++)
        for (int b = 0; b < 5; b++)
            run(8, 32768, block_sizes[b], l ? FA_PAGED_HDB : FA_PAGED_NHD, FA_DTYPE_BF16);
    for (int b = 0; b < 5; b += 2)
        run(64, 4096, block_sizes[b], FA_PAGED_NHD, FA_DTYPE_FP8E5M2);
    return 0;
}
