/* fa_common.cuh - device helpers shared by the kernel templates: element types and
 * conversions, cp.async, ldmatrix, mma.sync, exp2 and warp reductions. No CUDA toolkit
 * header is used: every primitive is a PTX instruction (see KERNELS.md, section A).
 * Expects the configuration macros of templates/README.md (FA_DTYPE_BF16 / FA_DTYPE_FP16).
 */
#ifndef FA_COMMON_CUH
#define FA_COMMON_CUH

typedef unsigned short fa_u16;  /* one fp16/bf16 element as stored */
typedef unsigned int fa_u32;

/* Per-(sequence, head) context handed to the variant's device functions. */
struct fa_ctx {
    int b;       /* sequence */
    int h;       /* query head */
    int hk;      /* KV head */
    int q_len;   /* new query tokens of this sequence */
    int kv_len;  /* keys of this sequence */
};

#define FA_LOG2E 1.4426950408889634f
#define FA_LN2 0.6931471805599453f
#define FA_NEG_INF __int_as_float(0xff800000)

__device__ __forceinline__ fa_u32 fa_smem_addr(const void *p)
{
    return (fa_u32)__cvta_generic_to_shared(p);
}

/* 16-byte asynchronous copy global -> shared; src_bytes 0 fills zeros (out of range). */
__device__ __forceinline__ void fa_cp_async16(fa_u32 dst, const void *src, int src_bytes)
{
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(src), "r"(src_bytes));
}

__device__ __forceinline__ void fa_cp_async_commit()
{
    asm volatile("cp.async.commit_group;\n" ::);
}

template <int N> __device__ __forceinline__ void fa_cp_async_wait()
{
    asm volatile("cp.async.wait_group %0;\n" ::"n"(N));
}

/* Four 8x8 b16 matrices; lanes 8i..8i+7 give the row addresses of matrix i. */
__device__ __forceinline__ void fa_ldmatrix_x4(fa_u32 addr, fa_u32 r[4])
{
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(addr));
}

__device__ __forceinline__ void fa_ldmatrix_x4_trans(fa_u32 addr, fa_u32 r[4])
{
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(addr));
}

/* D = A(16x16, row) * B(16x8, col) + D, fp32 accumulation. */
__device__ __forceinline__ void fa_mma16816(float d[4], const fa_u32 a[4], fa_u32 b0, fa_u32 b1)
{
#if FA_DTYPE_BF16
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 "
#else
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 "
#endif
                 "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

/* Two floats to a packed pair of elements, `lo` in the low half (round to nearest). */
__device__ __forceinline__ fa_u32 fa_pack2(float lo, float hi)
{
    fa_u32 r;
#if FA_DTYPE_BF16
    asm("cvt.rn.bf16x2.f32 %0, %1, %2;\n" : "=r"(r) : "f"(hi), "f"(lo));
#else
    asm("cvt.rn.f16x2.f32 %0, %1, %2;\n" : "=r"(r) : "f"(hi), "f"(lo));
#endif
    return r;
}

__device__ __forceinline__ float fa_exp2(float x)
{
    float y;
    asm("ex2.approx.ftz.f32 %0, %1;\n" : "=f"(y) : "f"(x));
    return y;
}

/* Reductions over the four lanes of a quad (the threads sharing a fragment row). */
__device__ __forceinline__ float fa_quad_max(float x)
{
    x = fmaxf(x, __shfl_xor_sync(0xffffffffu, x, 1));
    return fmaxf(x, __shfl_xor_sync(0xffffffffu, x, 2));
}

__device__ __forceinline__ float fa_quad_sum(float x)
{
    x += __shfl_xor_sync(0xffffffffu, x, 1);
    return x + __shfl_xor_sync(0xffffffffu, x, 2);
}

#endif
