"""fp8 chunked prefill over both layouts: T new tokens a sequence (argv; batch 8, 8192 keys,
32/8 heads, d128, causal, shuffled table), the library in FADSL_LIBRARY against the dense
forward on the same fp8-valued keys (bf16, contiguous), same process. BLOCK_SIZES (default
16), LAYOUTS (default nhd,hdb), KV (e4m3 or e5m2, default e4m3), QT (bf16 or fp16 queries,
default bf16), HEAD_DIM (default 128; added in session 18), ONCE (set: one call of each
paged kernel and no timing, for Nsight Compute). Run from the repo root."""
import os
import sys

sys.path[:0] = [os.path.join(os.getcwd(), "python")]
import torch  # noqa: E402
import triton.testing as tt  # noqa: E402

import fadsl  # noqa: E402

batch, kv, hq, hkv = 8, 8192, 32, 8
d = int(os.environ.get("HEAD_DIM", 128))
qt = torch.float16 if os.environ.get("QT") == "fp16" else torch.bfloat16
once = bool(os.environ.get("ONCE"))
fp8 = torch.float8_e5m2 if os.environ.get("KV") == "e5m2" else torch.float8_e4m3fn
torch.manual_seed(0)
k = torch.randn(batch, kv, hkv, d, device="cuda", dtype=qt)
v = torch.randn_like(k)
kq, vq = (x.to(fp8).to(qt) for x in (k, v))  # the fp8 values, contiguous
lens = torch.full((batch,), kv, device="cuda", dtype=torch.int32)
print(torch.cuda.get_device_name(), fp8, qt)
for t in [int(x) for x in sys.argv[1:]] or (512,):
    q = torch.randn(batch, t, hq, d, device="cuda", dtype=qt)
    ref = fadsl.attention(q, kq, vq, "causal").float()
    dense = 1.0 if once else tt.do_bench(lambda: fadsl.attention(q, kq, vq, "causal"), warmup=25, rep=100, return_mode="median")
    for bs in [int(b) for b in os.environ.get("BLOCK_SIZES", "16").split(",")]:
        blocks = kv // bs
        perm = torch.randperm(batch * blocks, device="cuda")
        table = perm.view(batch, blocks).to(torch.int32)
        nhd = []
        for x in (k, v):
            c = torch.empty(batch * blocks, bs, hkv, d, device="cuda", dtype=fp8)
            c[perm] = x.view(batch * blocks, bs, hkv, d).to(fp8)
            nhd.append(c)
        hdb = [c.view(torch.uint8).permute(0, 2, 3, 1).contiguous().view(fp8) for c in nhd]
        row = f"T {t} bs {bs}: dense {dense:.3f} ms"
        for name, caches in (("nhd", nhd), ("hdb", hdb)):
            if name not in os.environ.get("LAYOUTS", "nhd,hdb").split(","):
                continue
            fn = lambda: fadsl.paged_attention(q, *caches, table, lens, "causal", layout=name, k_scale=1.0,
                                               v_scale=1.0)
            rel = ((fn().float() - ref).norm() / ref.norm()).item()
            ms = 1.0 if once else tt.do_bench(fn, warmup=25, rep=100, return_mode="median")
            row += f", {name} {ms:.3f} ms ({ms / dense:.2f}x, rel err {rel:.1e})"
        print(row, flush=True)
