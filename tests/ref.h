/* ref.h - a float64 CPU reference for attention forward (dense, varlen, GQA, any mask
 * through a visibility callback, any score modification, learned sinks). */
#ifndef FA_REF_H
#define FA_REF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Positions are absolute, bottom-right aligned: query i of a sequence with q_len queries
 * and kv_len keys is at q = kv_len - q_len + i (as the kernels see them). */
typedef bool (*fa_ref_visible_fn)(void *ud, int b, int h, int q, int k);
/* The score of a visible pair from s = scale * q.k (natural units). */
typedef double (*fa_ref_score_fn)(void *ud, int b, int h, int q, int k, double s);

typedef struct fa_ref_problem {
    int batch, q_heads, kv_heads, head_dim;
    /* Per-sequence lengths (varlen), or NULL: every sequence has seqlen_q / seqlen_k. */
    const int *seqlens_q, *seqlens_k;
    int seqlen_q, seqlen_k;
    /* Rows packed sequence after sequence: q/out [total_q, q_heads, D],
     * k/v [total_k, kv_heads, D] (a dense batch is the same with equal lengths). */
    const double *q, *k, *v;
    double scale;                 /* 0: 1/sqrt(head_dim) */
    /* Visibility: the callback if given, else the mask fields (all off: everything). */
    fa_ref_visible_fn visible;
    bool causal;                  /* k <= q */
    int window;                   /* > 0: q - k < window */
    int sink_tokens;              /* keys k < sink_tokens with k <= q stay visible */
    fa_ref_score_fn score;        /* NULL: s */
    void *ud;
    const double *sink_logit;     /* optional [q_heads]: exp(logit) joins the denominator */
    double *out;                  /* [total_q, q_heads, D] */
    double *lse;                  /* optional [total_q, q_heads]; -inf where nothing is visible */
} fa_ref_problem;

/* Computes out (0 for rows that see nothing) and lse (natural log of the denominator). */
void fa_ref_attention(const fa_ref_problem *p);

/* Element conversions (round to nearest even), for uploading inputs and reading outputs. */
uint16_t fa_ref_to_bf16(double x);
double fa_ref_from_bf16(uint16_t h);
uint16_t fa_ref_to_fp16(double x);
double fa_ref_from_fp16(uint16_t h);
/* An fp8 code's value (e4m3 or e5m2); NaN codes (and e5m2's infinities) give NaN. */
double fa_ref_from_fp8(uint8_t x, bool e4m3);

/* ||a - b|| / ||b|| over n values (Euclidean norms). */
double fa_ref_rel_error(const double *a, const double *b, size_t n);

#endif
