"""What a perfect fp8 decode could reach under each L2 flush: an fp8 cache of L keys holds the
bytes of a bf16 cache of L / 2 keys, so a bf16 kernel timed at L / 2 reads exactly what an
fp8 kernel reads at L. Times SDPA (cuDNN) and fadsl (bf16 and fp8 e4m3, NHD and HDB, block
size 16, shuffled tables) at several lengths in one process with bench/paged_decode.py's
build_shape and timing, and fits time = fixed + bytes / rate per system.

    FADSL_LIBRARY=build-lead/libfadsl.so python3 half_length.py OUT_DIR [write|read [TAG]]

HL_ROWS (layout:block_size:cache,...) and HL_SHAPES (BxL,...) replace the default rows and
shapes; TAG names the output file (A/B runs of two libraries).
"""
import os
import json
import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parents[3]
sys.path[:0] = [str(REPO / "bench")]

import torch  # noqa: E402

import paged_decode as pd  # noqa: E402

ROWS = pd.rows_of(False, os.environ.get("HL_ROWS") or
                  "nhd:16:bf16,hdb:16:bf16,nhd:16:fp8e4m3,hdb:16:fp8e4m3")
SHAPES = [tuple(int(x) for x in s.split("x")) for s in
          (os.environ.get("HL_SHAPES") or "1x32768,1x65536,1x131072,8x16384,8x32768,64x2048,64x4096").split(",")]


def kv_bytes(batch, length, fp8):
    return 2 * batch * length * pd.KV_HEADS * pd.HEAD_DIM * (1 if fp8 else 2)


def main():
    out = pathlib.Path(sys.argv[1])
    flush = sys.argv[2] if len(sys.argv) > 2 else "write"
    tag = sys.argv[3] if len(sys.argv) > 3 else flush
    out.mkdir(parents=True, exist_ok=True)
    times = {}
    for batch, length in SHAPES:
        best, _ = pd.run_shape(batch, length, ROWS, 0.3, flush=flush)
        for name, ms in best.items():
            times[f"{batch}x{length} {name}"] = ms * 1e3
            print(f"{batch} x {length} {name}: {ms * 1e3:.1f} us", flush=True)
        torch.cuda.empty_cache()
    (out / f"half_length_{tag}.json").write_text(json.dumps(times, indent=1))


if __name__ == "__main__":
    main()
