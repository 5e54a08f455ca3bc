/* fa_args.h - the one argument block every fadsl kernel takes, by value
 * (`const __grid_constant__ fa_args args`). Plain C: the runtime (host, C11) and the
 * kernels (NVRTC, CUDA C++) include this same file, so the layouts agree by construction.
 * Only fixed-width fields; pointers are 8 bytes on both sides.
 *
 * Tensor layouts (element strides; head_dim is contiguous):
 *   dense:  q [batch, seqlen_q, q_heads, D], k/v [batch, seqlen_k, kv_heads, D],
 *           o like q, lse [batch, q_heads, seqlen_q] float32 (natural log).
 *   varlen: q [total_q, q_heads, D], k/v [total_k, kv_heads, D]; sequence b owns rows
 *           [cu_seqlens_q[b], cu_seqlens_q[b+1]) (likewise k); batch strides unused;
 *           lse [q_heads, total_q].
 *   paged:  k/v caches addressed through block_table (see the paged fields).
 */
#ifndef FA_ARGS_H
#define FA_ARGS_H

#define FA_MAX_VPARAMS 16
#define FA_TMAP_WORDS 16 /* a CUtensorMap: 128 bytes, 64-byte aligned */

#ifdef __cplusplus
#define FA_ALIGN64 alignas(64)
#else
#define FA_ALIGN64 _Alignas(64)
#endif

/* Tile classes returned by the emitted fa_tile_class(). */
#define FA_TILE_EMPTY 0
#define FA_TILE_FULL 1
#define FA_TILE_PARTIAL 2

#define FA_CLAIM_WORDS 2 /* a tile-claim counter's 64-bit words: count, tag (fa_args.claim) */

typedef struct fa_args {
    const void *q;
    const void *k;
    const void *v;
    void *o;
    float *lse;                      /* NULL: not wanted */

    long long q_batch_stride, q_row_stride, q_head_stride;
    long long k_batch_stride, k_row_stride, k_head_stride;
    long long v_batch_stride, v_row_stride, v_head_stride;
    long long o_batch_stride, o_row_stride, o_head_stride;

    int batch;
    int q_heads;
    int kv_heads;
    int seqlen_q;                    /* dense: every sequence's; varlen: the maximum */
    int seqlen_k;

    const int *cu_seqlens_q;         /* varlen: [batch + 1] */
    const int *cu_seqlens_k;         /* varlen: [batch + 1] */

    float softmax_scale;             /* applied to q.k before `score` */
    float scale_log2;                /* softmax_scale * log2(e) */

    /* paged KV cache */
    const int *block_table;          /* [batch, max_blocks_per_seq] */
    const int *seq_lens;             /* [batch] keys per sequence */
    int max_blocks_per_seq;
    int num_blocks;
    long long k_block_stride, v_block_stride;   /* elements between cache blocks */
    float k_descale, v_descale;      /* fp8 caches: stored value * descale = real value */
    const float *k_descale_per_head; /* optional [kv_heads], overrides k_descale */
    const float *v_descale_per_head;

    /* split-KV (decode): partial outputs and LSEs go to the workspace */
    int num_splits;
    int lse_rows;                    /* varlen: lse is [q_heads, lse_rows]; 0: cu_seqlens_q[batch] */
    float *split_o;                  /* [num_splits, batch, q_heads, seqlen_q, D] float32 */
    float *split_lse;                /* [num_splits, batch, q_heads, seqlen_q] */
    /* split decodes: a tile-claim counter a (sequence, KV head, row tile), two words each:
     * the tiles claimed (a 32-bit count in the first word) and the launch's tag, claim_tag
     * (paged_decode.cuh, fa_dec_claim_tag, fa_dec_claim); NULL: even shares */
    unsigned long long *claim;       /* FA_CLAIM_WORDS a counter */
    unsigned long long claim_tag;

    /* variant runtime parameters, in declaration order: a scalar's bits (i32 as int,
     * f32 as float, in the low 32 bits) or a tensor's device address */
    unsigned long long vparam[FA_MAX_VPARAMS];

    /* paged decode with FA_DEC_TMA: tensor maps of the K and V caches (runtime/paged.c) */
    FA_ALIGN64 unsigned long long k_tmap[FA_TMAP_WORDS];
    FA_ALIGN64 unsigned long long v_tmap[FA_TMAP_WORDS];
} fa_args;

#endif
