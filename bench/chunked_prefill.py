"""Chunked prefill over a paged cache against the dense forward on the same tokens.

    python3 bench/chunked_prefill.py

512 new tokens a sequence against 8192 cached keys (the new tokens are the last 512),
32 query / 8 KV heads, head_dim 128, bf16, causal; paged NHD cache with block size 16 and a
shuffled block table, versus fadsl.attention on the same keys laid out contiguously.
Issue #5's bar: within 15% of the dense kernel.
"""
import os
import sys

import torch
import triton.testing as tt

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import fadsl  # noqa: E402


def median_ms(fn):
    fn()
    torch.cuda.synchronize()
    return tt.do_bench(fn, warmup=25, rep=100, return_mode="median")


def main():
    batch, q_new, kv, hq, hkv, d, bs = 8, 512, 8192, 32, 8, 128, 16
    dt = torch.bfloat16
    q = torch.randn(batch, q_new, hq, d, device="cuda", dtype=dt)
    k = torch.randn(batch, kv, hkv, d, device="cuda", dtype=dt)
    v = torch.randn_like(k)
    blocks = kv // bs
    perm = torch.randperm(batch * blocks, device="cuda")
    table = perm.view(batch, blocks).to(torch.int32)
    k_cache = torch.empty(batch * blocks, bs, hkv, d, device="cuda", dtype=dt)
    v_cache = torch.empty_like(k_cache)
    k_cache[perm] = k.view(batch * blocks, bs, hkv, d)
    v_cache[perm] = v.view(batch * blocks, bs, hkv, d)
    lens = torch.full((batch,), kv, device="cuda", dtype=torch.int32)
    dense = median_ms(lambda: fadsl.attention(q, k, v, "causal"))
    paged = median_ms(lambda: fadsl.paged_attention(q, k_cache, v_cache, table, lens, "causal", layout="nhd"))
    err = (fadsl.paged_attention(q, k_cache, v_cache, table, lens, "causal", layout="nhd").float()
           - fadsl.attention(q, k, v, "causal").float()).abs().max().item()
    flops = 4 * batch * hq * d * sum(kv - q_new + i + 1 for i in range(q_new))
    print(f"{torch.cuda.get_device_name()}; batch {batch}, {q_new} new tokens vs {kv} keys, {hq}/{hkv} heads, hd{d}, bf16")
    print(f"dense {dense:.3f} ms ({flops / dense / 1e9:.0f} TFLOP/s), paged nhd bs{bs} {paged:.3f} ms "
          f"({flops / paged / 1e9:.0f} TFLOP/s), paged/dense {paged / dense:.2f}, max |diff| {err:.1e}")


if __name__ == "__main__":
    main()
