/* launch.c - the public entry points that take a request: fadsl_make_key, fadsl_forward,
 * fadsl_compile. */
#include "fart.h"

static fadsl_status parse_arch(const char *name, fa_arch *arch)
{
    if (fa_arch_parse(name, arch))
        return FADSL_OK;
    fart_names known = {0};
    for (int a = 0; a < FA_ARCH__COUNT; a++)
        fart_names_add(&known, fa_arch_name((fa_arch)a));
    return fart_fail(FADSL_ERR_INVALID, "unknown arch '%s' (known: %s)", name, known.text);
}

/* Resolves the variant, validates `d` and builds key and args (arch left at sm_80, no
 * paged route: fart_route once the arch is set). */
static fadsl_status prepare(const fadsl_fwd_desc *d, const fa_program **p, fa_key *key, fa_args *args)
{
    fart_clear_error();
    if (!d)
        return fart_fail(FADSL_ERR_INVALID, "no request descriptor");
    fadsl_status s = fart_variant_get(d->variant, p);
    if (s)
        return s;
    key->arch = FA_ARCH_SM80;
    return fart_prepare(d, *p, key, args);
}

fadsl_status fadsl_make_key(const fadsl_fwd_desc *d, fa_key *key)
{
    if (!key) {
        fart_clear_error();
        return fart_fail(FADSL_ERR_INVALID, "no key to fill");
    }
    const fa_program *p;
    fa_args args;
    fadsl_status s = prepare(d, &p, key, &args);
    if (s)
        return s;
    if (d->arch)
        s = parse_arch(d->arch, &key->arch);
    else {
        CUcontext ctx;
        int cc;
        if (!(s = fart_context(d->device, &ctx, &cc)))
            s = fart_arch_for_cc(cc, &key->arch);
    }
    return s ? s : fart_route(d, &args, key);
}

fadsl_status fadsl_forward(const fadsl_fwd_desc *d, void *stream)
{
    const fa_program *p;
    fa_key key;
    fa_args args;
    fart_paged_forget_last(); /* until a paged decode launch says otherwise */
    fadsl_status s = prepare(d, &p, &key, &args);
    /* with the arch given, the whole request is checked before a GPU is needed */
    if (s || (d->arch && ((s = parse_arch(d->arch, &key.arch)) || (s = fart_route(d, &args, &key)))))
        return s;
    CUcontext ctx;
    int cc;
    const fart_cu *cu;
    if ((s = fart_context(d->device, &ctx, &cc)) || (s = fart_driver(&cu)))
        return s;
    if (!d->arch && ((s = fart_arch_for_cc(cc, &key.arch)) || (s = fart_route(d, &args, &key))))
        return s;
    /* A cubin runs only on its own major arch: otherwise the driver assembles PTX. */
    bool ptx = fart_env_flag("FADSL_PTX") || !fart_cubin_runs_on(key.arch, cc);
    fart_kernel *k;
    CUfunction fn;
    if ((s = fart_kernel_get(p, &key, ptx, &k, NULL)) || (s = fart_kernel_function(k, ctx, &fn)))
        return s;
    const fa_plan *plan = fart_kernel_plan(k);
    if ((s = fart_debug_check(cu, d, &args, (CUstream)stream)))
        return s;
    if (plan->tmpl == FA_TEMPLATE_PAGED_DECODE)
        return fart_decode_launch(d, p, &key, plan, &args, fn, ctx, ptx, (CUstream)stream);
    unsigned grid_x;
    if ((s = fart_grid_x("query rows (seqlen_q)", args.seqlen_q, plan->block_m, 1, &grid_x)))
        return s;
    void *params[] = {&args};
    return fart_cu_check(cu->LaunchKernel(fn, grid_x, (unsigned)args.q_heads, (unsigned)args.batch,
                                          (unsigned)plan->threads, 1, 1, (unsigned)plan->smem_bytes,
                                          (CUstream)stream, params, NULL),
                         "cuLaunchKernel");
}

fadsl_status fadsl_compile(const char *variant, const fa_key *key, fadsl_compile_info *info)
{
    fart_clear_error();
    if (!key)
        return fart_fail(FADSL_ERR_INVALID, "no key");
    const fa_program *p;
    fadsl_status s = fart_variant_get(variant, &p);
    if (s)
        return s;
    if ((unsigned)key->arch >= FA_ARCH__COUNT)
        return fart_fail(FADSL_ERR_INVALID, "key arch %d is not an fa_arch", (int)key->arch);
    fa_key k = *key;
    fa_key_set_variant(&k, p);
    fart_kernel *kernel;
    return fart_kernel_get(p, &k, fart_env_flag("FADSL_PTX"), &kernel, info);
}
