/* test_gpu_checks.c - FADSL_DEBUG_CHECKS=1 on a GPU: the index data a request keeps on the
 * device is checked before its launch. A paged cache (NHD bf16, blocks of 16, two
 * sequences) is launched as a decode and with packed queries, a dense varlen request
 * beside it, and an fp8 copy of the cache with per-head descales (decode and packed; packed
 * forms also with total_q, which the offsets must end within): the valid forms run
 * (finite outputs), and each bad seq_lens, block-table entry, cu_seqlens or descale is
 * refused with its status and a message naming the value, the NaN-poisoned output left
 * untouched. Then, without the checks, packed offsets above max_seqlen_q on the decode
 * template: that sequence's rows NaN, the other's finite. */
#include "fadsl.h"
#include "ref.h"
#include "rt_test.h"
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum { BS = 16, MAX_BLOCKS = 3, NUM_BLOCKS = 8, SEQS = 2, HQ = 4, HK = 2, D = 64, ROWS = 7 };

typedef struct checks {
    int lens[SEQS], table[SEQS * MAX_BLOCKS], cu_q[SEQS + 1], cu_k[SEQS + 1];
    float descales[2 * HK]; /* k's, then v's */
    void *dq, *dk, *dv, *dk8, *dv8, *d_o, *dlens, *dtab, *dcu_q, *dcu_k, *ddesc;
    fadsl_paged_desc pg, pg8;
    int total_q; /* packed forms' total_q */
} checks;

static const int good_lens[SEQS] = {20, 33}, good_table[SEQS * MAX_BLOCKS] = {5, 2, 0, 7, 1, 3},
                 good_cu_q[SEQS + 1] = {0, 3, ROWS}, good_cu_k[SEQS + 1] = {0, 20, 53};
static const float good_descales[2 * HK] = {0.5f, 2.f, 1.5f, 0.25f};

/* n bf16 values in [-1, 1). */
static void *upload_random(size_t n)
{
    uint16_t *h = malloc(n * 2);
    unsigned seed = 99;
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        h[i] = fa_ref_to_bf16((double)(seed >> 8) / (1 << 24) * 2 - 1);
    }
    void *d = fa_rt_upload(h, n * 2);
    free(h);
    return d;
}

/* Copies the host-side index arrays to the device. */
static void sync_indices(checks *c)
{
    CU_ASSERT_EQUAL(fadsl_copy_to_device(c->dlens, c->lens, sizeof c->lens), FADSL_OK);
    CU_ASSERT_EQUAL(fadsl_copy_to_device(c->dtab, c->table, sizeof c->table), FADSL_OK);
    CU_ASSERT_EQUAL(fadsl_copy_to_device(c->dcu_q, c->cu_q, sizeof c->cu_q), FADSL_OK);
    CU_ASSERT_EQUAL(fadsl_copy_to_device(c->dcu_k, c->cu_k, sizeof c->cu_k), FADSL_OK);
    CU_ASSERT_EQUAL(fadsl_copy_to_device(c->ddesc, c->descales, sizeof c->descales), FADSL_OK);
}

static void reset(checks *c)
{
    memcpy(c->lens, good_lens, sizeof c->lens);
    memcpy(c->table, good_table, sizeof c->table);
    memcpy(c->cu_q, good_cu_q, sizeof c->cu_q);
    memcpy(c->cu_k, good_cu_k, sizeof c->cu_k);
    memcpy(c->descales, good_descales, sizeof c->descales);
}

/* The request of `form`: 0 paged decode, 1 paged with packed queries, 2 dense varlen,
 * 3 paged decode of the fp8 cache with per-head descales, 4 packed queries over that cache
 * (the decode template). Packed forms pass c->total_q. */
static fadsl_fwd_desc request(checks *c, int form)
{
    fadsl_fwd_desc d = {.variant = "causal", .dtype = FA_DTYPE_BF16, .q = c->dq, .o = c->d_o, .q_heads = HQ,
                        .head_dim = D};
    c->pg.q_tokens_per_seq = form == 0; /* packed queries take max_seqlen_q */
    if (form < 2)
        d.paged = &c->pg;
    if (form >= 3)
        d.paged = &c->pg8;
    c->pg8.q_tokens_per_seq = form == 3;
    if (form == 1 || form == 2 || form == 4) {
        d.cu_seqlens_q = c->dcu_q;
        d.max_seqlen_q = 4;
        d.total_q = c->total_q;
    }
    if (form == 2) {
        d.batch = SEQS, d.kv_heads = HK, d.k = c->dk, d.v = c->dv;
        d.cu_seqlens_k = c->dcu_k;
        d.max_seqlen_k = 33;
    }
    return d;
}

enum { OUT_ELEMS = ROWS * HQ * D };

/* Launches `form` with the current indices over a poisoned (0xff) output, which comes back
 * in o; returns the launch's status. */
static fadsl_status launch(checks *c, int form, uint16_t o[OUT_ELEMS])
{
    sync_indices(c);
    CU_ASSERT_EQUAL_FATAL(fadsl_device_memset(c->d_o, 0xff, OUT_ELEMS * 2), FADSL_OK);
    fadsl_fwd_desc d = request(c, form);
    fadsl_status s = fadsl_forward(&d, NULL);
    CU_ASSERT_EQUAL(fadsl_stream_sync(NULL), FADSL_OK);
    CU_ASSERT_EQUAL(fadsl_copy_to_host(o, c->d_o, OUT_ELEMS * 2), FADSL_OK);
    return s;
}

/* Launches `form` with the current indices; wants status `want` (and a message holding
 * `needle`) and, when refused, the poisoned output untouched. */
static void expect(checks *c, int form, fadsl_status want, const char *needle)
{
    static uint16_t o[OUT_ELEMS];
    fadsl_status s = launch(c, form, o);
    /* rows written: one a sequence, or the packed rows (all of q's rows stay poisoned when refused) */
    int rows = form == 0 || form == 3 ? SEQS : want ? ROWS : c->cu_q[SEQS], finite = 0, poison = 0;
    for (int i = 0; i < rows * HQ * D; i++) {
        finite += isfinite(fa_ref_from_bf16(o[i]));
        poison += o[i] == 0xffff;
    }
    bool ok = s == want && (want ? poison == rows * HQ * D && strstr(fadsl_last_error(), needle) != NULL
                                 : finite == rows * HQ * D);
    printf("\n  %s form %d: %s%s%s", ok ? "ok  " : "FAIL", form, fadsl_status_name(s), s ? ": " : "",
           s ? fadsl_last_error() : "");
    CU_ASSERT(ok);
}

/* Without the debug checks, packed forms (1, 2, 4: the decode template) whose sequence 0
 * has 5 new tokens, above max_seqlen_q 4: it runs, sequence 0's rows come out NaN (the
 * grid's) or stay poisoned (the rest), sequence 1's are finite. */
static void expect_overrun(checks *c, int form)
{
    enum { SEQ0 = 5 * HQ * D };
    c->cu_q[1] = 5;
    static uint16_t o[OUT_ELEMS];
    fadsl_status s = launch(c, form, o);
    int finite0 = 0, finite1 = 0;
    for (int i = 0; i < OUT_ELEMS; i++)
        *(i < SEQ0 ? &finite0 : &finite1) += isfinite(fa_ref_from_bf16(o[i]));
    bool ok = s == FADSL_OK && finite0 == 0 && finite1 == OUT_ELEMS - SEQ0;
    printf("\n  %s form %d, 5 rows above max_seqlen_q 4, no debug checks: %s, %d finite values in sequence 0, "
           "%d of %d in sequence 1",
           ok ? "ok  " : "FAIL", form, fadsl_status_name(s), finite0, finite1, OUT_ELEMS - SEQ0);
    CU_ASSERT(ok);
    reset(c);
}

static void test_debug_checks(void)
{
    checks c = {0};
    reset(&c);
    size_t cache_elems = (size_t)NUM_BLOCKS * BS * HK * D;
    c.dq = upload_random(ROWS * HQ * D);
    c.dk = upload_random(cache_elems);
    c.dv = upload_random(cache_elems);
    CU_ASSERT_EQUAL_FATAL(fadsl_device_alloc(&c.d_o, ROWS * HQ * D * 2), FADSL_OK);
    c.dlens = fa_rt_upload(c.lens, sizeof c.lens);
    c.dtab = fa_rt_upload(c.table, sizeof c.table);
    c.dcu_q = fa_rt_upload(c.cu_q, sizeof c.cu_q);
    c.dcu_k = fa_rt_upload(c.cu_k, sizeof c.cu_k);
    c.pg = (fadsl_paged_desc){.layout = FA_PAGED_NHD, .kv_dtype = FA_DTYPE_BF16, .k_cache = c.dk, .v_cache = c.dv,
                              .num_blocks = NUM_BLOCKS, .block_size = BS, .num_kv_heads = HK, .head_dim = D,
                              .block_tables = c.dtab, .max_blocks_per_seq = MAX_BLOCKS, .seq_lens = c.dlens,
                              .num_seqs = SEQS};
    /* fp8 e4m3 bytes 0x00-0x37: small non-negative values, never NaN */
    uint8_t *bytes = malloc(cache_elems);
    for (size_t i = 0; i < cache_elems; i++)
        bytes[i] = (uint8_t)(i * 37 % 0x38);
    c.dk8 = fa_rt_upload(bytes, cache_elems);
    c.dv8 = fa_rt_upload(bytes, cache_elems);
    free(bytes);
    c.ddesc = fa_rt_upload(c.descales, sizeof c.descales);
    c.pg8 = c.pg;
    c.pg8.kv_dtype = FA_DTYPE_FP8E4M3;
    c.pg8.k_cache = c.dk8;
    c.pg8.v_cache = c.dv8;
    c.pg8.k_descale_per_head = c.ddesc;
    c.pg8.v_descale_per_head = (const float *)c.ddesc + HK;
    /* the dense varlen request reads the caches as contiguous K/V [53 keys, HK, D] */
    setenv("FADSL_DEBUG_CHECKS", "1", 1);
    for (int form = 0; form < 5; form++)
        expect(&c, form, FADSL_OK, NULL);
    c.total_q = ROWS;
    expect(&c, 4, FADSL_OK, NULL);
    c.total_q = ROWS - 1; /* the offsets end at ROWS */
    expect(&c, 4, FADSL_ERR_SEQLEN, "cu_seqlens_q[2] = 7 is past total_q 6 (the rows of q, o and lse)");
    expect(&c, 2, FADSL_ERR_SEQLEN, "cu_seqlens_q[2] = 7 is past total_q 6");
    c.total_q = 0;

    c.lens[1] = MAX_BLOCKS * BS + 1;
    expect(&c, 0, FADSL_ERR_SEQLEN, "paged seq_lens[1] = 49 is out of range (1..48");
    reset(&c);
    c.lens[0] = 0;
    expect(&c, 0, FADSL_ERR_SEQLEN, "paged seq_lens[0] = 0 is out of range (1..48: its 1 new token is in");
    reset(&c);
    c.table[1 * MAX_BLOCKS + 2] = NUM_BLOCKS;
    expect(&c, 0, FADSL_ERR_INVALID, "paged block_tables[1][2] = 8 is not a block (0..7)");
    reset(&c);
    c.table[0] = -1;
    expect(&c, 1, FADSL_ERR_INVALID, "paged block_tables[0][0] = -1");
    reset(&c);
    c.table[2] = -5; /* sequence 0 (20 keys) uses two blocks: the third entry is never read */
    expect(&c, 0, FADSL_OK, NULL);

    reset(&c);
    c.cu_q[1] = 5; /* above max_seqlen_q 4 */
    expect(&c, 1, FADSL_ERR_SEQLEN, "cu_seqlens_q[0] = 0 and cu_seqlens_q[1] = 5 give sequence 0 5 rows, above "
                                    "max_seqlen_q 4");
    reset(&c);
    c.cu_q[0] = 1;
    expect(&c, 1, FADSL_ERR_SEQLEN, "cu_seqlens_q[0] = 1: packed offsets start at 0");
    reset(&c);
    c.cu_q[2] = 2; /* decreasing */
    expect(&c, 2, FADSL_ERR_SEQLEN, "cu_seqlens_q decreases from [1] = 3 to [2] = 2");
    reset(&c);
    c.cu_k[0] = 2;
    expect(&c, 2, FADSL_ERR_SEQLEN, "cu_seqlens_k[0] = 2: packed offsets start at 0");
    reset(&c);
    c.cu_q[1] = 0; /* sequence 0 has no new tokens; sequence 1 has 4 */
    c.cu_q[2] = 4;
    expect(&c, 1, FADSL_OK, NULL);
    reset(&c);
    c.lens[0] = 2; /* fewer keys than its 3 new tokens */
    expect(&c, 1, FADSL_ERR_SEQLEN, "paged seq_lens[0] = 2 is out of range (3..48: its 3 new tokens");
    reset(&c);
    c.cu_k[1] = 40; /* sequence 0: 40 keys, above max_seqlen_k 33 */
    expect(&c, 2, FADSL_ERR_SEQLEN, "cu_seqlens_k[0] = 0 and cu_seqlens_k[1] = 40 give sequence 0 40 rows, above "
                                    "max_seqlen_k 33");
    reset(&c);
    c.descales[1] = -1.f;
    expect(&c, 3, FADSL_ERR_INVALID, "paged k_descale_per_head[1] = -1 is not a finite positive number");
    reset(&c);
    c.descales[0] = 0.f; /* 0 means 1 for the scalar only */
    expect(&c, 3, FADSL_ERR_INVALID, "paged k_descale_per_head[0] = 0 is not a finite positive number");
    reset(&c);
    c.descales[HK] = NAN;
    expect(&c, 3, FADSL_ERR_INVALID, "paged v_descale_per_head[0] = nan");
    unsetenv("FADSL_DEBUG_CHECKS");
    reset(&c);
    static const int packed_forms[] = {1, 2, 4};
    for (size_t i = 0; i < sizeof packed_forms / sizeof packed_forms[0]; i++)
        expect_overrun(&c, packed_forms[i]);
    printf("\n");
    void *dev[] = {c.dq, c.dk, c.dv, c.dk8, c.dv8, c.d_o, c.dlens, c.dtab, c.dcu_q, c.dcu_k, c.ddesc};
    for (size_t i = 0; i < sizeof dev / sizeof dev[0]; i++)
        fadsl_device_free(dev[i]);
}

void fa_suite_gpu_checks(void)
{
    if (fadsl_device_init(0, NULL) != FADSL_OK) {
        printf("gpu_checks: skipped, no GPU (%s)\n", fadsl_last_error());
        return;
    }
    static const CU_TestInfo tests[] = {{"debug_checks", test_debug_checks}, CU_TEST_INFO_NULL};
    fa_test_add_suite("gpu_checks", tests);
}
