"""EXPERIMENT: split count sweep at 1 x 131072 (same process as cuDNN), do_bench memset flush."""
import os, sys
sys.path[:0] = [os.path.join(os.getcwd(), "bench"), os.path.join(os.getcwd(), "python")]
import torch
from paged_decode import build_shape, time_ms
rows = [("nhd", 16, "bf16"), ("nhd", 16, "fp8e4m3"), ("hdb", 16, "fp8e4m3"), ("nhd", 16, "fp8e5m2")]
systems, checks = build_shape(1, 131072, rows)
ws = {"fadsl nhd bs16 bf16": [0, 82, 66, 41], "fadsl nhd bs16 fp8e4m3": [0, 33, 40, 24, 16],
      "fadsl hdb bs16 fp8e4m3": [0, 33, 24, 16], "fadsl nhd bs16 fp8e5m2": [0, 33, 40, 24]}
res = {}
for rnd in range(2):
    res.setdefault("cudnn", []).append(time_ms(systems["sdpa_cudnn"], 0.3))
    for name, splits in ws.items():
        for sp in splits:
            os.environ["FADSL_EXP_SPLITS"] = str(sp)
            systems[name]()  # check it runs
            res.setdefault((name, sp), []).append(time_ms(systems[name], 0.3))
    os.environ["FADSL_EXP_SPLITS"] = "0"
base = min(res["cudnn"])
print("cudnn", base)
for k, v in res.items():
    if k != "cudnn":
        print(k, round(min(v), 2), "ratio vs cudnn", round(base / min(v), 4))
