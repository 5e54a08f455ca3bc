/* ref.c - the float64 reference attention. */
#include "ref.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool mask_visible(const fa_ref_problem *p, int b, int h, int q, int k)
{
    if (p->visible)
        return p->visible(p->ud, b, h, q, k);
    if (k < p->sink_tokens && k <= q)
        return true;
    if (p->causal && k > q)
        return false;
    return p->window <= 0 || q - k < p->window;
}

/* One (sequence, head, query row): scores against the sequence's keys, softmax, values. A
 * visible key whose score is NaN (a NaN in its K) makes the whole row and its LSE NaN, as
 * the kernels' arithmetic does; masked keys are never read. */
static void one_row(const fa_ref_problem *p, int b, int h, int i, int q_len, int kv_len, int q0, int k0,
                    double scale, double *scores)
{
    int D = p->head_dim, hk = h / (p->q_heads / p->kv_heads);
    int qpos = kv_len - q_len + i;
    const double *qrow = p->q + ((size_t)(q0 + i) * p->q_heads + h) * D;
    double m = p->sink_logit ? p->sink_logit[h] : -INFINITY;
    bool nan_score = false;
    for (int j = 0; j < kv_len; j++) {
        scores[j] = NAN;
        if (!mask_visible(p, b, h, qpos, j))
            continue;
        const double *krow = p->k + ((size_t)(k0 + j) * p->kv_heads + hk) * D;
        double s = 0;
        for (int d = 0; d < D; d++)
            s += qrow[d] * krow[d];
        s *= scale;
        scores[j] = p->score ? p->score(p->ud, b, h, qpos, j, s) : s;
        nan_score |= isnan(scores[j]);
        if (scores[j] > m)
            m = scores[j];
    }
    double *orow = p->out + ((size_t)(q0 + i) * p->q_heads + h) * D;
    if (nan_score) {
        for (int d = 0; d < D; d++)
            orow[d] = NAN;
        if (p->lse)
            p->lse[(size_t)(q0 + i) * p->q_heads + h] = NAN;
        return;
    }
    memset(orow, 0, sizeof(double) * (size_t)D);
    double sum = p->sink_logit && isfinite(m) ? exp(p->sink_logit[h] - m) : 0;
    for (int j = 0; j < kv_len; j++) {
        if (isnan(scores[j]))
            continue;
        double e = exp(scores[j] - m);
        sum += e;
        const double *vrow = p->v + ((size_t)(k0 + j) * p->kv_heads + hk) * D;
        for (int d = 0; d < D; d++)
            orow[d] += e * vrow[d];
    }
    if (sum > 0)
        for (int d = 0; d < D; d++)
            orow[d] /= sum;
    if (p->lse)
        p->lse[(size_t)(q0 + i) * p->q_heads + h] = sum > 0 ? m + log(sum) : -INFINITY;
}

void fa_ref_attention(const fa_ref_problem *p)
{
    double scale = p->scale != 0 ? p->scale : 1.0 / sqrt((double)p->head_dim);
    int max_k = p->seqlen_k;
    for (int b = 0; p->seqlens_k && b < p->batch; b++)
        if (p->seqlens_k[b] > max_k)
            max_k = p->seqlens_k[b];
    double *scores = malloc(sizeof(double) * (size_t)(max_k > 0 ? max_k : 1));
    int q0 = 0, k0 = 0;
    for (int b = 0; b < p->batch; b++) {
        int q_len = p->seqlens_q ? p->seqlens_q[b] : p->seqlen_q;
        int kv_len = p->seqlens_k ? p->seqlens_k[b] : p->seqlen_k;
        for (int h = 0; h < p->q_heads; h++)
            for (int i = 0; i < q_len; i++)
                one_row(p, b, h, i, q_len, kv_len, q0, k0, scale, scores);
        q0 += q_len;
        k0 += kv_len;
    }
    free(scores);
}

uint16_t fa_ref_to_bf16(double x)
{
    float f = (float)x;
    uint32_t u;
    memcpy(&u, &f, 4);
    if (isnan(f))
        return 0x7fc0;
    u += 0x7fff + ((u >> 16) & 1);
    return (uint16_t)(u >> 16);
}

double fa_ref_from_bf16(uint16_t h)
{
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

uint16_t fa_ref_to_fp16(double x)
{
    uint16_t sign = signbit(x) ? 0x8000 : 0;
    double a = fabs(x);
    if (isnan(x))
        return 0x7e00;
    if (a >= 65520.0)   /* rounds past the largest half, 65504 */
        return sign | 0x7c00;
    if (a < 0x1p-14) {  /* subnormal: units of 2^-24 */
        return sign | (uint16_t)nearbyint(a * 0x1p24);
    }
    int e;
    double m = frexp(a, &e);                        /* a = m * 2^e, m in [0.5, 1) */
    double mant = nearbyint((m * 2 - 1) * 1024);    /* 10 fraction bits */
    if (mant == 1024) {
        mant = 0;
        e++;
    }
    return sign | (uint16_t)((e - 1 + 15) << 10) | (uint16_t)mant;
}

double fa_ref_from_fp16(uint16_t h)
{
    int e = (h >> 10) & 0x1f, m = h & 0x3ff;
    double v = e == 0 ? ldexp(m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexp(1024 + m, e - 25);
    return h & 0x8000 ? -v : v;
}

double fa_ref_from_fp8(uint8_t x, bool e4m3)
{
    int s = x >> 7, e, m;
    double v;
    if (e4m3) { /* no infinities; S.1111.111 is NaN */
        e = (x >> 3) & 15, m = x & 7;
        if (e == 15 && m == 7)
            return NAN;
        v = e ? ldexp(1.0 + m / 8.0, e - 7) : ldexp(m / 8.0, -6);
    } else { /* e5m2: exponent 31 is inf or NaN; the tests treat both as NaN */
        e = (x >> 2) & 31, m = x & 3;
        if (e == 31)
            return NAN;
        v = e ? ldexp(1.0 + m / 4.0, e - 15) : ldexp(m / 4.0, -14);
    }
    return s ? -v : v;
}

double fa_ref_rel_error(const double *a, const double *b, size_t n)
{
    double num = 0, den = 0;
    for (size_t i = 0; i < n; i++) {
        num += (a[i] - b[i]) * (a[i] - b[i]);
        den += b[i] * b[i];
    }
    return den > 0 ? sqrt(num / den) : sqrt(num);
}
