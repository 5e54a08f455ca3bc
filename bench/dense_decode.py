"""Dense decode against PyTorch SDPA in ONE process: a few query tokens a sequence over
contiguous K/V (a static KV cache), which fadsl runs on its decode template (every query
head of a KV head served from one read of each K/V tile, split-KV with a merge), against
the same request forced onto its forward templates (FADSL_NO_DENSE_DECODE=1) and SDPA's
cuDNN and flash backends on the same tensors.

    FADSL_LIBRARY=build/libfadsl.so python3 bench/dense_decode.py --out DIR [--quick] [--graphs]
        [--shapes B:L:HQ:HKV:D:TOKENS,...]

Variant `none` (every key visible; SDPA's causal mask is top-left aligned, ours bottom-right,
so only `none` means the same to both) and, fadsl only, `causal`. Every system of a shape is
timed twice (in order, then reversed) and keeps its faster round (do_bench medians after its
memset L2 flush, or --graphs: each call replayed from a CUDA graph, so no system waits on
its host code). fadsl outputs are checked against cuDNN's (relative error < 1e-2).
Writes DIR/dense_decode.md and DIR/dense_decode.json.
"""
import argparse
import datetime
import json
import os
import pathlib
import sys

BENCH = pathlib.Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent / "python")]

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch.nn.attention import SDPBackend, sdpa_kernel  # noqa: E402

import fadsl  # noqa: E402
from paged_decode import graphed, rel_err, time_ms  # noqa: E402

PEERS = {"sdpa_cudnn": SDPBackend.CUDNN_ATTENTION, "sdpa_flash": SDPBackend.FLASH_ATTENTION}
NO_DECODE = "FADSL_NO_DENSE_DECODE"

# (batch, kv_len, q_heads, kv_heads, head_dim, query tokens): issue #5's decode shapes at one
# token, then a sweep of tokens (query rows a KV head = GQA x tokens) across the decode
# template's limit (128 rows at d64/d128 on sm_90a).
SHAPES = [(64, 4096, 32, 8, 128, 1), (8, 32768, 32, 8, 128, 1), (1, 131072, 32, 8, 128, 1)]
SWEEP = [(8, 8192, 32, 8, 128, t) for t in (1, 2, 4, 8, 16, 32, 33)] + \
        [(8, 8192, 64, 8, 64, t) for t in (1, 4, 16, 17)] + [(8, 8192, 32, 8, 256, t) for t in (1, 8, 16)]
QUICK = [(8, 32768, 32, 8, 128, 1), (8, 8192, 32, 8, 128, 8)]


def with_env(fn, on, name=NO_DECODE):
    """fn run with the flag `name` set (on) or unset (default FADSL_NO_DENSE_DECODE: the route
    is taken per call)."""
    def run():
        old = os.environ.pop(name, None)
        if on:
            os.environ[name] = "1"
        try:
            return fn()
        finally:
            os.environ.pop(name, None)
            if old is not None:
                os.environ[name] = old
    return run


def build(shape):
    """name -> callable of every system for one shape; checks fadsl's outputs."""
    b, length, hq, hkv, d, t = shape
    gen = torch.Generator(device="cuda").manual_seed(b * 31 + length + t)
    q = torch.randn(b, t, hq, d, generator=gen, device="cuda", dtype=torch.bfloat16)
    k, v = (torch.randn(b, length, hkv, d, generator=gen, device="cuda", dtype=torch.bfloat16) for _ in range(2))
    qp, kp, vp = (x.transpose(1, 2) for x in (q, k, v))   # SDPA's [B, H, L, D] views of the same memory
    systems = {}
    for name, be in PEERS.items():
        def peer(be=be):
            with sdpa_kernel([be]):
                return F.scaled_dot_product_attention(qp, kp, vp, enable_gqa=True)
        systems[name] = peer
    want = systems["sdpa_cudnn"]().transpose(1, 2)
    for variant in ("none", "causal"):
        for forward in (False, True):
            name = f"fadsl {variant}{' forward' if forward else ''}"
            fn = with_env(lambda variant=variant: fadsl.attention(q, k, v, variant), forward)
            if variant == "none":
                err = rel_err(fn(), want)
                if err > 1e-2:
                    raise SystemExit(f"{name} at {shape}: relative error {err:.3g} against cuDNN")
            systems[name] = fn
    return systems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--graphs", action="store_true", help="replay every call from a CUDA graph")
    ap.add_argument("--cooldown", type=float, default=0.3)
    ap.add_argument("--shapes", help="comma-separated batch:kv_len:q_heads:kv_heads:head_dim:tokens (default: all)")
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    shapes = QUICK if args.quick else SHAPES + SWEEP
    if args.shapes:
        shapes = [tuple(int(x) for x in item.split(":")) for item in args.shapes.split(",")]
        if any(len(sh) != 6 for sh in shapes):
            raise SystemExit(f"--shapes {args.shapes}: want batch:kv_len:q_heads:kv_heads:head_dim:tokens items")
    lines = [f"# Dense decode, same process ({datetime.date.today()}, {torch.cuda.get_device_name()}, "
             f"torch {torch.__version__})", "",
             f"Command: `{' '.join(sys.argv)}`. bf16, contiguous K/V [B, L, H, D]"
             f"{'; every call replayed from a CUDA graph' if args.graphs else ''}. GB/s: K+V bytes / time. "
             "vs best SDPA: best SDPA time / ours (variant none). decode / forward: fadsl's forward-template time "
             "(FADSL_NO_DENSE_DECODE=1) / its decode time.", "",
             "| B x L | heads q/kv | D | tokens | rows a KV head | system | us | GB/s | vs best SDPA | decode / forward |",
             "| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |"]
    results = []
    for shape in shapes:
        b, length, hq, hkv, d, t = shape
        systems = build(shape)
        if args.graphs:
            systems = {n: graphed(fn) for n, fn in systems.items()}
        best = {}
        for order in (list(systems), list(reversed(systems))):
            for name in order:
                ms = time_ms(systems[name], args.cooldown)
                best[name] = min(best.get(name, ms), ms)
        peer = min(best[n] for n in PEERS)
        gb = 2 * b * length * hkv * d * 2 / 1e9
        for name, ms in best.items():
            ratio = f"{peer / ms:.2f}" if not name.startswith("fadsl causal") else ""
            fwd = best.get(name + " forward")
            speedup = f"{fwd / ms:.2f}" if fwd else ""
            lines.append(f"| {b} x {length} | {hq}/{hkv} | {d} | {t} | {hq // hkv * t} | {name} | {ms * 1e3:.1f} | "
                         f"{gb / (ms * 1e-3):.0f} | {ratio} | {speedup} |")
            results.append({"shape": shape, "system": name, "ms": ms})
        print("\n".join(lines[-len(best):]), flush=True)
    (out / "dense_decode.md").write_text("\n".join(lines) + "\n")
    (out / "dense_decode.json").write_text(json.dumps({"command": sys.argv, "card": torch.cuda.get_device_name(),
                                                       "date": str(datetime.date.today()), "results": results}, indent=1))


if __name__ == "__main__":
    main()
