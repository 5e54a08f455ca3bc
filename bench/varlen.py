"""varlen against dense at the same tokens (issue: within 10%).

    python3 bench/varlen.py [--out bench/results]

Equal-length sequences, once as a dense [batch, seqlen, heads, head_dim] batch and once
packed [batch * seqlen, heads, head_dim] with cu_seqlens; the same fadsl variant, the same
memory. Prints a table and writes varlen.md with the card, the command and the date.
"""
import argparse
import datetime
import os
import sys

import torch
import triton.testing as tt

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import fadsl  # noqa: E402

CONFIGS = [(hd, s, causal) for hd in (64, 128, 256) for s in (1024, 4096, 16384) for causal in (False, True)]
TOKENS = 16384
HEAD_TOTAL = 2048


def median_ms(fn):
    fn()
    torch.cuda.synchronize()
    return tt.do_bench(fn, warmup=25, rep=100, return_mode="median")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="bench/results")
    args = ap.parse_args()
    rows = []
    for hd, s, causal in CONFIGS:
        b, h = TOKENS // s, HEAD_TOTAL // hd
        q, k, v = (torch.randn(b, s, h, hd, device="cuda", dtype=torch.bfloat16) for _ in range(3))
        variant = "causal" if causal else "none"
        cu = torch.arange(0, b + 1, device="cuda", dtype=torch.int32) * s
        packed = [x.view(b * s, h, hd) for x in (q, k, v)]
        dense = median_ms(lambda: fadsl.attention(q, k, v, variant))
        varlen = median_ms(lambda: fadsl.attention(*packed, variant, cu_seqlens_q=cu, cu_seqlens_k=cu,
                                                   max_seqlen_q=s, max_seqlen_k=s))
        err = (fadsl.attention(*packed, variant, cu_seqlens_q=cu, cu_seqlens_k=cu, max_seqlen_q=s, max_seqlen_k=s)
               .view(b, s, h, hd).float() - fadsl.attention(q, k, v, variant).float()).abs().max().item()
        rows.append((hd, s, b, causal, dense, varlen, varlen / dense, err))
        print(f"hd{hd} S={s} B={b} causal={causal}: dense {dense:.3f} ms, varlen {varlen:.3f} ms, "
              f"varlen/dense {varlen / dense:.3f}, max |diff| {err:.1e}", flush=True)
    card = torch.cuda.get_device_name()
    lines = [f"# varlen against dense at equal lengths ({datetime.date.today()})", "",
             f"Card: {card}; torch {torch.__version__}; command: `python3 bench/varlen.py`.",
             "bf16, heads x head_dim = 2048, batch x seqlen = 16384; median of triton do_bench.", "",
             "| head_dim | seqlen | batch | causal | dense ms | varlen ms | varlen / dense | max abs diff |",
             "| ---: | ---: | ---: | :---: | ---: | ---: | ---: | ---: |"]
    lines += [f"| {r[0]} | {r[1]} | {r[2]} | {'yes' if r[3] else 'no'} | {r[4]:.3f} | {r[5]:.3f} | {r[6]:.3f} | {r[7]:.1e} |"
              for r in rows]
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "varlen.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    worst = max(r[6] for r in rows)
    print(f"worst varlen/dense ratio {worst:.3f} ({'within' if worst <= 1.10 else 'outside'} 10%)")


if __name__ == "__main__":
    main()
