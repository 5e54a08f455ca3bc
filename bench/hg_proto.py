"""PROTOTYPE bench (not the product): bench/hg_proto.cu's balanced whole-block decode against
SDPA (cuDNN) and fadsl's paged decode, same process, same data, do_bench's memset flush.

    nvcc -O3 -arch=sm_90a -shared -Xcompiler -fPIC bench/hg_proto.cu -o build-lead/hg_proto.so \
        -L/usr/local/cuda/lib64/stubs -lcuda
    FADSL_LIBRARY=build-lead/libfadsl.so python3 bench/hg_proto.py build-lead/hg_proto.so
"""
import ctypes
import sys

import torch

from paged_decode import KV_HEADS, PEERS, Q_HEADS, SHAPES, paged, rel_err, sdpa, time_ms

import fadsl

lib = ctypes.CDLL(sys.argv[1])
lib.hg_run.restype = ctypes.c_int
lib.hg_run.argtypes = [ctypes.c_void_p] * 4 + [ctypes.c_longlong, ctypes.c_void_p, ctypes.c_int, ctypes.c_int] + \
    [ctypes.c_void_p] * 2 + [ctypes.c_int] * 3 + [ctypes.c_void_p]
lib.hg_stream_run.restype = ctypes.c_int
lib.hg_stream_run.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_int,
                              ctypes.c_void_p]
SMS = torch.cuda.get_device_properties(0).multi_processor_count
BS = 16


def proto(q, o, kc, vc, table, batch, nb, stages, copy_only, ctas=SMS):
    """hg_run over the cache (one CTA an SM by default) as a callable returning o."""
    part_o = torch.empty(ctas * 2 * Q_HEADS * 128, dtype=torch.float32, device="cuda")
    part_lse = torch.empty(ctas * 2 * Q_HEADS, dtype=torch.float32, device="cuda")
    stream = torch.cuda.current_stream().cuda_stream

    def run():
        e = lib.hg_run(q.data_ptr(), o.data_ptr(), kc.data_ptr(), vc.data_ptr(), kc.shape[0], table.data_ptr(), batch,
                       nb, part_o.data_ptr(), part_lse.data_ptr(), ctas, stages, copy_only, stream)
        if e:
            raise SystemExit(f"hg_run: error {e}")
        return o
    return run


def main():
    """Each shape: correctness of the prototype against SDPA, then every system timed twice."""
    print(f"# hg_proto ({torch.cuda.get_device_name()}, {SMS} SMs), us (best of two do_bench medians), ratio = cudnn / x")
    for batch, length in SHAPES:
        gen = torch.Generator(device="cuda").manual_seed(batch * 7 + length)
        q = torch.randn(batch, Q_HEADS, 1, 128, generator=gen, device="cuda", dtype=torch.bfloat16)
        k, v = (torch.randn(batch, KV_HEADS, length, 128, generator=gen, device="cuda", dtype=torch.bfloat16)
                for _ in range(2))
        nb = length // BS
        table = torch.randperm(batch * nb, generator=gen, device="cuda").to(torch.int32).reshape(batch, nb)
        kc, vc = paged(k, table, BS, "nhd"), paged(v, table, BS, "nhd")
        q_ours = q.transpose(1, 2).contiguous()
        lens = torch.full((batch,), length, dtype=torch.int32, device="cuda")
        systems = {"sdpa_cudnn": sdpa(PEERS["sdpa_cudnn"], q, k, v)}
        ref = systems["sdpa_cudnn"]()
        systems["fadsl nhd bs16"] = lambda: fadsl.paged_attention(q_ours, kc, vc, table, lens, variant="none",
                                                                  layout="nhd")
        for stages in (2, 3):
            o = torch.full_like(q_ours, float("nan"))
            run = systems[f"proto s{stages}"] = proto(q_ours, o, kc, vc, table, batch, nb, stages, 0)
            for rep in range(2):
                o.fill_(float("nan"))
                print(f"{batch} x {length}: proto s{stages} rel err {rel_err(run().transpose(1, 2), ref):.3g}")
            systems[f"proto copy-only s{stages}"] = proto(q_ours, torch.empty_like(q_ours), kc, vc, table, batch, nb,
                                                          stages, 1)
        ordered = torch.arange(batch * nb, device="cuda", dtype=torch.int32).reshape(batch, nb)
        kc_o, vc_o = paged(k, ordered, BS, "nhd"), paged(v, ordered, BS, "nhd")
        systems["proto copy-only s2 ordered"] = proto(q_ours, torch.empty_like(q_ours), kc_o, vc_o, ordered, batch,
                                                      nb, 2, 1)
        systems["fadsl nhd bs16 ordered"] = lambda: fadsl.paged_attention(q_ours, kc_o, vc_o, ordered, lens,
                                                                          variant="none", layout="nhd")
        sink = torch.zeros(1, dtype=torch.int32, device="cuda")
        systems["stream 8/SM"] = lambda: lib.hg_stream_run(k.data_ptr(), v.data_ptr(), k.numel() * 2, sink.data_ptr(),
                                                           8 * SMS, torch.cuda.current_stream().cuda_stream)
        best = {}
        for order in (list(systems), list(reversed(systems))):
            for name in order:
                ms = time_ms(systems[name], 0.3)
                best[name] = min(best.get(name, ms), ms)
        base = best["sdpa_cudnn"]
        for name, ms in best.items():
            print(f"| {batch} x {length} | {name} | {ms * 1e3:.1f} | {base / ms:.3f} |")


if __name__ == "__main__":
    main()
