"""Where paged decode time goes: time against KV length at a fixed batch, in ONE process
with cuDNN SDPA. A least-squares line time = fixed + bytes / rate splits each system's time
into a per-call cost (launch, pipeline fill, tail, merge) and its streaming rate (TB/s).

    FADSL_LIBRARY=build/libfadsl.so python3 bench/decode_scaling.py --out DIR
        [--rows nhd:16:bf16,...] [--series 64:2048:4096:8192,1:65536:131072:262144]

Same data and timing as bench/paged_decode.py (32 q / 8 kv heads, d128, shuffled tables).
Writes DIR/decode_scaling.md.
"""
import argparse
import datetime
import pathlib
import sys

import torch

from paged_decode import FP8, HEAD_DIM, KV_HEADS, rows_of, run_shape

DEFAULT_SERIES = "64:2048:4096:8192,8:16384:32768:65536,1:65536:131072:262144"


def fit(points):
    """Least-squares (fixed us, TB/s) of time (us) over bytes."""
    n = len(points)
    mx = sum(b for b, _ in points) / n
    my = sum(t for _, t in points) / n
    sxx = sum((b - mx) ** 2 for b, _ in points)
    slope = sum((b - mx) * (t - my) for b, t in points) / sxx      # us a byte
    return my - slope * mx, 1e-6 / slope if slope > 0 else float("inf")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--rows", default="nhd:16:bf16,hdb:16:bf16,nhd:16:fp8e4m3,hdb:16:fp8e4m3")
    ap.add_argument("--series", default=DEFAULT_SERIES, help="batch:len:len:... items")
    ap.add_argument("--cooldown", type=float, default=0.2)
    args = ap.parse_args()
    rows = rows_of(False, args.rows)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    lines = [f"# Decode time against KV length ({datetime.date.today()}, {torch.cuda.get_device_name()}, "
             f"torch {torch.__version__})", "", f"Command: `{' '.join(sys.argv)}`. fixed: per-call us of the "
             "least-squares line over the lengths; rate: K+V bytes (fp8 rows: fp8 bytes) a second.", ""]
    for item in args.series.split(","):
        batch, *lens = (int(x) for x in item.split(":"))
        times = {}
        for length in lens:
            best, _ = run_shape(batch, length, rows, args.cooldown)
            for name, ms in best.items():
                times.setdefault(name, []).append((length, ms * 1e3))
            torch.cuda.empty_cache()
        lines += [f"## batch {batch}", "", "| system | " + " | ".join(f"{n} us" for n in lens) +
                  " | fixed us | rate TB/s |", "| --- |" + " ---: |" * (len(lens) + 2)]
        for name, pts in times.items():
            per = 1 if any(name.endswith(c) for c in FP8) else 2
            fixed, rate = fit([(2 * batch * n * KV_HEADS * HEAD_DIM * per, t) for n, t in pts])
            lines.append(f"| {name} | " + " | ".join(f"{t:.1f}" for _, t in pts) + f" | {fixed:.1f} | {rate:.3f} |")
            print(lines[-1], flush=True)
        lines.append("")
        (out / "decode_scaling.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
