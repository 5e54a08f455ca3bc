# capture fadsl.paged_attention (split decode) in a CUDA graph, replay, compare with eager; time both
import sys, torch
sys.path.insert(0, "python")
import fadsl
B, L, H, KV, D, bs = int(sys.argv[1]), int(sys.argv[2]), 32, 8, 128, 16
dt = getattr(torch, sys.argv[3]) if len(sys.argv) > 3 else torch.bfloat16
g = torch.Generator(device="cuda").manual_seed(0)
q = torch.randn(B, 1, H, D, device="cuda", dtype=torch.bfloat16, generator=g)
nb = B * L // bs
kc = torch.randn(nb, bs, KV, D, device="cuda", dtype=torch.bfloat16, generator=g).to(dt)
vc = torch.randn(nb, bs, KV, D, device="cuda", dtype=torch.bfloat16, generator=g).to(dt)
table = torch.randperm(nb, device="cuda", generator=g).to(torch.int32).reshape(B, L // bs)
lens = torch.full((B,), L, dtype=torch.int32, device="cuda")
kw = dict(k_scale=1.0, v_scale=1.0) if dt != torch.bfloat16 else {}
fn = lambda: fadsl.paged_attention(q, kc, vc, table, lens, layout="nhd", **kw)
ref = fn().clone()
s = torch.cuda.Stream(); s.wait_stream(torch.cuda.current_stream())
with torch.cuda.stream(s):
    fn(); fn()
torch.cuda.current_stream().wait_stream(s)
gr = torch.cuda.CUDAGraph()
with torch.cuda.graph(gr):
    out = fn()
out.fill_(float("nan"))
gr.replay(); torch.cuda.synchronize()
err = ((out.float() - ref.float()).abs().max()).item()
e0, e1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
for mode, f in (("eager", fn), ("graph", gr.replay)):
    for _ in range(3): f()
    e0.record()
    for _ in range(20): f()
    e1.record(); torch.cuda.synchronize()
    print(f"{B}x{L} {dt} {mode}: {e0.elapsed_time(e1) / 20 * 1e3:.1f} us/call")
print(f"{B}x{L} {dt}: graph replay vs eager max |diff| {err:.3g} (nan-poisoned output before replay)")
