"""Runs one fadsl forward launch (after a warm-up) so a profiler can capture it:

    ncu -k regex:fa3_fwd -s 1 -c 1 python3 bench/one_kernel.py sink_window window=1024

Arguments: the variant (stdlib name, .fa path or DSL source) and name=value scalar
parameters; --seqlen, --batch, --heads, --kv-heads, --head-dim pick the shape (bf16,
[batch, seqlen, heads, head_dim], stored in that order or, with --layout bhsd, as views of
[batch, heads, seqlen, head_dim] like bench/run.py's); --repeat times it with CUDA events.
"""
import argparse
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "python"))
import fadsl  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("variant")
    parser.add_argument("params", nargs="*", help="name=value scalar parameters")
    parser.add_argument("--seqlen", type=int, default=8192)
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--heads", type=int, default=16)
    parser.add_argument("--kv-heads", type=int, default=0, help="default: --heads")
    parser.add_argument("--head-dim", type=int, default=128)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--layout", choices=("bshd", "bhsd"), default="bshd",
                        help="memory order of q, k, v (bhsd: [batch, seqlen, heads, head_dim] views of it)")
    args = parser.parse_args()
    params = {}
    for item in args.params:
        name, value = item.split("=", 1)
        params[name] = float(value) if "." in value else int(value)
    shape = (args.batch, args.seqlen, args.heads, args.head_dim)
    kv_shape = (args.batch, args.seqlen, args.kv_heads or args.heads, args.head_dim)
    def tensor(s):
        if args.layout == "bshd":
            return torch.randn(s, device="cuda", dtype=torch.bfloat16)
        return torch.randn(s[0], s[2], s[1], s[3], device="cuda", dtype=torch.bfloat16).transpose(1, 2)

    q, k, v = tensor(shape), tensor(kv_shape), tensor(kv_shape)
    fadsl.attention(q, k, v, args.variant, params)  # compile and warm up
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(args.repeat):
        fadsl.attention(q, k, v, args.variant, params)
    end.record()
    torch.cuda.synchronize()
    print(f"{args.variant[:40]} {params}: {start.elapsed_time(end) / args.repeat * 1e3:.1f} us per launch")


if __name__ == "__main__":
    main()
