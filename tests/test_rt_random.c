/* test_rt_random.c - random requests through the runtime's validation (no GPU: the arch is
 * given, or the missing driver refuses). Each request starts from a valid dense, packed or
 * paged one with a few fields set to edge values (zero, negative, INT_MAX, huge strides,
 * misaligned or NULL pointers, NaN scales, unknown enums, bad variants and parameters). It
 * must come back OK with a key that matches it, or refused with a known status and a
 * message; never a crash or an overflow (the sanitizer run), and never a change to the
 * request. fadsl_workspace_size answers the same requests.
 * Random keys (what fadsl_compile takes from a caller) go through the planner, the kernel
 * name and the CUDA C emitter the same way: a plan within the arch's limits, or a message. */
#include "fart.h"
#include "testutil.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PTR(x) ((void *)(uintptr_t)(x))

enum { REQUESTS = 100000, MAX_MUTATIONS = 5 };

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

#define PICK(pool) ((pool)[rnd() % (sizeof(pool) / sizeof((pool)[0]))])

static const int ints[] = {0, 1, 2, 3, 4, 7, 8, 16, 31, 64, 96, 100, 127, 128, 192, 255, 256, 4096, 65535,
                           1 << 20, 1 << 28, INT_MAX - 1, INT_MAX, -1, -2, INT_MIN};
static const int64_t strides[] = {0, 1, 2, -1, -128, 64, 128, 129, 1024, 4096, 1 << 20, (int64_t)1 << 40,
                                  INT64_MAX / 2, INT64_MAX, INT64_MIN};
static const uintptr_t device_ptrs[] = {0, 0x10000, 0x10002, 0x10008, 0x10010, 0xfffffffffff0, UINTPTR_MAX & ~(uintptr_t)15};
static const int enums[] = {-1, 0, 1, 2, 3, 4, 1000};
static const double scales[] = {0, 0.125, -1, NAN, INFINITY, 1e300, 1e-45, -0.0};
static const float descales[] = {0, 1, 0.5f, -1, NAN, INFINITY, 3e38f, 1e-40f};
static const char *const variants[] = {"causal", "none", "sliding_window", "gpt_oss", "causal_alibi", "document",
                                       "sink_window", "softcap", "no_such_variant", "", NULL,
                                       "variant v { mask = k <= q; }",
                                       "variant w { param x : f32[q_heads]; mask = k <= q; score = s + x[h]; }",
                                       "variant broken { mask = ; }"};
static const char *const archs[] = {"sm_90a", "sm_80", "sm_86", "sm_89", "sm_100", ""};
static const char *const param_names[] = {"window", "window_left", "slopes", "sinks", "doc", "x", "nope", ""};

/* The request under test and what it points to (host memory the runtime reads). */
typedef struct request {
    fadsl_fwd_desc d;
    fadsl_paged_desc pg;
    fadsl_param params[3];
} request;

static void base(request *r)
{
    memset(r, 0, sizeof *r);
    r->d = (fadsl_fwd_desc){.variant = "causal", .dtype = FA_DTYPE_BF16, .q = PTR(0x10000), .k = PTR(0x20000),
                            .v = PTR(0x30000), .o = PTR(0x40000), .batch = 2, .seqlen_q = 128, .seqlen_k = 256,
                            .q_heads = 32, .kv_heads = 8, .head_dim = 128, .arch = "sm_90a"};
    switch (rnd() % 3) {
    case 1: /* packed */
        r->d.cu_seqlens_q = PTR(0x50000);
        r->d.cu_seqlens_k = PTR(0x60000);
        r->d.max_seqlen_q = 128;
        r->d.max_seqlen_k = 256;
        break;
    case 2: /* paged decode or chunk */
        r->pg = (fadsl_paged_desc){.layout = rnd() % 2 ? FA_PAGED_NHD : FA_PAGED_HDB, .kv_dtype = FA_DTYPE_BF16,
                                   .k_cache = PTR(0x100000), .v_cache = PTR(0x200000), .num_blocks = 8192,
                                   .block_size = 16, .num_kv_heads = 8, .head_dim = 128,
                                   .block_tables = PTR(0x300000), .max_blocks_per_seq = 512,
                                   .seq_lens = PTR(0x400000), .num_seqs = 4, .q_tokens_per_seq = 1};
        r->d.k = r->d.v = NULL;
        r->d.batch = r->d.seqlen_q = r->d.seqlen_k = r->d.kv_heads = 0;
        r->d.paged = &r->pg;
        break;
    }
}

/* Sets one random field of the request to an edge value. */
static void mutate(request *r)
{
    fadsl_fwd_desc *d = &r->d;
    fadsl_paged_desc *pg = &r->pg;
    int *int_fields[] = {&d->batch, &d->seqlen_q, &d->seqlen_k, &d->q_heads, &d->kv_heads, &d->head_dim,
                         &d->max_seqlen_q, &d->max_seqlen_k, &d->num_params, &d->total_q, &pg->num_blocks,
                         &pg->block_size, &pg->num_kv_heads, &pg->head_dim, &pg->max_blocks_per_seq,
                         &pg->num_seqs, &pg->q_tokens_per_seq, &pg->max_seq_len};
    const void **ptr_fields[] = {&d->q, &d->k, &d->v, (const void **)&d->o, (const void **)&d->lse,
                                 (const void **)&d->cu_seqlens_q, (const void **)&d->cu_seqlens_k, &pg->k_cache,
                                 &pg->v_cache, (const void **)&pg->block_tables, (const void **)&pg->seq_lens,
                                 (const void **)&pg->k_descale_per_head, (const void **)&pg->workspace};
    switch (rnd() % 9) {
    case 0:
        *int_fields[rnd() % (sizeof int_fields / sizeof int_fields[0])] = PICK(ints);
        break;
    case 1: {
        int64_t *s[] = {d->q_stride, d->k_stride, d->v_stride, d->o_stride};
        s[rnd() % 4][rnd() % 3] = PICK(strides);
        break;
    }
    case 2:
        *ptr_fields[rnd() % (sizeof ptr_fields / sizeof ptr_fields[0])] = PTR(PICK(device_ptrs));
        break;
    case 3:
        switch (rnd() % 3) {
        case 0: d->dtype = (fa_dtype)PICK(enums); break;
        case 1: pg->kv_dtype = (fa_dtype)PICK(enums); break;
        default: pg->layout = (fa_paged_layout)PICK(enums); break;
        }
        break;
    case 4:
        d->softmax_scale = PICK(scales);
        break;
    case 5:
        if (rnd() % 2)
            pg->k_descale = PICK(descales);
        else
            pg->v_descale = PICK(descales);
        break;
    case 6:
        d->variant = PICK(variants);
        break;
    case 7:
        d->arch = PICK(archs);
        break;
    default: { /* up to three parameters, names and values at random; sometimes a count past the array */
        int n = (int)(rnd() % 4);
        for (int i = 0; i < n; i++) {
            r->params[i] = (fadsl_param){.name = PICK(param_names)};
            if (rnd() % 2)
                r->params[i].value = PICK(scales);
            else
                r->params[i].tensor = PTR(PICK(device_ptrs));
        }
        d->params = n || rnd() % 2 ? r->params : NULL;
        d->num_params = rnd() % 8 ? n : PICK(ints);
        if (d->num_params > 3 || d->num_params < 0)
            d->params = d->num_params < 0 ? r->params : NULL; /* never a count past real memory */
        break;
    }
    }
}

/* A key that passed validation matches its request. */
static void check_key(const request *r, const fa_key *key)
{
    const fadsl_fwd_desc *d = &r->d;
    const int head_dim = d->paged ? d->paged->head_dim : d->head_dim;
    CU_ASSERT_EQUAL(key->head_dim, head_dim);
    CU_ASSERT_EQUAL(key->dtype, d->dtype);
    CU_ASSERT_EQUAL(key->paged_block_size, d->paged ? d->paged->block_size : 0);
    CU_ASSERT_EQUAL(key->varlen, d->cu_seqlens_q != NULL);
    CU_ASSERT_TRUE(key->gqa_ratio >= 1);
    if (d->paged)
        CU_ASSERT_EQUAL(key->kv_dtype, d->paged->kv_dtype);
}

static void test_random_requests(void)
{
    int ok = 0, refused[FADSL__STATUS_COUNT] = {0};
    for (int i = 0; i < REQUESTS; i++) {
        request r;
        base(&r);
        for (int m = 1 + (int)(rnd() % MAX_MUTATIONS); m > 0; m--)
            mutate(&r);
        const request before = r;
        fa_key key;
        fadsl_status s = fadsl_make_key(&r.d, &key);
        CU_ASSERT_TRUE_FATAL(s >= FADSL_OK && s < FADSL__STATUS_COUNT);
        CU_ASSERT_EQUAL(memcmp(&before, &r, sizeof r), 0);
        if (s == FADSL_OK) {
            ok++;
            check_key(&r, &key);
        } else {
            refused[s]++;
            CU_ASSERT_TRUE(strlen(fadsl_last_error()) > 0);
        }
        size_t bytes = 1;
        fadsl_status w = fadsl_workspace_size(&r.d, &bytes);
        CU_ASSERT_TRUE(w >= FADSL_OK && w < FADSL__STATUS_COUNT);
        if (s != FADSL_OK) /* the same checks run first */
            CU_ASSERT_EQUAL(w, s);
        CU_ASSERT_EQUAL(memcmp(&before, &r, sizeof r), 0);
    }
    /* The draw reaches both outcomes and several refusals (else it tests little). */
    int kinds = 0;
    for (int s = 1; s < FADSL__STATUS_COUNT; s++)
        kinds += refused[s] > 0;
    CU_ASSERT_TRUE(ok > REQUESTS / 50);
    CU_ASSERT_TRUE(kinds >= 8);
    printf("\n  %d requests: %d accepted, refusals by status:", REQUESTS, ok);
    for (int s = 1; s < FADSL__STATUS_COUNT; s++)
        if (refused[s])
            printf(" %s %d,", fadsl_status_name((fadsl_status)s), refused[s]);
    printf("\n");
}

enum { KEYS = 20000, EMIT_EVERY = 4 };

static const int head_dims[] = {64, 96, 128, 192, 256};
static const int block_sizes[] = {8, 16, 32, 64, 128};

/* A key as a caller of fadsl_compile may fill it: a valid one of some template, then a few
 * of the fields a caller sets at edge values. */
static fa_key random_key(void)
{
    fa_key k;
    fa_key_init(&k);
    k.arch = (fa_arch)(rnd() % FA_ARCH__COUNT);
    k.dtype = rnd() % 2 ? FA_DTYPE_BF16 : FA_DTYPE_FP16;
    k.kv_dtype = k.dtype;
    k.head_dim = PICK(head_dims);
    k.gqa_ratio = 1 << (rnd() % 5);
    k.varlen = rnd() % 2;
    if (rnd() % 2) {
        k.paged_block_size = PICK(block_sizes);
        k.paged_layout = rnd() % 2 ? FA_PAGED_NHD : FA_PAGED_HDB;
        k.kv_dtype = rnd() % 3 ? k.dtype : (fa_dtype)(FA_DTYPE_FP8E4M3 + (int)(rnd() % 2));
        k.decode = rnd() % 2;
        k.decode_rows = k.decode ? k.gqa_ratio * (1 + (int)(rnd() % 8)) : 0;
        k.decode_tile64 = k.decode && rnd() % 4 == 0;
        k.decode_claims = k.decode && rnd() % 4 == 0;
    }
    for (int m = (int)(rnd() % 4); m > 0; m--) {
        switch (rnd() % 9) {
        case 0: k.head_dim = PICK(ints); break;
        case 1: k.gqa_ratio = PICK(ints); break;
        case 2: k.paged_block_size = PICK(ints); break;
        case 3: k.decode_rows = PICK(ints); break;
        case 4: k.arch = (fa_arch)PICK(enums); break;
        case 5: k.dtype = (fa_dtype)PICK(enums); break;
        case 6: k.kv_dtype = (fa_dtype)PICK(enums); break;
        case 7: k.paged_layout = (fa_paged_layout)PICK(enums); break;
        default: k.decode = !k.decode, k.decode_tile64 = rnd() % 2, k.decode_claims = rnd() % 2; break;
        }
    }
    return k;
}

static void test_random_keys(void)
{
    static const char *const specs[] = {"causal", "none", "sliding_window", "gpt_oss", "causal_alibi", "document",
                                        "sink_window", "softcap", "chunked_local", "prefix_lm"};
    int planned = 0, refused = 0;
    for (int i = 0; i < KEYS; i++) {
        const fa_program *p;
        CU_ASSERT_EQUAL_FATAL(fart_variant_get(PICK(specs), &p), FADSL_OK);
        fa_key k = random_key();
        fa_key_set_variant(&k, p);
        fa_plan plan;
        char err[512] = "";
        if (fa_plan_key(&k, &plan, err, sizeof err) != FA_OK) {
            refused++;
            CU_ASSERT_TRUE(err[0] != '\0');
            continue;
        }
        planned++;
        const int smem_max = k.arch == FA_ARCH_SM90A ? 227 * 1024 : k.arch == FA_ARCH_SM80 ? 163 * 1024 : 99 * 1024;
        CU_ASSERT_TRUE(plan.threads > 0 && plan.threads <= 1024 && plan.threads % 32 == 0);
        CU_ASSERT_TRUE(plan.block_m > 0 && plan.block_n > 0 && plan.stages > 0);
        CU_ASSERT_TRUE(plan.smem_bytes >= 0 && plan.smem_bytes <= smem_max);
        char name[128];
        const int n = fa_key_name(&k, name, sizeof name);
        CU_ASSERT_TRUE(n > 0 && (size_t)n < sizeof name);
        if (i % EMIT_EVERY == 0) {
            char *source = fa_emit_cuda(p, &k, &plan);
            CU_ASSERT_TRUE(source && strstr(source, name));
            free(source);
        }
    }
    CU_ASSERT_TRUE(planned > KEYS / 10 && refused > KEYS / 10);
    printf("\n  %d keys: %d planned, %d refused\n", KEYS, planned, refused);
}

void fa_suite_rt_random(void)
{
    static CU_TestInfo tests[] = {{"random_requests", test_random_requests},
                                  {"random_keys", test_random_keys},
                                  CU_TEST_INFO_NULL};
    fa_test_add_suite("rt_random", tests);
}
