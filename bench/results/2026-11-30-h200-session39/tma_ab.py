"""fa3_fwd's dense K/V by TMA against the producer threads' copies (FADSL_NO_FWD_TMA=1), in
one process: the switch is read at each launch, so both paths run the same kernel on the same
tensors, alternating, several rounds; their outputs must agree bit for bit. Needs
fa3_tma.diff built (FADSL_LIBRARY). Prints microseconds a launch (CUDA events) per path.

    python3 bench/results/2026-11-30-h200-session39/tma_ab.py --rounds 3
"""
import argparse
import os
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[3] / "python"))
import fadsl  # noqa: E402

SHAPES = [  # head dim, batch, seqlen, heads, kv heads
    (64, 16, 1024, 32, 32), (64, 2, 8192, 32, 32), (128, 16, 1024, 16, 16), (128, 2, 8192, 16, 16),
    (128, 2, 8192, 32, 8), (192, 2, 8192, 16, 16), (256, 16, 1024, 8, 8), (256, 2, 8192, 8, 8)]
VARIANTS = [("none", {}), ("causal", {}), ("softcap", {"cap": 30.0}),
            ("sliding_window", {"window_left": 1023, "window_right": 0})]


def timed(q, k, v, variant, params, repeat):
    fadsl.attention(q, k, v, variant, params)
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(repeat):
        out = fadsl.attention(q, k, v, variant, params)
    end.record()
    torch.cuda.synchronize()
    return start.elapsed_time(end) / repeat * 1e3, out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    print(torch.cuda.get_device_name(), "| us a launch: TMA, copies, copies / TMA")
    for d, b, s, h, hk in SHAPES:
        q = torch.randn(b, s, h, d, device="cuda", dtype=torch.bfloat16)
        k, v = (torch.randn(b, s, hk, d, device="cuda", dtype=torch.bfloat16) for _ in range(2))
        for variant, params in VARIANTS:
            best = {True: float("inf"), False: float("inf")}
            outs = {}
            for _ in range(args.rounds):
                for tma in (True, False):
                    if tma:
                        os.environ.pop("FADSL_NO_FWD_TMA", None)
                    else:
                        os.environ["FADSL_NO_FWD_TMA"] = "1"
                    us, outs[tma] = timed(q, k, v, variant, params, args.repeat)
                    best[tma] = min(best[tma], us)
            os.environ.pop("FADSL_NO_FWD_TMA", None)
            same = torch.equal(outs[True], outs[False])
            print(f"d{d} B={b} S={s} H={h}/{hk} {variant}: {best[True]:.1f} {best[False]:.1f} "
                  f"{best[False] / best[True]:.3f}x {'same' if same else 'OUTPUTS DIFFER'}")


if __name__ == "__main__":
    main()
