/* merge.c - the merge kernel (templates/merge.cuh): compiled once per (dtype, arch, path)
 * through the disk cache, loaded once per context; and fadsl_merge_states over it. */
#include "fart.h"

#include <stdlib.h>

enum {
    MERGE_ROWS_PER_CTA = 1,    /* merge.cuh: a CTA a row, */
    MERGE_STATES_PER_WARP = 4, /* a warp per FA_MERGE_UNROLL states, so each issues its loads at once, */
    MERGE_MIN_WARPS = 4,       /* but at least 4 warps */
    MERGE_MAX_WARPS = FA_MERGE_MAX_WARPS, /* and at most that (DECODE_MAX_SPLITS / 4: one round) */
};

/* The merge kernel's loads per (dtype, arch, image kind). */
static fart_loaded *loaded[FA_DTYPE__COUNT][FA_ARCH__COUNT][2];

typedef struct merge_kind {
    fa_dtype dtype;
    fa_arch arch;
    bool ptx;
} merge_kind;

/* fart_load_fn of the merge: emits, compiles (or reads from the disk cache) and loads it. */
static fadsl_status load_merge(void *ud, const fart_cu *cu, CUmodule *mod, CUfunction *fn)
{
    const merge_kind *m = ud;
    const char *name = fa_merge_name(m->dtype);
    char *source = fa_emit_merge_cuda(m->dtype);
    if (!source)
        return fart_fail(FADSL_ERR_NOMEM, "merge: emitting the %s merge ran out of memory", fa_dtype_name(m->dtype));
    fa_key key;
    fa_key_init(&key);
    key.arch = m->arch;
    int num_options = 0;
    const char *const *options = fa_nvrtc_options(&key, &num_options);
    fart_source src = {.source = source, .options = options, .num_options = num_options, .kernel_name = name,
                       .arch = fa_arch_name(m->arch), .ptx = m->ptx, .smem_bytes = 0,
                       .threads = 32 * MERGE_MAX_WARPS};
    fart_image image = {0};
    fadsl_origin origin;
    fadsl_status s = fart_image_get(&src, &image, &origin);
    free(source);
    if (!s)
        s = fart_module_load(cu, image.data, m->ptx, name, mod);
    if (!s && (s = fart_cu_check(cu->ModuleGetFunction(fn, *mod, name), "cuModuleGetFunction(merge)")))
        cu->ModuleUnload(*mod);
    free(image.data);
    return s;
}

fadsl_status fart_merge_function(fa_dtype dtype, fa_arch arch, bool ptx, CUcontext ctx, CUfunction *fn)
{
    if (dtype != FA_DTYPE_FP16 && dtype != FA_DTYPE_BF16)
        return fart_fail(FADSL_ERR_UNSUPPORTED, "merge: dtype %s is not supported (fp16, bf16)", fa_dtype_name(dtype));
    merge_kind m = {dtype, arch, ptx};
    return fart_loaded_function(&loaded[dtype][arch][ptx], ctx, load_merge, &m, fn);
}

fadsl_status fart_merge_launch(CUfunction fn, const fa_merge_args *m, bool after_decode, fa_arch arch,
                               CUstream stream)
{
    const fart_cu *cu;
    fadsl_status s = fart_driver(&cu);
    if (s)
        return s;
    unsigned grid_x;
    if ((s = fart_grid_x("merge rows", (int64_t)m->batch * m->tokens * m->heads, MERGE_ROWS_PER_CTA, 1, &grid_x)))
        return s;
    int warps = (m->num_states + MERGE_STATES_PER_WARP - 1) / MERGE_STATES_PER_WARP;
    warps = warps < MERGE_MIN_WARPS ? MERGE_MIN_WARPS : warps > MERGE_MAX_WARPS ? MERGE_MAX_WARPS : warps;
    void *params[] = {(void *)m};
    /* Only sm_90a builds hold merge.cuh's griddepcontrol.wait: without it a programmatic
     * dependent could read the partials before the decode wrote them. Drivers before 12.3
     * do not record programmatic launches in CUDA graphs: plain launches there. */
    if (after_decode && arch == FA_ARCH_SM90A && cu->LaunchKernelEx && cu->driver_version >= FART_PDL_DRIVER) {
        fart_launch_attr pdl = {.id = FART_CU_LAUNCH_PDL, .value.value = 1};
        fart_launch_config cfg = {.grid = {grid_x, 1, 1}, .block = {32 * (unsigned)warps, 1, 1}, .smem = 0,
                                  .stream = stream, .attrs = &pdl, .num_attrs = 1};
        return fart_cu_check(cu->LaunchKernelEx(&cfg, fn, params, NULL), "cuLaunchKernelEx(merge)");
    }
    return fart_cu_check(cu->LaunchKernel(fn, grid_x, 1, 1, 32 * (unsigned)warps, 1, 1, 0, stream, params, NULL),
                         "cuLaunchKernel(merge)");
}

/* Outputs `out` (o_bytes) and `lse` (l_bytes, may be NULL) may be one of the inputs of
 * their kind exactly (in place: each row reads its inputs before it writes), but share no
 * other byte with an input or with each other: rows of other CTAs would race. */
static fadsl_status check_merge_aliasing(const void *out_a, const float *lse_a, const void *out_b, const float *lse_b,
                                         const void *out, const float *lse, size_t o_bytes, size_t l_bytes)
{
    const struct buf {
        const char *name;
        uintptr_t p;
        size_t n;
        bool lse;
    } all[] = {{"out_a", (uintptr_t)out_a, o_bytes, false}, {"out_b", (uintptr_t)out_b, o_bytes, false},
               {"lse_a", (uintptr_t)lse_a, l_bytes, true},  {"lse_b", (uintptr_t)lse_b, l_bytes, true},
               {"out", (uintptr_t)out, o_bytes, false},      {"lse", (uintptr_t)lse, l_bytes, true}};
    enum { NBUF = sizeof all / sizeof all[0], FIRST_OUTPUT = 4 };
    for (int o = FIRST_OUTPUT; o < NBUF; o++)
        for (int i = 0; i < NBUF && all[o].p; i++) {
            const struct buf *x = &all[o], *y = &all[i];
            bool meet = i != o && y->p && x->p < y->p + y->n && y->p < x->p + x->n;
            bool in_place = i < FIRST_OUTPUT && x->p == y->p && x->lse == y->lse;
            if (meet && !in_place)
                return fart_fail(FADSL_ERR_INVALID,
                                 "merge: %s [%p, +%zu bytes) overlaps %s [%p, +%zu bytes); an output may be an input "
                                 "of its kind exactly (in place), else it needs its own memory",
                                 x->name, (void *)x->p, x->n, y->name, (void *)y->p, y->n);
        }
    return FADSL_OK;
}

fadsl_status fadsl_merge_states(fa_dtype dtype, const void *out_a, const float *lse_a, const void *out_b,
                                const float *lse_b, void *out, float *lse, int batch, int seqlen, int heads,
                                int head_dim, void *stream)
{
    fart_clear_error();
    if (dtype != FA_DTYPE_FP16 && dtype != FA_DTYPE_BF16)
        return fart_fail(FADSL_ERR_UNSUPPORTED, "merge: dtype %s is not supported (fp16, bf16)", fa_dtype_name(dtype));
    const struct {
        const char *name;
        const void *p;
        unsigned align;
    } ptrs[] = {{"out_a", out_a, 16}, {"out_b", out_b, 16}, {"out", out, 16}, {"lse_a", lse_a, 4}, {"lse_b", lse_b, 4}};
    for (size_t i = 0; i < sizeof ptrs / sizeof ptrs[0]; i++) {
        if (!ptrs[i].p)
            return fart_fail(FADSL_ERR_NULL_POINTER, "merge: %s is NULL", ptrs[i].name);
        if ((uintptr_t)ptrs[i].p % ptrs[i].align)
            return fart_fail(FADSL_ERR_MISALIGNED, "merge: %s %p is not %u-byte aligned", ptrs[i].name, ptrs[i].p,
                             ptrs[i].align);
    }
    if (lse && (uintptr_t)lse % 4)
        return fart_fail(FADSL_ERR_MISALIGNED, "merge: lse %p is not 4-byte aligned", (void *)lse);
    if (batch < 0 || seqlen < 0 || heads < 0)
        return fart_fail(FADSL_ERR_SEQLEN, "merge: negative size (batch %d, seqlen %d, heads %d)", batch, seqlen, heads);
    if (batch == 0 || seqlen == 0 || heads == 0)
        return fart_fail(FADSL_ERR_EMPTY_BATCH, "merge: empty shape (batch %d, seqlen %d, heads %d)", batch, seqlen, heads);
    if (head_dim <= 0 || head_dim % 8)
        return fart_fail(FADSL_ERR_INVALID, "merge: head_dim %d is not a positive multiple of 8", head_dim);
    /* Checked before any GPU work: rows and element offsets are 64-bit in the kernel, and
     * the grid (a CTA a row) must fit. */
    int64_t rows, elems;
    unsigned grid_x;
    fadsl_status s;
    if (!fart_mul64((int64_t)batch * seqlen, heads, &rows) || !fart_mul64(rows, head_dim, &elems))
        return fart_fail(FADSL_ERR_SEQLEN,
                         "merge: batch %d x seqlen %d x heads %d x head_dim %d elements pass int64 offsets; "
                         "merge in parts", batch, seqlen, heads, head_dim);
    if ((s = fart_grid_x("merge rows (batch x seqlen x heads)", rows, MERGE_ROWS_PER_CTA, 1, &grid_x)) ||
        (s = check_merge_aliasing(out_a, lse_a, out_b, lse_b, out, lse, (size_t)elems * 2, (size_t)rows * 4)))
        return s;
    CUcontext ctx;
    int cc;
    fa_arch arch;
    if ((s = fart_context(0, &ctx, &cc)) || (s = fart_arch_for_cc(cc, &arch)))
        return s;
    bool ptx = fart_env_flag("FADSL_PTX") || !fart_cubin_runs_on(arch, cc);
    CUfunction fn;
    if ((s = fart_merge_function(dtype, arch, ptx, ctx, &fn)))
        return s;
    long long t = seqlen, h = heads, d = head_dim;
    /* State 1 is addressed from state 0 by the distance between the two buffers. */
    fa_merge_args m = {.in_o = out_a, .in_lse = lse_a, .in_f32 = 0, .num_states = 2,
                       .in_state = (long long)((intptr_t)out_b - (intptr_t)out_a) / 2,
                       .in_b = t * h * d, .in_t = h * d, .in_h = d,
                       .lse_state = (long long)((intptr_t)lse_b - (intptr_t)lse_a) / 4,
                       .lse_b = h * t, .lse_t = 1, .lse_h = t,
                       .out = out, .out_b = t * h * d, .out_t = h * d, .out_h = d,
                       .out_lse = lse, .out_lse_b = h * t, .out_lse_t = 1, .out_lse_h = t,
                       .batch = batch, .tokens = seqlen, .heads = heads, .head_dim = head_dim};
    return fart_merge_launch(fn, &m, false, arch, (CUstream)stream);
}
