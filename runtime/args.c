/* args.c - fills the fa_args block of a request: pointers, element strides (contiguous
 * defaults), sizes, the softmax scale, the paged cache, and the variant's parameters. */
#include "fart.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Strides of a [batch, rows, heads, D] tensor `name`: the caller's, or contiguous when all
 * 0 (varlen rows are packed, so their batch stride is 0). A contiguous tensor whose element
 * offsets would pass int64 is refused (heads * dim fits: heads <= 65535). */
static fadsl_status strides(const char *name, const int64_t in[3], int batch, int rows, int heads, int dim,
                            bool varlen, long long *batch_stride, long long *row, long long *head)
{
    if (in[0] || in[1] || in[2]) {
        *batch_stride = in[0], *row = in[1], *head = in[2];
        return FADSL_OK;
    }
    int64_t row_elems = (int64_t)heads * dim, seq_elems, all;
    if (!fart_mul64(row_elems, rows, &seq_elems) || !fart_mul64(seq_elems, varlen ? 1 : batch, &all))
        return fart_fail(FADSL_ERR_SEQLEN,
                         "contiguous %s [batch %d, rows %d, heads %d, head_dim %d] has more elements than int64 "
                         "offsets reach; check the batch, lengths, heads and head_dim",
                         name, batch, rows, heads, dim);
    *head = dim;
    *row = row_elems;
    *batch_stride = varlen ? 0 : seq_elems;
    return FADSL_OK;
}

/* Tensor parameter pi's elements at this launch, its dims taken from a's sizes (as the
 * kernels' bounds checks take them); -1 past int64. Its shape goes to `shape`. */
static int64_t tensor_elems(const fa_param_info *pi, const fa_args *a, char *shape, size_t n)
{
    static const char *const names[] = {
#define X(id, name) [FA_EXTENT_##id] = name,
        FA_EXTENT_LIST(X)
#undef X
    };
    const int64_t sizes[] = {[FA_EXTENT_Q_HEADS] = a->q_heads, [FA_EXTENT_KV_HEADS] = a->kv_heads,
                             [FA_EXTENT_BATCH] = a->batch,     [FA_EXTENT_Q_LEN] = a->seqlen_q,
                             [FA_EXTENT_KV_LEN] = a->seqlen_k};
    int64_t elems = 1;
    size_t used = 0;
    for (int d = 0; d < pi->ndims; d++) {
        bool lit = pi->dims[d] == FA_EXTENT_CONST;
        int64_t e = lit ? pi->const_dims[d] : sizes[pi->dims[d]];
        if (used < n)
            used += (size_t)snprintf(shape + used, n - used, "%s%s%s%lld", d ? ", " : "", lit ? "" : names[pi->dims[d]],
                                     lit ? "" : " ", (long long)e);
        if (elems >= 0 && !fart_mul64(elems, e, &elems))
            elems = -1;
    }
    return elems;
}

/* A parameter's slot: scalar bits (i32 as int, f32 as float, low 32 bits) or address. */
static fadsl_status param_slot(const fa_param_info *pi, const fadsl_param *given, const fa_args *a,
                               unsigned long long *slot)
{
    if (pi->is_tensor) {
        if (!given || !given->tensor)
            return fart_fail(FADSL_ERR_PARAM, "tensor parameter '%s' (%s) needs a device pointer", pi->name,
                             pi->type == FA_PARAM_I32 ? "i32" : "f32");
        if ((uintptr_t)given->tensor % 4)
            return fart_fail(FADSL_ERR_MISALIGNED, "tensor parameter '%s' %p is not 4-byte aligned", pi->name,
                             given->tensor);
        char shape[160];
        int64_t elems = tensor_elems(pi, a, shape, sizeof shape);
        if (elems < 0 || elems > INT32_MAX) /* an index past it would wrap into the tensor */
            return fart_fail(FADSL_ERR_UNSUPPORTED,
                             "tensor parameter '%s' [%s] is larger than the kernels' int32 indices reach (%d "
                             "elements); split the batch or shorten the sequences",
                             pi->name, shape, INT32_MAX);
        *slot = (uintptr_t)given->tensor;
        return FADSL_OK;
    }
    if (given && given->tensor)
        return fart_fail(FADSL_ERR_PARAM, "parameter '%s' is a scalar, but a tensor was given", pi->name);
    if (!given && !pi->has_default)
        return fart_fail(FADSL_ERR_PARAM, "parameter '%s' has no default and was not given", pi->name);
    double v = given ? given->value : pi->default_value;
    uint32_t bits;
    if (pi->type == FA_PARAM_I32) {
        if (!(v >= INT32_MIN && v <= INT32_MAX) || v != floor(v))
            return fart_fail(FADSL_ERR_PARAM, "parameter '%s' is i32, but its value is %g", pi->name, v);
        bits = (uint32_t)(int32_t)v;
    } else {
        float f = (float)v;
        if (isnan(f) || isinf(f))
            return fart_fail(FADSL_ERR_PARAM, "parameter '%s' value %g is not a finite f32", pi->name, v);
        if (v != 0 && fabsf(f) < FLT_MIN) /* the kernels flush denormals: they would read 0 */
            return fart_fail(FADSL_ERR_PARAM, "parameter '%s' value %g is below f32's normal range (%g): the kernels "
                                              "would read it as 0; pass 0 or a larger value", pi->name, v,
                             (double)FLT_MIN);
        memcpy(&bits, &f, sizeof bits);
    }
    *slot = bits;
    return FADSL_OK;
}

static fadsl_status fill_params(const fadsl_fwd_desc *d, const fa_program *p, fa_args *a)
{
    int n = fa_program_num_params(p);
    if (n > FA_MAX_VPARAMS)
        return fart_fail(FADSL_ERR_UNSUPPORTED, "variant '%s' has %d parameters; at most %d", fa_program_name(p), n,
                         FA_MAX_VPARAMS);
    if (d->num_params < 0)
        return fart_fail(FADSL_ERR_INVALID, "num_params %d is negative", d->num_params);
    if (d->num_params && !d->params)
        return fart_fail(FADSL_ERR_INVALID, "num_params %d without a params array", d->num_params);
    const fadsl_param *given[FA_MAX_VPARAMS] = {0};
    for (int j = 0; j < d->num_params; j++) {
        const char *name = d->params[j].name ? d->params[j].name : "(null)";
        int i = 0;
        while (i < n && strcmp(fa_program_param(p, i)->name, name) != 0)
            i++;
        if (i == n) {
            fart_names known = {0};
            for (int k = 0; k < n; k++)
                fart_names_add(&known, fa_program_param(p, k)->name);
            return fart_fail(FADSL_ERR_PARAM, "unknown parameter '%s' (variant '%s' has: %s)", name,
                             fa_program_name(p), n ? known.text : "none");
        }
        if (given[i])
            return fart_fail(FADSL_ERR_PARAM, "parameter '%s' is given twice", name);
        given[i] = &d->params[j];
    }
    for (int i = 0; i < n; i++) {
        fadsl_status s = param_slot(fa_program_param(p, i), given[i], a, &a->vparam[i]);
        if (s)
            return s;
    }
    char why[1024]; /* the condition is cut at 160 characters, so that the values follow it */
    if (!fa_program_check_requires(p, a->vparam, why, sizeof why))
        return fart_fail(FADSL_ERR_PARAM, "variant '%s' %s", fa_program_name(p), why);
    return FADSL_OK;
}

/* The cache's strides per layout: NHD [blocks, bs, kv_heads, D] is row-major; HDB
 * [blocks, kv_heads, D, bs] keeps a block's tokens adjacent (row stride 1). */
static void fill_paged(const fadsl_paged_desc *pg, fa_args *a)
{
    long long block = (long long)pg->num_kv_heads * pg->head_dim * pg->block_size;
    a->k = pg->k_cache;
    a->v = pg->v_cache;
    a->block_table = pg->block_tables;
    a->seq_lens = pg->seq_lens;
    a->max_blocks_per_seq = pg->max_blocks_per_seq;
    a->num_blocks = pg->num_blocks;
    a->k_block_stride = a->v_block_stride = block;
    a->k_batch_stride = a->v_batch_stride = 0;
    bool nhd = pg->layout == FA_PAGED_NHD;
    a->k_row_stride = a->v_row_stride = nhd ? (long long)pg->num_kv_heads * pg->head_dim : 1;
    a->k_head_stride = a->v_head_stride = nhd ? pg->head_dim : (long long)pg->head_dim * pg->block_size;
    a->k_descale = pg->k_descale != 0 ? pg->k_descale : 1.0f;
    a->v_descale = pg->v_descale != 0 ? pg->v_descale : 1.0f;
    a->k_descale_per_head = pg->k_descale_per_head;
    a->v_descale_per_head = pg->v_descale_per_head;
}

fadsl_status fart_fill_args(const fadsl_fwd_desc *d, const fa_program *p, fa_args *a)
{
    memset(a, 0, sizeof *a);
    fadsl_status s;
    const fadsl_paged_desc *pg = d->paged;
    bool varlen = d->cu_seqlens_q != NULL; /* packed queries, over a paged cache too */
    a->q = d->q;
    a->o = d->o;
    a->lse = d->lse;
    a->q_heads = d->q_heads;
    a->k_descale = a->v_descale = 1.0f;
    a->lse_rows = varlen ? d->total_q : 0;
    if (pg) {
        a->batch = pg->num_seqs;
        a->kv_heads = pg->num_kv_heads;
        a->seqlen_q = varlen ? d->max_seqlen_q : pg->q_tokens_per_seq;
        a->cu_seqlens_q = d->cu_seqlens_q;
        a->seqlen_k = fart_paged_max_len(pg);
        fill_paged(pg, a);
    } else {
        a->batch = d->batch;
        a->kv_heads = d->kv_heads;
        a->seqlen_q = varlen ? d->max_seqlen_q : d->seqlen_q;
        a->seqlen_k = varlen ? d->max_seqlen_k : d->seqlen_k;
        a->k = d->k;
        a->v = d->v;
        a->cu_seqlens_q = varlen ? d->cu_seqlens_q : NULL;
        a->cu_seqlens_k = varlen ? d->cu_seqlens_k : NULL;
        if ((s = strides("k", d->k_stride, a->batch, a->seqlen_k, a->kv_heads, d->head_dim, varlen,
                         &a->k_batch_stride, &a->k_row_stride, &a->k_head_stride)) ||
            (s = strides("v", d->v_stride, a->batch, a->seqlen_k, a->kv_heads, d->head_dim, varlen,
                         &a->v_batch_stride, &a->v_row_stride, &a->v_head_stride)))
            return s;
    }
    if ((s = strides("q", d->q_stride, a->batch, a->seqlen_q, a->q_heads, d->head_dim, varlen, &a->q_batch_stride,
                     &a->q_row_stride, &a->q_head_stride)) ||
        (s = strides("o", d->o_stride, a->batch, a->seqlen_q, a->q_heads, d->head_dim, varlen, &a->o_batch_stride,
                     &a->o_row_stride, &a->o_head_stride)))
        return s;
    double scale = d->softmax_scale != 0 ? d->softmax_scale : 1.0 / sqrt((double)d->head_dim);
    a->softmax_scale = (float)scale;
    a->scale_log2 = (float)(scale * 1.4426950408889634);   /* log2(e) */
    return fill_params(d, p, a);
}
