/* check.c - FADSL_DEBUG_CHECKS=1: the index data a request keeps on the device (packed
 * queries' and keys' cu_seqlens, a paged cache's seq_lens, block tables and per-head
 * descales), copied to the host and checked before the launch; the first bad value is
 * refused with its position. Costs a sync of the caller's stream and a few small copies a
 * call; not capturable in a CUDA graph. Dense (unpacked) requests have nothing to check. */
#include "fart.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Copies `bytes` of device array `name` into a new host buffer *out (the caller frees it). */
static fadsl_status fetch_bytes(const fart_cu *cu, const char *name, const void *dev, size_t bytes, void **out)
{
    *out = malloc(bytes);
    if (!*out)
        return fart_fail(FADSL_ERR_NOMEM, "no host memory to check %s", name);
    char call[64];
    snprintf(call, sizeof call, "cuMemcpyDtoH(%s)", name);
    return fart_cu_check(cu->MemcpyDtoH(*out, (CUdeviceptr)(uintptr_t)dev, bytes), call);
}

static fadsl_status fetch(const fart_cu *cu, const char *name, const int *dev, size_t n, int **out)
{
    void *host = NULL;
    fadsl_status s = fetch_bytes(cu, name, dev, n * sizeof **out, &host);
    *out = host;
    return s;
}

/* A per-head descale array `name` of `heads` values: each finite and positive (a scalar
 * descale of 0 means 1, validate.c; a per-head 0 would zero the head's scores, and the
 * masked ones turn NaN). */
static fadsl_status check_head_descales(const fart_cu *cu, const char *name, const float *dev, int heads)
{
    void *host = NULL;
    fadsl_status s = fetch_bytes(cu, name, dev, (size_t)heads * sizeof(float), &host);
    const float *v = host;
    for (int h = 0; !s && h < heads; h++)
        if (!(isfinite(v[h]) && v[h] > 0))
            s = fart_fail(FADSL_ERR_INVALID, "%s[%d] = %g is not a finite positive number", name, h, (double)v[h]);
    free(host);
    return s;
}

/* Offsets `name` of `batch` packed sequences: 0 first, then never decreasing, no sequence
 * longer than `max` rows (`max_name`, which sized the launch). */
static fadsl_status check_offsets(const char *name, const int *cu, int batch, int max, const char *max_name)
{
    if (cu[0] != 0)
        return fart_fail(FADSL_ERR_SEQLEN, "%s[0] = %d: packed offsets start at 0", name, cu[0]);
    for (int b = 0; b < batch; b++) {
        long long n = (long long)cu[b + 1] - cu[b];
        if (n < 0)
            return fart_fail(FADSL_ERR_SEQLEN, "%s decreases from [%d] = %d to [%d] = %d", name, b, cu[b], b + 1,
                             cu[b + 1]);
        if (n > max)
            return fart_fail(FADSL_ERR_SEQLEN, "%s[%d] = %d and %s[%d] = %d give sequence %d %lld rows, above %s %d",
                             name, b, cu[b], name, b + 1, cu[b + 1], b, n, max_name, max);
    }
    return FADSL_OK;
}

/* A paged cache: sequence b holds its new tokens (q_tokens_per_seq, or its packed count in
 * cu_q) and at most `max_len` keys, and each block-table entry its keys use names a block
 * of the cache. */
static fadsl_status check_paged(const fadsl_paged_desc *pg, const int *cu_q, const int *lens, const int *tab,
                                int max_len)
{
    for (int b = 0; b < pg->num_seqs; b++) {
        int rows = cu_q ? cu_q[b + 1] - cu_q[b] : pg->q_tokens_per_seq;
        if (lens[b] < rows || lens[b] > max_len)
            return fart_fail(FADSL_ERR_SEQLEN,
                             "paged seq_lens[%d] = %d is out of range (%d..%d: its %d new token%s in the cache)",
                             b, lens[b], rows, max_len, rows, rows == 1 ? " is" : "s are");
        int blocks = lens[b] / pg->block_size + (lens[b] % pg->block_size != 0);
        for (int i = 0; i < blocks; i++) {
            int e = tab[(size_t)b * pg->max_blocks_per_seq + i];
            if (e < 0 || e >= pg->num_blocks)
                return fart_fail(FADSL_ERR_INVALID, "paged block_tables[%d][%d] = %d is not a block (0..%d)", b, i, e,
                                 pg->num_blocks - 1);
        }
    }
    return FADSL_OK;
}

fadsl_status fart_debug_check(const fart_cu *cu, const fadsl_fwd_desc *d, const fa_args *a, CUstream stream)
{
    const fadsl_paged_desc *pg = d->paged;
    if ((!pg && !d->cu_seqlens_q) || !fart_env_flag("FADSL_DEBUG_CHECKS"))
        return FADSL_OK;
    int *cu_q = NULL, *cu_k = NULL, *lens = NULL, *tab = NULL;
    size_t n = (size_t)a->batch + 1;
    fadsl_status s = fart_cu_check(cu->StreamSynchronize(stream), "cuStreamSynchronize");
    if (!s && d->cu_seqlens_q && !(s = fetch(cu, "cu_seqlens_q", d->cu_seqlens_q, n, &cu_q)))
        s = check_offsets("cu_seqlens_q", cu_q, a->batch, d->max_seqlen_q, "max_seqlen_q");
    if (!s && cu_q && d->total_q && cu_q[a->batch] > d->total_q)
        s = fart_fail(FADSL_ERR_SEQLEN, "cu_seqlens_q[%d] = %d is past total_q %d (the rows of q, o and lse)", a->batch,
                      cu_q[a->batch], d->total_q);
    if (!s && !pg && !(s = fetch(cu, "cu_seqlens_k", d->cu_seqlens_k, n, &cu_k)))
        s = check_offsets("cu_seqlens_k", cu_k, a->batch, d->max_seqlen_k, "max_seqlen_k");
    if (!s && pg && !(s = fetch(cu, "paged seq_lens", pg->seq_lens, (size_t)pg->num_seqs, &lens)) &&
        !(s = fetch(cu, "paged block_tables", pg->block_tables, (size_t)pg->num_seqs * pg->max_blocks_per_seq, &tab)))
        s = check_paged(pg, cu_q, lens, tab, a->seqlen_k);
    if (!s && pg && pg->k_descale_per_head)
        s = check_head_descales(cu, "paged k_descale_per_head", pg->k_descale_per_head, pg->num_kv_heads);
    if (!s && pg && pg->v_descale_per_head)
        s = check_head_descales(cu, "paged v_descale_per_head", pg->v_descale_per_head, pg->num_kv_heads);
    free(cu_q);
    free(cu_k);
    free(lens);
    free(tab);
    return s;
}
