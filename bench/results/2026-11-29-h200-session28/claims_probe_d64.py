"""Session 28 run6: session 27's claims_probe.py at head dim 64 (claims kernels there are now
compiled for three CTAs an SM: 144 registers instead of ptxas's 133).
    FADSL_LIBRARY=build-lead/libfadsl.so python3 claims_probe_d64.py"""
import sys
import pathlib

sys.path[:0] = [str(pathlib.Path(__file__).resolve().parents[1] / "2026-11-29-h200-session27")]

import claims_probe  # noqa: E402

claims_probe.D = 64
claims_probe.main()
