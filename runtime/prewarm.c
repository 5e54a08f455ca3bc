/* prewarm.c - compiles a list of keys on worker threads (each through fadsl_compile, so
 * the memory and disk caches fill as for any other caller). */
#include "fart.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fadsl_prewarm {
    fadsl_prewarm_item *items;   /* variant strings owned */
    int n;
    atomic_int next;
    pthread_t *threads;
    int num_threads;
    pthread_mutex_t lock;        /* guards the failure fields */
    int failed;
    int first_index;             /* the lowest failed item's index (wait reports that one) */
    fadsl_status first;
    char *first_error;
};

static void *worker(void *arg)
{
    fadsl_prewarm *p = arg;
    int i;
    while ((i = p->next++) < p->n) {
        const fadsl_prewarm_item *it = &p->items[i];
        fadsl_status s = fadsl_compile(it->variant, &it->key, NULL);
        /* a decode key's 64-key sibling, which unsplit launches may take instead, and its
         * tile-claiming sibling, which split launches take, each when it builds
         * (fa_plan_has_tile64, fa_plan_has_claims; launches keep the key's own kernel
         * otherwise: no failure here) */
        if (!s && fa_plan_has_tile64(&it->key)) {
            fa_key k64 = it->key;
            k64.decode_tile64 = true;
            if (fadsl_compile(it->variant, &k64, NULL))
                fart_clear_error();
        }
        if (!s && fa_plan_has_claims(&it->key)) {
            fa_key kc = it->key;
            kc.decode_claims = true;
            if (fadsl_compile(it->variant, &kc, NULL))
                fart_clear_error();
        }
        if (!s)
            continue;
        pthread_mutex_lock(&p->lock);
        if (!p->failed++ || i < p->first_index) { /* the same report whatever the threads' timing */
            free(p->first_error);
            p->first_index = i;
            p->first = s;
            p->first_error = strdup(fadsl_last_error());
        }
        pthread_mutex_unlock(&p->lock);
    }
    return NULL;
}

static void destroy(fadsl_prewarm *p)
{
    for (int i = 0; i < p->n; i++)
        free((char *)p->items[i].variant);
    free(p->items);
    free(p->threads);
    free(p->first_error);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

fadsl_status fadsl_prewarm_start(const fadsl_prewarm_item *items, int n, int threads, fadsl_prewarm **out)
{
    fart_clear_error();
    if (n < 0 || (n && !items) || !out)
        return fart_fail(FADSL_ERR_INVALID, "prewarm of %d items needs an items array and an output handle", n);
    if (threads <= 0)
        threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (threads > n)
        threads = n;
    fadsl_prewarm *p = calloc(1, sizeof *p);
    if (!p)
        return fart_fail(FADSL_ERR_NOMEM, "no memory for a prewarm");
    pthread_mutex_init(&p->lock, NULL);
    p->items = calloc((size_t)n + 1, sizeof *p->items);
    p->threads = calloc((size_t)threads + 1, sizeof *p->threads);
    bool ok = p->items && p->threads;
    for (int i = 0; ok && i < n; i++) {
        p->items[i] = items[i];
        p->items[i].variant = items[i].variant ? strdup(items[i].variant) : NULL;
        ok = p->items[i].variant || !items[i].variant;
        p->n = i + 1;
    }
    if (!ok) {
        destroy(p);
        return fart_fail(FADSL_ERR_NOMEM, "no memory for a prewarm of %d items", n);
    }
    for (; p->num_threads < threads; p->num_threads++)
        if (pthread_create(&p->threads[p->num_threads], NULL, worker, p) != 0)
            break;
    if (!p->num_threads && n)
        worker(p);   /* no thread could start: compile here */
    *out = p;
    return FADSL_OK;
}

fadsl_status fadsl_prewarm_wait(fadsl_prewarm *p, int *failed)
{
    fart_clear_error();
    if (!p)
        return fart_fail(FADSL_ERR_INVALID, "no prewarm handle");
    for (int i = 0; i < p->num_threads; i++)
        pthread_join(p->threads[i], NULL);
    fadsl_status s = p->failed ? fart_fail(p->first, "%d of %d prewarm items failed; first, item %d: %s", p->failed,
                                           p->n, p->first_index, p->first_error ? p->first_error : "")
                               : FADSL_OK;
    if (failed)
        *failed = p->failed;
    destroy(p);
    return s;
}
