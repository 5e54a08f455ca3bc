/* fart.h - the runtime's internals (prefix fart_), one section a file:
 *
 *   status.c    per-thread last error, logging, env switches, clock, name lists
 *   hash.c      a 128-bit content digest (cache keys, memory-cache buckets)
 *   driver.c    libcuda through dlopen: our own declarations of the few driver types
 *   nvrtc.c     CUDA C -> cubin or PTX
 *   cache.c     the on-disk cache of compiled images (entry format, publish, list, clear)
 *   loaded.c    modules loaded into contexts, a function's record per context
 *   kernels.c   the in-memory cache: key -> compiled image -> loaded function per context
 *   variant.c   variant spec (stdlib name, path, source) -> fa_program, cached
 *   validate.c  request validation and dispatch-key building
 *   args.c      the fa_args block a kernel takes (strides, scale, variant parameters)
 *   launch.c    fadsl_forward, fadsl_compile, fadsl_make_key
 *   prewarm.c   worker threads compiling a list of keys
 *   device.c    the public device helpers
 */
#ifndef FART_H
#define FART_H

#include "fa_args.h"
#include "fa_merge_args.h"
#include "fadsl.h"

#include <stdarg.h>

/* ==== status.c ========================================================================= */

/* Sets the calling thread's last error to the formatted detail and returns s. */
fadsl_status fart_fail(fadsl_status s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fart_clear_error(void);
/* True when the environment variable is set to a value other than "", "0", "false", "no" and
 * "off" (any case). */
bool fart_env_flag(const char *name);
/* A line on stderr prefixed "fadsl: " unless FADSL_LOG is set to an off value (0, false...). */
void fart_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A warning line on stderr ("fadsl: warning: ..."), printed even with FADSL_LOG off. */
void fart_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Seconds on a monotonic clock. */
double fart_now(void);

/* A "name, name, ..." list for messages ("known: ..."); one that would not fit ends in
 * "...". Start from {0}; text is always NUL-terminated. */
typedef struct fart_names {
    char text[512];
    size_t len;
    bool full;
} fart_names;
void fart_names_add(fart_names *l, const char *name);

/* ==== hash.c ===========================================================================
 * Two independent 64-bit lanes (FNV-1a and a multiply-xorshift); not cryptographic, but
 * 128 bits make accidental collisions between cache entries negligible. */

typedef struct fart_hash {
    uint64_t a, b;
} fart_hash;

void fart_hash_init(fart_hash *h);
void fart_hash_update(fart_hash *h, const void *data, size_t n);
/* Hashes s with its terminating NUL, so consecutive strings cannot run into each other. */
void fart_hash_str(fart_hash *h, const char *s);
void fart_hash_int(fart_hash *h, int64_t v);

/* ==== driver.c ==========================================================================
 * The driver API types and the functions the runtime calls, declared here so that no
 * cuda.h is needed. Versioned entry points are looked up by their exported names. */

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUstream_st *CUstream;
typedef struct CUevent_st *CUevent;

/* cuLaunchKernelEx's config and attribute (CUlaunchConfig, CUlaunchAttribute: a 4-byte id,
 * padding, a 64-byte value union) with the one attribute the runtime sets. */
typedef struct fart_launch_attr {
    int id;
    char pad[4];
    union {
        char bytes[64];
        int value;
        unsigned long long align;
    } value;
} fart_launch_attr;
typedef struct fart_launch_config {
    unsigned grid[3], block[3], smem;
    CUstream stream;
    fart_launch_attr *attrs;
    unsigned num_attrs;
} fart_launch_config;

enum {
    FART_CUDA_SUCCESS = 0,
    FART_CU_ATTR_CC_MAJOR = 75,            /* CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR */
    FART_CU_ATTR_CC_MINOR = 76,
    FART_CU_ATTR_SM_COUNT = 16,            /* CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT */
    FART_CU_FUNC_MAX_DYNAMIC_SMEM = 8,     /* CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES */
    FART_CU_JIT_ERROR_LOG_BUFFER = 5,      /* CU_JIT_ERROR_LOG_BUFFER */
    FART_CU_JIT_ERROR_LOG_BUFFER_SIZE = 6, /* CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES */
    FART_CU_LAUNCH_PDL = 6,                /* CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION */
    FART_PDL_DRIVER = 12030,               /* cuDriverGetVersion from which graphs keep PDL edges */
};

typedef struct fart_cu {
    CUresult (*Init)(unsigned flags);
    CUresult (*GetErrorName)(CUresult r, const char **s);
    CUresult (*DeviceGet)(CUdevice *d, int ordinal);
    CUresult (*DeviceGetAttribute)(int *v, int attr, CUdevice d);
    CUresult (*CtxGetCurrent)(CUcontext *c);
    CUresult (*CtxSetCurrent)(CUcontext c);
    CUresult (*CtxGetDevice)(CUdevice *d);
    CUresult (*DevicePrimaryCtxRetain)(CUcontext *c, CUdevice d);
    CUresult (*DevicePrimaryCtxRelease)(CUdevice d);
    CUresult (*CtxGetId)(CUcontext c, unsigned long long *id);   /* NULL: driver older than 12.0 */
    CUresult (*ModuleLoadData)(CUmodule *m, const void *image);
    CUresult (*ModuleLoadDataEx)(CUmodule *m, const void *image, unsigned n, int *opts, void **vals);
    CUresult (*ModuleUnload)(CUmodule m);
    CUresult (*ModuleGetFunction)(CUfunction *f, CUmodule m, const char *name);
    CUresult (*FuncSetAttribute)(CUfunction f, int attr, int value);
    CUresult (*OccupancyMaxActiveBlocksPerMultiprocessor)(int *blocks, CUfunction f, int threads, size_t smem);
    CUresult (*LaunchKernel)(CUfunction f, unsigned gx, unsigned gy, unsigned gz, unsigned bx,
                             unsigned by, unsigned bz, unsigned smem, CUstream s, void **params,
                             void **extra);
    /* NULL: driver older than CUDA 12.0 (launches then go without attributes) */
    CUresult (*LaunchKernelEx)(const fart_launch_config *config, CUfunction f, void **params, void **extra);
    int driver_version;                    /* cuDriverGetVersion's answer (12030: CUDA 12.3) */
    CUresult (*MemAlloc)(CUdeviceptr *p, size_t n);
    CUresult (*MemFree)(CUdeviceptr p);
    CUresult (*MemcpyHtoD)(CUdeviceptr dst, const void *src, size_t n);
    CUresult (*MemcpyDtoH)(void *dst, CUdeviceptr src, size_t n);
    CUresult (*MemsetD8)(CUdeviceptr p, unsigned char v, size_t n);
    CUresult (*StreamSynchronize)(CUstream s);
    CUresult (*EventCreate)(CUevent *e, unsigned flags);
    CUresult (*EventRecord)(CUevent e, CUstream s);
    CUresult (*EventSynchronize)(CUevent e);
    CUresult (*EventElapsedTime)(float *ms, CUevent a, CUevent b);
    CUresult (*EventDestroy)(CUevent e);
    /* cuTensorMapEncodeTiled (enums as int); NULL: driver older than CUDA 12.0 */
    CUresult (*TensorMapEncodeTiled)(void *map, int dtype, unsigned rank, void *addr, const uint64_t *dims,
                                     const uint64_t *strides, const uint32_t *box, const uint32_t *elem_strides,
                                     int interleave, int swizzle, int l2_promotion, int oob_fill);
} fart_cu;

/* The driver table, loading libcuda.so.1 and calling cuInit(0) on first use
 * (FADSL_ERR_NO_DRIVER when either fails; the answer is remembered). */
fadsl_status fart_driver(const fart_cu **out);
/* Turns a driver result into a status naming the call and the driver's error name. */
fadsl_status fart_cu_check(CUresult r, const char *call);
/* The calling thread's current context, making device `device`'s primary context current
 * when it has none (the runtime holds one reference to it for the process's life);
 * *cc gets the compute capability (major * 10 + minor). */
fadsl_status fart_context(int device, CUcontext *ctx, int *cc);
/* The driver's id of context ctx, unique for the process's life (cuCtxGetId): a context
 * destroyed and re-created at the same address gets a new one. 0 with drivers older than
 * CUDA 12.0, which lack cuCtxGetId (contexts are then told apart by handle only). */
fadsl_status fart_context_id(CUcontext ctx, unsigned long long *id);
/* The key arch for a compute capability (the newest fa_arch whose code runs there, through
 * PTX for GPUs newer than every fa_arch); FADSL_ERR_UNSUPPORTED below sm_80. */
fadsl_status fart_arch_for_cc(int cc, fa_arch *arch);
/* True when a cubin built for `arch` runs on a device of capability cc (same major, and
 * exactly 9.0 for sm_90a); else the kernel goes through PTX. */
bool fart_cubin_runs_on(fa_arch arch, int cc);

/* ==== nvrtc.c ========================================================================== */

/* Compiles `source` with `options` to a cubin (ptx false) or NUL-terminated PTX; *image is
 * malloc'd. The NVRTC log goes into the last error on failure (FADSL_ERR_NVRTC); a cubin
 * with spilled registers gets a log line (fart_log). */
fadsl_status fart_nvrtc_compile(const char *source, const char *kernel_name, const char *const *options,
                                int num_options, bool ptx, char **image, size_t *size);
/* NVRTC's version as major * 1000 + minor * 10. */
int fart_nvrtc_version(void);
/* Cubins compiled so far (this process) whose registers ptxas spilled; each was logged. */
int fart_nvrtc_spills(void);

/* ==== cache.c ========================================================================== */

/* What to compile: a translation unit and how. `arch` is the real arch ("sm_90a"); for
 * PTX the option list's --gpu-architecture=sm_XX becomes compute_XX. */
typedef struct fart_source {
    const char *source;
    const char *const *options;
    int num_options;
    const char *kernel_name;
    const char *arch;
    bool ptx;
    int smem_bytes, threads;   /* launch metadata stored with the entry */
} fart_source;

typedef struct fart_image {
    char *data;    /* malloc'd */
    size_t size;
    bool ptx;
    int smem_bytes, threads;
} fart_image;

/* The compiled image of `src`: from the disk cache when a valid entry exists, else from
 * NVRTC (then published to the disk cache). *origin is FROM_DISK or FROM_COMPILE. */
fadsl_status fart_image_get(const fart_source *src, fart_image *out, fadsl_origin *origin);
void fart_count_memory_hit(void);
/* Test hook: called with the temporary file's path after it is written and synced,
 * before it is renamed into place. */
extern void (*fart_cache_before_publish)(const char *tmp_path);

/* ==== loaded.c ========================================================================= */

/* Loads an image into the current context: a cubin directly, PTX through the driver's
 * assembler (its error log, under kernel `name`, goes into the message). */
fadsl_status fart_module_load(const fart_cu *cu, const void *image, bool ptx, const char *name, CUmodule *mod);
/* A record of one function loaded in one context; a list of them is a fart_loaded *
 * (NULL: empty). */
typedef struct fart_loaded fart_loaded;
/* Loads a module into the current context and gets the function from it; on failure it
 * leaves no module loaded. */
typedef fadsl_status (*fart_load_fn)(void *ud, const fart_cu *cu, CUmodule *mod, CUfunction *fn);
/* The function *list records for context ctx (current); when none, load(ud, ...) gives it
 * and it is recorded. Loads run outside the lists' lock: of two threads loading for one
 * context, the first to record wins and the other's module is unloaded. */
fadsl_status fart_loaded_function(fart_loaded **list, CUcontext ctx, fart_load_fn load, void *ud, CUfunction *fn);

/* ==== kernels.c ======================================================================== */

typedef struct fart_kernel fart_kernel;

/* The kernel of (program, key) through the memory cache; compiles on a miss (other keys'
 * lookups proceed meanwhile; concurrent askers of the same key wait for one compile). */
fadsl_status fart_kernel_get(const fa_program *p, const fa_key *key, bool ptx, fart_kernel **out,
                             fadsl_compile_info *info);
const fa_plan *fart_kernel_plan(const fart_kernel *k);
/* The kernel's function loaded in context ctx (loaded on first use there). */
fadsl_status fart_kernel_function(fart_kernel *k, CUcontext ctx, CUfunction *fn);

/* ==== variant.c ======================================================================== */

/* The program of a variant spec: contains '{' => DSL source; ends in .fa or contains
 * '/' => a file; else a standard-library name. Cached for the process's life. */
fadsl_status fart_variant_get(const char *spec, const fa_program **out);

/* ==== validate.c / args.c ==============================================================
 * Sizes are checked before any product of them is taken in int: kernels index query rows
 * and keys in int32 and round a length up to whole tiles of at most FART_MAX_TILE, so a
 * length up to FART_MAX_LEN keeps every tile's last index below 2^31 (kernels.c refuses a
 * plan with wider tiles). Grid extents and element counts are computed in 64 bits. */

enum { FART_MAX_TILE = 1024, FART_MAX_LEN = INT32_MAX - (FART_MAX_TILE - 1) };

/* *out = a * b for a, b >= 0; false (*out untouched) when the product passes INT64_MAX. */
bool fart_mul64(int64_t a, int64_t b, int64_t *out);
/* The grid's x extent: ceil(rows / per_cta) CTAs, `copies` times over; FADSL_ERR_SEQLEN,
 * naming `what`, when that passes the grid limit 2^31 - 1. */
fadsl_status fart_grid_x(const char *what, int64_t rows, int per_cta, int copies, unsigned *gx);
/* The bound of a paged request's sequence lengths: max_seq_len, else the block table's
 * capacity max_blocks_per_seq * block_size (at most FART_MAX_LEN). */
int fart_paged_max_len(const fadsl_paged_desc *pg);

/* Validates `d` against `p` and fills *key (arch taken from key->arch; a paged request
 * unrouted: fart_route) and *args. Nothing is compiled or launched. */
fadsl_status fart_prepare(const fadsl_fwd_desc *d, const fa_program *p, fa_key *key, fa_args *args);
/* A request's template, by key's arch (set last): key->decode (fart_paged_decode, or for
 * dense K/V fart_dense_decode) and, for decode, the CTA's rows (decode_rows), its query
 * rows a KV head checked. a: d's filled arguments. */
fadsl_status fart_route(const fadsl_fwd_desc *d, const fa_args *a, fa_key *key);
/* Fills the argument block of a validated request (variant parameters included; their
 * errors are returned). */
fadsl_status fart_fill_args(const fadsl_fwd_desc *d, const fa_program *p, fa_args *a);

/* ==== check.c ========================================================================== */

/* FADSL_DEBUG_CHECKS=1: request d's device-side index data (cu_seqlens, paged seq_lens,
 * block tables and per-head descales) checked on the host before its launch (a sync of
 * `stream`, small copies);
 * FADSL_OK at once without the flag. a: d's filled arguments. */
fadsl_status fart_debug_check(const fart_cu *cu, const fadsl_fwd_desc *d, const fa_args *a, CUstream stream);

/* ==== paged.c / merge.c ================================================================ */

/* True when a paged request of `tokens` new tokens a sequence (q_tokens_per_seq, or
 * max_seqlen_q when packed) goes to the paged decode template: few query rows a KV head
 * (caches fa3_fwd serves 128, fp8 HDB ones 160; other 16-bit caches 64, other fp8 caches
 * 256), or an HDB cache fa3_fwd does not serve (fa_plan_fa3_forward); more rows go
 * to the forward template. key: fart_prepare's, its arch, types, head dim, GQA ratio and
 * paged layout set. */
bool fart_paged_decode(const fa_key *key, int tokens);
/* True when a dense or packed request (args a) of `tokens` query rows a sequence (seqlen_q,
 * or max_seqlen_q when packed) goes to the decode template: few query rows a KV head (GQA x
 * tokens up to 256 at d64, 96 at d96, 128 at d128, 64 at d192/d256), tokens <= seqlen_k when
 * not packed, a plan for the decode key, and on sm_90a strides a tensor map can take (else
 * the forward template, which reads any). FADSL_NO_DENSE_DECODE=1 keeps every dense request
 * on the forward templates. */
bool fart_dense_decode(const fa_args *a, const fa_key *key, int tokens);
/* Launches a validated decode of program p (paged, or dense K/V: plan->dense_block): splits,
 * the decode kernel fn (or its decode_tile64 sibling, fa_plan_has_tile64, or its
 * decode_claims one, fa_plan_has_claims), then the merge. */
fadsl_status fart_decode_launch(const fadsl_fwd_desc *d, const fa_program *p, const fa_key *key, const fa_plan *plan,
                               fa_args *args, CUfunction fn, CUcontext ctx, bool ptx, CUstream stream);
/* Whether this thread's last paged decode launch took a decode_tile64 sibling (tests). */
bool fart_paged_last_tile64(void);
/* Whether this thread's last paged decode launch took a decode_claims sibling (tests). */
bool fart_paged_last_claims(void);
/* Both of the above read false until the next paged decode launch (fadsl_forward calls it
 * first). */
void fart_paged_forget_last(void);
/* The merge kernel for an output dtype in context ctx (compiled and loaded on first use). */
fadsl_status fart_merge_function(fa_dtype dtype, fa_arch arch, bool ptx, CUcontext ctx, CUfunction *fn);
/* Launches the merge kernel over m's rows. after_decode: it merges the split decode launched
 * just before it in the stream, both built for `arch`; on sm_90a it is then launched as a
 * programmatic dependent (the decode signals it at its start, the merge waits for the
 * decode's completion and memory before its first load), so its launch and prologue
 * overlap the decode's tail. */
fadsl_status fart_merge_launch(CUfunction fn, const fa_merge_args *m, bool after_decode, fa_arch arch,
                               CUstream stream);

#endif
