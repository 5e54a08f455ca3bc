/* hg_proto.cu - PROTOTYPE (bench only, not the product): a balanced whole-block paged decode.
 * Question it answers: does a decode whose CTAs (a) own every KV head of their keys, so each
 * 16-key NHD block (32 KB of K, 32 KB of V at d128 bf16) comes as one TMA box, and (b) take
 * equal shares of the flattened (sequence, block) list, so every SM streams the same bytes,
 * read the paged cache as fast as cuDNN reads a contiguous one?
 * Fixed shape: bf16, NHD, block size 16, 8 KV heads, GQA 4 (32 query heads), d128, one new
 * token a sequence, every sequence nb blocks long (table [batch, nb] read flat).
 * Grid: ctas CTAs (one an SM) of 9 warps: warp h < 8 computes KV head h (its 4 query rows
 * padded to an m16 tile: m16n8k16 on ldmatrix fragments of the swizzled box), warp 8 issues
 * the TMA copies into STAGES buffers (full / empty mbarriers). CTA c takes blocks
 * [c T / C, (c + 1) T / C) of the T = batch * nb list. A sequence wholly inside one CTA's
 * share goes straight to o; a cut one leaves a partial (O / l, log2-sum-exp) in slot
 * (c, 0 for the CTA's first piece else 1), and hg_merge combines them (a second kernel).
 * Built by bench/hg_proto.py (nvcc -shared); copy_only skips the math (the read ceiling).
 */
#include <cuda.h>
#include <cuda_bf16.h>
#include <cuda_runtime.h>
#include <stdint.h>

enum { D = 128, KVH = 8, G = 4, QH = KVH * G, BS = 16, THREADS = KVH * 32 };
enum { BLOCK_BYTES = BS * KVH * D * 2, ROW = 128 }; /* one K (or V) block; a swizzled 64-d row */

struct Args {
    const __nv_bfloat16 *q; /* [batch, QH, D] */
    __nv_bfloat16 *o;
    const int *table;       /* [batch, nb] */
    float *part_o, *part_lse; /* [ctas][2][QH][D], [ctas][2][QH]: a CTA's first and last cut pieces */
    long long total;        /* batch * nb */
    int nb, ctas, copy_only;
    float scale_log2;
};

__device__ __forceinline__ int cta_of(long long j, long long total, int ctas)
{
    return (int)(((j + 1) * ctas - 1) / total);
}

__device__ __forceinline__ unsigned su32(const void *p) { return (unsigned)__cvta_generic_to_shared(p); }

__device__ __forceinline__ void mbar_wait(unsigned bar, unsigned parity)
{
    asm volatile("{\n .reg .pred p;\n W: mbarrier.try_wait.parity.shared::cta.b64 p, [%0], %1;\n @!p bra W;\n}\n" ::"r"(bar),
                 "r"(parity)
                 : "memory");
}

__device__ __forceinline__ void mma(float *c, const unsigned *a, unsigned b0, unsigned b1)
{
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
                 "{%0,%1,%2,%3};\n"
                 : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

__device__ __forceinline__ void ldsm4(unsigned addr, unsigned *r, bool trans)
{
    if (trans)
        asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                     : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                     : "r"(addr));
    else
        asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                     : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                     : "r"(addr));
}

__device__ __forceinline__ unsigned pack(float x, float y)
{
    __nv_bfloat162 v = __floats2bfloat162_rn(x, y);
    return *(unsigned *)&v;
}

/* One TMA box: a whole block entry (64 d x 16 keys x 2 d boxes x 8 heads), smem [head][d box][key][64 d]. */
__device__ __forceinline__ void tma_block(unsigned dst, const CUtensorMap *m, int entry, unsigned bar)
{
    asm volatile("cp.async.bulk.tensor.5d.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1, {%2, %3, %4, "
                 "%5, %6}], [%7];\n" ::"r"(dst),
                 "l"(m), "r"(0), "r"(0), "r"(0), "r"(0), "r"(entry), "r"(bar)
                 : "memory");
}

template <int STAGES>
__global__ void __launch_bounds__(THREADS + 32, 1)
    hg_decode(const __grid_constant__ CUtensorMap km, const __grid_constant__ CUtensorMap vm, Args a)
{
    extern __shared__ unsigned char smem_raw[];
    unsigned char *sm = (unsigned char *)(((uintptr_t)smem_raw + 1023) & ~(uintptr_t)1023);
    __shared__ __align__(8) unsigned long long full[STAGES], empty[STAGES];
    const int c = blockIdx.x, h = threadIdx.x / 32, lane = threadIdx.x % 32, g = lane / 4, t4 = lane % 4;
    const long long j0 = (long long)c * a.total / a.ctas, j1 = (long long)(c + 1) * a.total / a.ctas;
    const int n = (int)(j1 - j0);
    if (threadIdx.x < STAGES) {
        asm volatile("mbarrier.init.shared::cta.b64 [%0], 1;\n" ::"r"(su32(&full[threadIdx.x])));
        asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;\n" ::"r"(su32(&empty[threadIdx.x])), "r"(KVH));
    }
    asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
    __syncthreads();
    if (h == KVH) { /* the producer warp: block i into stage i % STAGES once its 8 readers left it */
        if (lane == 0)
            for (int i = 0; i < n; i++) {
                if (i >= STAGES)
                    mbar_wait(su32(&empty[i % STAGES]), ((i / STAGES) - 1) & 1);
                const unsigned bar = su32(&full[i % STAGES]), dst = su32(sm + (i % STAGES) * 2 * BLOCK_BYTES);
                const int entry = a.table[j0 + i];
                asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;\n" ::"r"(bar), "r"(2 * BLOCK_BYTES)
                             : "memory");
                tma_block(dst, &km, entry, bar);
                tma_block(dst + BLOCK_BYTES, &vm, entry, bar);
            }
        return;
    }
    unsigned qa[8][4];
    float o[16][4], m = -INFINITY, l = 0.f;
    long long pstart = j0;
    for (int i = 0; i < n; i++) {
        const long long j = j0 + i;
        const long long s = j / a.nb;
        if (i == 0 || j % a.nb == 0) { /* a new sequence piece: its Q rows, empty state */
            pstart = j;
            const __nv_bfloat16 *qr = a.q + ((size_t)s * QH + h * G + (g < G ? g : 0)) * D + 2 * t4;
            for (int kk = 0; kk < 8; kk++) {
                qa[kk][0] = g < G ? *(const unsigned *)(qr + 16 * kk) : 0u;
                qa[kk][2] = g < G ? *(const unsigned *)(qr + 16 * kk + 8) : 0u;
                qa[kk][1] = qa[kk][3] = 0u;
            }
            for (int dt = 0; dt < 16; dt++)
                o[dt][0] = o[dt][1] = o[dt][2] = o[dt][3] = 0.f;
            m = -INFINITY, l = 0.f;
        }
        mbar_wait(su32(&full[i % STAGES]), (i / STAGES) & 1);
        if (!a.copy_only) {
            const unsigned kb = su32(sm + (i % STAGES) * 2 * BLOCK_BYTES), vb = kb + BLOCK_BYTES;
            float sc[2][4] = {};
            for (int nt = 0; nt < 2; nt++)
                for (int dh = 0; dh < 2; dh++)
                    for (int k2 = 0; k2 < 2; k2++) {
                        const int row = (h * 2 + dh) * 16 + nt * 8 + (lane & 7), chunk = k2 * 4 + (lane >> 3);
                        unsigned b[4];
                        ldsm4(kb + row * ROW + ((chunk ^ (lane & 7)) << 4), b, false);
                        mma(sc[nt], qa[dh * 4 + k2 * 2], b[0], b[1]);
                        mma(sc[nt], qa[dh * 4 + k2 * 2 + 1], b[2], b[3]);
                    }
            float mx = m;
            for (int nt = 0; nt < 2; nt++)
                for (int e = 0; e < 2; e++)
                    mx = fmaxf(mx, sc[nt][e] * a.scale_log2);
            mx = fmaxf(mx, __shfl_xor_sync(~0u, mx, 1));
            mx = fmaxf(mx, __shfl_xor_sync(~0u, mx, 2));
            const float alpha = exp2f(m - mx);
            m = mx;
            float p[2][2];
            l *= alpha;
            for (int nt = 0; nt < 2; nt++)
                for (int e = 0; e < 2; e++)
                    l += p[nt][e] = exp2f(sc[nt][e] * a.scale_log2 - m);
            for (int dt = 0; dt < 16; dt++)
                o[dt][0] *= alpha, o[dt][1] *= alpha;
            const unsigned pa[4] = {pack(p[0][0], p[0][1]), 0u, pack(p[1][0], p[1][1]), 0u};
            for (int dc = 0; dc < 8; dc++) {
                const int mi = lane >> 3, key = (mi & 1) * 8 + (lane & 7), chunk = dc * 2 + (mi >> 1);
                const int row = (h * 2 + (chunk >> 3)) * 16 + key;
                unsigned b[4];
                ldsm4(vb + row * ROW + (((chunk & 7) ^ (lane & 7)) << 4), b, true);
                mma(o[2 * dc], pa, b[0], b[1]);
                mma(o[2 * dc + 1], pa, b[2], b[3]);
            }
        }
        __syncwarp();
        if (lane == 0) /* this warp is done with the stage */
            asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];\n" ::"r"(su32(&empty[i % STAGES])) : "memory");
        if (j == j1 - 1 || (j + 1) % a.nb == 0) { /* the piece ends */
            float lt = l + __shfl_xor_sync(~0u, l, 1);
            lt += __shfl_xor_sync(~0u, lt, 2);
            const float inv = a.copy_only ? 1.f : 1.f / lt;
            const bool whole = pstart == s * a.nb && j == s * a.nb + a.nb - 1;
            if (g < G && whole) { /* the whole sequence: straight to o */
                __nv_bfloat16 *out = a.o + ((size_t)s * QH + h * G + g) * D + 2 * t4;
                for (int dt = 0; dt < 16; dt++)
                    *(__nv_bfloat162 *)(out + dt * 8) = __floats2bfloat162_rn(o[dt][0] * inv, o[dt][1] * inv);
            } else if (g < G) { /* a cut piece: its partial to slot (c, first piece of c ? 0 : 1) */
                const size_t base = (size_t)c * 2 + (s == j0 / a.nb ? 0 : 1);
                const int row = h * G + g;
                float *po = a.part_o + (base * QH + row) * D + 2 * t4;
                for (int dt = 0; dt < 16; dt++)
                    *(float2 *)(po + dt * 8) = make_float2(o[dt][0] * inv, o[dt][1] * inv);
                if (t4 == 0)
                    a.part_lse[base * QH + row] = a.copy_only ? 0.f : m + log2f(lt);
            }
        }
    }
}

__device__ __forceinline__ int slot_of(const Args &a, long long s, int c)
{
    return c * 2 + (s == (long long)c * a.total / a.ctas / a.nb ? 0 : 1);
}

/* Row `row` of sequence s, 4 values of d from d0: the slots of the CTAs holding s, 8 a round
 * with their loads issued together, an online maximum. */
__device__ void merge_seq(const Args &a, long long s, int row, int d0)
{
    const int first = cta_of(s * a.nb, a.total, a.ctas), last = cta_of(s * a.nb + a.nb - 1, a.total, a.ctas);
    float mx = -INFINITY, sum = 0.f, acc[4] = {};
    for (int c0 = first; c0 <= last; c0 += 8) {
        float x[8];
        float4 v[8];
#pragma unroll
        for (int u = 0; u < 8; u++) {
            const size_t base = (size_t)slot_of(a, s, min(c0 + u, last)) * QH + row;
            x[u] = c0 + u <= last ? a.part_lse[base] : -INFINITY;
            v[u] = *(const float4 *)(a.part_o + base * D + d0);
        }
        float nm = mx;
#pragma unroll
        for (int u = 0; u < 8; u++)
            nm = fmaxf(nm, x[u]);
        const float r = exp2f(mx - nm);
        sum *= r, acc[0] *= r, acc[1] *= r, acc[2] *= r, acc[3] *= r;
#pragma unroll
        for (int u = 0; u < 8; u++) {
            const float w = exp2f(x[u] - nm);
            sum += w, acc[0] += w * v[u].x, acc[1] += w * v[u].y, acc[2] += w * v[u].z, acc[3] += w * v[u].w;
        }
        mx = nm;
    }
    __nv_bfloat16 *out = a.o + ((size_t)s * QH + row) * D + d0;
    *(__nv_bfloat162 *)out = __floats2bfloat162_rn(acc[0] / sum, acc[1] / sum);
    *(__nv_bfloat162 *)(out + 2) = __floats2bfloat162_rn(acc[2] / sum, acc[3] / sum);
}

/* The merge, a second kernel: a warp a (sequence, query head) of a cut sequence. */
__global__ void hg_merge(Args a)
{
    const int w = blockIdx.x * 8 + threadIdx.x / 32, lane = threadIdx.x % 32;
    const long long batch = a.total / a.nb;
    if (w >= batch * QH)
        return;
    const long long s = w / QH;
    if (cta_of(s * a.nb, a.total, a.ctas) == cta_of(s * a.nb + a.nb - 1, a.total, a.ctas))
        return; /* whole in one CTA: written there */
    merge_seq(a, s, w % QH, lane * 4);
}

/* The read ceiling: 16-byte streaming loads over contiguous K and V, grid-stride. */
__global__ void hg_stream(const uint4 *k, const uint4 *v, size_t n, unsigned *sink)
{
    unsigned acc = 0;
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x) {
        const uint4 x = __ldcs(k + i), y = __ldcs(v + i);
        acc ^= x.x ^ x.w ^ y.y ^ y.z;
    }
    if (acc == 0x9e3779b9u)
        sink[0] = acc;
}

extern "C" int hg_stream_run(const void *k, const void *v, size_t bytes, unsigned *sink, int ctas, void *stream)
{
    hg_stream<<<ctas, 256, 0, (cudaStream_t)stream>>>((const uint4 *)k, (const uint4 *)v, bytes / 16, sink);
    return (int)cudaGetLastError();
}

static int encode(CUtensorMap *m, void *cache, long long num_blocks)
{
    /* dims innermost first: 64 d, key of the block, d box, kv head, block; strides in bytes */
    cuuint64_t dims[5] = {64, BS, D / 64, KVH, (cuuint64_t)num_blocks};
    cuuint64_t strides[4] = {KVH * D * 2, 128, D * 2, (cuuint64_t)BLOCK_BYTES};
    cuuint32_t box[5] = {64, BS, D / 64, KVH, 1}, unit[5] = {1, 1, 1, 1, 1};
    return (int)cuTensorMapEncodeTiled(m, CU_TENSOR_MAP_DATA_TYPE_BFLOAT16, 5, cache, dims, strides, box, unit,
                                       CU_TENSOR_MAP_INTERLEAVE_NONE, CU_TENSOR_MAP_SWIZZLE_128B,
                                       CU_TENSOR_MAP_L2_PROMOTION_L2_256B, CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE);
}

template <int STAGES> static int launch(const CUtensorMap &km, const CUtensorMap &vm, const Args &a, cudaStream_t st)
{
    const int smem = STAGES * 2 * BLOCK_BYTES + 1024;
    cudaFuncSetAttribute(hg_decode<STAGES>, cudaFuncAttributeMaxDynamicSharedMemorySize, smem);
    hg_decode<STAGES><<<a.ctas, THREADS + 32, smem, st>>>(km, vm, a);
    return (int)cudaGetLastError();
}

/* Returns 0, or a CUDA / driver error code. */
extern "C" int hg_run(const void *q, void *o, void *k_cache, void *v_cache, long long num_blocks, const int *table,
                      int batch, int nb, float *part_o, float *part_lse, int ctas, int stages, int copy_only,
                      void *stream)
{
    static CUtensorMap km, vm;
    static void *kc, *vc;
    static long long kn;
    int e;
    if (kc != k_cache || vc != v_cache || kn != num_blocks) {
        if ((e = encode(&km, k_cache, num_blocks)) || (e = encode(&vm, v_cache, num_blocks)))
            return e;
        kc = k_cache, vc = v_cache, kn = num_blocks;
    }
    Args a = {(const __nv_bfloat16 *)q, (__nv_bfloat16 *)o, table, part_o, part_lse, (long long)batch * nb, nb, ctas,
              copy_only, 1.4426950408889634f / sqrtf((float)D)};
    cudaStream_t st = (cudaStream_t)stream;
    e = stages == 3 ? launch<3>(km, vm, a, st) : launch<2>(km, vm, a, st);
    if (e || copy_only) /* copy_only: the read alone, no merge */
        return e;
    hg_merge<<<(batch * QH + 7) / 8, 256, 0, st>>>(a);
    return (int)cudaGetLastError();
}
