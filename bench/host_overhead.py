"""Host time of one fadsl.paged_attention call (Python wrapper, torch op, C runtime) against
one SDPA call: a tiny decode (the GPU finishes each launch long before the host issues the
next), N calls, one sync at the end. Also the C entry points alone (ctypes, a descriptor
built once) and a cProfile of the Python call.

    FADSL_LIBRARY=build/libfadsl.so python3 bench/host_overhead.py [--calls N] [--profile]

FADSL_PY=DIR times the fadsl package under DIR instead of python/ (an older copy, for A/B).
"""
import argparse
import cProfile
import ctypes
import os
import pstats
import sys
import time
import pathlib

BENCH = pathlib.Path(__file__).resolve().parent
sys.path[:0] = [os.environ.get("FADSL_PY") or str(BENCH.parent / "python")]

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import fadsl  # noqa: E402
from fadsl import _lib, _ops  # noqa: E402


def per_call_us(fn, calls):
    fn()
    torch.cuda.synchronize()
    t = time.perf_counter()
    for _ in range(calls):
        fn()
    torch.cuda.synchronize()
    return (time.perf_counter() - t) / calls * 1e6


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    batch, length, bs = 1, 4096, 16
    q = torch.randn(batch, 1, 32, 128, device="cuda", dtype=torch.bfloat16)
    nb = length // bs
    table = torch.randperm(batch * nb, device="cuda").to(torch.int32).reshape(batch, nb)
    lens = torch.full((batch,), length, dtype=torch.int32, device="cuda")
    rows = {}
    for cache in ("bf16", "fp8e4m3"):
        for layout in ("nhd", "hdb"):
            shape = (batch * nb, bs, 8, 128) if layout == "nhd" else (batch * nb, 8, 128, bs)
            kc = torch.randn(shape, device="cuda", dtype=torch.bfloat16)
            vc = torch.randn(shape, device="cuda", dtype=torch.bfloat16)
            scale = None
            if cache != "bf16":
                kc, vc, scale = kc.to(torch.float8_e4m3fn), vc.to(torch.float8_e4m3fn), 1.0

            def call(kc=kc, vc=vc, layout=layout, scale=scale):
                return fadsl.paged_attention(q, kc, vc, table, lens, variant="none", layout=layout,
                                             k_scale=scale, v_scale=scale)
            rows[f"fadsl.paged_attention {layout} {cache}"] = call
            if layout == "nhd" and cache == "bf16":
                nhd_call = call
                out = torch.empty_like(q)
                lse = torch.empty(0, device="cuda")
                desc, keep = _ops.paged_desc(q, kc, vc, table, lens, out, lse, "none", ("", [], []), 1,
                                             (1.0, None, 1.0, None), 128 ** -0.5)
                ws = _ops._split_workspace(desc, q.device)
                desc.device = 0
                stream = torch.cuda.current_stream().cuda_stream
                lib = _lib.lib()
                size = ctypes.c_size_t()
                rows["C fadsl_workspace_size"] = lambda: lib.fadsl_workspace_size(ctypes.byref(desc), ctypes.byref(size))
                rows["C fadsl_forward"] = lambda: lib.fadsl_forward(ctypes.byref(desc), stream)
                rows["torch.ops.fadsl.paged_attention"] = lambda kc=kc, vc=vc: torch.ops.fadsl.paged_attention(
                    q, kc, vc, table, lens, "none", "", [], [], 1, 1.0, None, 1.0, None, 128 ** -0.5, False, None, 0)
    k = torch.randn(batch, 8, length, 128, device="cuda", dtype=torch.bfloat16)
    qs = q.transpose(1, 2)
    rows["SDPA (default backend)"] = lambda: F.scaled_dot_product_attention(qs, k, k, enable_gqa=True)
    rows["torch.empty x2"] = lambda: (torch.empty(q.shape, dtype=q.dtype, device="cuda"),
                                      torch.empty(0, dtype=torch.float32, device="cuda"))
    for name, fn in rows.items():
        print(f"{name}: {per_call_us(fn, args.calls):.1f} us a call", flush=True)
    del ws, keep
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(args.calls):
            nhd_call()
        prof.disable()
        torch.cuda.synchronize()
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
