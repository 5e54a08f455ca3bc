/* loaded.c - modules loaded into CUDA contexts: an image into the current context, and the
 * per-context records of a function that the forward kernels and the merge keep.
 *
 * A record names its context by handle and by fart_context_id: a destroyed context's handle
 * may come back for a new one, whose record is then the old one's, reused (the module went
 * with the old context). Records live for the process's life. */
#include "fart.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct fart_loaded {
    CUcontext ctx;
    unsigned long long ctx_id;
    CUfunction fn;
    struct fart_loaded *next;
};

/* One lock for every list: it is held for a walk of a short list, never for a load. */
static pthread_mutex_t loaded_lock = PTHREAD_MUTEX_INITIALIZER;

fadsl_status fart_module_load(const fart_cu *cu, const void *image, bool ptx, const char *name, CUmodule *mod)
{
    if (!ptx)
        return fart_cu_check(cu->ModuleLoadData(mod, image), "cuModuleLoadData");
    char log[4096] = "";
    int opts[] = {FART_CU_JIT_ERROR_LOG_BUFFER, FART_CU_JIT_ERROR_LOG_BUFFER_SIZE};
    void *vals[] = {log, (void *)(uintptr_t)sizeof log};
    fadsl_status s = fart_cu_check(cu->ModuleLoadDataEx(mod, image, 2, opts, vals), "cuModuleLoadDataEx");
    if (s && log[0]) {
        char head[512];
        snprintf(head, sizeof head, "%s", fadsl_last_error());
        return fart_fail(s, "%s (PTX of %s)\n%s", head, name, log);
    }
    return s;
}

/* The record of context (ctx, id) in list, or NULL; *stale gets a record of the same handle
 * with another id (a destroyed context's), NULL if none. Under loaded_lock. */
static fart_loaded *find(fart_loaded *list, CUcontext ctx, unsigned long long id, fart_loaded **stale)
{
    *stale = NULL;
    for (fart_loaded *r = list; r; r = r->next) {
        if (r->ctx != ctx)
            continue;
        if (r->ctx_id == id)
            return r;
        *stale = r;
    }
    return NULL;
}

fadsl_status fart_loaded_function(fart_loaded **list, CUcontext ctx, fart_load_fn load, void *ud, CUfunction *fn)
{
    unsigned long long id;
    const fart_cu *cu;
    fadsl_status s = fart_context_id(ctx, &id);
    if (s || (s = fart_driver(&cu)))
        return s;
    fart_loaded *r, *stale;
    pthread_mutex_lock(&loaded_lock);
    if ((r = find(*list, ctx, id, &stale)))
        *fn = r->fn;
    pthread_mutex_unlock(&loaded_lock);
    if (r)
        return FADSL_OK;
    /* Loaded outside the lock (the merge's first load compiles it); a thread that recorded
     * a function meanwhile wins, and this module goes. */
    CUmodule mod;
    if ((s = load(ud, cu, &mod, fn)))
        return s;
    pthread_mutex_lock(&loaded_lock);
    if ((r = find(*list, ctx, id, &stale))) {
        cu->ModuleUnload(mod);
        *fn = r->fn;
    } else if (stale) {
        stale->ctx_id = id;
        stale->fn = *fn;
    } else if ((r = malloc(sizeof *r))) {
        *r = (fart_loaded){ctx, id, *fn, *list};
        *list = r;
    } else {
        cu->ModuleUnload(mod);
        s = fart_fail(FADSL_ERR_NOMEM, "no memory for a loaded-function record");
    }
    pthread_mutex_unlock(&loaded_lock);
    return s;
}
