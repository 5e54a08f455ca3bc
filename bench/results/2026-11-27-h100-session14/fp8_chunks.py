"""fp8 NHD chunked prefill: T new tokens a sequence (batch 8, 8192 keys, 32/8 heads, d128,
causal, block size 16, shuffled table), the library in FADSL_LIBRARY against the dense
forward on the same (bf16) keys, same process. Run from the repo root."""
import os
import sys

sys.path[:0] = [os.path.join(os.getcwd(), "python")]
import torch  # noqa: E402
import triton.testing as tt  # noqa: E402

import fadsl  # noqa: E402

batch, kv, hq, hkv, d, bs = 8, 8192, 32, 8, 128, 16
k = torch.randn(batch, kv, hkv, d, device="cuda", dtype=torch.bfloat16)
v = torch.randn_like(k)
blocks = kv // bs
perm = torch.randperm(batch * blocks, device="cuda")
table = perm.view(batch, blocks).to(torch.int32)
lens = torch.full((batch,), kv, device="cuda", dtype=torch.int32)
caches = []
for x in (k, v):
    c = torch.empty(batch * blocks, bs, hkv, d, device="cuda", dtype=torch.float8_e4m3fn)
    c[perm] = x.view(batch * blocks, bs, hkv, d).to(torch.float8_e4m3fn)
    caches.append(c)
kq, vq = (c[perm].view(batch, kv, hkv, d).to(torch.bfloat16) for c in caches)   # the fp8 values, contiguous
for t in [int(x) for x in sys.argv[1:]] or (16, 64, 512):
    q = torch.randn(batch, t, hq, d, device="cuda", dtype=torch.bfloat16)
    dense = lambda: fadsl.attention(q, kq, vq, "causal")
    paged = lambda: fadsl.paged_attention(q, *caches, table, lens, "causal", layout="nhd", k_scale=1.0, v_scale=1.0)
    ref = dense().float()
    rel = ((paged().float() - ref).norm() / ref.norm()).item()
    ms = [tt.do_bench(f, warmup=25, rep=100, return_mode="median") for f in (dense, paged)]
    print(f"T {t}: dense {ms[0]:.3f} ms, fp8 paged {ms[1]:.3f} ms, paged/dense {ms[1] / ms[0]:.2f}, rel err {rel:.1e}")
