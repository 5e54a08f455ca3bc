"""fadsl on the GPU against a float64 reference (skipped, with the reason, without CUDA).

Every output comes from memory poisoned with NaN first (the caching allocator hands the
freed poisoned block back to the op), so an element the kernel does not write fails the
test. ||out - ref|| / ||ref|| must stay under 1e-2 (bf16) or 5e-3 (fp16).
"""
import itertools
import math

import pytest

torch = pytest.importorskip("torch")
if not torch.cuda.is_available():
    pytest.skip("no CUDA device: GPU tests skipped", allow_module_level=True)

import fadsl  # noqa: E402

TOL = {torch.bfloat16: 1e-2, torch.float16: 5e-3}

# name -> (params, mask(qpos, kpos, h) -> bool, score(s, qpos, kpos, h) -> s), positions
# absolute and bottom-right aligned, as in stdlib/*.fa.
SLOPES = [2.0 ** -(i + 1) for i in range(8)]
VARIANTS = {
    "none": ({}, lambda q, k: torch.ones_like(q >= k), None),
    "causal": ({}, lambda q, k: k <= q, None),
    "sliding_window": ({"window_left": 37, "window_right": 5}, lambda q, k: (k >= q - 37) & (k <= q + 5), None),
    "sink_window": ({"window": 16}, lambda q, k: ((k <= q) & (q - k < 16)) | ((k < 4) & (k <= q)), None),
    "chunked_local": ({"chunk": 32}, lambda q, k: (k <= q) & (k >= torch.div(q, 32, rounding_mode="floor") * 32), None),
    "prefix_lm": ({"prefix": 20}, lambda q, k: (k <= q) | (k < 20), None),
    "softcap": ({"cap": 5.0}, lambda q, k: k <= q, lambda s, q, k, h: 5.0 * torch.tanh(s / 5.0)),
    "causal_alibi": ({"slopes": None}, lambda q, k: k <= q,
                     lambda s, q, k, h: s - torch.tensor(SLOPES, dtype=s.dtype, device=s.device)[h] * (q - k)),
}


def _reference(q, k, v, mask, score=None, scale=None, sinks=None):
    """float64 attention of [B,Sq,Hq,D] / [B,Sk,Hkv,D]: (out [B,Sq,Hq,D], lse [B,Hq,Sq]);
    rows that see no key give 0 and -inf. sinks [Hq]: learned sink logits, each an extra
    term of its head's softmax denominator (and lse) with no value."""
    sq, sk, hq, d = q.shape[1], k.shape[1], q.shape[2], q.shape[3]
    group = hq // k.shape[2]
    qd = q.double()
    kd, vd = (t.double().repeat_interleave(group, dim=2) for t in (k, v))
    s = torch.einsum("bqhd,bkhd->bhqk", qd, kd) * (scale or 1.0 / math.sqrt(d))
    qpos = (torch.arange(sq, device=q.device) + sk - sq)[:, None]
    kpos = torch.arange(sk, device=q.device)[None, :]
    if score is not None:
        heads = torch.arange(hq, device=q.device)[:, None, None]
        s = score(s, qpos, kpos, heads)
    s = s.masked_fill(~mask(qpos, kpos), -math.inf)
    if sinks is not None:
        sink = sinks.double()[None, :, None, None].expand(s.shape[0], hq, sq, 1)
        lse = torch.logsumexp(torch.cat([s, sink], dim=-1), dim=-1)
    else:
        lse = torch.logsumexp(s, dim=-1)
    p = torch.exp(s - torch.where(torch.isneginf(lse), 0.0, lse)[..., None])
    return torch.einsum("bhqk,bkhd->bqhd", p, vd), lse


def _rel_err(out, ref):
    return ((out.double() - ref).norm() / ref.norm().clamp_min(1e-30)).item()


def _poison(*shapes):
    """Leaves NaN-filled blocks of these shapes' sizes in the caching allocator."""
    blocks = [torch.full(shape, math.nan, dtype=torch.float32, device="cuda") for shape in shapes]
    del blocks


def _inputs(b, sq, sk, hq, hkv, d, dtype, seed=1234):
    gen = torch.Generator(device="cuda").manual_seed(seed)
    def rnd(*shape):
        return torch.randn(*shape, generator=gen, device="cuda", dtype=torch.float32).to(dtype)
    return rnd(b, sq, hq, d), rnd(b, sk, hkv, d), rnd(b, sk, hkv, d)


def _check(out, lse, ref_out, ref_lse, dtype, tol=None):
    assert not torch.isnan(out).any(), "NaN in the output: elements left unwritten"
    err = _rel_err(out, ref_out)
    tol = tol or TOL[dtype]
    assert err < tol, f"relative error {err:.3e} >= {tol}"
    if lse is not None:
        assert torch.equal(torch.isneginf(lse), torch.isneginf(ref_lse)), "-inf LSE rows differ"
        finite = ~torch.isneginf(ref_lse)
        if finite.any():
            assert (lse.double()[finite] - ref_lse[finite]).abs().max().item() < 1e-2


def _cu_seqlens(lens):
    return torch.tensor([0, *itertools.accumulate(lens)], dtype=torch.int32, device="cuda")


def _block_pool(seq_lens, bs, spare=3):
    """(max_blocks_per_seq, num_blocks) of a cache holding seq_lens in blocks of bs keys,
    with `spare` blocks no sequence owns."""
    max_blocks = max(-(-n // bs) for n in seq_lens)
    return max_blocks, len(seq_lens) * max_blocks + spare


def _shuffled_tables(seq_lens, max_blocks, num_blocks, gen):
    """(block_tables, seq_lens) as int32 CUDA tensors, the blocks handed out shuffled."""
    tables = torch.randperm(num_blocks, generator=gen, device="cuda")[:len(seq_lens) * max_blocks]
    return (tables.view(len(seq_lens), max_blocks).to(torch.int32),
            torch.tensor(seq_lens, dtype=torch.int32, device="cuda"))


def _in_layout(caches_nhd, layout):
    """NHD caches ([blocks, block_size, heads, D]), or their HDB copies."""
    return caches_nhd if layout == "nhd" else tuple(c.permute(0, 2, 3, 1).contiguous() for c in caches_nhd)


def _gather(cache_nhd, tables, i, n):
    """Sequence i's n keys of an NHD cache, contiguous: [1, n, heads, D] float32."""
    return cache_nhd.float()[tables[i].long()].flatten(0, 1)[:n][None]


def _params(name, hq):
    params = dict(VARIANTS[name][0])
    if "slopes" in params:
        params["slopes"] = torch.tensor(SLOPES[:hq], dtype=torch.float32, device="cuda")
    return params


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16], ids=["bf16", "fp16"])
@pytest.mark.parametrize("name", list(VARIANTS))
def test_variants_dense(name, dtype):
    b, sq, sk, hq, hkv, d = 2, 77, 131, 8, 8, 64
    q, k, v = _inputs(b, sq, sk, hq, hkv, d, dtype)
    _, mask, score = VARIANTS[name]
    _poison((b, sq, hq, d), (b, hq, sq))
    out, lse = fadsl.attention(q, k, v, name, params=_params(name, hq), return_lse=True)
    ref_out, ref_lse = _reference(q, k, v, mask, score)
    _check(out, lse, ref_out, ref_lse, dtype)


@pytest.mark.parametrize("d", [64, 96, 128, 192, 256])
@pytest.mark.parametrize("hq, hkv", [(8, 8), (8, 2), (8, 1)], ids=["mha", "gqa4", "mqa"])
def test_causal_head_dims_and_gqa(d, hq, hkv):
    q, k, v = _inputs(2, 200, 200, hq, hkv, d, torch.bfloat16)
    _poison((2, 200, hq, d))
    out = fadsl.attention(q, k, v, "causal")
    _check(out, None, _reference(q, k, v, VARIANTS["causal"][1])[0], None, torch.bfloat16)


def test_more_queries_than_keys_gives_zero_rows_and_neg_inf_lse():
    q, k, v = _inputs(1, 80, 64, 4, 4, 64, torch.bfloat16)
    out, lse = fadsl.attention(q, k, v, "causal", return_lse=True)
    ref_out, ref_lse = _reference(q, k, v, VARIANTS["causal"][1])
    _check(out, lse, ref_out, ref_lse, torch.bfloat16)
    assert torch.equal(out[:, :16], torch.zeros_like(out[:, :16]))


def test_softmax_scale_and_strided_inputs():
    q, k, v = _inputs(2, 64, 96, 4, 2, 128, torch.float16)
    qt = q.transpose(1, 2).contiguous().transpose(1, 2)     # [B,S,H,D] view of [B,H,S,D]
    out = fadsl.attention(qt, k, v, "none", softmax_scale=0.05)
    _check(out, None, _reference(q, k, v, VARIANTS["none"][1], scale=0.05)[0], None, torch.float16)


@pytest.mark.parametrize("pad", [0, 3])
@pytest.mark.parametrize("name", ["causal", "sliding_window"])
def test_varlen(name, pad):
    """Packed sequences; with `pad` rows of q past the last one, which lse's [heads, total_q]
    shape counts (each head's row is q.shape[0] long)."""
    lens_q, lens_k = [5, 64, 33], [40, 64, 100]
    hq, hkv, d, dtype = 8, 2, 128, torch.bfloat16
    qs = [_inputs(1, lq, lk, hq, hkv, d, dtype, seed=i) for i, (lq, lk) in enumerate(zip(lens_q, lens_k))]
    total = sum(lens_q)
    q = torch.cat([t[0][0] for t in qs] + [torch.randn(pad, hq, d, device="cuda").to(dtype)])
    k = torch.cat([t[1][0] for t in qs])
    v = torch.cat([t[2][0] for t in qs])
    _poison(q.shape, (hq, q.shape[0]))
    out, lse = fadsl.attention(q, k, v, name, params=_params(name, hq), return_lse=True,
                               cu_seqlens_q=_cu_seqlens(lens_q), cu_seqlens_k=_cu_seqlens(lens_k))
    assert out.shape == q.shape and lse.shape == (hq, q.shape[0])
    _, mask, score = VARIANTS[name]
    refs = [_reference(*t, mask, score) for t in qs]
    ref_out = torch.cat([r[0][0] for r in refs])
    ref_lse = torch.cat([r[1][0] for r in refs], dim=1)
    _check(out[:total], lse[:, :total], ref_out, ref_lse, dtype)
    # a loose max_seqlen_q above q's rows (a bound fixed for CUDA graph capture) is no error
    loose = fadsl.attention(q, k, v, name, params=_params(name, hq), cu_seqlens_q=_cu_seqlens(lens_q),
                            cu_seqlens_k=_cu_seqlens(lens_k), max_seqlen_q=q.shape[0] + 400, max_seqlen_k=100)
    assert torch.equal(loose[:total], out[:total])


def test_torch_compile_and_cuda_graph():
    q, k, v = _inputs(2, 128, 128, 8, 2, 128, torch.bfloat16)
    ref = fadsl.attention(q, k, v, "sliding_window", params={"window_left": 16})
    compiled = torch.compile(lambda a, b, c: fadsl.attention(a, b, c, "sliding_window", params={"window_left": 16}) * 2,
                             fullgraph=True)
    torch.testing.assert_close(compiled(q, k, v), ref * 2)
    graph = torch.cuda.CUDAGraph()
    static_q = q.clone()
    with torch.cuda.graph(graph):
        static_out = fadsl.attention(static_q, k, v, "sliding_window", params={"window_left": 16})
    static_q.copy_(torch.flip(q, dims=[1]))
    graph.replay()
    torch.cuda.synchronize()
    torch.testing.assert_close(static_out, fadsl.attention(static_q, k, v, "sliding_window", params={"window_left": 16}))


def test_runtime_errors_are_fadsl_errors():
    q, k, v = _inputs(1, 32, 32, 2, 2, 64, torch.bfloat16)
    with pytest.raises(fadsl.FadslError) as info:
        fadsl.attention(q, k, v, "sliding_window", params={"no_such_param": 1})
    assert info.value.status == "ERR_PARAM"
    flat = torch.empty(q.numel() + 1, dtype=q.dtype, device="cuda")
    misaligned = flat[1:].view(q.shape)
    with pytest.raises(fadsl.FadslError) as info:
        fadsl.attention(misaligned, k, v)
    assert info.value.status == "ERR_MISALIGNED"
    with pytest.raises(fadsl.FadslError) as info:
        fadsl.attention(q, k, v, "variant broken { mask = k <=; }")
    assert info.value.status == "ERR_SYNTAX" and "^" in info.value.detail
    with pytest.raises(fadsl.FadslError) as info:   # a require of the variant: softcap's cap > 0
        fadsl.attention(q, k, v, "softcap", params={"cap": 0.0})
    assert info.value.status == "ERR_PARAM" and "requires cap > 0" in info.value.detail
    cache = torch.randn(2, 2, 64, 16, device="cuda").to(torch.bfloat16)
    tables = torch.tensor([[0, 1]], dtype=torch.int32, device="cuda")
    lens = torch.tensor([32], dtype=torch.int32, device="cuda")
    with pytest.raises(fadsl.FadslError) as info:
        fadsl.paged_attention(q[:, -1:].contiguous(), cache, cache, tables, lens, "chunked_local",
                              params={"chunk": -4})
    assert info.value.status == "ERR_PARAM" and "but chunk = -4" in info.value.detail


def test_every_device_under_torch():
    """device_arch(i) names device i's arch, and a forward on device i runs there, whichever
    device torch has current (the C helper refuses a device other than the current one)."""
    current = torch.cuda.current_device()
    q, k, v = _inputs(1, 40, 70, 4, 2, 64, torch.bfloat16)
    want = fadsl.attention(q, k, v, "causal")
    for i in range(torch.cuda.device_count()):
        cc = torch.cuda.get_device_capability(i)
        older = [a for a in ("sm_80", "sm_86", "sm_89") if int(a[3:]) <= cc[0] * 10 + cc[1]]
        assert fadsl.device_arch(i) == ("sm_90a" if cc == (9, 0) else older[-1])
        dev = torch.device("cuda", i)
        got = fadsl.attention(q.to(dev), k.to(dev), v.to(dev), "causal")
        assert got.device == dev
        torch.testing.assert_close(got.cpu(), want.cpu())
        assert torch.cuda.current_device() == current
    with pytest.raises(fadsl.FadslError):   # not torch's error
        fadsl.device_arch(torch.cuda.device_count())


def test_bad_offsets_are_refused_before_the_launch():
    """Offsets read for max_seqlen are checked: past k's rows, or a sequence with more new
    tokens than its paged seq_lens, are refused (ValueError) and nothing runs; rows past
    the last offset are padding."""
    q, k, v = _inputs(1, 7, 9, 2, 2, 64, torch.bfloat16)
    q, k, v = q[0], k[0], v[0]
    with pytest.raises(ValueError, match=r"cu_seqlens_k\[-1\] is 10, but k has only 9 rows"):
        fadsl.attention(q, k, v, cu_seqlens_q=_cu_seqlens([3, 4]), cu_seqlens_k=_cu_seqlens([5, 5]))
    padded = fadsl.attention(q, k, v, cu_seqlens_q=_cu_seqlens([3, 4]), cu_seqlens_k=_cu_seqlens([5, 3]))
    exact = fadsl.attention(q, k[:8], v[:8], cu_seqlens_q=_cu_seqlens([3, 4]), cu_seqlens_k=_cu_seqlens([5, 3]))
    assert torch.equal(padded, exact)
    cache = torch.randn(4, 16, 2, 64, device="cuda").to(torch.bfloat16)
    tables = torch.tensor([[0, 1], [2, 3]], dtype=torch.int32, device="cuda")
    lens = torch.tensor([20, 3], dtype=torch.int32, device="cuda")
    with pytest.raises(ValueError, match=r"sequence 1 has 4 new tokens in cu_seqlens_q, but seq_lens\[1\] is 3"):
        fadsl.paged_attention(q, cache, cache, tables, lens, layout="nhd", cu_seqlens_q=_cu_seqlens([3, 4]))


def test_packed_batch_without_queries_or_keys_is_refused():
    """Packed sequences may be empty, but not all of them: no query rows at all is an
    empty batch (ERR_EMPTY_BATCH), no keys at all a key length out of range (ERR_SEQLEN);
    either way nothing runs. One empty sequence among others is computed (test_gpu_fuzz)."""
    q, k, v = _inputs(1, 7, 9, 2, 2, 64, torch.bfloat16)
    q, k, v = q[0], k[0], v[0]
    with pytest.raises(fadsl.FadslError) as info:
        fadsl.attention(q, k, v, cu_seqlens_q=_cu_seqlens([0, 0]), cu_seqlens_k=_cu_seqlens([5, 4]))
    assert info.value.status == "ERR_EMPTY_BATCH"
    with pytest.raises(fadsl.FadslError) as info:
        fadsl.attention(q, k, v, cu_seqlens_q=_cu_seqlens([3, 4]), cu_seqlens_k=_cu_seqlens([0, 0]))
    assert info.value.status == "ERR_SEQLEN"
    out = fadsl.attention(q, k, v, "none", cu_seqlens_q=_cu_seqlens([0, 4]), cu_seqlens_k=_cu_seqlens([5, 4]))
    ref = _reference(q[None, :4], k[None, 5:], v[None, 5:], VARIANTS["none"][1])[0]
    _check(out[None, :4], None, ref, None, torch.bfloat16)


@pytest.mark.parametrize("layout", ["nhd", "hdb"])
@pytest.mark.parametrize("q_tokens", [1, 4])
def test_paged_against_dense_reference(layout, q_tokens):
    hq, hkv, d, bs, dtype = 8, 2, 128, 16, torch.bfloat16
    seq_lens = [37, 16, 80]
    max_blocks, num_blocks = _block_pool(seq_lens, bs)
    gen = torch.Generator(device="cuda").manual_seed(7)
    k_nhd = torch.randn(num_blocks, bs, hkv, d, generator=gen, device="cuda").to(dtype)
    v_nhd = torch.randn(num_blocks, bs, hkv, d, generator=gen, device="cuda").to(dtype)
    tables, lens = _shuffled_tables(seq_lens, max_blocks, num_blocks, gen)
    q = torch.randn(len(seq_lens), q_tokens, hq, d, generator=gen, device="cuda").to(dtype)
    caches = _in_layout((k_nhd, v_nhd), layout)
    try:
        out, lse = fadsl.paged_attention(q, *caches, tables, lens, "causal", layout=layout, return_lse=True)
    except fadsl.FadslError as e:
        if e.status == "ERR_UNSUPPORTED":
            pytest.skip(f"paged {layout} not built yet: {e.detail}")
        raise
    for i, n in enumerate(seq_lens):
        k, v = _gather(k_nhd, tables, i, n), _gather(v_nhd, tables, i, n)
        ref_out, ref_lse = _reference(q[i:i + 1], k, v, VARIANTS["causal"][1])
        _check(out[i:i + 1], lse[i:i + 1], ref_out, ref_lse, dtype)


@pytest.mark.parametrize("name,layout,kv", [(n, l, "bf16") for n in ("softcap", "chunked_local", "prefix_lm", "document")
                                             for l in ("nhd", "hdb")] +
                         [(n, l, "fp8") for n in ("softcap", "document") for l in ("nhd", "hdb")])
def test_paged_variants(name, layout, kv):
    """Variants the C paged suite does not run (score changes, chunk and prefix masks, a
    tensor parameter over the keys), paged at decode and in 5-token chunks (the decode
    kernel) and 41-token chunks (the forward kernel, which scans document's key tiles) over
    shuffled blocks, against the float64 reference of the gathered (dequantised) keys."""
    hq, hkv, d, bs, dtype = 8, 2, 128, 16, torch.bfloat16
    seq_lens = [45, 41, 70]
    max_blocks, num_blocks = _block_pool(seq_lens, bs)
    gen = torch.Generator(device="cuda").manual_seed(5)
    kv_dtype = torch.float8_e4m3fn if kv == "fp8" else dtype
    k_nhd, v_nhd = (torch.randn(num_blocks, bs, hkv, d, generator=gen, device="cuda").to(kv_dtype) for _ in range(2))
    caches = _in_layout((k_nhd, v_nhd), layout)
    tables, lens = _shuffled_tables(seq_lens, max_blocks, num_blocks, gen)
    params, mask, score = dict(VARIANTS.get(name, ({}, None, None))[0]), None, None
    if name == "document":   # documents of 1-30 tokens over each sequence's key capacity
        doc = (torch.rand(len(seq_lens), max_blocks * bs, generator=gen, device="cuda") < 0.1).cumsum(1).to(torch.int32)
        params = {"doc": doc}
    else:
        _, mask, score = VARIANTS[name]
    for q_tokens in (1, 5, 41):
        q = torch.randn(len(seq_lens), q_tokens, hq, d, generator=gen, device="cuda").to(dtype)
        _poison((len(seq_lens), q_tokens, hq, d))
        out, lse = fadsl.paged_attention(q, *caches, tables, lens, name, params=params, layout=layout,
                                         return_lse=True)
        for i, n in enumerate(seq_lens):
            k, v = _gather(k_nhd, tables, i, n), _gather(v_nhd, tables, i, n)
            if name == "document":
                mask = lambda qp, kp, di=doc[i]: (kp <= qp) & (di[kp] == di[qp])   # noqa: E731
            ref_out, ref_lse = _reference(q[i:i + 1], k, v, mask, score)
            _check(out[i:i + 1], lse[i:i + 1], ref_out, ref_lse, dtype, tol=5e-2 if kv == "fp8" else None)


@pytest.mark.parametrize("layout", ["nhd", "hdb"])
@pytest.mark.parametrize("fp8", [torch.float8_e4m3fn, torch.float8_e5m2], ids=["e4m3", "e5m2"])
def test_paged_fp8_per_head_scales(layout, fp8):
    """fp8 caches with per-head k scales and a scalar v scale, then per-head v scales,
    at decode and in 5-token chunks, against the reference of the scaled keys."""
    hq, hkv, d, bs, dtype = 8, 2, 128, 16, torch.bfloat16
    seq_lens = [45, 16, 70]
    max_blocks, num_blocks = _block_pool(seq_lens, bs)
    gen = torch.Generator(device="cuda").manual_seed(9)
    k_nhd, v_nhd = (torch.randn(num_blocks, bs, hkv, d, generator=gen, device="cuda").to(fp8) for _ in range(2))
    caches = _in_layout((k_nhd, v_nhd), layout)
    tables, lens = _shuffled_tables(seq_lens, max_blocks, num_blocks, gen)
    k_heads = torch.tensor([0.25, 3.0], device="cuda")
    v_heads = torch.tensor([2.0, 0.5], device="cuda")
    for q_tokens, v_scale in ((1, 1.5), (5, v_heads)):
        q = torch.randn(len(seq_lens), q_tokens, hq, d, generator=gen, device="cuda").to(dtype)
        _poison((len(seq_lens), q_tokens, hq, d))
        out, lse = fadsl.paged_attention(q, *caches, tables, lens, "causal", layout=layout, k_scale=k_heads,
                                         v_scale=v_scale, return_lse=True)
        v_mult = v_scale[:, None] if isinstance(v_scale, torch.Tensor) else v_scale
        for i, n in enumerate(seq_lens):
            k, v = _gather(k_nhd, tables, i, n) * k_heads[:, None], _gather(v_nhd, tables, i, n) * v_mult
            ref_out, ref_lse = _reference(q[i:i + 1], k, v, VARIANTS["causal"][1])
            _check(out[i:i + 1], lse[i:i + 1], ref_out, ref_lse, dtype, tol=5e-2)


@pytest.mark.parametrize("q_lens", [[5, 16, 130, 1], [2, 0, 3, 1]])
@pytest.mark.parametrize("cache", ["bf16 nhd", "bf16 hdb", "fp8 nhd", "fp8 hdb"])
@pytest.mark.parametrize("variant", ["causal", "sliding_window"])
def test_paged_packed_queries(variant, cache, q_lens):
    """Varlen chunked prefill over a paged cache: sequence i's q_lens[i] newest tokens,
    packed with cu_seqlens_q, against the float64 reference of the gathered keys. Every
    layout and cache type: the decode kernel (up to 128 rows, fp8 256: GQA 4 x 3 tokens; fp8
    HDB always) or the forward kernel (x 130 tokens; 16-bit HDB on sm_90a; fp8 NHD through
    fa2_fwd's byte stages). fp8
    caches with per-head scales. q has two padding rows past the last sequence's (lse is [heads, total_q] with
    them); the longest sequence splits (the merge writes packed rows)."""
    hq, hkv, d, bs, dtype = 8, 2, 128, 16, torch.bfloat16
    seq_lens = [37, 16, 3000, 5]
    kv_dtype = torch.float8_e4m3fn if cache.startswith("fp8") else dtype
    max_blocks, num_blocks = _block_pool(seq_lens, bs)
    gen = torch.Generator(device="cuda").manual_seed(11)
    k_nhd, v_nhd = (torch.randn(num_blocks, bs, hkv, d, generator=gen, device="cuda").to(kv_dtype) for _ in range(2))
    tables, lens = _shuffled_tables(seq_lens, max_blocks, num_blocks, gen)
    total, pad = sum(q_lens), 2
    q = torch.randn(total + pad, hq, d, generator=gen, device="cuda").to(dtype)
    cu = _cu_seqlens(q_lens)
    params = _params(variant, hq)
    scales = {}
    if kv_dtype != dtype:
        scales = {"k_scale": torch.tensor([0.5, 1.25], device="cuda"), "v_scale": torch.tensor([2.0, 0.75], device="cuda")}
    _poison((total + pad, hq, d))
    out, lse = fadsl.paged_attention(q, *_in_layout((k_nhd, v_nhd), cache.split()[1]), tables, lens, variant,
                                     params=params, layout=cache.split()[1], return_lse=True, cu_seqlens_q=cu,
                                     **scales)
    assert out.shape == q.shape and lse.shape == (hq, total + pad)
    k_mult = scales["k_scale"][:, None] if scales else 1.0
    v_mult = scales["v_scale"][:, None] if scales else 1.0
    for i, n in enumerate(seq_lens):
        k, v = _gather(k_nhd, tables, i, n) * k_mult, _gather(v_nhd, tables, i, n) * v_mult
        a, b = cu[i].item(), cu[i + 1].item()
        if a == b:
            continue
        ref_out, ref_lse = _reference(q[None, a:b], k, v, VARIANTS[variant][1])
        _check(out[None, a:b], lse[:, a:b][None], ref_out, ref_lse, dtype, tol=5e-2 if scales else None)


@pytest.mark.parametrize("kv", ["bf16", "fp8"])
@pytest.mark.parametrize("layout", ["nhd", "hdb"])
@pytest.mark.parametrize("variant", ["sliding_window", "sink_window", "gpt_oss"])
def test_paged_window_skips_blocks_outside_it(variant, layout, kv):
    """Blocks wholly outside a sequence's window are not read: their K and V are NaN, which
    any tile that used them would spread to the output (p = 0 times NaN). Kernels read
    whole key tiles (up to 128 keys) and the sink tile, so only blocks below the window's
    start rounded down to 256 keys (and above the first 256 keys with sinks) are
    poisoned. Decode, 5-token chunks (the decode kernel) and 100-token chunks (the forward
    kernel for 16-bit NHD caches); the reference uses the clean cache."""
    hq, hkv, d, bs, dtype, window = 8, 2, 128, 16, torch.bfloat16, 100
    seq_lens = [3000, 700, 130]
    max_blocks, num_blocks = _block_pool(seq_lens, bs)
    gen = torch.Generator(device="cuda").manual_seed(13)
    kv_dtype = torch.float8_e4m3fn if kv == "fp8" else dtype
    k_clean, v_clean = (torch.randn(num_blocks, bs, hkv, d, generator=gen, device="cuda").to(kv_dtype).float()
                        for _ in range(2))
    tables, lens = _shuffled_tables(seq_lens, max_blocks, num_blocks, gen)
    sinks = torch.randn(hq, generator=gen, device="cuda")
    params = {"sliding_window": {"window_left": window, "window_right": 0}, "sink_window": {"window": window},
              "gpt_oss": {"window": window, "sinks": sinks}}[variant]
    reach = window if variant == "sliding_window" else window - 1   # keys back from the query

    def visible(qp, kp):
        near = (kp <= qp) & (qp - kp <= reach)
        return near | ((kp < 4) & (kp <= qp)) if variant == "sink_window" else near

    low = 256 if variant == "sink_window" else 0
    for q_tokens in (1, 5, 100):
        k_pois, v_pois = k_clean.clone(), v_clean.clone()
        poisoned = 0
        for i, n in enumerate(seq_lens):
            top = max(n - q_tokens - window, 0) // 256 * 256
            if top > low:
                ids = tables[i, low // bs:top // bs].long()
                k_pois[ids], v_pois[ids] = math.nan, math.nan
                poisoned += len(ids)
        assert poisoned > 0
        caches = _in_layout(tuple(c.to(kv_dtype) for c in (k_pois, v_pois)), layout)
        q = torch.randn(len(seq_lens), q_tokens, hq, d, generator=gen, device="cuda").to(dtype)
        _poison((len(seq_lens), q_tokens, hq, d))
        out, lse = fadsl.paged_attention(q, *caches, tables, lens, variant, params=params, layout=layout,
                                         return_lse=True)
        for i, n in enumerate(seq_lens):
            k, v = _gather(k_clean, tables, i, n), _gather(v_clean, tables, i, n)
            ref_out, ref_lse = _reference(q[i:i + 1], k, v, visible, sinks=sinks if variant == "gpt_oss" else None)
            _check(out[i:i + 1], lse[i:i + 1], ref_out, ref_lse, dtype, tol=5e-2 if kv == "fp8" else None)
    # the control: NaN in a block inside the first sequence's window reaches every head of
    # its decode (a split one: the launch is sized for 3000 keys), and no other sequence
    inside = int(tables[0, (seq_lens[0] - 1 - window // 2) // bs])
    for c in caches:   # block `inside` is dim 0 in both layouts
        c[inside].copy_(torch.full(c[inside].shape, math.nan, device="cuda"))
    q = torch.randn(len(seq_lens), 1, hq, d, generator=gen, device="cuda").to(dtype)
    out, lse = fadsl.paged_attention(q, *caches, tables, lens, variant, params=params, layout=layout,
                                     return_lse=True)
    assert torch.isnan(out[0]).all() and torch.isnan(lse[0]).all()
    assert not torch.isnan(out[1:]).any() and not torch.isnan(lse[1:]).any()


@pytest.mark.parametrize("layout", ["nhd", "hdb"])
def test_paged_sinks_of_minus_infinity_add_nothing(layout):
    """gpt_oss with some heads' sink logits -inf (their sink off) over a split decode in
    which split 0, the one that folds the sink in, gets no tile (a 64-key window of a
    6000-key launch), and a 2-token sequence: finite outputs equal to the reference."""
    hq, hkv, d, bs, dtype, window = 8, 2, 128, 16, torch.bfloat16, 64
    seq_lens = [6000, 2]
    max_blocks, num_blocks = _block_pool(seq_lens, bs, spare=0)
    gen = torch.Generator(device="cuda").manual_seed(21)
    k_nhd, v_nhd = (torch.randn(num_blocks, bs, hkv, d, generator=gen, device="cuda").to(dtype) for _ in range(2))
    caches = _in_layout((k_nhd, v_nhd), layout)
    tables, lens = _shuffled_tables(seq_lens, max_blocks, num_blocks, gen)
    sinks = torch.randn(hq, generator=gen, device="cuda")
    sinks[::2] = -math.inf
    q = torch.randn(len(seq_lens), 1, hq, d, generator=gen, device="cuda").to(dtype)
    out, lse = fadsl.paged_attention(q, *caches, tables, lens, "gpt_oss", params={"window": window, "sinks": sinks},
                                     layout=layout, return_lse=True)
    for i, n in enumerate(seq_lens):
        k, v = _gather(k_nhd, tables, i, n), _gather(v_nhd, tables, i, n)
        ref_out, ref_lse = _reference(q[i:i + 1], k, v, lambda qp, kp: (kp <= qp) & (qp - kp < window), sinks=sinks)
        _check(out[i:i + 1], lse[i:i + 1], ref_out, ref_lse, dtype)


def test_paged_decode_split_kv():
    """One long sequence: the decode splits its keys over the SMs (workspace from PyTorch)
    and merges; the result matches the float64 reference."""
    hq, hkv, d, bs, dtype, n = 32, 8, 128, 16, torch.bfloat16, 8000
    blocks = -(-n // bs)
    gen = torch.Generator(device="cuda").manual_seed(5)
    k_nhd = torch.randn(blocks + 2, bs, hkv, d, generator=gen, device="cuda").to(dtype)
    v_nhd = torch.randn(blocks + 2, bs, hkv, d, generator=gen, device="cuda").to(dtype)
    table = torch.randperm(blocks + 2, generator=gen, device="cuda")[:blocks].view(1, blocks).to(torch.int32)
    q = torch.randn(1, 1, hq, d, generator=gen, device="cuda").to(dtype)
    lens = torch.tensor([n], dtype=torch.int32, device="cuda")
    out, lse = fadsl.paged_attention(q, k_nhd, v_nhd, table, lens, "causal", layout="nhd", return_lse=True)
    k, v = _gather(k_nhd, table, 0, n), _gather(v_nhd, table, 0, n)
    ref_out, ref_lse = _reference(q, k, v, VARIANTS["causal"][1])
    _check(out, lse, ref_out, ref_lse, dtype)


@pytest.mark.parametrize("name", ["none", "causal", "sliding_window", "causal_alibi"])
@pytest.mark.parametrize("tokens", [1, 3])
@pytest.mark.parametrize("layout", ["bshd", "bhsd", "cache"])
def test_dense_decode_split_kv(name, tokens, layout):
    """A few query tokens over long contiguous K/V take the decode template, split over the
    SMs (workspace from PyTorch) and merged: K/V as [B, S, H, D], as views of SDPA's
    [B, H, S, D], and as the first keys of a longer static cache; the result (out, LSE)
    matches the float64 reference, also replayed from a CUDA graph on new queries."""
    from fadsl import _ops
    b, sk, hq, hkv, d, dtype = 2, 7000, 8, 2, 128, torch.bfloat16
    gen = torch.Generator(device="cuda").manual_seed(21 + tokens)
    if layout == "bhsd":
        k, v = (torch.randn(b, hkv, sk, d, generator=gen, device="cuda").to(dtype).transpose(1, 2) for _ in range(2))
    elif layout == "cache":
        k, v = (torch.randn(b, sk + 900, hkv, d, generator=gen, device="cuda").to(dtype)[:, :sk] for _ in range(2))
    else:
        k, v = (torch.randn(b, sk, hkv, d, generator=gen, device="cuda").to(dtype) for _ in range(2))
    q = torch.randn(b, tokens, hq, d, generator=gen, device="cuda").to(dtype)
    params, mask, score = _params(name, hq), VARIANTS[name][1], VARIANTS[name][2]
    desc, keep = _ops.dense_desc(q, k, v, torch.empty_like(q), torch.empty(0), "none", ("", [], []), 0.0,
                                 None, None, 0, 0)
    assert _ops._split_workspace(desc, q.device) is not None   # the decode splits (and merges)
    out, lse = fadsl.attention(q, k, v, name, params=params, return_lse=True)
    ref_out, ref_lse = _reference(q, k, v, mask, score)
    _check(out, lse, ref_out, ref_lse, dtype)
    static_q = q.clone()
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        static_out = fadsl.attention(static_q, k, v, name, params=params)
    static_q.copy_(torch.randn(q.shape, generator=gen, device="cuda").to(dtype))
    static_out.fill_(float("nan"))
    graph.replay()
    torch.cuda.synchronize()
    _check(static_out, None, _reference(static_q, k, v, mask, score)[0], None, dtype)


def test_dense_decode_packed():
    """Packed (varlen) decode-sized requests take the decode template too: sequences of 1-4
    query tokens over 1-9000 keys, one with fewer keys than queries (its rows at negative
    positions see no key under causal: 0 and -inf), padding rows after the last sequence
    left unwritten."""
    hq, hkv, d, dtype = 8, 2, 64, torch.float16
    lens_q, lens_k = [1, 4, 2, 3], [9000, 1, 130, 64]
    gen = torch.Generator(device="cuda").manual_seed(33)
    q = torch.randn(sum(lens_q) + 2, hq, d, generator=gen, device="cuda").to(dtype)
    k, v = (torch.randn(sum(lens_k), hkv, d, generator=gen, device="cuda").to(dtype) for _ in range(2))
    cu_q, cu_k = _cu_seqlens(lens_q), _cu_seqlens(lens_k)
    out, lse = fadsl.attention(q, k, v, "causal", cu_seqlens_q=cu_q, cu_seqlens_k=cu_k, return_lse=True)
    for i in range(len(lens_q)):
        qs, ks = slice(cu_q[i].item(), cu_q[i + 1].item()), slice(cu_k[i].item(), cu_k[i + 1].item())
        ref_out, ref_lse = _reference(q[None, qs], k[None, ks], v[None, ks], VARIANTS["causal"][1])
        _check(out[None, qs], lse[None, :, qs], ref_out, ref_lse, dtype)


def _broadcast_row(shape, dtype, seed):
    """A tensor of `shape` expanded from one random head_dim row at the start of a NaN-filled
    buffer (every stride but the last 0): a kernel reading it as contiguous meets the NaN."""
    buf = torch.full((1 << 22,), math.nan, dtype=dtype, device="cuda")
    gen = torch.Generator(device="cuda").manual_seed(seed)
    buf[:shape[-1]] = torch.randn(shape[-1], generator=gen, device="cuda").to(dtype)
    return buf[:shape[-1]].view(*[1] * (len(shape) - 1), shape[-1]).expand(*shape)


def test_broadcast_inputs():
    """q, k or v expanded from one row (every stride but head_dim's 0, which the C API reads as
    contiguous) give what their materialised copies give: dense, packed and paged q."""
    q, k, v = _inputs(2, 64, 256, 8, 2, 64, torch.bfloat16)
    for i, name in enumerate(("q", "k", "v")):
        args = [q, k, v]
        args[i] = _broadcast_row(args[i].shape, torch.bfloat16, seed=i)
        out = fadsl.attention(*args, "causal")
        assert torch.equal(out, fadsl.attention(*(t.contiguous() for t in args), "causal")), name
    packed, cu = _broadcast_row((100, 8, 64), torch.bfloat16, seed=3), _cu_seqlens([60, 40])
    kp, vp = k[0, :200].contiguous(), v[0, :200].contiguous()
    out = fadsl.attention(packed, kp, vp, "causal", cu_seqlens_q=cu, cu_seqlens_k=_cu_seqlens([100, 100]))
    assert torch.equal(out, fadsl.attention(packed.contiguous(), kp, vp, "causal", cu_seqlens_q=cu,
                                            cu_seqlens_k=_cu_seqlens([100, 100])))
    bs, seq_lens = 16, [40, 70]
    max_blocks, num_blocks = _block_pool(seq_lens, bs)
    cache = torch.randn(num_blocks, bs, 2, 64, device="cuda").to(torch.bfloat16)
    tables = torch.arange(len(seq_lens) * max_blocks, dtype=torch.int32, device="cuda").view(len(seq_lens), -1)
    lens = torch.tensor(seq_lens, dtype=torch.int32, device="cuda")
    qd = _broadcast_row((2, 1, 8, 64), torch.bfloat16, seed=4)
    out = fadsl.paged_attention(qd, cache, cache, tables, lens, layout="nhd")
    assert torch.equal(out, fadsl.paged_attention(qd.contiguous(), cache, cache, tables, lens, layout="nhd"))


@pytest.mark.parametrize("lens_q", [[1, 4, 2, 3], [5, 300, 33]])
def test_packed_rows_above_max_seqlen_q_give_nan(lens_q):
    """A max_seqlen_q below a sequence's query rows (trusted, as under graph capture): that
    sequence's rows the grid holds (its first max_seqlen_q) come out NaN, on the decode
    template (GQA 4 x 3 rows) and the forward one (x 299); the other sequences are right."""
    hq, hkv, d, dtype = 8, 2, 64, torch.float16
    lens_k = [lq + 50 * i for i, lq in enumerate(lens_q)]
    gen = torch.Generator(device="cuda").manual_seed(5)
    q = torch.randn(sum(lens_q), hq, d, generator=gen, device="cuda").to(dtype)
    k, v = (torch.randn(sum(lens_k), hkv, d, generator=gen, device="cuda").to(dtype) for _ in range(2))
    cu_q, cu_k = _cu_seqlens(lens_q), _cu_seqlens(lens_k)
    short = max(lens_q) - 1
    out = fadsl.attention(q, k, v, "causal", cu_seqlens_q=cu_q, cu_seqlens_k=cu_k, max_seqlen_q=short,
                          max_seqlen_k=max(lens_k))
    for i, lq in enumerate(lens_q):
        qs, ks = slice(cu_q[i].item(), cu_q[i + 1].item()), slice(cu_k[i].item(), cu_k[i + 1].item())
        if lq > short:
            assert torch.isnan(out[qs][:short]).all(), f"sequence {i}: rows above max_seqlen_q gave numbers"
        else:
            ref_out, _ = _reference(q[None, qs], k[None, ks], v[None, ks], VARIANTS["causal"][1])
            _check(out[None, qs], None, ref_out, None, dtype)


@pytest.mark.parametrize("layout", ["nhd", "hdb"])
@pytest.mark.parametrize("q_tokens", [1, 300])
@pytest.mark.parametrize("kv", ["bf16", "fp8"])
def test_paged_bad_block_table_entry_gives_nan_rows(layout, q_tokens, kv):
    """A block-table entry that names no block (num_blocks, -1) in a block every row of
    sequence 0 sees: no fault, sequence 0's rows NaN, the others as with the good table.
    Entries past a sequence's blocks are -1 throughout: never read. Decode (split for the
    3000-key sequence) and 300-token chunks (the forward template; fp8: its converting
    producers), bf16 and fp8 e4m3 caches."""
    hq, hkv, d, bs, dtype = 8, 2, 128, 16, torch.bfloat16
    kv_dtype = torch.float8_e4m3fn if kv == "fp8" else dtype
    seq_lens = [q_tokens + 700, q_tokens + 40, 3000]
    max_blocks, num_blocks = _block_pool(seq_lens, bs)
    gen = torch.Generator(device="cuda").manual_seed(11)
    k_nhd = torch.randn(num_blocks, bs, hkv, d, generator=gen, device="cuda").to(kv_dtype)
    v_nhd = torch.randn(num_blocks, bs, hkv, d, generator=gen, device="cuda").to(kv_dtype)
    tables, lens = _shuffled_tables(seq_lens, max_blocks, num_blocks, gen)
    for i, n in enumerate(seq_lens):
        tables[i, -(-n // bs):] = -1
    q = torch.randn(len(seq_lens), q_tokens, hq, d, generator=gen, device="cuda").to(dtype)
    caches = _in_layout((k_nhd, v_nhd), layout)
    good, good_lse = fadsl.paged_attention(q, *caches, tables, lens, "causal", layout=layout, return_lse=True)
    for i, n in enumerate(seq_lens):
        k, v = _gather(k_nhd, tables.clamp(min=0), i, n), _gather(v_nhd, tables.clamp(min=0), i, n)
        ref_out, ref_lse = _reference(q[i:i + 1], k, v, VARIANTS["causal"][1])
        _check(good[i:i + 1], good_lse[i:i + 1], ref_out, ref_lse, dtype, tol=5e-2 if kv == "fp8" else None)
    for bad in (num_blocks, -1):
        broken = tables.clone()
        broken[0, (seq_lens[0] - q_tokens) // bs] = bad
        out, lse = fadsl.paged_attention(q, *caches, broken, lens, "causal", layout=layout, return_lse=True)
        assert torch.isnan(out[0]).all() and torch.isnan(lse[0]).all(), f"entry {bad}: sequence 0 not NaN"
        torch.testing.assert_close(out[1:], good[1:])
        torch.testing.assert_close(lse[1:], good_lse[1:])


def test_paged_eager_call_matches_the_op_and_replays_in_a_cuda_graph():
    """fadsl.paged_attention's direct (eager) call and the torch op give the same bits, a
    call needing grad goes through the op (plain tensors take the direct path), and a split
    decode (workspace from PyTorch) captured in a CUDA graph replays on new queries."""
    hq, hkv, d, bs, dtype, n = 32, 8, 128, 16, torch.bfloat16, 6000
    blocks = -(-n // bs)
    gen = torch.Generator(device="cuda").manual_seed(11)
    k_nhd = torch.randn(blocks, bs, hkv, d, generator=gen, device="cuda").to(dtype)
    v_nhd = torch.randn(blocks, bs, hkv, d, generator=gen, device="cuda").to(dtype)
    table = torch.randperm(blocks, generator=gen, device="cuda").view(1, blocks).to(torch.int32)
    q = torch.randn(1, 1, hq, d, generator=gen, device="cuda").to(dtype)
    lens = torch.tensor([n], dtype=torch.int32, device="cuda")
    from fadsl import _ops
    desc, keep = _ops.paged_desc(q, k_nhd, v_nhd, table, lens, torch.empty_like(q), torch.empty(0), "none",
                                 ("", [], []), 1, (0.0, None, 0.0, None), 0.0)
    assert _ops._split_workspace(desc, q.device) is not None   # the request splits (and merges)
    eager = fadsl.paged_attention(q, k_nhd, v_nhd, table, lens, "none", layout="nhd")
    op, _ = torch.ops.fadsl.paged_attention(q, k_nhd, v_nhd, table, lens, "none", "", [], [], 1, 0.0, None, 0.0,
                                            None, 0.0, False, None, 0)
    assert torch.equal(eager, op)
    impl, routed = _ops.paged_attention_eager, []
    _ops.paged_attention_eager = lambda *a: routed.append(1) or impl(*a)
    try:
        with_grad = fadsl.paged_attention(q.clone().requires_grad_(), k_nhd, v_nhd, table, lens, "none", layout="nhd")
        assert not routed and torch.equal(with_grad.detach(), eager)   # through the op, same bits
        assert torch.equal(fadsl.paged_attention(q, k_nhd, v_nhd, table, lens, "none", layout="nhd"), eager)
        assert routed == [1]   # plain tensors: the direct path
    finally:
        _ops.paged_attention_eager = impl
    static_q = q.clone()
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        static_out = fadsl.paged_attention(static_q, k_nhd, v_nhd, table, lens, "none", layout="nhd")
    static_q.copy_(torch.randn(q.shape, generator=gen, device="cuda").to(dtype))
    static_out.fill_(float("nan"))
    graph.replay()
    torch.cuda.synchronize()
    assert torch.equal(static_out, fadsl.paged_attention(static_q, k_nhd, v_nhd, table, lens, "none", layout="nhd"))


def test_paged_hdb_fp8_split_claims_replay_in_a_cuda_graph(monkeypatch):
    """A split decode of an HDB fp8 cache (its splits claim tiles through counters in the
    workspace) captured in a CUDA graph: each of three replays, on new queries, matches an
    eager call with even shares (FADSL_DETERMINISTIC=1) and the float64 reference. The merge
    zeroes the counters after each replay, so no replay sees another's claims."""
    hq, hkv, d, bs, n = 32, 8, 128, 16, 20000
    blocks = -(-n // bs)
    gen = torch.Generator(device="cuda").manual_seed(12)
    k = (torch.randn(blocks, hkv, d, bs, generator=gen, device="cuda") * 0.5).to(torch.float8_e4m3fn)
    v = (torch.randn(blocks, hkv, d, bs, generator=gen, device="cuda") * 0.5).to(torch.float8_e4m3fn)
    table = torch.randperm(blocks, generator=gen, device="cuda").view(1, blocks).to(torch.int32)
    lens = torch.tensor([n], dtype=torch.int32, device="cuda")
    q = torch.randn(1, 1, hq, d, generator=gen, device="cuda").to(torch.bfloat16)
    static_q = q.clone()
    fadsl.paged_attention(static_q, k, v, table, lens, "none", layout="hdb")   # compiles outside the capture
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        static_out = fadsl.paged_attention(static_q, k, v, table, lens, "none", layout="hdb")
    keys = k.float().permute(0, 3, 1, 2)[table[0].long()].reshape(-1, hkv, d)[:n].double()
    vals = v.float().permute(0, 3, 1, 2)[table[0].long()].reshape(-1, hkv, d)[:n].double()
    for _ in range(3):
        static_q.copy_(torch.randn(q.shape, generator=gen, device="cuda").to(torch.bfloat16))
        static_out.fill_(float("nan"))
        graph.replay()
        torch.cuda.synchronize()
        monkeypatch.setenv("FADSL_DETERMINISTIC", "1")
        even = fadsl.paged_attention(static_q, k, v, table, lens, "none", layout="hdb")
        monkeypatch.delenv("FADSL_DETERMINISTIC")
        qd = static_q[0, 0].double().view(hkv, hq // hkv, d)
        p = torch.softmax(torch.einsum("hgd,nhd->hgn", qd, keys) / d ** 0.5, dim=-1)
        ref = torch.einsum("hgn,nhd->hgd", p, vals).reshape(hq, d)
        out = static_out[0, 0].double()
        assert torch.isfinite(out).all()
        assert (out - ref).norm() / ref.norm() < 5e-2
        assert (out - even[0, 0].double()).norm() / ref.norm() < 1e-2
