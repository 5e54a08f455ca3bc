"""What the per-dimension index check costs: fadsl forwards of two variants with 2-d tensor
parameters, timed with CUDA events in this process against the library in FADSL_LIBRARY.
  document  mask = k <= q && doc[b, k] == doc[b, q]  (masking runs on partial tiles only)
  kbias     score = s + bias[h, k]                   (every score reads the tensor)
bf16, batch 2, 8192 tokens, 16 heads, d128; documents of 500-3000 tokens. Prints one JSON
line: median ms over 30 launches after a warm-up, for each variant."""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "python"))
import fadsl  # noqa: E402

B, S, H, D = 2, 8192, 16, 128
KBIAS = "variant kbias { param bias : f32[q_heads, kv_len]; mask = k <= q; score = s + bias[h, k]; }"


def median_ms(fn):
    for _ in range(3):
        fn()
    times = []
    for _ in range(30):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        fn()
        b.record()
        b.synchronize()
        times.append(a.elapsed_time(b))
    return sorted(times)[len(times) // 2]


def main():
    torch.manual_seed(0)
    g = torch.Generator(device="cuda").manual_seed(0)
    q, k, v = (torch.randn(B, S, H, D, device="cuda", dtype=torch.bfloat16, generator=g) for _ in range(3))
    doc = torch.empty(B, S, dtype=torch.int32)
    for b in range(B):
        pos, d = 0, 0
        while pos < S:
            n = int(torch.randint(500, 3001, (1,)))
            doc[b, pos:pos + n] = d
            pos, d = pos + n, d + 1
    doc = doc.cuda()
    bias = torch.randn(H, S, device="cuda", generator=g) * 0.1
    out = {
        "document": median_ms(lambda: fadsl.attention(q, k, v, "document", params={"doc": doc})),
        "kbias": median_ms(lambda: fadsl.attention(q, k, v, KBIAS, params={"bias": bias})),
    }
    print(json.dumps({"library": os.environ.get("FADSL_LIBRARY"), **out}))


main()
