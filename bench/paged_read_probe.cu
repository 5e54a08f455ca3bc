/* paged_read_probe.cu - how fast can a decode kernel READ a paged KV cache on this GPU?
 * Copy-only kernels (no attention math) over the decode bench's shapes (8 KV heads, d128,
 * 16-bit cache, shuffled block tables), each consuming what it loads so nothing is elided:
 *   stream      plain 16-byte loads over K and V laid out contiguously (the ceiling)
 *   nhd_cp      the decode kernel's copies: a CTA per (split, kv head, seq), 16-byte cp.async
 *               per thread, 64-key tiles, STAGES buffers
 *   nhd_bulk    the same CTAs, one cp.async.bulk per 256-byte key row, mbarrier completion
 *   hdb_bulk    HDB cache: one cp.async.bulk per contiguous (block, head) slab
 *   nhd_tma     NHD cache: one 5-d TMA box per (block, head) (paged_decode.cuh's FA_DEC_TMA
 *               copies), 128-byte swizzle; tiles of TILE keys, STAGES buffers, THREADS a CTA
 *   nhd_whole   NHD cache read whole: a CTA per (split, seq) for every KV head at once, one
 *               bulk copy per CHUNK contiguous bytes of a block (a 16-key block of d128 bf16
 *               is 32 KB) for K and for V; splits fill CTAS_PER_SM CTAs an SM
 *   nhd_heads   a CTA per (split, group of HG KV heads, seq), a warp a head: 16-byte cp.async
 *               of the group's rows of each key (HG * ROW_BYTES contiguous bytes), TILE keys
 *               a stage; tma_heads: one TMA box a block entry over the group's heads
 * TMA rows run at both L2 promotions (256 and 128 bytes: "l2_128").
 * Build: nvcc -O3 -arch=sm_90a -std=c++17 bench/paged_read_probe.cu -o build-lead/paged_read_probe \
 *        -L/usr/local/cuda/lib64/stubs -lcuda
 * Run: build-lead/paged_read_probe [--whole | --heads] (--whole: the nhd_whole rows, the stream
 *      ceiling and the decode's own copy shapes only, block sizes 16 and 64; --heads: the
 *      nhd_heads / tma_heads rows against the stream and nhd_cp, block size 16)
 * Prints one markdown row per kernel and shape: microseconds (median of REPS) and GB/s.
 */
#include <cuda.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#define CK(x)                                                                                         \
    do {                                                                                              \
        cudaError_t e_ = (x);                                                                         \
        if (e_ != cudaSuccess) {                                                                      \
            fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, cudaGetErrorString(e_));              \
            exit(1);                                                                                  \
        }                                                                                             \
    } while (0)

/* Bytes of a key's row of one head: 256 (d128, 16-bit); -DROW_BYTES=128 probes d128 fp8. */
#ifndef ROW_BYTES
#define ROW_BYTES 256
#endif
enum { KV_HEADS = 8, THREADS = 128, REPS = 20 };

struct Geo {
    const unsigned char *k, *v;
    const int *table;
    int blocks_per_seq, bs, splits;
    unsigned long long block_bytes;
    unsigned *sink;
};

__device__ __forceinline__ unsigned smem_u32(const void *p)
{
    return (unsigned)__cvta_generic_to_shared(p);
}

__device__ __forceinline__ void mbar_init(unsigned bar)
{
    asm volatile("mbarrier.init.shared::cta.b64 [%0], 1;\n" ::"r"(bar));
}

__device__ __forceinline__ void mbar_expect(unsigned bar, unsigned bytes)
{
    asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;\n" ::"r"(bar), "r"(bytes) : "memory");
}

__device__ __forceinline__ void mbar_wait(unsigned bar, unsigned parity)
{
    asm volatile("{\n .reg .pred p;\n W: mbarrier.try_wait.parity.shared::cta.b64 p, [%0], %1;\n @!p bra W;\n}\n" ::"r"(bar),
                 "r"(parity)
                 : "memory");
}

__device__ __forceinline__ void bulk_copy(unsigned dst, const void *src, unsigned bytes, unsigned bar)
{
    asm volatile("cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1], %2, [%3];\n" ::"r"(dst),
                 "l"(src), "r"(bytes), "r"(bar)
                 : "memory");
}

__global__ void stream_kernel(const uint4 *k, const uint4 *v, size_t n, unsigned *sink)
{
    unsigned acc = 0;
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x) {
        uint4 a = __ldcs(k + i), b = __ldcs(v + i);
        acc ^= a.x ^ a.y ^ a.z ^ a.w ^ b.x ^ b.y ^ b.z ^ b.w;
    }
    if (acc == 0x12345678u)
        sink[0] = acc;
}

/* This CTA's tiles of `keys` keys (grid: splits, heads, seqs): blocks [b0, b1) of its
 * sequence's table `tab`, bpt blocks a tile, n tiles. */
struct Tiles {
    int b0, b1, bpt, n;
    const int *tab;
};

__device__ __forceinline__ Tiles cta_tiles(const Geo &g, int keys)
{
    const int per = (g.blocks_per_seq + g.splits - 1) / g.splits;
    Tiles r;
    r.b0 = min(blockIdx.x * per, g.blocks_per_seq);
    r.b1 = min(r.b0 + per, g.blocks_per_seq);
    r.bpt = keys / g.bs;
    r.n = (r.b1 - r.b0 + r.bpt - 1) / r.bpt;
    r.tab = g.table + blockIdx.z * g.blocks_per_seq;
    return r;
}

/* Streams n tiles through STAGES buffers of STAGE bytes at sm: issue(t, dst, bar) starts
 * tile t's copies into dst, completing on mbarrier bar; every thread reads 16 bytes of each
 * tile once it landed, so nothing is elided. */
template <int STAGES, int STAGE, class Issue>
__device__ __forceinline__ void mbar_stream(unsigned char *sm, int n, unsigned *sink, Issue issue)
{
    __shared__ __align__(8) unsigned long long full[STAGES];
    if (threadIdx.x < STAGES)
        mbar_init(smem_u32(&full[threadIdx.x]));
    asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
    __syncthreads();
    auto start = [&](int t) { issue(t, smem_u32(sm + (t % STAGES) * STAGE), smem_u32(&full[t % STAGES])); };
    for (int s = 0; s < STAGES && s < n; s++)
        start(s);
    unsigned acc = 0;
    for (int t = 0; t < n; t++) {
        mbar_wait(smem_u32(&full[t % STAGES]), (t / STAGES) & 1);
        const uint4 x = *(const uint4 *)(sm + (t % STAGES) * STAGE + threadIdx.x * 16);
        acc ^= x.x ^ x.w;
        __syncthreads();
        if (t + STAGES < n)
            start(t + STAGES);
    }
    if (acc == 0x12345678u)
        sink[0] = acc;
}

/* 16-byte cp.async copies of HG heads' rows of each key (HG * ROW_BYTES contiguous bytes),
 * TILE keys a stage, NT threads: the decode's own copies at HG 1 (nhd_cp), a head group's
 * CTA above it (nhd_heads). Grid: splits, head groups, seqs. */
template <int HG, int TILE, int STAGES, int NT> __global__ void __launch_bounds__(NT) nhd_cp_kernel(Geo g)
{
    extern __shared__ __align__(128) unsigned char sm[];
    constexpr int CH = HG * ROW_BYTES / 16, STAGE = 2 * TILE * HG * ROW_BYTES; /* chunks a key */
    const Tiles tl = cta_tiles(g, TILE);
    const unsigned long long group = blockIdx.y * (unsigned long long)(HG * ROW_BYTES);
    auto issue = [&](int t) {
        const unsigned dst = smem_u32(sm + (t % STAGES) * STAGE);
        for (int j = threadIdx.x; j < 2 * TILE * CH; j += NT) {
            const int kv = j / (TILE * CH), key = (j / CH) % TILE, ch = j % CH;
            const int blk = tl.b0 + t * tl.bpt + key / g.bs;
            if (blk >= tl.b1)
                continue;
            const unsigned char *src = (kv ? g.v : g.k) + tl.tab[blk] * g.block_bytes + group +
                                       (key % g.bs) * (unsigned long long)(KV_HEADS * ROW_BYTES) + ch * 16;
            asm volatile("cp.async.cg.shared.global.L2::256B [%0], [%1], 16;\n" ::"r"(dst + j * 16), "l"(src));
        }
        asm volatile("cp.async.commit_group;\n");
    };
    for (int s = 0; s < STAGES - 1; s++)
        if (s < tl.n)
            issue(s);
        else
            asm volatile("cp.async.commit_group;\n");
    unsigned acc = 0;
    for (int t = 0; t < tl.n; t++) {
        asm volatile("cp.async.wait_group %0;\n" ::"n"(STAGES - 2));
        __syncthreads();
        if (t + STAGES - 1 < tl.n)
            issue(t + STAGES - 1);
        else
            asm volatile("cp.async.commit_group;\n");
        const uint4 x = *(const uint4 *)(sm + (t % STAGES) * STAGE + threadIdx.x * 16);
        acc ^= x.x ^ x.w;
    }
    if (acc == 0x12345678u)
        g.sink[0] = acc;
}

/* One bulk copy per key row (NHD) or per (block, head) slab (HDB). */
template <int TILE, int STAGES, bool HDB> __global__ void __launch_bounds__(THREADS) bulk_kernel(Geo g)
{
    extern __shared__ __align__(128) unsigned char sm[];
    const Tiles tl = cta_tiles(g, TILE);
    const int b0 = tl.b0, b1 = tl.b1, bpt = tl.bpt;
    const int *tab = tl.tab;
    mbar_stream<STAGES, 2 * TILE * ROW_BYTES>(sm, tl.n, g.sink, [&](int t, unsigned dst, unsigned bar) {
        const int nb = min(bpt, b1 - (b0 + t * bpt));
        if (HDB) {
            const unsigned slab = g.bs * ROW_BYTES;
            if (threadIdx.x == 0)
                mbar_expect(bar, 2 * nb * slab);
            __syncwarp();
            if (threadIdx.x < 2 * nb) {
                const int kv = threadIdx.x / nb, e = threadIdx.x % nb;
                const unsigned char *src = (kv ? g.v : g.k) + tab[b0 + t * bpt + e] * g.block_bytes + blockIdx.y * slab;
                bulk_copy(dst + (kv * TILE + e * g.bs) * ROW_BYTES, src, slab, bar);
            }
        } else {
            const int keys = nb * g.bs;
            if (threadIdx.x == 0)
                mbar_expect(bar, 2 * keys * ROW_BYTES);
            __syncwarp();
            for (int j = threadIdx.x; j < 2 * keys; j += THREADS) {
                const int kv = j / keys, key = j % keys;
                const unsigned char *src = (kv ? g.v : g.k) + tab[b0 + t * bpt + key / g.bs] * g.block_bytes +
                                           blockIdx.y * ROW_BYTES +
                                           (key % g.bs) * (unsigned long long)(KV_HEADS * ROW_BYTES);
                bulk_copy(dst + (kv * TILE + key) * ROW_BYTES, src, ROW_BYTES, bar);
            }
        }
    });
}

/* Whole blocks (every head) in CHUNK-byte bulk copies: the contiguous read a CTA owning
 * all KV heads of its keys would do. Split gridDim.x ways over the sequence's blocks. */
template <int CHUNK, int STAGES> __global__ void __launch_bounds__(THREADS) whole_kernel(Geo g)
{
    extern __shared__ __align__(128) unsigned char sm[];
    const int per = g.blocks_per_seq, splits = gridDim.x;
    const int b0 = per * blockIdx.x / splits, b1 = per * (blockIdx.x + 1) / splits;
    const int cpb = (int)(g.block_bytes / CHUNK);
    const int *tab = g.table + blockIdx.z * per;
    mbar_stream<STAGES, 2 * CHUNK>(sm, (b1 - b0) * cpb, g.sink, [&](int t, unsigned dst, unsigned bar) {
        if (threadIdx.x == 0) {
            mbar_expect(bar, 2 * CHUNK);
            const unsigned long long off = tab[b0 + t / cpb] * g.block_bytes + (unsigned long long)(t % cpb) * CHUNK;
            bulk_copy(dst, g.k + off, CHUNK, bar);
            bulk_copy(dst + CHUNK, g.v + off, CHUNK, bar);
        }
    });
}

/* One TMA box a block entry over HG heads (dims d, key, d box, head, block), K and V. */
template <int HG, int TILE, int STAGES>
__global__ void __launch_bounds__(HG * 32) tma_heads_kernel(Geo g, const __grid_constant__ CUtensorMap km,
                                                           const __grid_constant__ CUtensorMap vm)
{
    extern __shared__ __align__(1024) unsigned char sm_raw[];
    unsigned char *sm = sm_raw + ((1024 - smem_u32(sm_raw) % 1024) % 1024);
    const Tiles tl = cta_tiles(g, TILE);
    mbar_stream<STAGES, 2 * TILE * HG * ROW_BYTES>(sm, tl.n, g.sink, [&](int t, unsigned dst, unsigned bar) {
        const int nb = min(tl.bpt, tl.b1 - (tl.b0 + t * tl.bpt));
        if (threadIdx.x == 0)
            mbar_expect(bar, 2 * nb * g.bs * HG * ROW_BYTES);
        __syncwarp();
        if (threadIdx.x < 2 * nb) {
            const int kv = threadIdx.x / nb, e = threadIdx.x % nb;
            const void *map = kv ? (const void *)&vm : (const void *)&km;
            asm volatile("cp.async.bulk.tensor.5d.shared::cluster.global.tile.mbarrier::complete_tx::bytes"
                         " [%0], [%1, {%2, %2, %2, %3, %4}], [%5];\n" ::"r"(dst + (kv * TILE + e * g.bs) * HG * ROW_BYTES),
                         "l"(map), "r"(0), "r"((int)blockIdx.y * HG), "r"(tl.tab[tl.b0 + t * tl.bpt + e]), "r"(bar)
                         : "memory");
        }
    });
}

/* One 5-d TMA box per block entry of the tile for K and for V (FA_DEC_TMA's NHD copies). */
template <int TILE, int STAGES, int NT>
__global__ void __launch_bounds__(NT) tma_kernel(Geo g, const __grid_constant__ CUtensorMap km,
                                                 const __grid_constant__ CUtensorMap vm)
{
    extern __shared__ __align__(1024) unsigned char sm_raw[];
    unsigned char *sm = sm_raw + ((1024 - smem_u32(sm_raw) % 1024) % 1024);
    const Tiles tl = cta_tiles(g, TILE);
    mbar_stream<STAGES, 2 * TILE * ROW_BYTES>(sm, tl.n, g.sink, [&](int t, unsigned dst, unsigned bar) {
        const int nb = min(tl.bpt, tl.b1 - (tl.b0 + t * tl.bpt));
        if (threadIdx.x == 0)
            mbar_expect(bar, 2 * nb * g.bs * ROW_BYTES);
        __syncwarp();
        if (threadIdx.x < 2 * nb) {
            const int kv = threadIdx.x / nb, e = threadIdx.x % nb;
            const void *map = kv ? (const void *)&vm : (const void *)&km;
            asm volatile("cp.async.bulk.tensor.5d.shared::cluster.global.tile.mbarrier::complete_tx::bytes"
                         " [%0], [%1, {%2, %2, %2, %3, %4}], [%5];\n" ::"r"(dst + (kv * TILE + e * g.bs) * ROW_BYTES),
                         "l"(map), "r"(0), "r"((int)blockIdx.y), "r"(tl.tab[tl.b0 + t * tl.bpt + e]), "r"(bar)
                         : "memory");
        }
    });
}

static CUtensorMap g_km, g_vm;

static float time_it(void (*launch)(const Geo &, dim3), const Geo &g, dim3 grid)
{
    cudaEvent_t e0, e1;
    CK(cudaEventCreate(&e0));
    CK(cudaEventCreate(&e1));
    std::vector<float> ms(REPS);
    for (int i = 0; i < 3; i++)
        launch(g, grid);
    for (int i = 0; i < REPS; i++) {
        CK(cudaEventRecord(e0));
        launch(g, grid);
        CK(cudaEventRecord(e1));
        CK(cudaEventSynchronize(e1));
        CK(cudaEventElapsedTime(&ms[i], e0, e1));
    }
    CK(cudaGetLastError());
    std::sort(ms.begin(), ms.end());
    return ms[REPS / 2] * 1e3f;
}

template <int STAGES> static void launch_cp(const Geo &g, dim3 grid)
{
    const int smem = STAGES * 2 * 64 * ROW_BYTES;
    CK(cudaFuncSetAttribute(nhd_cp_kernel<1, 64, STAGES, THREADS>, cudaFuncAttributeMaxDynamicSharedMemorySize, smem));
    nhd_cp_kernel<1, 64, STAGES, THREADS><<<grid, THREADS, smem>>>(g);
}

template <int TILE, int STAGES, bool HDB> static void launch_bulk(const Geo &g, dim3 grid)
{
    const int smem = STAGES * 2 * TILE * ROW_BYTES;
    CK(cudaFuncSetAttribute(bulk_kernel<TILE, STAGES, HDB>, cudaFuncAttributeMaxDynamicSharedMemorySize, smem));
    bulk_kernel<TILE, STAGES, HDB><<<grid, THREADS, smem>>>(g);
}

template <int CHUNK, int STAGES> static void launch_whole(const Geo &g, dim3 grid)
{
    const int smem = STAGES * 2 * CHUNK;
    CK(cudaFuncSetAttribute(whole_kernel<CHUNK, STAGES>, cudaFuncAttributeMaxDynamicSharedMemorySize, smem));
    whole_kernel<CHUNK, STAGES><<<grid, THREADS, smem>>>(g);
}

template <int HG, int TILE, int STAGES> static void launch_heads(const Geo &g, dim3 grid)
{
    const int smem = STAGES * 2 * TILE * HG * ROW_BYTES;
    CK(cudaFuncSetAttribute(nhd_cp_kernel<HG, TILE, STAGES, HG * 32>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                            smem));
    Geo h = g;
    h.splits = (int)grid.x;
    nhd_cp_kernel<HG, TILE, STAGES, HG * 32><<<grid, HG * 32, smem>>>(h);
}

template <int HG, int TILE, int STAGES> static void launch_tma_heads(const Geo &g, dim3 grid)
{
    const int smem = STAGES * 2 * TILE * HG * ROW_BYTES + 1024;
    CK(cudaFuncSetAttribute(tma_heads_kernel<HG, TILE, STAGES>, cudaFuncAttributeMaxDynamicSharedMemorySize, smem));
    Geo h = g;
    h.splits = (int)grid.x;
    tma_heads_kernel<HG, TILE, STAGES><<<grid, HG * 32, smem>>>(h, g_km, g_vm);
}

template <int TILE, int STAGES, int NT> static void launch_tma(const Geo &g, dim3 grid)
{
    const int smem = STAGES * 2 * TILE * ROW_BYTES + 1024;
    CK(cudaFuncSetAttribute(tma_kernel<TILE, STAGES, NT>, cudaFuncAttributeMaxDynamicSharedMemorySize, smem));
    tma_kernel<TILE, STAGES, NT><<<grid, NT, smem>>>(g, g_km, g_vm);
}

static void make_map(CUtensorMap *m, const void *base, int nblk, int bs, int box_keys, CUtensorMapL2promotion l2,
                     int box_heads = 1)
{
    const cuuint64_t dims[5] = {64, (cuuint64_t)bs, ROW_BYTES / 128, KV_HEADS, (cuuint64_t)nblk};
    const cuuint64_t strides[4] = {KV_HEADS * ROW_BYTES, 128, ROW_BYTES, (cuuint64_t)bs * KV_HEADS * ROW_BYTES};
    const cuuint32_t box[5] = {64, (cuuint32_t)box_keys, ROW_BYTES / 128, (cuuint32_t)box_heads, 1};
    const cuuint32_t unit[5] = {1, 1, 1, 1, 1};
    CUresult r = cuTensorMapEncodeTiled(m, CU_TENSOR_MAP_DATA_TYPE_UINT16, 5, (void *)base, dims, strides, box, unit,
                                        CU_TENSOR_MAP_INTERLEAVE_NONE, CU_TENSOR_MAP_SWIZZLE_128B, l2,
                                        CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE);
    if (r != CUDA_SUCCESS) {
        fprintf(stderr, "cuTensorMapEncodeTiled failed: %d\n", (int)r);
        exit(1);
    }
}

/* The whole-block rows only (with the stream ceiling and the decode's own copy shapes). */
static bool whole_only, heads_only;

int main(int argc, char **argv)
{
    whole_only = argc > 1 && strcmp(argv[1], "--whole") == 0;
    heads_only = argc > 1 && strcmp(argv[1], "--heads") == 0;
    int sms = 0;
    CK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0));
    cudaDeviceProp prop;
    CK(cudaGetDeviceProperties(&prop, 0));
    printf("device %s, %d SMs\n\n| shape | bs | kernel | CTAs | us | GB/s |\n| --- | ---: | --- | ---: | ---: | ---: |\n",
           prop.name, sms);
    unsigned *sink;
    CK(cudaMalloc(&sink, 4));
    static const int shapes[][3] = {{64, 4096, 1}, {8, 32768, 4}, {1, 131072, 33}};
    for (auto &sh : shapes)
        for (int bs : {8, 16, 64}) {
            if ((whole_only && bs == 8) || (heads_only && bs != 16))
                continue;
            const int seqs = sh[0], len = sh[1], bps = len / bs, nblk = seqs * bps;
            const size_t block_bytes = (size_t)bs * KV_HEADS * ROW_BYTES, bytes = nblk * block_bytes;
            unsigned char *k, *v;
            int *tab;
            CK(cudaMalloc(&k, bytes));
            CK(cudaMalloc(&v, bytes));
            CK(cudaMemset(k, 0x31, bytes));
            CK(cudaMemset(v, 0x32, bytes));
            std::vector<int> h(nblk);
            for (int i = 0; i < nblk; i++)
                h[i] = i;
            srand(7);
            for (int i = nblk - 1; i > 0; i--)
                std::swap(h[i], h[rand() % (i + 1)]);
            CK(cudaMalloc(&tab, nblk * sizeof(int)));
            CK(cudaMemcpy(tab, h.data(), nblk * sizeof(int), cudaMemcpyHostToDevice));
            Geo g{k, v, tab, bps, bs, sh[2], block_bytes, sink};
            const dim3 grid(sh[2], KV_HEADS, seqs);
            auto row = [&](const char *name, void (*fn)(const Geo &, dim3), dim3 gr) {
                const float us = time_it(fn, g, gr);
                printf("| %d x %d | %d | %s | %u | %.1f | %.0f |\n", seqs, len, bs, name, gr.x * gr.y * gr.z, us,
                       2.0 * bytes / us / 1e3);
                fflush(stdout);
            };
            /* whole-block grids: CTAs an SM x SMs, split over the sequences */
            auto whole = [&](int per_sm) { return dim3((unsigned)std::max(1, sms * per_sm / seqs), 1, (unsigned)seqs); };
            if (heads_only) {
                /* a group's splits fill `per_sm` CTAs an SM */
                auto fill = [&](int hg, int per_sm) {
                    return dim3((unsigned)std::max(1, sms * per_sm / (seqs * (KV_HEADS / hg))), KV_HEADS / hg,
                                (unsigned)seqs);
                };
                static size_t n16h;
                static const uint4 *skh, *svh;
                n16h = bytes / 16, skh = (const uint4 *)k, svh = (const uint4 *)v;
                row("stream", [](const Geo &g, dim3 gr) { stream_kernel<<<gr, 512>>>(skh, svh, n16h, g.sink); },
                    dim3(sms * 4));
                row("nhd_cp s3", launch_cp<3>, grid);
                row("nhd_heads hg4 t32 s3 2/SM", launch_heads<4, 32, 3>, fill(4, 2));
                row("nhd_heads hg4 t32 s4 1/SM", launch_heads<4, 32, 4>, fill(4, 1));
                row("nhd_heads hg8 t32 s3 1/SM", launch_heads<8, 32, 3>, fill(8, 1));
                row("nhd_heads hg8 t16 s3 2/SM", launch_heads<8, 16, 3>, fill(8, 2));
                row("nhd_heads hg2 t64 s3 2/SM", launch_heads<2, 64, 3>, fill(2, 2));
                row("nhd_heads hg2 t32 s3 4/SM", launch_heads<2, 32, 3>, fill(2, 4));
                for (int hg : {2, 4, 8}) {
                    make_map(&g_km, k, nblk, bs, bs, CU_TENSOR_MAP_L2_PROMOTION_L2_256B, hg);
                    make_map(&g_vm, v, nblk, bs, bs, CU_TENSOR_MAP_L2_PROMOTION_L2_256B, hg);
                    if (hg == 2)
                        row("tma_heads hg2 t32 s3 4/SM", launch_tma_heads<2, 32, 3>, fill(2, 4));
                    if (hg == 4)
                        row("tma_heads hg4 t32 s3 2/SM", launch_tma_heads<4, 32, 3>, fill(4, 2));
                    if (hg == 8)
                        row("tma_heads hg8 t32 s3 1/SM", launch_tma_heads<8, 32, 3>, fill(8, 1));
                }
                CK(cudaFree(k));
                CK(cudaFree(v));
                CK(cudaFree(tab));
                continue;
            }
            if (whole_only && ROW_BYTES == 256) {
                if (block_bytes % 32768 == 0) {
                    row("nhd_whole c32k s3 1/SM", launch_whole<32768, 3>, whole(1));
                    row("nhd_whole c32k s2 1/SM", launch_whole<32768, 2>, whole(1));
                }
                if (block_bytes % 16384 == 0) {
                    row("nhd_whole c16k s3 2/SM", launch_whole<16384, 3>, whole(2));
                    row("nhd_whole c16k s6 1/SM", launch_whole<16384, 6>, whole(1));
                }
                row("nhd_whole c8k s6 2/SM", launch_whole<8192, 6>, whole(2));
                row("nhd_whole c8k s3 4/SM", launch_whole<8192, 3>, whole(4));
                make_map(&g_km, k, nblk, bs, bs < 64 ? bs : 64, CU_TENSOR_MAP_L2_PROMOTION_L2_256B);
                make_map(&g_vm, v, nblk, bs, bs < 64 ? bs : 64, CU_TENSOR_MAP_L2_PROMOTION_L2_256B);
                if (bs <= 32)
                    row("nhd_tma t32 s3 w2", launch_tma<32, 3, 64>, dim3(sh[2] * (sh[2] > 1 ? 2 : 1), KV_HEADS, seqs));
                row("hdb_bulk t64 s3", launch_bulk<64, 3, true>, grid);
            }
            if (whole_only && bs != 16) {
                CK(cudaFree(k));
                CK(cudaFree(v));
                CK(cudaFree(tab));
                continue;
            }
            if (bs == 16) {
                static size_t n16;
                static const uint4 *sk, *sv;
                n16 = bytes / 16, sk = (const uint4 *)k, sv = (const uint4 *)v;
                row("stream", [](const Geo &g, dim3 gr) { stream_kernel<<<gr, 512>>>(sk, sv, n16, g.sink); },
                    dim3(sms * 4));
                if (whole_only) {
                    CK(cudaFree(k));
                    CK(cudaFree(v));
                    CK(cudaFree(tab));
                    continue;
                }
                row("nhd_cp s3", launch_cp<3>, grid);
                row("nhd_cp s4", launch_cp<4>, grid);
            }
            row("nhd_bulk t64 s3", launch_bulk<64, 3, false>, grid);
            row("nhd_bulk t64 s4", launch_bulk<64, 4, false>, grid);
            if (bs <= 32)
                row("nhd_bulk t32 s6", launch_bulk<32, 6, false>, grid);
            row("nhd_bulk t128 s3", launch_bulk<128, 3, false>, grid);
            make_map(&g_km, k, nblk, bs, bs < 64 ? bs : 64, CU_TENSOR_MAP_L2_PROMOTION_L2_256B);
            make_map(&g_vm, v, nblk, bs, bs < 64 ? bs : 64, CU_TENSOR_MAP_L2_PROMOTION_L2_256B);
            row("nhd_tma t128 s3 w4", launch_tma<128, 3, 128>, grid);
            row("nhd_tma t64 s3 w4", launch_tma<64, 3, 128>, grid);
            row("nhd_tma t64 s4 w4", launch_tma<64, 4, 128>, grid);
            if (bs <= 32) {
                row("nhd_tma t32 s3 w2", launch_tma<32, 3, 64>, grid);
                row("nhd_tma t32 s4 w2", launch_tma<32, 4, 64>, grid);
            }
            row("nhd_tma t128 s2 w4", launch_tma<128, 2, 128>, grid);
            make_map(&g_km, k, nblk, bs, bs < 64 ? bs : 64, CU_TENSOR_MAP_L2_PROMOTION_L2_128B);
            make_map(&g_vm, v, nblk, bs, bs < 64 ? bs : 64, CU_TENSOR_MAP_L2_PROMOTION_L2_128B);
            row("nhd_tma t128 s3 w4 l2_128", launch_tma<128, 3, 128>, grid);
            row("nhd_tma t64 s3 w4 l2_128", launch_tma<64, 3, 128>, grid);
            row("hdb_bulk t64 s3", launch_bulk<64, 3, true>, grid);
            row("hdb_bulk t64 s4", launch_bulk<64, 4, true>, grid);
            row("hdb_bulk t128 s3", launch_bulk<128, 3, true>, grid);
            CK(cudaFree(k));
            CK(cudaFree(v));
            CK(cudaFree(tab));
        }
    return 0;
}
