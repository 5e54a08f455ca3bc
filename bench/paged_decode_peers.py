"""SDPA peers for paged decode (bench/paged_decode_bench.c): one query token, 32 query /
8 KV heads, d128, bf16, contiguous K/V of the same shapes; GB/s of K+V bytes read."""
import torch, torch.nn.functional as F, triton.testing as tt
from torch.nn.attention import sdpa_kernel, SDPBackend

BACKENDS = {"flash": SDPBackend.FLASH_ATTENTION, "cudnn": SDPBackend.CUDNN_ATTENTION,
            "efficient": SDPBackend.EFFICIENT_ATTENTION}
print("device", torch.cuda.get_device_name(), "torch", torch.__version__)
print("| batch x len | peer | us | GB/s |\n| --- | --- | ---: | ---: |")
for B, L in ((64, 4096), (8, 32768), (1, 131072)):
    q = torch.randn(B, 32, 1, 128, dtype=torch.bfloat16, device="cuda")
    k, v = (torch.randn(B, 8, L, 128, dtype=torch.bfloat16, device="cuda") for _ in range(2))
    for name, be in BACKENDS.items():
        def fn():
            with sdpa_kernel([be]):
                return F.scaled_dot_product_attention(q, k, v, enable_gqa=True)
        try:
            fn(); torch.cuda.synchronize()
            ms = tt.do_bench(fn, warmup=25, rep=100, return_mode="median")
            print(f"| {B} x {L} | sdpa_{name} | {ms*1e3:.1f} | {2*B*L*8*128*2/ms/1e6:.0f} |", flush=True)
        except RuntimeError as e:
            print(f"| {B} x {L} | sdpa_{name} | failed: {str(e)[:60]} | |", flush=True)
