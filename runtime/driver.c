/* driver.c - libcuda through dlopen, the current context, device architectures. */
#include "fart.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* The driver's CUlaunchConfig / CUlaunchAttribute layout (cuda.h, 64-bit). */
_Static_assert(sizeof(fart_launch_attr) == 72 && offsetof(fart_launch_attr, value) == 8, "CUlaunchAttribute");
_Static_assert(offsetof(fart_launch_config, stream) == 32 && offsetof(fart_launch_config, attrs) == 40 &&
                   offsetof(fart_launch_config, num_attrs) == 48,
               "CUlaunchConfig");

static fart_cu cu;
static fadsl_status load_status;
static char load_error[512];
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

/* Driver entry points by exported name (the _v2 names are what cuda.h maps to). */
static const struct {
    const char *name;
    size_t offset;
} symbols[] = {
    {"cuInit", offsetof(fart_cu, Init)},
    {"cuGetErrorName", offsetof(fart_cu, GetErrorName)},
    {"cuDeviceGet", offsetof(fart_cu, DeviceGet)},
    {"cuDeviceGetAttribute", offsetof(fart_cu, DeviceGetAttribute)},
    {"cuCtxGetCurrent", offsetof(fart_cu, CtxGetCurrent)},
    {"cuCtxSetCurrent", offsetof(fart_cu, CtxSetCurrent)},
    {"cuCtxGetDevice", offsetof(fart_cu, CtxGetDevice)},
    {"cuDevicePrimaryCtxRetain", offsetof(fart_cu, DevicePrimaryCtxRetain)},
    {"cuDevicePrimaryCtxRelease_v2", offsetof(fart_cu, DevicePrimaryCtxRelease)},
    {"cuModuleLoadData", offsetof(fart_cu, ModuleLoadData)},
    {"cuModuleLoadDataEx", offsetof(fart_cu, ModuleLoadDataEx)},
    {"cuModuleUnload", offsetof(fart_cu, ModuleUnload)},
    {"cuModuleGetFunction", offsetof(fart_cu, ModuleGetFunction)},
    {"cuFuncSetAttribute", offsetof(fart_cu, FuncSetAttribute)},
    {"cuOccupancyMaxActiveBlocksPerMultiprocessor", offsetof(fart_cu, OccupancyMaxActiveBlocksPerMultiprocessor)},
    {"cuLaunchKernel", offsetof(fart_cu, LaunchKernel)},
    {"cuMemAlloc_v2", offsetof(fart_cu, MemAlloc)},
    {"cuMemFree_v2", offsetof(fart_cu, MemFree)},
    {"cuMemcpyHtoD_v2", offsetof(fart_cu, MemcpyHtoD)},
    {"cuMemcpyDtoH_v2", offsetof(fart_cu, MemcpyDtoH)},
    {"cuMemsetD8_v2", offsetof(fart_cu, MemsetD8)},
    {"cuStreamSynchronize", offsetof(fart_cu, StreamSynchronize)},
    {"cuEventCreate", offsetof(fart_cu, EventCreate)},
    {"cuEventRecord", offsetof(fart_cu, EventRecord)},
    {"cuEventSynchronize", offsetof(fart_cu, EventSynchronize)},
    {"cuEventElapsedTime_v2", offsetof(fart_cu, EventElapsedTime)},
    {"cuEventDestroy_v2", offsetof(fart_cu, EventDestroy)},
};

static void load(void)
{
    void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(load_error, sizeof load_error, "no CUDA driver: dlopen(libcuda.so.1) failed: %s", dlerror());
        load_status = FADSL_ERR_NO_DRIVER;
        return;
    }
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        void *f = dlsym(lib, symbols[i].name);
        if (!f && strcmp(symbols[i].name, "cuEventElapsedTime_v2") == 0)
            f = dlsym(lib, "cuEventElapsedTime");   /* drivers older than 12.8 */
        if (!f) {
            snprintf(load_error, sizeof load_error, "no CUDA driver: libcuda.so.1 lacks %s (driver too old)",
                     symbols[i].name);
            load_status = FADSL_ERR_NO_DRIVER;
            return;
        }
        memcpy((char *)&cu + symbols[i].offset, &f, sizeof f);
    }
    /* Optional (CUDA 12.0): without it contexts are told apart by handle only. */
    void *get_id = dlsym(lib, "cuCtxGetId");
    memcpy(&cu.CtxGetId, &get_id, sizeof get_id);
    /* Optional (CUDA 12.0): the merge after a split decode launches without it (merge.c). */
    void *launch_ex = dlsym(lib, "cuLaunchKernelEx");
    memcpy(&cu.LaunchKernelEx, &launch_ex, sizeof launch_ex);
    CUresult (*driver_version)(int *) = NULL;
    void *get_version = dlsym(lib, "cuDriverGetVersion");
    memcpy(&driver_version, &get_version, sizeof get_version);
    if (!driver_version || driver_version(&cu.driver_version) != FART_CUDA_SUCCESS)
        cu.driver_version = 0;
    /* Optional (CUDA 12.0): only sm_90 paged decode needs it (runtime/paged.c says so). */
    void *encode = dlsym(lib, "cuTensorMapEncodeTiled");
    memcpy(&cu.TensorMapEncodeTiled, &encode, sizeof encode);
    CUresult r = cu.Init(0);
    if (r != FART_CUDA_SUCCESS) {
        const char *name = NULL;
        cu.GetErrorName(r, &name);
        snprintf(load_error, sizeof load_error, "no CUDA driver: cuInit failed with %s (no usable GPU?)",
                 name ? name : "an unknown error");
        load_status = FADSL_ERR_NO_DRIVER;
    }
}

fadsl_status fart_driver(const fart_cu **out)
{
    pthread_once(&load_once, load);
    if (load_status != FADSL_OK)
        return fart_fail(load_status, "%s", load_error);
    *out = &cu;
    return FADSL_OK;
}

fadsl_status fart_cu_check(CUresult r, const char *call)
{
    if (r == FART_CUDA_SUCCESS)
        return FADSL_OK;
    const char *name = NULL;
    if (!cu.GetErrorName || cu.GetErrorName(r, &name) != FART_CUDA_SUCCESS || !name)
        name = "unknown error";
    return fart_fail(FADSL_ERR_DRIVER, "%s failed: %s (%d)", call, name, r);
}

/* Compute capability per device ordinal, cached (0: not asked yet), and whether the
 * runtime holds its reference to the device's primary context. */
enum { MAX_DEVICES = 64 };
static _Atomic int device_cc[MAX_DEVICES];
static _Atomic bool primary_held[MAX_DEVICES];

/* Makes device dev's primary context current on this thread. The runtime keeps one
 * reference a device for the process's life (the functions it loaded live in the context;
 * docs/RUNTIME.md): a later thread's retain is released again at once, so the count does
 * not grow with the threads (past MAX_DEVICES devices, each thread keeps its own). */
static fadsl_status use_primary(const fart_cu *d, CUdevice dev, CUcontext *ctx)
{
    fadsl_status s = fart_cu_check(d->DevicePrimaryCtxRetain(ctx, dev), "cuDevicePrimaryCtxRetain");
    if (s)
        return s;
    if (dev >= 0 && dev < MAX_DEVICES && atomic_exchange(&primary_held[dev], true) &&
        (s = fart_cu_check(d->DevicePrimaryCtxRelease(dev), "cuDevicePrimaryCtxRelease")))
        return s;
    return fart_cu_check(d->CtxSetCurrent(*ctx), "cuCtxSetCurrent");
}

fadsl_status fart_context(int device, CUcontext *ctx, int *cc)
{
    const fart_cu *d;
    fadsl_status s = fart_driver(&d);
    if (s)
        return s;
    if ((s = fart_cu_check(d->CtxGetCurrent(ctx), "cuCtxGetCurrent")))
        return s;
    CUdevice dev;
    if (!*ctx) {
        char call[48];
        snprintf(call, sizeof call, "cuDeviceGet(%d)", device);
        if ((s = fart_cu_check(d->DeviceGet(&dev, device), call)))
            return s;
        if ((s = use_primary(d, dev, ctx)))
            return s;
    } else if ((s = fart_cu_check(d->CtxGetDevice(&dev), "cuCtxGetDevice"))) {
        return s;
    }
    int known = dev >= 0 && dev < MAX_DEVICES ? device_cc[dev] : 0;
    if (!known) {
        int major = 0, minor = 0;
        if ((s = fart_cu_check(d->DeviceGetAttribute(&major, FART_CU_ATTR_CC_MAJOR, dev), "cuDeviceGetAttribute")) ||
            (s = fart_cu_check(d->DeviceGetAttribute(&minor, FART_CU_ATTR_CC_MINOR, dev), "cuDeviceGetAttribute")))
            return s;
        known = major * 10 + minor;
        if (dev >= 0 && dev < MAX_DEVICES)
            device_cc[dev] = known;
    }
    *cc = known;
    return FADSL_OK;
}

fadsl_status fart_arch_for_cc(int cc, fa_arch *arch)
{
    if (cc == 90) {
        *arch = FA_ARCH_SM90A;
        return FADSL_OK;
    }
    /* The newest arch without arch-specific ("a") features not newer than the device. */
    bool found = false;
    for (int a = 0; a < FA_ARCH__COUNT; a++)
        if (a != FA_ARCH_SM90A && fa_arch_number((fa_arch)a) <= cc) {
            *arch = (fa_arch)a;
            found = true;
        }
    return found ? FADSL_OK
                 : fart_fail(FADSL_ERR_UNSUPPORTED, "compute capability %d.%d is below sm_80", cc / 10, cc % 10);
}

fadsl_status fart_context_id(CUcontext ctx, unsigned long long *id)
{
    *id = 0;
    const fart_cu *d;
    fadsl_status s = fart_driver(&d);
    return s || !d->CtxGetId ? s : fart_cu_check(d->CtxGetId(ctx, id), "cuCtxGetId");
}

bool fart_cubin_runs_on(fa_arch arch, int cc)
{
    int n = fa_arch_number(arch);
    if (arch == FA_ARCH_SM90A)
        return cc == 90;
    return cc / 10 == n / 10 && cc >= n;
}
