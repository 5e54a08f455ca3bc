/* fa_merge_args.h - the argument block of the merge kernel (merge.cuh), by value. Plain C,
 * shared by the runtime and the kernel like fa_args.h.
 *
 * Merges num_states partial attentions of the same rows (b, t, h) over disjoint key sets:
 * state s of row (b, t, h) is in_o + s * in_state + b * in_b + t * in_t + h * in_h
 * (elements; float32 when in_f32, else the kernel's fp16/bf16) with its natural-log LSE at
 * in_lse + s * lse_state + b * lse_b + t * lse_t + h * lse_h. The state stride may be the
 * distance between two separate allocations (fadsl_merge_states): the GPU's address space
 * is flat.
 * Packed outputs (cu_tokens set, after a split decode of packed queries): rows (b, t) with
 * t >= cu_tokens[b + 1] - cu_tokens[b] are skipped, the others go to token row
 * p = cu_tokens[b] + t (out_b and out_lse_b then 0), and an out_lse_h of 0 means
 * cu_tokens[batch] (the packed LSE [heads, total rows]).
 */
#ifndef FA_MERGE_ARGS_H
#define FA_MERGE_ARGS_H

/* Warps a merge CTA may have (runtime/merge.c picks 4..FA_MERGE_MAX_WARPS at launch; the
 * kernel's shared arrays hold this many). */
#define FA_MERGE_MAX_WARPS 32

typedef struct fa_merge_args {
    const void *in_o;
    const float *in_lse;
    long long in_state, in_b, in_t, in_h;
    long long lse_state, lse_b, lse_t, lse_h;
    void *out;                          /* fp16/bf16 */
    long long out_b, out_t, out_h;
    float *out_lse;                     /* NULL: not wanted */
    long long out_lse_b, out_lse_t, out_lse_h;
    int num_states, in_f32;
    int batch, tokens, heads, head_dim; /* head_dim: a multiple of 4 */
    unsigned long long *claims;         /* after a split decode with tile claims: its counters' */
    long long num_claims;               /* words, zeroed once the decode is over */
    const int *cu_tokens;               /* NULL, or packed outputs: [batch + 1] row offsets */
} fa_merge_args;

#endif
