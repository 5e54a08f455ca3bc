/* fadslc.h - the public surface of the fadsl compiler (no CUDA needed).
 *
 * A variant (.fa source) is compiled to an fa_program: parsed, checked, lowered to IR
 * and optimised. A dispatch key (fa_key) names one specialisation (arch, dtype, head dim,
 * GQA, paged, varlen). fa_plan() picks the kernel template and tile configuration for a
 * key; fa_emit_cuda() writes one self-contained CUDA C translation unit for (program, key).
 * The runtime (runtime/fadsl.h) builds on this; so does fa-dslc.
 */
#ifndef FADSLC_H
#define FADSLC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- dispatch key ------------------------------------------------------------------ */

/* X-macros keep each enum and its spelling in one place. */
#define FA_ARCH_LIST(X) \
    X(SM80, "sm_80", 80)   \
    X(SM86, "sm_86", 86)   \
    X(SM89, "sm_89", 89)   \
    X(SM90A, "sm_90a", 90)

#define FA_DTYPE_LIST(X)           \
    X(FP16, "fp16", 2)             \
    X(BF16, "bf16", 2)             \
    X(FP8E4M3, "fp8e4m3", 1)       \
    X(FP8E5M2, "fp8e5m2", 1)

typedef enum {
#define X(id, name, num) FA_ARCH_##id,
    FA_ARCH_LIST(X)
#undef X
    FA_ARCH__COUNT
} fa_arch;

typedef enum {
#define X(id, name, size) FA_DTYPE_##id,
    FA_DTYPE_LIST(X)
#undef X
    FA_DTYPE__COUNT
} fa_dtype;

/* Paged KV-cache layouts. HDB is the seed's (vLLM v1) [num_blocks, num_kv_heads, head_dim,
 * block_size]; NHD is block-size-first [num_blocks, block_size, num_kv_heads, head_dim]. */
typedef enum { FA_PAGED_HDB, FA_PAGED_NHD } fa_paged_layout;

typedef struct fa_key {
    fa_arch arch;
    fa_dtype dtype;          /* Q and O */
    fa_dtype kv_dtype;       /* K and V (differs from dtype only for an fp8 KV cache) */
    int head_dim;
    int gqa_ratio;           /* query heads per KV head, >= 1 */
    int paged_block_size;    /* 0: contiguous K/V */
    fa_paged_layout paged_layout;
    bool varlen;             /* cu_seqlens_q / cu_seqlens_k packed batches */
    /* The variant, and the seed features it implies (filled by fa_key_set_variant). */
    char variant[48];        /* variant name as written after `variant` */
    uint64_t variant_hash;   /* hash of the optimised IR: equal IR, equal hash */
    bool stdlib;             /* the variant is one of the standard library's */
    bool causal, sliding_window, alibi, softcap, learned_sinks;
    int sink_tokens;
    /* The visible predicate's tile class loads at indices moving with q or k (fa_tile_scans):
     * the forward kernels classify a row tile's key tiles by scans once, in shared memory
     * their plan reserves. */
    bool tile_scan;
    /* The visible predicate is at most one upper bound on k and the score reads neither q
     * nor k (fa_tile_light): the Hopper forward's d256 plan then takes wider key tiles. */
    bool light;
    /* Light, and the score is s itself: the Hopper forward's d64 plan then takes 192-row
     * tiles, whose consumers' registers a computed score would spill. */
    bool plain_score;
    /* The decode template: paged (a few new tokens a sequence, or an HDB cache the forward
     * template does not read: fa_plan_fa3_forward; kernel names then start fa_decode_paged),
     * or with paged_block_size 0 dense or packed 16-bit K/V read the same way (a few query
     * rows a KV head; kernel names start fa_decode_). */
    bool decode;
    /* Paged decode, fp8 fragment keys whose plan takes 128-key tiles (head dims 64 and 128,
     * one row tile; NHD, or HDB blocks of up to 16 keys on sm_90a): tiles of 64 keys x 2
     * warps instead, at d128 four (NHD) or five (HDB) CTAs an SM instead of two. The runtime
     * picks it for unsplit grids the 128-key plan would run in more than one wave and this
     * one in one (fa_plan_has_tile64). Kernel names end _t64 before the arch. */
    bool decode_tile64;
    /* Paged decode: the query rows a KV head the plan sizes a CTA for when a call brings
     * several new tokens a sequence (a multiple of 16 up to 64; the runtime sets the rows the
     * plan gives GQA x tokens where that is faster); 0: gqa_ratio. Kernel names then carry
     * _r<rows>. A value that sizes the CTA as gqa_ratio alone does is refused. */
    int decode_rows;
    /* Paged decode, HDB fp8 caches (sm_90a, blocks of up to 16 keys, one 16-row tile): the
     * splits of a split launch claim key tiles from a counter in the workspace instead of
     * taking even shares (FA_DEC_CLAIMS). The runtime picks it for split launches
     * (fa_plan_has_claims). Kernel names end _c before the arch. */
    bool decode_claims;
} fa_key;

/* Status codes shared by compiler and runtime (runtime adds its own after FA_ERR__COMPILER). */
typedef enum {
    FA_OK = 0,
    FA_ERR_SYNTAX,          /* the variant did not parse or check: see the diagnostics */
    FA_ERR_UNSUPPORTED,     /* a key the templates cannot serve (message says why) */
    FA_ERR_INVALID,         /* a malformed argument */
    FA_ERR_NOMEM,
    FA_ERR__COMPILER
} fa_status;

const char *fa_arch_name(fa_arch a);          /* "sm_90a" */
int fa_arch_number(fa_arch a);                /* 90 */
const char *fa_dtype_name(fa_dtype t);        /* "bf16" */
int fa_dtype_size(fa_dtype t);                /* bytes per element */
bool fa_arch_parse(const char *s, fa_arch *out);
bool fa_dtype_parse(const char *s, fa_dtype *out);

/* Paged KV-cache block sizes (tokens a block) the templates take: the one rule (the runtime's
 * validation and the planner), and the same set spelled for messages. */
#define FA_PAGED_BLOCK_SIZES "8, 16, 32, 64, 128"
bool fa_paged_block_size_valid(int block_size);

/* A default key: sm_80, bf16, head dim 128, GQA 1, contiguous, dense, no variant. */
void fa_key_init(fa_key *key);

/* Writes the kernel name, e.g. fa2_fwd_paged_bf16_hd128_bs16_causal_gqa8_sm90a.
 * Deterministic; only [a-z0-9_]. Returns the length it needed (like snprintf). */
int fa_key_name(const fa_key *key, char *buf, size_t size);

/* Writes a one-line readable description of every field ("arch=sm_90a dtype=bf16 ..."). */
int fa_key_describe(const fa_key *key, char *buf, size_t size);

/* ---- programs (checked, optimised variants) ---------------------------------------- */

typedef struct fa_program fa_program;

typedef enum { FA_PARAM_I32, FA_PARAM_F32 } fa_param_type;

/* Extents a tensor parameter's dimension may have. */
#define FA_EXTENT_LIST(X)       \
    X(Q_HEADS, "q_heads")       \
    X(KV_HEADS, "kv_heads")     \
    X(BATCH, "batch")           \
    X(Q_LEN, "q_len")           \
    X(KV_LEN, "kv_len")         \
    X(CONST, "<literal>")

typedef enum {
#define X(id, name) FA_EXTENT_##id,
    FA_EXTENT_LIST(X)
#undef X
} fa_extent;

#define FA_MAX_PARAMS 16
#define FA_MAX_DIMS 4

/* A runtime parameter of a variant. Scalars may have a default; tensors live in device
 * memory, contiguous, row-major over their dims. Parameter i is passed in slot i of
 * fa_args.vparam (templates/fa_args.h). */
typedef struct fa_param_info {
    const char *name;
    fa_param_type type;
    bool is_tensor;
    int ndims;
    fa_extent dims[FA_MAX_DIMS];
    int64_t const_dims[FA_MAX_DIMS];  /* for FA_EXTENT_CONST */
    bool has_default;
    double default_value;             /* scalars only */
} fa_param_info;

/* Parses, checks, lowers and optimises `source` (named `filename` in diagnostics).
 * On success returns a program and sets *diagnostics to NULL (or to warnings text).
 * On error returns NULL and sets *diagnostics to the rendered messages
 * (file:line:col: error: ..., the source line, a caret, hints), malloc'd; the caller frees.
 * n_errors (may be NULL) receives the error count. */
fa_program *fa_program_compile(const char *filename, const char *source,
                               char **diagnostics, int *n_errors);
/* Like fa_program_compile; when dump_after names a pass of the pipeline ("lower", "cse",
 * "fold", "cse2", "tile"), *dump receives the IR text right after it (malloc'd), else
 * NULL (fa-dslc --dump-after=PASS). fa_program_compile reads the pass from the
 * environment variable FA_DUMP_IR and prints that dump to stderr. */
fa_program *fa_program_compile_dump(const char *filename, const char *source, const char *dump_after,
                                    char **dump, char **diagnostics, int *n_errors);
void fa_program_free(fa_program *p);

const char *fa_program_name(const fa_program *p);
uint64_t fa_program_hash(const fa_program *p);
int fa_program_num_params(const fa_program *p);
const fa_param_info *fa_program_param(const fa_program *p, int i);
int fa_program_sink_tokens(const fa_program *p);      /* `sink N;` or 0 */
bool fa_program_learned_sinks(const fa_program *p);   /* has `sink_logit = ...;` */
bool fa_program_has_score(const fa_program *p);       /* has a `score = ...;` */
/* Checks the variant's `require` conditions under a launch's param slots (fa_args.vparam,
 * defaults filled in): true when all hold, else false with msg set to "requires COND
 * (line N), but NAME = VALUE, ..." for the first that fails. */
bool fa_program_check_requires(const fa_program *p, const unsigned long long *vparam, char *msg, size_t n);

/* Fills the variant fields of `key` from `p` (name, hash, sink features; the seed-feature
 * flags causal/sliding_window/alibi/softcap come from the standard library's names). */
void fa_key_set_variant(fa_key *key, const fa_program *p);

/* Text of the IR after all passes (fa-dslc --emit ir); malloc'd. */
char *fa_program_dump_ir(const fa_program *p);

/* ---- standard library ---------------------------------------------------------------- */

/* Source of a standard-library variant by name ("causal") or NULL. */
const char *fa_stdlib_source(const char *name);
/* The i-th standard-library variant name, NULL past the end. */
const char *fa_stdlib_name(int i);

/* ---- planning and emission ----------------------------------------------------------- */

typedef enum { FA_TEMPLATE_FA2_FWD, FA_TEMPLATE_FA3_FWD, FA_TEMPLATE_PAGED_DECODE } fa_template;

/* Tile configuration and launch shape for one key. */
typedef struct fa_plan {
    fa_template tmpl;
    const char *template_file;   /* "fa2_fwd.cuh", "paged_decode.cuh" */
    int block_m, block_n;        /* query rows and keys per tile */
    int num_warps;
    int stages;                  /* K/V shared-memory buffers */
    int smem_bytes;              /* dynamic shared memory per CTA */
    int threads;
    bool tma;                    /* paged decode: K/V tiles come by TMA or bulk copies
                                    (FA_DEC_TMA) */
    bool tensor_maps;            /* with tma: through tensor maps the runtime encodes (else
                                    one plain bulk copy per HDB slab, FA_DEC_SLAB_BULK) */
    bool tile_claims;            /* paged decode: split launches claim tiles as they go
                                    (FA_DEC_CLAIMS) */
    int min_ctas;                /* CTAs an SM the kernel is compiled for (the minimum of
                                    __launch_bounds__, FA_MIN_CTAS); 0: ptxas's choice */
    int dense_block;             /* decode of dense K/V (FA_DEC_DENSE): the keys one entry
                                    of a sequence spans (FA_PAGED_BLOCK); else 0 */
    bool tile_scan;              /* the kernel scans its key tiles (FA_TILE_SCAN: a key with
                                    tile_scan on a forward template), and smem_bytes holds
                                    the scan's area */
} fa_plan;

/* Chooses the template and tile configuration, or refuses the key with a message
 * naming what is supported (FA_ERR_UNSUPPORTED). */
fa_status fa_plan_key(const fa_key *key, fa_plan *plan, char *err, size_t errlen);

/* fa_plan_key's refusals that hold on every arch and route: the head dim, the query dtype
 * and the cache type against it. The runtime asks before it needs a GPU. */
fa_status fa_plan_check_types(const fa_key *key, char *err, size_t errlen);

/* Whether a launch of key (decode_tile64 unset) may take its decode_tile64 sibling: sm_90a
 * keys that also plan with decode_tile64 set (the choice was measured on the H100 only;
 * other archs plan the sibling when asked, but no launch picks it). */
bool fa_plan_has_tile64(const fa_key *key);

/* Whether a split launch of key (decode_claims unset) may take its decode_claims sibling:
 * HDB fp8 decode keys on sm_90a, blocks of up to 16 keys, one 16-row tile a CTA. */
bool fa_plan_has_claims(const fa_key *key);

/* Whether key's forward (not decode) plan is fa3_fwd: sm_90a, 16-bit K/V or a paged fp8
 * cache, a head dim it has tiles for. Only those forward keys read HDB caches (other HDB
 * keys take the paged decode template at every length). */
bool fa_plan_fa3_forward(const fa_key *key);

/* Query rows a paged decode CTA takes (FA_BLOCK_M) for `rows` rows a KV head (GQA x new
 * tokens) at head_dim: 16-row tiles up to 64 rows, fewer at wide head dims. */
int fa_plan_decode_block_m(int head_dim, int64_t rows);

/* One self-contained CUDA C translation unit for (program, key, plan); malloc'd.
 * The kernel is extern "C" and named fa_key_name(key). NULL on allocation failure. */
char *fa_emit_cuda(const fa_program *p, const fa_key *key, const fa_plan *plan);

/* The merge kernel's translation unit (templates/merge.cuh) for an output dtype (fp16,
 * bf16): merges partial (O, LSE) states; malloc'd. Its extern "C" kernel is named
 * fa_merge_name(dtype) ("fa_merge_bf16"). NULL on allocation failure or another dtype. */
char *fa_emit_merge_cuda(fa_dtype dtype);
const char *fa_merge_name(fa_dtype dtype);

/* The NVRTC options the runtime and fa-dslc use for a key (NULL-terminated, static). */
const char *const *fa_nvrtc_options(const fa_key *key, int *count);

/* ---- files ---------------------------------------------------------------------------- */

/* The whole regular file at `path`, malloc'd with a NUL after its last byte (text stays a
 * C string); *size (may be NULL) gets its length in bytes. NULL with errno set when it
 * cannot be opened or read: EISDIR for a directory, FA_ENOTREG for a FIFO, socket or
 * device (never waited on or read), EFBIG above `max` bytes, ENOMEM when memory runs out.
 * Shared by fa-dslc and the runtime (variant files, cache entries). */
char *fa_read_file(const char *path, size_t max, size_t *size);

/* errno values of fa_read_file beyond the system's, and their text (strerror otherwise). */
enum { FA_ENOTREG = 0x7fff0001 };
const char *fa_read_strerror(int err);

/* The largest variant file fa-dslc and the runtime read (the stdlib's are under 1 KB). */
#define FA_VARIANT_FILE_MAX ((size_t)1 << 20)

/* Writes all `n` bytes to file descriptor fd (retrying short and interrupted writes);
 * false with errno set on a failure. */
bool fa_write_all(int fd, const void *data, size_t n);

/* Whether the `n` bytes of variant text `s` hold a NUL byte (which would end the text
 * early: a binary file, or a corrupt one); *line and *col (1-based) locate the first. */
bool fa_source_nul(const char *s, size_t n, int *line, int *col);

#endif
