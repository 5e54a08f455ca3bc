"""Document masking (packed documents, causal within each) against FlexAttention in ONE
process: fadsl's stdlib `document` variant and compiled FlexAttention with its block mask
(built once, outside the timing, as FlexAttention is used), plus both systems' plain causal
attention on the same tensors for scale. bf16, 16 heads, head_dim 128 (or --head-dim: on
Hopper 64, 128, 192 and 256 take fadsl's sm_90a template, 96 its FA2-class one).

    FADSL_LIBRARY=build/libfadsl.so python3 bench/document_mask.py --out DIR [--seqlen 8192] [--head-dim 128]

Documents: random lengths in [lo, hi] tokens a sequence (the last one cut at the sequence's
end), for a few (lo, hi) ranges. Where lo == hi (documents of one length L), fadsl's
`chunked_local` with chunk L is the same mask computed from q and k alone: its time against
`document`'s shows what reading the `doc` tensor (the tile scan, the mask's loads) costs.
Each system is timed twice (in order, then reversed; triton.testing.do_bench medians) and
keeps its faster round. fadsl's output is checked against FlexAttention's (relative error
< 1e-2), and chunked_local's against fadsl's document (the same, < 1e-2: their summation
orders differ). TFLOP/s count the visible pairs only (4 * head_dim FLOPs each). Writes
DIR/document_mask.md and DIR/document_mask.json.
"""
import argparse
import datetime
import json
import pathlib
import random
import sys

BENCH = pathlib.Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent / "python"), str(BENCH)]

import torch  # noqa: E402
import triton.testing  # noqa: E402

import fadsl  # noqa: E402
import peers  # noqa: E402

HEADS, BATCH = 16, 2
DOC_RANGES = ((64, 512), (256, 2048), (1024, 4096), (256, 256))


def documents(seqlen, lo, hi, rng):
    """doc[b, i]: the document of token i, int32 [BATCH, seqlen] on the GPU."""
    rows = []
    for _ in range(BATCH):
        ids, d = [], 0
        while len(ids) < seqlen:
            ids += [d] * rng.randint(lo, hi)
            d += 1
        rows.append(ids[:seqlen])
    return torch.tensor(rows, dtype=torch.int32, device="cuda")


def visible_pairs(doc):
    """(q, k) pairs with k <= q in the same document, over the batch."""
    total = 0
    for row in doc.tolist():
        run = 1
        for i in range(1, len(row) + 1):
            if i == len(row) or row[i] != row[i - 1]:
                total += run * (run + 1) // 2
                run = 1
            else:
                run += 1
    return total


def time_best(systems):
    best = {}
    for order in (list(systems), list(reversed(systems))):
        for name in order:
            ms = triton.testing.do_bench(systems[name], warmup=25, rep=100, return_mode="median")
            best[name] = min(best.get(name, ms), ms)
    return best


def rel_err(a, b):
    a, b = a.float(), b.float()
    return ((a - b).norm() / b.norm()).item()


def run_range(seqlen, head_dim, lo, hi, rng):
    q, k, v = (torch.randn(BATCH, seqlen, HEADS, head_dim, device="cuda", dtype=torch.bfloat16) for _ in range(3))
    qt, kt, vt = (x.transpose(1, 2) for x in (q, k, v))   # FlexAttention's [B, H, S, D] views
    doc = documents(seqlen, lo, hi, rng)

    def doc_mask(b, h, qi, ki):
        return (doc[b, qi] == doc[b, ki]) & (ki <= qi)

    def causal_mask(b, h, qi, ki):
        return ki <= qi

    from torch.nn.attention.flex_attention import create_block_mask
    flex_doc_mask = create_block_mask(doc_mask, BATCH, None, seqlen, seqlen, device="cuda")
    flex_causal_mask = create_block_mask(causal_mask, None, None, seqlen, seqlen, device="cuda")
    peers.flex(qt, kt, vt)   # compiles the shared torch.compile'd flex_attention
    flex = peers._flex_attention
    systems = {
        "fadsl document": lambda: fadsl.attention(q, k, v, "document", params={"doc": doc}),
        "flex document": lambda: flex(qt, kt, vt, block_mask=flex_doc_mask),
        "fadsl causal": lambda: fadsl.attention(q, k, v, "causal"),
        "flex causal": lambda: flex(qt, kt, vt, block_mask=flex_causal_mask),
    }
    if lo == hi:
        systems["fadsl chunked"] = lambda: fadsl.attention(q, k, v, "chunked_local", params={"chunk": lo})
    err = rel_err(systems["fadsl document"](), systems["flex document"]().transpose(1, 2))
    if err > 1e-2:
        raise SystemExit(f"document {lo}-{hi}: fadsl against FlexAttention relative error {err:.3g}")
    if lo == hi and rel_err(systems["fadsl chunked"](), systems["fadsl document"]()) > 1e-2:
        raise SystemExit(f"documents of {lo}: chunked_local differs from document")
    best = time_best(systems)
    pairs = {"document": visible_pairs(doc), "chunked": visible_pairs(doc),
             "causal": BATCH * seqlen * (seqlen + 1) // 2}
    flops = {name: 4 * head_dim * HEADS * pairs[name.split()[1]] for name in systems}
    return {"docs": f"{lo}-{hi}", "documents": int(doc.max(dim=1).values.sum().item()) + BATCH, "err": err,
            "ms": best, "tflops": {n: flops[n] / best[n] / 1e9 for n in systems}}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seqlen", type=int, default=8192)
    ap.add_argument("--head-dim", type=int, default=128)
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(2026)
    rows = [run_range(args.seqlen, args.head_dim, lo, hi, rng) for lo, hi in DOC_RANGES]
    lines = [f"# Document masking, same process ({datetime.date.today()}, {torch.cuda.get_device_name()}, "
             f"torch {torch.__version__})", "",
             f"Command: `{' '.join(sys.argv)}`. B={BATCH}, S={args.seqlen}, {HEADS} heads, d{args.head_dim}, bf16; "
             "ms are the better of two do_bench medians; ratio = FlexAttention ms / fadsl ms; chunked_local: "
             "the same mask without the tensor (documents of one length).", "",
             "| documents (tokens) | count | fadsl ms | flex ms | ratio | fadsl TFLOP/s | causal: fadsl ms | flex ms |"
             " ratio | chunked_local ms |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        ms = r["ms"]
        lines.append(f"| {r['docs']} | {r['documents']} | {ms['fadsl document']:.3f} | {ms['flex document']:.3f} | "
                     f"{ms['flex document'] / ms['fadsl document']:.2f} | {r['tflops']['fadsl document']:.0f} | "
                     f"{ms['fadsl causal']:.3f} | {ms['flex causal']:.3f} | "
                     f"{ms['flex causal'] / ms['fadsl causal']:.2f} | "
                     + (f"{ms['fadsl chunked']:.3f} |" if "fadsl chunked" in ms else "- |"))
    (out / "document_mask.md").write_text("\n".join(lines) + "\n")
    (out / "document_mask.json").write_text(json.dumps(rows, indent=1))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
