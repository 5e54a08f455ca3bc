"""bf16 chunked prefill by block size and block-table order, against dense, same process.
Batch 8, 8192 cached keys, T new tokens (argv[1], default 512), 32/8 heads, d128, causal.
TABLES: comma list of shuffled (random permutation), sorted (block i of sequence b at
b * blocks + i). BLOCK_SIZES: comma list. LAYOUT: hdb (default) or nhd. ONCE=1 runs each
paged case once (for ncu). Run from the repo root with FADSL_LIBRARY set."""
import os
import sys

sys.path[:0] = [os.path.join(os.getcwd(), "python")]
import torch  # noqa: E402
import triton.testing as tt  # noqa: E402

import fadsl  # noqa: E402

batch, kv, hq, hkv, d = 8, 8192, 32, 8, 128
t = int(sys.argv[1]) if len(sys.argv) > 1 else 512
once = os.environ.get("ONCE") == "1"
torch.manual_seed(0)
k = torch.randn(batch, kv, hkv, d, device="cuda", dtype=torch.bfloat16)
v = torch.randn_like(k)
q = torch.randn(batch, t, hq, d, device="cuda", dtype=torch.bfloat16)
lens = torch.full((batch,), kv, device="cuda", dtype=torch.int32)
print(torch.cuda.get_device_name(), "T", t)
ref = fadsl.attention(q, k, v, "causal").float()
dense = 0.0 if once else tt.do_bench(lambda: fadsl.attention(q, k, v, "causal"), warmup=25, rep=100, return_mode="median")
for order in os.environ.get("TABLES", "shuffled,sorted").split(","):
    for bs in [int(b) for b in os.environ.get("BLOCK_SIZES", "16,32").split(",")]:
        blocks = kv // bs
        perm = torch.randperm(batch * blocks, device="cuda") if order == "shuffled" else \
            torch.arange(batch * blocks, device="cuda")
        table = perm.view(batch, blocks).to(torch.int32)
        nhd = torch.empty(batch * blocks, bs, hkv, d, device="cuda", dtype=torch.bfloat16)
        layout = os.environ.get("LAYOUT", "hdb")
        caches = []
        for x in (k, v):
            nhd[perm] = x.view(batch * blocks, bs, hkv, d)
            caches.append(nhd.permute(0, 2, 3, 1).contiguous() if layout == "hdb" else nhd.clone())
        fn = lambda: fadsl.paged_attention(q, *caches, table, lens, "causal", layout=layout)
        rel = ((fn().float() - ref).norm() / ref.norm()).item()
        if once:
            print(f"{order} bs {bs}: rel err {rel:.1e}", flush=True)
            continue
        ms = tt.do_bench(fn, warmup=25, rep=100, return_mode="median")
        print(f"{order} bs {bs}: dense {dense:.3f} ms, {layout} {ms:.3f} ms ({ms / dense:.2f}x, rel err {rel:.1e})",
              flush=True)
