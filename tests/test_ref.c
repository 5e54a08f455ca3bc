/* test_ref.c - the float64 reference on cases with known answers. */
#include "ref.h"
#include "testutil.h"

#include <math.h>
#include <string.h>

enum { B = 2, HQ = 4, HK = 2, D = 4, S = 5 };

static double q[B * S * HQ * D], k[B * S * HK * D], v[B * S * HK * D], out[B * S * HQ * D], lse[B * S * HQ];

/* Zero queries make every visible score 0: the output is the mean of the visible values. */
static fa_ref_problem uniform(void)
{
    memset(q, 0, sizeof q);
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        k[i] = (double)(i % 7) - 3;
        v[i] = (double)i;
    }
    return (fa_ref_problem){.batch = B, .q_heads = HQ, .kv_heads = HK, .head_dim = D, .seqlen_q = S,
                            .seqlen_k = S, .q = q, .k = k, .v = v, .out = out, .lse = lse};
}

static double v_at(int b, int j, int hk, int d)
{
    return v[((size_t)(b * S + j) * HK + hk) * D + d];
}

static double out_at(int b, int i, int h, int d)
{
    return out[((size_t)(b * S + i) * HQ + h) * D + d];
}

static void test_causal_mean(void)
{
    fa_ref_problem p = uniform();
    p.causal = true;
    fa_ref_attention(&p);
    for (int b = 0; b < B; b++)
        for (int h = 0; h < HQ; h++)
            for (int i = 0; i < S; i++) {
                double mean = 0;
                for (int j = 0; j <= i; j++)
                    mean += v_at(b, j, h / 2, 1);
                CU_ASSERT_DOUBLE_EQUAL(out_at(b, i, h, 1), mean / (i + 1), 1e-12);
                CU_ASSERT_DOUBLE_EQUAL(lse[(b * S + i) * HQ + h], log(i + 1.0), 1e-12);
            }
}

static void test_window_and_sinks(void)
{
    fa_ref_problem p = uniform();
    p.causal = true;
    p.window = 1;        /* only k == q ... */
    p.sink_tokens = 1;   /* ... and key 0 */
    fa_ref_attention(&p);
    CU_ASSERT_DOUBLE_EQUAL(out_at(1, 3, 2, 0), (v_at(1, 0, 1, 0) + v_at(1, 3, 1, 0)) / 2, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(out_at(1, 0, 2, 0), v_at(1, 0, 1, 0), 1e-12);
}

static bool never(void *ud, int b, int h, int qp, int kp)
{
    return false;
}

static void test_fully_masked_and_learned_sink(void)
{
    fa_ref_problem p = uniform();
    p.visible = never;
    fa_ref_attention(&p);
    CU_ASSERT_EQUAL(out[7], 0.0);
    CU_ASSERT_TRUE(isinf(lse[3]) && lse[3] < 0);
    /* A sink of logit log(S) beside S equal scores halves the output. */
    double sinks[HQ] = {log(S), log(S), log(S), log(S)};
    p = uniform();
    p.sink_logit = sinks;
    fa_ref_attention(&p);
    double mean = 0;
    for (int j = 0; j < S; j++)
        mean += v_at(0, j, 0, 2);
    CU_ASSERT_DOUBLE_EQUAL(out_at(0, 1, 0, 2), mean / S / 2, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(lse[HQ], log(2.0 * S), 1e-12);
}

/* A NaN in key 2's K (batch 0, KV head 1) makes NaN exactly the rows that see it: causal
 * rows 2.. of query heads 2 and 3; row 1 and the other head, batch and window stay finite. */
static void test_nan_key(void)
{
    fa_ref_problem p = uniform();
    p.causal = true;
    k[((size_t)2 * HK + 1) * D + 3] = NAN;
    fa_ref_attention(&p);
    for (int i = 0; i < S; i++)
        for (int h = 0; h < HQ; h++) {
            bool nan_row = h >= 2 && i >= 2;
            CU_ASSERT_EQUAL(isnan(out_at(0, i, h, 0)) != 0, nan_row);
            CU_ASSERT_EQUAL(isnan(lse[i * HQ + h]) != 0, nan_row);
            CU_ASSERT_FALSE(isnan(out_at(1, i, h, 0)));
        }
    p.window = 2; /* row 4 sees keys 3 and 4 only */
    fa_ref_attention(&p);
    CU_ASSERT_FALSE(isnan(out_at(0, 4, 3, 1)));
    CU_ASSERT_TRUE(isnan(out_at(0, 3, 3, 1)));
}

static double softcap(void *ud, int b, int h, int qp, int kp, double s)
{
    return 0.5 * (double)kp;   /* a score that ignores s: softmax over 0, .5, 1, ... */
}

static void test_score_and_varlen(void)
{
    int lq[B] = {2, 3}, lk[B] = {4, 1};
    fa_ref_problem p = uniform();
    p.seqlens_q = lq;
    p.seqlens_k = lk;
    p.score = softcap;
    fa_ref_attention(&p);
    double w[4], sum = 0, o = 0;
    for (int j = 0; j < 4; j++)
        sum += w[j] = exp(0.5 * j);
    for (int j = 0; j < 4; j++)
        o += w[j] / sum * v[(j * HK + 0) * D + 3];
    CU_ASSERT_DOUBLE_EQUAL(out[(1 * HQ + 1) * D + 3], o, 1e-12);
    /* Sequence 1 (rows 2..4) sees its single key, row 4 of k/v. */
    CU_ASSERT_DOUBLE_EQUAL(out[(4 * HQ + 3) * D + 0], v[(4 * HK + 1) * D + 0], 1e-12);
}

static void test_conversions(void)
{
    CU_ASSERT_EQUAL(fa_ref_to_bf16(1.0), 0x3f80);
    CU_ASSERT_EQUAL(fa_ref_to_bf16(-2.0), 0xc000);
    CU_ASSERT_EQUAL(fa_ref_from_bf16(0x3fc0), 1.5);
    CU_ASSERT_EQUAL(fa_ref_to_bf16(1.0 + 1.0 / 256), 0x3f80);   /* a tie rounds to even */
    CU_ASSERT_EQUAL(fa_ref_to_fp16(1.0), 0x3c00);
    CU_ASSERT_EQUAL(fa_ref_to_fp16(-0.5), 0xb800);
    CU_ASSERT_EQUAL(fa_ref_to_fp16(65504.0), 0x7bff);
    CU_ASSERT_EQUAL(fa_ref_to_fp16(1e6), 0x7c00);
    CU_ASSERT_EQUAL(fa_ref_to_fp16(0x1p-24), 0x0001);
    CU_ASSERT_EQUAL(fa_ref_to_fp16(1.0 + 1.0 / 2048), 0x3c00);  /* a tie rounds to even */
    for (int i = 0; i < 0x7c00; i += 37) {
        CU_ASSERT_EQUAL(fa_ref_to_fp16(fa_ref_from_fp16((uint16_t)i)), i);
        CU_ASSERT_EQUAL(fa_ref_to_bf16(fa_ref_from_bf16((uint16_t)i)), i);
    }
    double a[2] = {1, 1}, b[2] = {1, 0};
    CU_ASSERT_DOUBLE_EQUAL(fa_ref_rel_error(a, b, 2), 1.0, 1e-15);
}

void fa_suite_ref(void)
{
    static const CU_TestInfo tests[] = {{"causal_mean", test_causal_mean},
                                        {"window_and_sinks", test_window_and_sinks},
                                        {"fully_masked_and_learned_sink", test_fully_masked_and_learned_sink},
                                        {"nan_key", test_nan_key},
                                        {"score_and_varlen", test_score_and_varlen},
                                        {"conversions", test_conversions},
                                        CU_TEST_INFO_NULL};
    fa_test_add_suite("ref", tests);
}
