"""Throwaway: what the split decode's merge launch costs in the same-process bench (outputs
wrong while skipped; timing only)."""
import os, sys
sys.path.insert(0, "bench")   # run from the repo root
from paged_decode import build_shape, time_ms
rows = [("nhd", 16, "bf16"), ("hdb", 16, "bf16"), ("nhd", 16, "fp8e4m3"), ("hdb", 16, "fp8e4m3")]
for batch, length in ((8, 32768), (1, 131072)):
    systems, _ = build_shape(batch, length, rows)
    res = {}
    for rnd in range(2):
        for skip in ((0, 1) if rnd == 0 else (1, 0)):
            if skip:
                os.environ["FADSL_XP_SKIP_MERGE"] = "1"
            else:
                os.environ.pop("FADSL_XP_SKIP_MERGE", None)
            for name, fn in systems.items():
                if name.startswith("fadsl") or skip == 0:
                    ms = time_ms(fn, 0.2)
                    key = (name, skip)
                    res[key] = min(res.get(key, ms), ms)
    os.environ.pop("FADSL_XP_SKIP_MERGE", None)
    for (name, skip), ms in sorted(res.items()):
        print(f"| {batch} x {length} | {name} | {'skip merge' if skip else 'merge'} | {ms*1e3:.1f} |")
