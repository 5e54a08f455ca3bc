"""Median of three same-process runs (validate/bench, final/bench_2, final/bench_3; memset
flush) of session 11's bars, and the read-flush run: bf16 against the best SDPA backend,
fp8 against the same layout's bf16 tokens/s (bs16)."""
import json, pathlib, statistics
HERE = pathlib.Path(__file__).parent
SHAPES = ((64, 4096), (8, 32768), (1, 131072))


def load(path):
    return {(r["batch"], r["len"], r["system"]): r["ms"] for r in json.loads((HERE / path).read_text())}


def ratios(t):
    out = {}
    for b, n in SHAPES:
        sdpa = min(t[(b, n, "sdpa_cudnn")], t[(b, n, "sdpa_flash")])
        for lay in ("nhd", "hdb"):
            bf16 = t[(b, n, f"fadsl {lay} bs16 bf16")]
            out[(b, n, f"bf16 {lay} vs SDPA")] = sdpa / bf16
            for c in ("fp8e4m3", "fp8e5m2"):
                if (b, n, f"fadsl {lay} bs16 {c}") in t:
                    out[(b, n, f"{c} {lay} x bf16")] = bf16 / t[(b, n, f"fadsl {lay} bs16 {c}")]
    return out


runs = [ratios(load(p)) for p in ("validate/bench/paged_decode.json", "final/bench_2/paged_decode.json",
                                   "final/bench_3/paged_decode.json")]
read = ratios(load("final/bench_read/paged_decode.json"))
print("| batch x len | ratio | median of 3 (memset) | runs | read flush |")
print("| --- | --- | ---: | --- | ---: |")
for key in runs[1]:
    vals = [r[key] for r in runs if key in r]
    print(f"| {key[0]} x {key[1]} | {key[2]} | {statistics.median(vals):.3f} | {' / '.join(f'{v:.3f}' for v in vals)} | {read[key]:.3f} |")
