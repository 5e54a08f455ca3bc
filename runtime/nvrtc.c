/* nvrtc.c - CUDA C to a cubin (real arch) or PTX (virtual arch) with NVRTC. */
#include "fart.h"

#include <nvrtc.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

int fart_nvrtc_version(void)
{
    int major = 0, minor = 0;
    nvrtcVersion(&major, &minor);
    return major * 1000 + minor * 10;
}

/* Fails with the NVRTC error and as much of the program's log as fits. */
static fadsl_status fail_with_log(nvrtcProgram prog, nvrtcResult r, const char *kernel_name)
{
    size_t n = 0;
    char *log = NULL;
    if (nvrtcGetProgramLogSize(prog, &n) == NVRTC_SUCCESS && n > 1 && (log = malloc(n)))
        if (nvrtcGetProgramLog(prog, log) != NVRTC_SUCCESS)
            log[0] = '\0';
    fadsl_status s = fart_fail(FADSL_ERR_NVRTC, "NVRTC failed to compile %s: %s\n%s", kernel_name,
                               nvrtcGetErrorString(r), log ? log : "");
    free(log);
    return s;
}

static atomic_int spilling_kernels;

int fart_nvrtc_spills(void)
{
    return atomic_load(&spilling_kernels);
}

/* A compiled kernel whose registers ptxas spilled to local memory (--warn-on-spills puts
 * that in the program log): a log line with ptxas's numbers (FADSL_LOG off silences it: a
 * few bytes spilled outside the hot loop are common and harmless), and the count tests
 * read. */
static void log_spills(nvrtcProgram prog, const char *kernel_name)
{
    size_t n = 0;
    char *log = NULL;
    if (nvrtcGetProgramLogSize(prog, &n) != NVRTC_SUCCESS || n <= 1 || !(log = malloc(n)))
        return;
    const char *at = nvrtcGetProgramLog(prog, log) == NVRTC_SUCCESS ? strstr(log, "spill") : NULL;
    if (at) {
        const char *line = at;
        while (line > log && line[-1] != '\n')
            line--;
        int len = (int)strcspn(line, "\n");
        atomic_fetch_add(&spilling_kernels, 1);
        fart_log("%s: %.*s", kernel_name, len, line);
    }
    free(log);
}

fadsl_status fart_nvrtc_compile(const char *source, const char *kernel_name, const char *const *options,
                                int num_options, bool ptx, char **image, size_t *size)
{
    nvrtcProgram prog;
    nvrtcResult r = nvrtcCreateProgram(&prog, source, kernel_name, 0, NULL, NULL);
    if (r != NVRTC_SUCCESS)
        return fart_fail(FADSL_ERR_NVRTC, "nvrtcCreateProgram: %s", nvrtcGetErrorString(r));
    fadsl_status s = FADSL_OK;
    r = nvrtcCompileProgram(prog, num_options, options);
    size_t n = 0;
    if (r == NVRTC_SUCCESS)
        r = ptx ? nvrtcGetPTXSize(prog, &n) : nvrtcGetCUBINSize(prog, &n);
    if (r != NVRTC_SUCCESS) {
        s = fail_with_log(prog, r, kernel_name);
    } else if (!(*image = malloc(n ? n : 1))) {
        s = fart_fail(FADSL_ERR_NOMEM, "no memory for a %zu-byte image", n);
    } else if ((r = ptx ? nvrtcGetPTX(prog, *image) : nvrtcGetCUBIN(prog, *image)) != NVRTC_SUCCESS) {
        free(*image);
        *image = NULL;
        s = fail_with_log(prog, r, kernel_name);
    } else {
        *size = n;
        if (!ptx)
            log_spills(prog, kernel_name);
    }
    nvrtcDestroyProgram(&prog);
    return s;
}
