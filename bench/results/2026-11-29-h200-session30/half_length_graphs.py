"""Session 19's half-length yardstick (../2026-11-28-h100-session19/half_length.py) under CUDA
graphs: an fp8 cache of L keys holds the bytes of a bf16 cache of L / 2 keys, so bf16 at
L / 2 against fp8 at L says whether the fp8 kernel reads its bytes as fast as the bf16 one.

    FADSL_LIBRARY=build-lead/libfadsl.so python3 half_length_graphs.py OUT_DIR TAG

HL_ROWS (layout:block_size:cache,...) and HL_SHAPES (BxL,...) replace the default rows and shapes.
"""
import json
import os
import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parents[3]
sys.path[:0] = [str(REPO / "bench")]

import torch  # noqa: E402

import paged_decode as pd  # noqa: E402

ROWS = pd.rows_of(False, os.environ.get("HL_ROWS") or "nhd:16:bf16,nhd:16:fp8e4m3,hdb:16:fp8e4m3")
SHAPES = [tuple(int(x) for x in s.split("x")) for s in
          (os.environ.get("HL_SHAPES") or "1x65536,1x131072,8x16384,8x32768,64x2048,64x4096").split(",")]


def main():
    out, tag = pathlib.Path(sys.argv[1]), sys.argv[2]
    out.mkdir(parents=True, exist_ok=True)
    times = {}
    for batch, length in SHAPES:
        best, _ = pd.run_shape(batch, length, ROWS, 0.3, graphs=True)
        for name, ms in best.items():
            if name == "sdpa_flash":
                continue
            times[f"{batch}x{length} {name}"] = ms * 1e3
            print(f"{tag} {batch} x {length} {name}: {ms * 1e3:.1f} us", flush=True)
        torch.cuda.empty_cache()
    (out / f"half_length_{tag}.json").write_text(json.dumps(times, indent=1))


if __name__ == "__main__":
    main()
