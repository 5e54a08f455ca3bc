"""Kernels of cuDNN SDPA and fadsl paged decode under ncu, on the same data: run as
    ncu --nvtx --nvtx-include "prof/" --metrics ... python3 bench/ncu_peers.py [--rows ...]
Each system runs once to warm up, then once inside the NVTX range "prof" (ncu profiles
only those launches; it flushes the caches and locks the clocks before each kernel).
bench/ncu_peers.sh runs it with the metrics compared."""
import argparse
import sys

import torch

import paged_decode as pd


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", default="nhd:16:bf16,hdb:16:bf16,nhd:16:fp8e4m3")
    ap.add_argument("--shapes", default="64:4096,8:32768,1:131072")
    args = ap.parse_args()
    rows = pd.rows_of(False, args.rows)
    for item in args.shapes.split(","):
        batch, length = (int(x) for x in item.split(":"))
        systems, _ = pd.build_shape(batch, length, rows)
        for fn in systems.values():
            fn()
        torch.cuda.synchronize()
        torch.cuda.nvtx.range_push("prof")
        for fn in systems.values():
            fn()
        torch.cuda.synchronize()
        torch.cuda.nvtx.range_pop()
        print(f"profiled {batch} x {length}: {len(systems)} systems", file=sys.stderr)
        torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
