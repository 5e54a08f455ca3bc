"""fadsl compile latency, each measurement in a fresh process:
  cold  an empty FADSL_CACHE_DIR and FADSL_ALWAYS_COMPILE=1 (NVRTC runs)
  warm  a second process on the same cache directory (the cubin comes from disk)
Seconds are fadsl_compile's own (CompileResult.seconds) plus the process's wall time."""
import json
import os
import subprocess
import sys
import tempfile
import time

# (variant, head_dim, gqa) keys compiled; each variant's kernel for the device's arch.
KEYS = [("causal", 128, 1), ("none", 128, 1), ("sliding_window", 128, 1), ("sink_window", 128, 1),
        ("causal_alibi", 128, 1), ("softcap", 128, 1), ("causal", 64, 1), ("causal", 256, 1), ("causal", 128, 4)]
QUICK_KEYS = KEYS[:1]

_CHILD = """
import dataclasses, json, sys, fadsl
rows = []
arch = sys.argv[2] or None
for variant, head_dim, gqa in json.loads(sys.argv[1]):
    r = fadsl.compile(variant, arch=arch, dtype="bf16", head_dim=head_dim, gqa=gqa)
    rows.append(dict(dataclasses.asdict(r), variant=variant, head_dim=head_dim, gqa=gqa))
print(json.dumps(rows))
"""


def _child(keys, arch, env):
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(keys), arch or ""], env=env,
                          capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise RuntimeError(f"compile child failed ({proc.returncode}): {proc.stderr.strip()[-800:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1]), wall


def measure(quick, python_dir, arch=None):
    """[{variant, head_dim, gqa, kernel_name, cold_s, warm_s, warm_origin}], plus the two
    processes' wall times. arch None: the GPU's."""
    keys = QUICK_KEYS if quick else KEYS
    base = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [python_dir, os.environ.get("PYTHONPATH")])),
                FADSL_LOG="0")
    with tempfile.TemporaryDirectory(prefix="fadsl-cold-") as cache:
        cold, cold_wall = _child(keys, arch, dict(base, FADSL_CACHE_DIR=cache, FADSL_ALWAYS_COMPILE="1"))
        warm_env = {k: v for k, v in base.items() if k != "FADSL_ALWAYS_COMPILE"}
        warm, warm_wall = _child(keys, arch, dict(warm_env, FADSL_CACHE_DIR=cache))
    rows = [dict(variant=c["variant"], head_dim=c["head_dim"], gqa=c["gqa"], kernel_name=c["kernel_name"],
                 cold_s=c["seconds"], cold_origin=c["origin"], warm_s=w["seconds"], warm_origin=w["origin"])
            for c, w in zip(cold, warm)]
    return {"keys": rows, "cold_process_s": cold_wall, "warm_process_s": warm_wall}
