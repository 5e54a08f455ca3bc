"""Session 27 run 7: why do HDB fp8 split decodes run slower with tile claims than with even
shares (FADSL_DETERMINISTIC=1) on an H200? Each shape is timed both ways in one process
(CUDA graphs captured under either setting, do_bench medians after its memset flush, best of
two rounds), HDB fp8 e4m3 block size 16 (the claims kernel) and NHD fp8 (never claims).

Pairs of shapes with the same bytes, counters and CTAs a counter:
  1 x 131072, 32/8 heads: 8 counters, the 8 KV heads of ONE sequence, whose slabs of a block
    are adjacent (2 KB each): even shares read a block's 8 slabs together, claims do not;
  8 x 131072, 4/1 heads: 8 counters, one a sequence: no neighbouring slabs to share either way.
  8 x 32768, 32/8 and 64 x 32768, 4/1: the same at 64 counters.
If claims lose only where KV heads share blocks, the loss is DRAM locality; if they lose in
both, it is the claims themselves (their atomics' latency).

    FADSL_LIBRARY=build-lead/libfadsl.so python3 claims_probe.py > claims_probe.md
"""
import sys
import pathlib

sys.path[:0] = [str(pathlib.Path(__file__).resolve().parents[2])]   # bench/

from paged_decode import graphed, paged, rel_err, time_ms  # noqa: E402  (puts python/ on the path)
from dense_decode import with_env  # noqa: E402

import fadsl  # noqa: E402
import torch  # noqa: E402

D, BS = 128, 16
SHAPES = [(1, 131072, 32, 8), (8, 131072, 4, 1), (8, 32768, 32, 8), (64, 32768, 4, 1)]
FLAG = "FADSL_DETERMINISTIC"


def with_flag(fn, even):
    return with_env(fn, even, FLAG)


def systems(batch, length, hq, hkv):
    gen = torch.Generator(device="cuda").manual_seed(batch + length)
    q = torch.randn(batch, 1, hq, D, generator=gen, device="cuda", dtype=torch.bfloat16)
    out = {}
    for layout in ("hdb", "nhd"):
        k, v = (torch.randn(batch, hkv, length, D, generator=gen, device="cuda", dtype=torch.bfloat16)
                .to(torch.float8_e4m3fn) for _ in range(2))
        nb = length // BS
        table = torch.randperm(batch * nb, generator=gen, device="cuda").to(torch.int32).reshape(batch, nb)
        kc, vc = paged(k, table, BS, layout), paged(v, table, BS, layout)
        del k, v
        lens = torch.full((batch,), length, dtype=torch.int32, device="cuda")

        def call(kc=kc, vc=vc, table=table, layout=layout):
            return fadsl.paged_attention(q, kc, vc, table, lens, variant="none", layout=layout,
                                         k_scale=1.0, v_scale=1.0)
        if layout == "hdb":   # both policies sum the same keys: equal up to the order of the merge
            err = rel_err(with_flag(call, False)(), with_flag(call, True)())
            if err > 1e-2:
                raise SystemExit(f"claims vs even shares at {batch} x {length}, {hq}/{hkv}: rel err {err:.3g}")
        for even in ((False, True) if layout == "hdb" else (True,)):
            name = f"{layout} fp8 {'even shares' if even else 'claims'}"
            out[name] = graphed(with_flag(call, even))
    return out


def main():
    print(f"# HDB fp8 claims vs even shares ({torch.cuda.get_device_name()})\n")
    print("| B x L | heads q/kv | system | us |\n| --- | --- | --- | ---: |")
    for shape in SHAPES:
        sy = systems(*shape)
        best = {}
        for order in (list(sy), list(reversed(sy))):
            for name in order:
                ms = time_ms(sy[name], 0.3)
                best[name] = min(best.get(name, ms), ms)
        for name, ms in best.items():
            print(f"| {shape[0]} x {shape[1]} | {shape[2]}/{shape[3]} | {name} | {ms * 1e3:.1f} |", flush=True)
        del sy
        torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
