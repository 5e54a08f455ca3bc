"""Session 28 run3: one HDB fp8 split decode (bf16 queries, block size 16, head dim 128) launched
three times, for Nsight Compute to profile the third: claims kernel, or even shares under
FADSL_DETERMINISTIC=1.   python3 ncu_claims.py BATCH LEN Q_HEADS KV_HEADS"""
import sys
import pathlib

sys.path[:0] = [str(pathlib.Path(__file__).resolve().parents[2])]   # bench/

from paged_decode import paged  # noqa: E402  (puts python/ on the path)

import fadsl  # noqa: E402
import torch  # noqa: E402

batch, length, hq, hkv = map(int, sys.argv[1:5])
D, BS = 128, 16
gen = torch.Generator(device="cuda").manual_seed(7)
q = torch.randn(batch, 1, hq, D, generator=gen, device="cuda", dtype=torch.bfloat16)
k, v = (torch.randn(batch, hkv, length, D, generator=gen, device="cuda", dtype=torch.bfloat16)
        .to(torch.float8_e4m3fn) for _ in range(2))
table = torch.randperm(batch * (length // BS), generator=gen, device="cuda").to(torch.int32).reshape(batch, -1)
kc, vc = paged(k, table, BS, "hdb"), paged(v, table, BS, "hdb")
lens = torch.full((batch,), length, dtype=torch.int32, device="cuda")
for _ in range(3):
    fadsl.paged_attention(q, kc, vc, table, lens, variant="none", layout="hdb", k_scale=1.0, v_scale=1.0)
torch.cuda.synchronize()
