/* kernels.c - the in-memory kernel cache: dispatch key -> compiled image -> function
 * loaded per CUDA context (loaded.c).
 *
 * The table lock is held only to find or insert an entry, never while compiling: a key
 * being compiled blocks only the threads asking for that same key, which wait on the
 * entry's condition variable and then share the one result. Entries live for the
 * process's life, so a hit allocates nothing. */
#include "fart.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { K_COMPILING, K_READY, K_FAILED } kernel_state;

struct fart_kernel {
    fa_key key;
    bool ptx;
    uint64_t hash;
    struct fart_kernel *next;       /* bucket chain */
    kernel_state state;             /* guarded by table_lock */
    pthread_cond_t done;
    fadsl_status status;            /* K_FAILED: why */
    char *error;
    fa_plan plan;
    char name[128];
    fart_image image;
    fadsl_origin origin;
    fart_loaded *loaded;            /* the function, per context */
};

enum { BUCKETS = 256 };
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static fart_kernel *table[BUCKETS];

/* Field by field: fa_key has padding, so neither hash nor compare its bytes. */
static uint64_t key_hash(const fa_key *k, bool ptx)
{
    fart_hash h;
    fart_hash_init(&h);
    int64_t f[] = {k->arch, k->dtype, k->kv_dtype, k->head_dim, k->gqa_ratio, k->paged_block_size,
                   k->paged_layout, k->varlen, (int64_t)k->variant_hash, k->stdlib, k->causal,
                   k->sliding_window, k->alibi, k->softcap, k->learned_sinks, k->sink_tokens, ptx, k->decode, k->decode_tile64, k->decode_rows,
                   k->decode_claims};
    fart_hash_update(&h, f, sizeof f);
    fart_hash_update(&h, k->variant, strnlen(k->variant, sizeof k->variant));
    return h.a ^ h.b;
}

static bool key_equal(const fa_key *a, const fa_key *b)
{
    return a->arch == b->arch && a->dtype == b->dtype && a->kv_dtype == b->kv_dtype &&
           a->head_dim == b->head_dim && a->gqa_ratio == b->gqa_ratio &&
           a->paged_block_size == b->paged_block_size && a->paged_layout == b->paged_layout &&
           a->varlen == b->varlen && a->variant_hash == b->variant_hash && a->stdlib == b->stdlib &&
           a->causal == b->causal && a->sliding_window == b->sliding_window && a->alibi == b->alibi &&
           a->softcap == b->softcap && a->learned_sinks == b->learned_sinks &&
           a->sink_tokens == b->sink_tokens && a->decode == b->decode &&
           a->decode_tile64 == b->decode_tile64 && a->decode_rows == b->decode_rows &&
           a->decode_claims == b->decode_claims && strncmp(a->variant, b->variant, sizeof a->variant) == 0;
}

/* Plans, names, emits and compiles (or loads from disk) the kernel of entry e. */
static fadsl_status build(fart_kernel *e, const fa_program *p)
{
    char err[512];
    fa_status ps = fa_plan_key(&e->key, &e->plan, err, sizeof err);
    if (ps != FA_OK)
        return fart_fail((fadsl_status)ps, "%s", err);
    int n = fa_key_name(&e->key, e->name, sizeof e->name);
    if (n < 0 || (size_t)n >= sizeof e->name)
        return fart_fail(FADSL_ERR_INVALID, "kernel name longer than %zu characters", sizeof e->name - 1);
    /* validate.c's length limit holds for tiles up to FART_MAX_TILE rows and keys. */
    if (e->plan.block_m > FART_MAX_TILE || e->plan.block_n > FART_MAX_TILE)
        return fart_fail(FADSL_ERR_UNSUPPORTED, "the plan of %s has %dx%d tiles, wider than FART_MAX_TILE %d: "
                         "raise FART_MAX_TILE in runtime/fart.h", e->name, e->plan.block_m, e->plan.block_n,
                         FART_MAX_TILE);
    char *source = fa_emit_cuda(p, &e->key, &e->plan);
    if (!source)
        return fart_fail(FADSL_ERR_NOMEM, "emitting CUDA C for %s ran out of memory", e->name);
    int num_options = 0;
    const char *const *options = fa_nvrtc_options(&e->key, &num_options);
    fart_source src = {.source = source, .options = options, .num_options = num_options,
                       .kernel_name = e->name, .arch = fa_arch_name(e->key.arch), .ptx = e->ptx,
                       .smem_bytes = e->plan.smem_bytes, .threads = e->plan.threads};
    fadsl_status s = fart_image_get(&src, &e->image, &e->origin);
    free(source);
    return s;
}

static void fill_info(const fart_kernel *e, fadsl_origin origin, double t0, fadsl_compile_info *info)
{
    if (!info)
        return;
    snprintf(info->kernel_name, sizeof info->kernel_name, "%s", e->name);
    info->origin = origin;
    info->path = e->ptx ? FADSL_PATH_PTX : FADSL_PATH_CUBIN;
    info->image = e->image.data;
    info->image_size = e->image.size;
    info->seconds = fart_now() - t0;
    info->smem_bytes = e->plan.smem_bytes;
    info->threads = e->plan.threads;
}

fadsl_status fart_kernel_get(const fa_program *p, const fa_key *key, bool ptx, fart_kernel **out,
                             fadsl_compile_info *info)
{
    double t0 = fart_now();
    uint64_t h = key_hash(key, ptx);
    pthread_mutex_lock(&table_lock);
    fart_kernel *e = table[h % BUCKETS];
    while (e && !(e->hash == h && e->ptx == ptx && key_equal(&e->key, key)))
        e = e->next;
    if (e) {
        while (e->state == K_COMPILING)
            pthread_cond_wait(&e->done, &table_lock);
        pthread_mutex_unlock(&table_lock);
        if (e->state == K_FAILED)
            return fart_fail(e->status, "%s", e->error);
        fart_count_memory_hit();
        fill_info(e, FADSL_FROM_MEMORY, t0, info);
        *out = e;
        return FADSL_OK;
    }
    if (!(e = calloc(1, sizeof *e))) {
        pthread_mutex_unlock(&table_lock);
        return fart_fail(FADSL_ERR_NOMEM, "no memory for a kernel cache entry");
    }
    e->key = *key;
    e->ptx = ptx;
    e->hash = h;
    e->state = K_COMPILING;
    pthread_cond_init(&e->done, NULL);
    e->next = table[h % BUCKETS];
    table[h % BUCKETS] = e;
    pthread_mutex_unlock(&table_lock);

    fadsl_status s = build(e, p);
    char *error = s ? strdup(fadsl_last_error()) : NULL;
    pthread_mutex_lock(&table_lock);
    e->status = s;
    if (s)
        e->error = error ? error : (char *)"(no memory for the message)";
    e->state = s ? K_FAILED : K_READY;
    pthread_cond_broadcast(&e->done);
    pthread_mutex_unlock(&table_lock);
    if (s)
        return s;
    fill_info(e, e->origin, t0, info);
    *out = e;
    return FADSL_OK;
}

const fa_plan *fart_kernel_plan(const fart_kernel *k)
{
    return &k->plan;
}

/* fart_load_fn of a kernel: its image, its function, the shared memory its plan asks. */
static fadsl_status load_kernel(void *ud, const fart_cu *cu, CUmodule *mod, CUfunction *fn)
{
    const fart_kernel *k = ud;
    fadsl_status s = fart_module_load(cu, k->image.data, k->ptx, k->name, mod);
    if (s)
        return s;
    s = fart_cu_check(cu->ModuleGetFunction(fn, *mod, k->name), "cuModuleGetFunction");
    /* Above the default 48 KB a kernel must opt in to its dynamic shared memory. */
    if (!s && k->plan.smem_bytes > 48 * 1024)
        s = fart_cu_check(cu->FuncSetAttribute(*fn, FART_CU_FUNC_MAX_DYNAMIC_SMEM, k->plan.smem_bytes),
                          "cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES)");
    if (s)
        cu->ModuleUnload(*mod);
    return s;
}

fadsl_status fart_kernel_function(fart_kernel *k, CUcontext ctx, CUfunction *fn)
{
    return fart_loaded_function(&k->loaded, ctx, load_kernel, k, fn);
}
