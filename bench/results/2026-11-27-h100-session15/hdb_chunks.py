"""HDB and NHD bf16 chunked prefill at every block size: T new tokens a sequence (batch 8,
8192 keys, 32/8 heads, d128, causal, shuffled block table), the library in FADSL_LIBRARY
against the dense forward on the same keys, same process. Run from the repo root:
    python3 bench/results/2026-11-27-h100-session15/hdb_chunks.py [T ...]
BLOCK_SIZES (e.g. "8,16") limits the block sizes, LAYOUTS ("hdb") the layouts."""
import os
import sys

sys.path[:0] = [os.path.join(os.getcwd(), "python")]
import torch  # noqa: E402
import triton.testing as tt  # noqa: E402

import fadsl  # noqa: E402

batch, kv, hq, hkv, d = 8, 8192, 32, 8, 128
k = torch.randn(batch, kv, hkv, d, device="cuda", dtype=torch.bfloat16)
v = torch.randn_like(k)
lens = torch.full((batch,), kv, device="cuda", dtype=torch.int32)
print(torch.cuda.get_device_name())
for t in [int(x) for x in sys.argv[1:]] or (17, 512):
    q = torch.randn(batch, t, hq, d, device="cuda", dtype=torch.bfloat16)
    ref = fadsl.attention(q, k, v, "causal").float()
    dense = tt.do_bench(lambda: fadsl.attention(q, k, v, "causal"), warmup=25, rep=100, return_mode="median")
    for bs in [int(b) for b in os.environ.get("BLOCK_SIZES", "8,16,32,64,128").split(",")]:
        blocks = kv // bs
        perm = torch.randperm(batch * blocks, device="cuda")
        table = perm.view(batch, blocks).to(torch.int32)
        nhd = [torch.empty(batch * blocks, bs, hkv, d, device="cuda", dtype=torch.bfloat16) for _ in range(2)]
        for c, x in zip(nhd, (k, v)):
            c[perm] = x.view(batch * blocks, bs, hkv, d)
        hdb = [c.permute(0, 2, 3, 1).contiguous() for c in nhd]
        row = f"T {t} bs {bs}: dense {dense:.3f} ms"
        for name, caches in (("nhd", nhd), ("hdb", hdb)):
            if name not in os.environ.get("LAYOUTS", "nhd,hdb").split(","):
                continue
            fn = lambda: fadsl.paged_attention(q, *caches, table, lens, "causal", layout=name)
            rel = ((fn().float() - ref).norm() / ref.norm()).item()
            ms = tt.do_bench(fn, warmup=25, rep=100, return_mode="median")
            row += f", {name} {ms:.3f} ms ({ms / dense:.2f}x, rel err {rel:.1e})"
        print(row, flush=True)
