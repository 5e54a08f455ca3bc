/* device.c - the public device helpers (allocation, copies, events) for tests and
 * examples, on the current context. */
#include "fart.h"

#include <stdio.h>

/* The driver, with a context current (device 0's primary when the thread has none). */
static fadsl_status ready(const fart_cu **cu)
{
    CUcontext ctx;
    int cc;
    fadsl_status s = fart_context(0, &ctx, &cc);
    return s ? s : fart_driver(cu);
}

/* A thread's current context on another device than `device` is refused: the helpers
 * would run there, not on `device`. */
fadsl_status fadsl_device_init(int device, fa_arch *arch)
{
    fart_clear_error();
    CUcontext ctx;
    int cc;
    fadsl_status s = fart_context(device, &ctx, &cc);
    if (s)
        return s;
    const fart_cu *cu;
    CUdevice current, wanted;
    char call[48];
    snprintf(call, sizeof call, "cuDeviceGet(%d)", device);
    if ((s = fart_driver(&cu)) || (s = fart_cu_check(cu->CtxGetDevice(&current), "cuCtxGetDevice")) ||
        (s = fart_cu_check(cu->DeviceGet(&wanted, device), call)))
        return s;
    if (current != wanted)
        return fart_fail(FADSL_ERR_INVALID,
                         "fadsl_device_init(%d): this thread's current CUDA context is on device %d; make a "
                         "context of device %d current first (cudaSetDevice(%d)), or pass %d",
                         device, (int)current, device, device, (int)current);
    fa_arch a;
    if ((s = fart_arch_for_cc(cc, &a)))
        return s;
    if (arch)
        *arch = a;
    return FADSL_OK;
}

fadsl_status fadsl_device_alloc(void **ptr, size_t bytes)
{
    if (!ptr) /* checked first: an allocation with nowhere to go would leak */
        return fart_fail(FADSL_ERR_NULL_POINTER, "fadsl_device_alloc: ptr is NULL");
    const fart_cu *cu;
    fadsl_status s = ready(&cu);
    CUdeviceptr p = 0;
    if (!s && !(s = fart_cu_check(cu->MemAlloc(&p, bytes), "cuMemAlloc")))
        *ptr = (void *)(uintptr_t)p;
    return s;
}

fadsl_status fadsl_device_free(void *ptr)
{
    const fart_cu *cu;
    fadsl_status s = ready(&cu);
    return s || !ptr ? s : fart_cu_check(cu->MemFree((CUdeviceptr)(uintptr_t)ptr), "cuMemFree");
}

fadsl_status fadsl_copy_to_device(void *dst, const void *src, size_t bytes)
{
    const fart_cu *cu;
    fadsl_status s = ready(&cu);
    return s ? s : fart_cu_check(cu->MemcpyHtoD((CUdeviceptr)(uintptr_t)dst, src, bytes), "cuMemcpyHtoD");
}

fadsl_status fadsl_copy_to_host(void *dst, const void *src, size_t bytes)
{
    const fart_cu *cu;
    fadsl_status s = ready(&cu);
    return s ? s : fart_cu_check(cu->MemcpyDtoH(dst, (CUdeviceptr)(uintptr_t)src, bytes), "cuMemcpyDtoH");
}

fadsl_status fadsl_device_memset(void *ptr, unsigned char byte, size_t bytes)
{
    const fart_cu *cu;
    fadsl_status s = ready(&cu);
    return s ? s : fart_cu_check(cu->MemsetD8((CUdeviceptr)(uintptr_t)ptr, byte, bytes), "cuMemsetD8");
}

fadsl_status fadsl_stream_sync(void *stream)
{
    const fart_cu *cu;
    fadsl_status s = ready(&cu);
    return s ? s : fart_cu_check(cu->StreamSynchronize((CUstream)stream), "cuStreamSynchronize");
}

fadsl_status fadsl_event_create(void **event)
{
    if (!event)
        return fart_fail(FADSL_ERR_NULL_POINTER, "fadsl_event_create: event is NULL");
    const fart_cu *cu;
    fadsl_status s = ready(&cu);
    return s ? s : fart_cu_check(cu->EventCreate((CUevent *)event, 0), "cuEventCreate");
}

fadsl_status fadsl_event_record(void *event, void *stream)
{
    const fart_cu *cu;
    fadsl_status s = ready(&cu);
    return s ? s : fart_cu_check(cu->EventRecord((CUevent)event, (CUstream)stream), "cuEventRecord");
}

fadsl_status fadsl_event_elapsed_ms(void *start, void *end, float *ms)
{
    if (!ms)
        return fart_fail(FADSL_ERR_NULL_POINTER, "fadsl_event_elapsed_ms: ms is NULL");
    const fart_cu *cu;
    fadsl_status s = ready(&cu);
    if (!s)
        s = fart_cu_check(cu->EventSynchronize((CUevent)end), "cuEventSynchronize");
    return s ? s : fart_cu_check(cu->EventElapsedTime(ms, (CUevent)start, (CUevent)end), "cuEventElapsedTime");
}

fadsl_status fadsl_event_destroy(void *event)
{
    const fart_cu *cu;
    fadsl_status s = ready(&cu);
    return s ? s : fart_cu_check(cu->EventDestroy((CUevent)event), "cuEventDestroy");
}
