/* fadsl.h - the fadsl runtime: attention variants compiled for a dispatch key and launched
 * on the caller's CUDA stream.
 *
 *   fadsl_forward(desc, stream)   validate -> key -> kernel (memory cache -> disk cache ->
 *                                 NVRTC) -> cuLaunchKernel; no host sync, no allocation
 *                                 once the kernel is loaded (capturable in CUDA graphs)
 *   fadsl_compile(variant, key)   the same kernel lookup without a GPU (fa-dslc, Python)
 *   fadsl_prewarm(items)          compiles a list of keys on worker threads
 *   fadsl_cache_*                 the on-disk cubin cache: directory, list, clear, counters
 *
 * libcuda is opened with dlopen at first GPU use: everything but launches and the device
 * helpers works on a machine without a GPU. Every call returns a status; fadsl_last_error()
 * holds the detail for the calling thread. See docs/RUNTIME.md.
 */
#ifndef FADSL_H
#define FADSL_H

#include "fadslc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- status ---------------------------------------------------------------------------
 * The first five mirror fa_status (the compiler's); the runtime's follow FA_ERR__COMPILER. */
#define FADSL_STATUS_LIST(X)                                                          \
    X(OK, "ok")                                                                       \
    X(ERR_SYNTAX, "variant does not compile")                                         \
    X(ERR_UNSUPPORTED, "unsupported key")                                             \
    X(ERR_INVALID, "invalid argument")                                                \
    X(ERR_NOMEM, "out of memory")                                                     \
    X(ERR_EMPTY_PAGED_CACHE, "empty paged KV cache")                                  \
    X(ERR_BLOCK_SIZE, "invalid paged block size")                                     \
    X(ERR_PAGED_HEAD_DIM, "paged cache head_dim differs from the request's")          \
    X(ERR_EMPTY_BATCH, "empty batch")                                                 \
    X(ERR_NULL_POINTER, "null pointer")                                               \
    X(ERR_MISALIGNED, "misaligned pointer or stride")                                 \
    X(ERR_HEADS, "query heads not a multiple of kv heads")                            \
    X(ERR_SEQLEN, "sequence length out of range")                                     \
    X(ERR_PARAM, "bad variant parameter")                                             \
    X(ERR_VARIANT, "variant not found")                                               \
    X(ERR_NVRTC, "NVRTC compilation failed")                                          \
    X(ERR_NO_DRIVER, "no CUDA driver")                                                \
    X(ERR_DRIVER, "CUDA driver call failed")                                          \
    X(ERR_IO, "file system error")

typedef enum {
#define X(id, text) FADSL_##id,
    FADSL_STATUS_LIST(X)
#undef X
    FADSL__STATUS_COUNT
} fadsl_status;

/* Short fixed text of a status ("empty paged KV cache"); fadsl_last_error() has the detail. */
const char *fadsl_status_name(fadsl_status s);
/* The calling thread's message for the last failed call ("" after none). */
const char *fadsl_last_error(void);

/* ---- requests -------------------------------------------------------------------------- */

/* A runtime parameter of the variant: a scalar (value) or a device tensor (tensor). */
typedef struct fadsl_param {
    const char *name;
    double value;
    const void *tensor;
} fadsl_param;

/* A paged KV cache (vLLM style). Layouts (fa_paged_layout):
 *   FA_PAGED_HDB  [num_blocks, num_kv_heads, head_dim, block_size]
 *   FA_PAGED_NHD  [num_blocks, block_size, num_kv_heads, head_dim]
 * Sequence b's keys are in blocks block_tables[b][0..], seq_lens[b] keys in all; its
 * q_tokens_per_seq new queries (1: decode; more: chunked prefill) are the last positions. */
typedef struct fadsl_paged_desc {
    fa_paged_layout layout;
    fa_dtype kv_dtype;               /* cache element type (fp8 caches: see descales) */
    const void *k_cache, *v_cache;
    int num_blocks, block_size, num_kv_heads, head_dim;
    const int *block_tables;         /* device [num_seqs, max_blocks_per_seq] int32; an entry
                                      * the kernel looks up outside 0..num_blocks - 1 is never
                                      * an address and gives the rows that see its block NaN */
    int max_blocks_per_seq;
    const int *seq_lens;             /* device [num_seqs] int32; one out of range (above the key
                                      * bound max_seq_len, below the sequence's new tokens) reads
                                      * nothing and gives that sequence NaN rows */
    int num_seqs;
    int q_tokens_per_seq;            /* new tokens a sequence; with packed queries 0 (or max_seqlen_q) */
    int max_seq_len;                 /* upper bound of seq_lens (0: max_blocks * block_size, capped at 2^31 - 1024) */
    float k_descale, v_descale;      /* fp8: stored * descale = real (0 means 1; finite, >= 0);
                                      * a 16-bit cache takes 0 or 1 only (FADSL_ERR_INVALID) */
    /* Optional device [num_kv_heads] float32 descales (fp8 caches only); override
     * k_descale/v_descale. Their values and length are the caller's to get right
     * (FADSL_DEBUG_CHECKS=1 checks the values: finite, > 0). */
    const float *k_descale_per_head, *v_descale_per_head;
    /* Caller-provided device scratch for split-KV decode (16-byte aligned); launches never
     * allocate. fadsl_workspace_size() says how much a request wants; with less (or none)
     * the decode runs unsplit, still correct, slower when the grid underfills the GPU. Its
     * contents need no initialising (tile-claim counters carry a 64-bit tag, new every
     * launch and kept by a CUDA graph's replays; whatever else lands in them matches it
     * with odds of 2^-64); one workspace serves one launch at a time. */
    void *workspace;
    size_t workspace_size;
} fadsl_paged_desc;

/* One attention forward. Tensors are device pointers; strides are in elements, head_dim
 * contiguous; a tensor whose three strides are all 0 is contiguous:
 *   dense  q/o [batch, seqlen_q, q_heads, D], k/v [batch, seqlen_k, kv_heads, D]
 *   varlen q/o [total_q, q_heads, D], k/v [total_k, kv_heads, D] (batch strides unused);
 *          set cu_seqlens_q/k ([batch + 1] int32) and max_seqlen_q/k; batch = sequences
 *   paged  set `paged`: batch, seqlen_q, seqlen_k, max_seqlen_k, kv_heads, k and v come
 *          from it (leave them 0/NULL or set them to the same values: others are refused;
 *          cu_seqlens_k must be NULL);
 *          with cu_seqlens_q ([num_seqs + 1]) and max_seqlen_q, q/o are packed
 *          [total_q, q_heads, D] (varlen chunked prefill, any layout and cache type), else
 *          q/o are dense [num_seqs, q_tokens_per_seq, q_heads, D]
 * lse (optional) is [batch, q_heads, seqlen_q] float32, natural log; with cu_seqlens_q
 * [q_heads, total_q] (rows past cu_seqlens_q[batch] are padding: not written). */
typedef struct fadsl_fwd_desc {
    const char *variant;    /* stdlib name ("causal"), path to a .fa file, or DSL source */
    fa_dtype dtype;
    const void *q, *k, *v;
    void *o;
    float *lse;
    int batch, seqlen_q, seqlen_k;
    int q_heads, kv_heads, head_dim;
    int64_t q_stride[3], k_stride[3], v_stride[3], o_stride[3];   /* batch, row, head */
    const int *cu_seqlens_q, *cu_seqlens_k;
    int max_seqlen_q, max_seqlen_k;
    double softmax_scale;   /* 0: 1/sqrt(head_dim); else positive, a normal float32 */
    const fadsl_param *params;
    int num_params;
    const char *arch;       /* "sm_90a" to override the device's; NULL: the device's */
    int device;             /* used only when the thread has no current CUDA context */
    const fadsl_paged_desc *paged;
    /* Packed queries (cu_seqlens_q) only: the rows of q/o, and lse is [q_heads, total_q]; 0
     * means cu_seqlens_q[batch] (no padding rows past the last sequence's). Refused when
     * negative or set without cu_seqlens_q; FADSL_DEBUG_CHECKS=1 checks the offsets end
     * within it. (Last in the struct: callers built before it keep their layout.) */
    int total_q;
    /* Dense and packed requests of a few query rows a KV head (seqlen_q, or max_seqlen_q, x
     * q_heads / kv_heads up to 256 at head dim 64, 96 at 96, 128 at 128, 64 at 192 and 256;
     * not more query tokens than keys when dense) run on the decode template, which reads
     * each K/V tile once for all of a KV head's query heads. Like fadsl_paged_desc.workspace: scratch
     * for its split-KV, 16-byte aligned (fadsl_workspace_size says how much; with less or none
     * it runs unsplit, correct and slower when the grid underfills the GPU). Paged requests use
     * paged->workspace and refuse this one. (After total_q, for the same reason.) */
    void *workspace;
    size_t workspace_size;
} fadsl_fwd_desc;

/* Validates `d` and builds its dispatch key without compiling or launching anything.
 * Needs the device only when d->arch is NULL, and only once `d` passed every check that
 * does not depend on the arch (a head dim or dtype no arch supports: FADSL_ERR_UNSUPPORTED). */
fadsl_status fadsl_make_key(const fadsl_fwd_desc *d, fa_key *key);

/* Runs the forward on `stream` (a CUstream; NULL: the legacy default stream). The first
 * call for a key compiles it (or loads it from the disk cache); later calls only launch. */
fadsl_status fadsl_forward(const fadsl_fwd_desc *d, void *stream);

/* The runtime parameters of a variant (a standard-library name, a .fa path or DSL source),
 * in slot order: copies up to `max` descriptions into `out` (names stay valid for the
 * process) and sets *count to the number the variant has. Lets a caller check tensor
 * parameters' sizes (row-major over their extents) before a launch. No GPU needed. */
fadsl_status fadsl_variant_params(const char *variant, fa_param_info *out, int max, int *count);

/* Device bytes of split-KV workspace `d` can use (a paged decode, or a dense request the
 * decode template serves; 0: it never splits). Needs the device (its SM count decides the
 * split) unless nothing can split. */
fadsl_status fadsl_workspace_size(const fadsl_fwd_desc *d, size_t *bytes);

/* Merges two attention results of the same queries over disjoint key sets (split-KV,
 * cascade, prefix caching): lse = log(exp(lse_a) + exp(lse_b)),
 * out = exp(lse_a - lse) * out_a + exp(lse_b - lse) * out_b, in float32. out_* are
 * contiguous [batch, seqlen, heads, head_dim] of `dtype` (fp16, bf16; 16-byte aligned),
 * lse_* float32 [batch, heads, seqlen], natural log; lse may be NULL. Rows empty in both
 * (-inf) give 0 and -inf; a NaN lse gives NaN (out and lse), never a dropped state. out may
 * be out_a or out_b and lse may be lse_a or lse_b (in place); any other overlap of an
 * output with a buffer is refused (FADSL_ERR_INVALID). Runs on `stream` without a host sync
 * (compiles on first use), in the calling thread's current CUDA context (device 0's primary
 * context when it has none): make the buffers' device current first. */
fadsl_status fadsl_merge_states(fa_dtype dtype, const void *out_a, const float *lse_a, const void *out_b,
                                const float *lse_b, void *out, float *lse, int batch, int seqlen, int heads,
                                int head_dim, void *stream);

/* ---- compilation ----------------------------------------------------------------------- */

typedef enum { FADSL_FROM_COMPILE, FADSL_FROM_MEMORY, FADSL_FROM_DISK } fadsl_origin;
typedef enum { FADSL_PATH_CUBIN, FADSL_PATH_PTX } fadsl_path;

typedef struct fadsl_compile_info {
    char kernel_name[128];
    fadsl_origin origin;      /* where this call found the kernel */
    fadsl_path path;          /* cubin from NVRTC, or PTX for the driver's assembler */
    const void *image;        /* the cubin or PTX (NUL-terminated); lives as long as the process */
    size_t image_size;
    double seconds;           /* this call's time */
    int smem_bytes, threads;  /* launch metadata */
} fadsl_compile_info;

/* Compiles `variant` for `key` (its variant fields are filled from the variant) to a cubin
 * for key->arch, through the memory and disk caches. No GPU needed. FADSL_PTX=1 gives PTX. */
fadsl_status fadsl_compile(const char *variant, const fa_key *key, fadsl_compile_info *info);

typedef struct fadsl_prewarm_item {
    const char *variant;
    fa_key key;
} fadsl_prewarm_item;

typedef struct fadsl_prewarm fadsl_prewarm;

/* Starts compiling `items` (copied) on `threads` worker threads (<= 0: one a CPU). */
fadsl_status fadsl_prewarm_start(const fadsl_prewarm_item *items, int n, int threads, fadsl_prewarm **out);
/* Waits for a prewarm, frees it, and returns the status of the failed item with the lowest
 * index (OK if none; fadsl_last_error names that item and its error); *failed (may be NULL)
 * receives how many items failed. */
fadsl_status fadsl_prewarm_wait(fadsl_prewarm *p, int *failed);

/* ---- cubin cache ----------------------------------------------------------------------- */

typedef struct fadsl_cache_stats {
    uint64_t memory_hits, disk_hits, compiles;
    uint64_t corrupt_entries, write_failures;
} fadsl_cache_stats;

typedef struct fadsl_cache_entry {
    const char *path;
    const char *kernel_name;   /* "" when the header is unreadable */
    const char *arch;
    fadsl_path path_kind;
    uint64_t payload_size;
    bool valid;                /* header and checksum verified */
} fadsl_cache_entry;

void fadsl_cache_stats_get(fadsl_cache_stats *out);
/* The cache directory in use (FADSL_CACHE_DIR, $XDG_CACHE_HOME/fadsl, ~/.cache/fadsl). */
fadsl_status fadsl_cache_dir(char *buf, size_t size);
/* Calls fn for every entry of the cache directory (stops early if fn returns false). */
fadsl_status fadsl_cache_list(bool (*fn)(void *ud, const fadsl_cache_entry *e), void *ud);
/* Removes every entry (and stale temporary file); *removed (may be NULL) counts them. */
fadsl_status fadsl_cache_clear(int *removed);

/* ---- device helpers (tests, examples) ---------------------------------------------------
 * Thin wrappers over the dlopen'd driver, on the current context (made current on first
 * use: the caller's, else device `device`'s primary context). */

/* Loads the driver and makes a context current; *arch (may be NULL) gets the device's key
 * arch. FADSL_ERR_NO_DRIVER without libcuda or without a GPU; FADSL_ERR_INVALID when the
 * thread's current context is on another device (nothing is changed). */
fadsl_status fadsl_device_init(int device, fa_arch *arch);
fadsl_status fadsl_device_alloc(void **ptr, size_t bytes);
fadsl_status fadsl_device_free(void *ptr);
fadsl_status fadsl_copy_to_device(void *dst, const void *src, size_t bytes);
fadsl_status fadsl_copy_to_host(void *dst, const void *src, size_t bytes);
fadsl_status fadsl_device_memset(void *ptr, unsigned char byte, size_t bytes);
fadsl_status fadsl_stream_sync(void *stream);
fadsl_status fadsl_event_create(void **event);
fadsl_status fadsl_event_record(void *event, void *stream);
/* Waits for `end` and gives the milliseconds between the two recorded events. */
fadsl_status fadsl_event_elapsed_ms(void *start, void *end, float *ms);
fadsl_status fadsl_event_destroy(void *event);

#endif
