"""Randomised paged attention against the float64 reference (skipped without CUDA).

Each case draws one request from its seed: layout, block size, head dim, GQA ratio, query
and cache dtypes, fp8 scales (none, scalar or per head), a stdlib variant with random
parameters, softmax scale, sequence lengths (1, exact block multiples, long enough to
split), new tokens a sequence (decode, speculative, chunks) or packed queries with padding,
block tables shuffled and padded with -1 or spare entries. The output memory is poisoned
first; out and LSE must match the reference of the gathered, dequantised keys within
test_gpu's bounds (fp8 caches: 5e-2).

    FADSL_FUZZ_CASES=N     cases (default 16); FADSL_FUZZ_SEED=S first seed (default 0)
    FADSL_FUZZ_SHARD=i/n   run the cases whose index is i modulo n (parallel processes)
A failure prints the drawn request; `-k "fuzz[SEED]"` replays it.
"""
import itertools
import math
import os
import random

import pytest

torch = pytest.importorskip("torch")
if not torch.cuda.is_available():
    pytest.skip("no CUDA device: GPU fuzz skipped", allow_module_level=True)

import fadsl  # noqa: E402
from test_gpu import _check, _in_layout, _poison, _reference  # noqa: E402

CASES = int(os.environ.get("FADSL_FUZZ_CASES", "16"))
FIRST = int(os.environ.get("FADSL_FUZZ_SEED", "0"))
SHARD, SHARDS = (int(x) for x in os.environ.get("FADSL_FUZZ_SHARD", "0/1").split("/"))
REFERENCE_BUDGET = 4e7   # q rows x keys x heads of one case's float64 scores


def _variant(r, hq):
    """(name, params, mask(q, k, b) -> bool, score(s, q, k, h) or None, sinks or None)."""
    name = r.choice(["none", "causal", "sliding_window", "sink_window", "chunked_local", "prefix_lm",
                     "softcap", "causal_alibi", "gpt_oss", "document"])
    causal = lambda q, k, b: k <= q   # noqa: E731
    if name == "none":
        return name, {}, lambda q, k, b: torch.ones_like(k <= q), None, None
    if name == "causal":
        return name, {}, causal, None, None
    if name == "sliding_window":
        left, right = r.choice([0, 1, 15, 64, 200, 1000]), r.choice([0, 0, 3, 40])
        return name, {"window_left": left, "window_right": right}, \
            lambda q, k, b: (k >= q - left) & (k <= q + right), None, None
    if name == "sink_window":
        w = r.choice([1, 16, 100, 700])
        return name, {"window": w}, lambda q, k, b: (k <= q) & ((q - k < w) | (k < 4)), None, None
    if name == "chunked_local":
        c = r.choice([16, 37, 128, 500])
        return name, {"chunk": c}, lambda q, k, b: (k <= q) & (k >= torch.div(q, c, rounding_mode="floor") * c), \
            None, None
    if name == "prefix_lm":
        p = r.choice([0, 5, 100, 2000])
        return name, {"prefix": p}, lambda q, k, b: (k <= q) | (k < p), None, None
    if name == "softcap":
        c = r.choice([2.0, 10.0, 50.0])
        return name, {"cap": c}, causal, lambda s, q, k, h: c * torch.tanh(s / c), None
    if name == "causal_alibi":
        slopes = torch.tensor([2.0 ** -r.uniform(0, 8) for _ in range(hq)], device="cuda")
        return name, {"slopes": slopes}, causal, \
            lambda s, q, k, h: s - slopes.double()[h] * (q - k), None
    if name == "gpt_oss":
        w = r.choice([1, 64, 128, 900])
        sinks = torch.tensor([r.uniform(-3, 3) for _ in range(hq)], device="cuda")
        return name, {"window": w, "sinks": sinks}, lambda q, k, b: (k <= q) & (q - k < w), None, sinks
    return name, None, None, None, None   # documents: drawn per sequence by _draw


def _draw(seed):
    """One random request, as a dict of everything the call and the reference need."""
    r = random.Random(seed)
    c = {"seed": seed, "layout": r.choice(["nhd", "hdb"]), "bs": r.choice([8, 16, 32, 64, 128]),
         "d": r.choice([64, 96, 128, 128, 128, 192, 256]), "hkv": r.choice([1, 2, 4, 8]),
         "group": r.choice([1, 2, 4, 8]), "dtype": r.choice([torch.bfloat16, torch.float16])}
    c["kv"] = r.choice([c["dtype"], c["dtype"], torch.float8_e4m3fn, torch.float8_e5m2])
    c["hq"] = c["hkv"] * c["group"]
    n_seqs = r.choice([1, 1, 2, 3, 5])
    long = r.random() < 0.3   # one sequence long enough that a decode splits over the keys
    lens = []
    for i in range(n_seqs):
        kind = r.choice(["one", "blocks", "any", "any"])
        n = 1 if kind == "one" else c["bs"] * r.randint(1, 8) if kind == "blocks" else r.randint(2, 900)
        lens.append(r.randint(5000, 20000) if long and i == 0 else n)
    c["packed"] = r.random() < 0.3
    if c["packed"]:
        c["q_lens"] = [min(n, r.choice([0, 1, 2, 5, 64, 130, 300])) for n in lens]
        if not any(c["q_lens"]):
            c["q_lens"][0] = 1
        c["pad_rows"] = r.choice([0, 0, 3])
    else:
        c["q_tokens"] = min(min(lens), r.choice([1, 1, 1, 2, 5, 64, 130, 500]))
        c["q_lens"] = [c["q_tokens"]] * n_seqs
    budget = sum(ql * n for ql, n in zip(c["q_lens"], lens)) * c["hq"]
    if budget > REFERENCE_BUDGET:   # keep the reference small: fewer new tokens
        c["q_lens"] = [min(ql, 2) for ql in c["q_lens"]]
        if not c["packed"]:
            c["q_tokens"] = c["q_lens"][0]
    c["lens"] = lens
    c["extra_cols"] = r.choice([0, 0, 2])
    c["pad_entries"] = r.choice(["minus_one", "spare"])
    c["softmax_scale"] = r.choice([None, None, 0.05, 0.3])
    c["fp8_scales"] = (r.choice([None, "scalar", "head"]), r.choice([None, "scalar", "head"]))
    c["variant"] = _variant(r, c["hq"])
    if c["variant"][0] == "document":   # a document id per key position of the table's capacity
        cap = (max(-(-n // c["bs"]) for n in lens) + c["extra_cols"]) * c["bs"]
        docs = torch.tensor([sorted(r.randrange(0, 6) for _ in range(cap)) for _ in lens], device="cuda",
                            dtype=torch.int32)
        c["variant"] = ("document", {"doc": docs}, None, None, None)
    c["rand"] = r
    return c


def _describe(c):
    keys = ("seed", "layout", "bs", "d", "hkv", "hq", "dtype", "kv", "lens", "q_lens", "packed", "extra_cols",
            "pad_entries", "softmax_scale", "fp8_scales")
    name, params = c["variant"][:2]
    shown = {k: (v.tolist() if isinstance(v, torch.Tensor) and v.numel() <= 16 else
                 f"tensor{tuple(v.shape)}" if isinstance(v, torch.Tensor) else v) for k, v in params.items()}
    return ", ".join(f"{k}={c[k]}" for k in keys if k in c) + f", variant={name} {shown}"


def _scale(kind, r, hkv):
    if kind == "scalar":
        return r.uniform(0.25, 4.0)
    if kind == "head":
        return torch.tensor([r.uniform(0.25, 4.0) for _ in range(hkv)], device="cuda")
    return None


@pytest.mark.parametrize("seed", [s for s in range(FIRST, FIRST + CASES) if s % SHARDS == SHARD])
def test_fuzz(seed):
    c = _draw(seed)
    r, bs, d, hkv, hq, dtype, kv = (c[k] for k in ("rand", "bs", "d", "hkv", "hq", "dtype", "kv"))
    gen = torch.Generator(device="cuda").manual_seed(seed)
    lens, q_lens = c["lens"], c["q_lens"]
    used = [-(-n // bs) for n in lens]
    cols = max(used) + c["extra_cols"]
    num_blocks = sum(used) + 4
    k_nhd, v_nhd = (torch.randn(num_blocks, bs, hkv, d, generator=gen, device="cuda").to(kv) for _ in range(2))
    perm = list(range(num_blocks))
    r.shuffle(perm)
    rows, at = [], 0
    for u in used:   # each sequence's blocks, shuffled; past them -1 or blocks it does not own
        pad = [-1] * (cols - u) if c["pad_entries"] == "minus_one" else \
            [perm[(at + u + j) % num_blocks] for j in range(cols - u)]
        rows.append(perm[at:at + u] + pad)
        at += u
    tables = torch.tensor(rows, dtype=torch.int32, device="cuda")
    seq_lens = torch.tensor(lens, dtype=torch.int32, device="cuda")
    fp8 = kv in (torch.float8_e4m3fn, torch.float8_e5m2)
    k_scale, v_scale = (_scale(kind, r, hkv) if fp8 else None for kind in c["fp8_scales"])
    name, params, mask, score, sinks = c["variant"]
    if c["packed"]:
        total = sum(q_lens)
        q = torch.randn(total + c["pad_rows"], hq, d, generator=gen, device="cuda").to(dtype)
        offsets = [0]
        for ql in q_lens:
            offsets.append(offsets[-1] + ql)
        cu = torch.tensor(offsets, dtype=torch.int32, device="cuda")
        out_shape = q.shape
    else:
        q = torch.randn(len(lens), c["q_tokens"], hq, d, generator=gen, device="cuda").to(dtype)
        out_shape = q.shape
    _poison(out_shape, (len(lens), hq, q.shape[1]) if not c["packed"] else (hq, q.shape[0]))
    try:
        out, lse = fadsl.paged_attention(q, *_in_layout((k_nhd, v_nhd), c["layout"]), tables, seq_lens, name,
                                         params=params, layout=c["layout"], k_scale=k_scale, v_scale=v_scale,
                                         return_lse=True, softmax_scale=c["softmax_scale"],
                                         cu_seqlens_q=cu if c["packed"] else None)
    except fadsl.FadslError as e:
        pytest.fail(f"refused: {e}\nrequest: {_describe(c)}")
    torch.cuda.synchronize()
    ks = k_scale[:, None] if isinstance(k_scale, torch.Tensor) else (k_scale or 1.0)
    vs = v_scale[:, None] if isinstance(v_scale, torch.Tensor) else (v_scale or 1.0)
    for i, n in enumerate(lens):
        ids = tables[i, :used[i]].long()
        k = k_nhd.float()[ids].flatten(0, 1)[:n][None] * ks
        v = v_nhd.float()[ids].flatten(0, 1)[:n][None] * vs
        if name == "document":
            di = params["doc"][i]
            seq_mask = lambda qp, kp, di=di: (kp <= qp) & (di[kp] == di[qp])   # noqa: E731
        else:
            seq_mask = lambda qp, kp, b=i: mask(qp, kp, b)   # noqa: E731
        if c["packed"]:
            o0, ql = offsets[i], q_lens[i]
            if ql == 0:
                continue
            qi, oi, li = q[None, o0:o0 + ql], out[None, o0:o0 + ql], lse[:, o0:o0 + ql][None]
        else:
            qi, oi, li = q[i:i + 1], out[i:i + 1], lse[i:i + 1]
        ref_out, ref_lse = _reference(qi, k, v, seq_mask, score, c["softmax_scale"], sinks)
        try:
            _check(oi, li, ref_out, ref_lse, dtype, tol=5e-2 if fp8 else None)
        except AssertionError as e:
            raise AssertionError(f"sequence {i} ({n} keys, {qi.shape[1]} new tokens): {e}\n"
                                 f"request: {_describe(c)}") from None


def _dense_tensor(r, gen, shape, dtype, varlen):
    """A random tensor of `shape` ([B, S, H, D] or packed [T, H, D]) laid out one of several
    ways, head_dim always contiguous: contiguous, heads-first transposed, or a slice of a
    wider row (a fused QKV buffer)."""
    how = r.choice(["contiguous", "contiguous", "heads_first", "wide_rows"])
    if how == "heads_first" and not varlen:
        b, s, h, d = shape
        return torch.randn(b, h, s, d, generator=gen, device="cuda").to(dtype).transpose(1, 2)
    if how == "wide_rows":
        wide = torch.randn(*shape[:-2], shape[-2] + 3, shape[-1], generator=gen, device="cuda").to(dtype)
        return wide[..., 1:1 + shape[-2], :]
    return torch.randn(*shape, generator=gen, device="cuda").to(dtype)


@pytest.mark.parametrize("seed", [s for s in range(FIRST, FIRST + CASES) if s % SHARDS == SHARD])
def test_fuzz_dense(seed):
    """fadsl.attention: dense or packed (varlen) q/k/v in random layouts, every stdlib
    variant, sequences of 0..2048 keys (packed: some sequences empty) and more or fewer
    queries than keys."""
    r = random.Random(10 ** 6 + seed)
    gen = torch.Generator(device="cuda").manual_seed(10 ** 6 + seed)
    d, hkv, group = r.choice([64, 96, 128, 128, 192, 256]), r.choice([1, 2, 4, 8]), r.choice([1, 2, 4, 8])
    hq, dtype, varlen = hkv * group, r.choice([torch.bfloat16, torch.float16]), r.random() < 0.4
    batch = r.choice([1, 2, 3, 4])
    lens_q = [r.choice([1, 2, 7, 64, 129, 500, 1000]) for _ in range(batch)]
    lens_k = [r.choice([1, 17, 128, 300, 1023, 2048]) for _ in range(batch)]
    if varlen:
        lens_q = [r.choice([0, n, n]) for n in lens_q]
        lens_k = [r.choice([0, n, n, n, n]) for n in lens_k]
    else:
        lens_q, lens_k = [lens_q[0]] * batch, [lens_k[0]] * batch
    while sum(a * b for a, b in zip(lens_q, lens_k)) * hq > REFERENCE_BUDGET:
        lens_q = [max(n // 2, 1 if not varlen else 0) for n in lens_q]
    # some sequence has queries and some has keys: an empty batch is refused by contract
    # (ERR_EMPTY_BATCH, max_seqlen_k 0 ERR_SEQLEN: test_gpu checks those)
    lens_q[0], lens_k[-1] = max(lens_q[0], 1), max(lens_k[-1], 1)
    name, params, mask, score, sinks = _variant(r, hq)
    cap_k = max(lens_k)
    if name == "document":
        docs = torch.tensor([sorted(r.randrange(0, 6) for _ in range(cap_k)) for _ in range(batch)],
                            device="cuda", dtype=torch.int32)
        params = {"doc": docs}
    scale = r.choice([None, None, 0.05, 0.3])
    pad = r.choice([0, 0, 2]) if varlen else 0
    request = (f"seed={seed}, d={d}, hq={hq}, hkv={hkv}, dtype={dtype}, varlen={varlen}, lens_q={lens_q}, "
               f"lens_k={lens_k}, pad={pad}, softmax_scale={scale}, variant={name}")
    if varlen:
        q = _dense_tensor(r, gen, (sum(lens_q) + pad, hq, d), dtype, True)
        k, v = (_dense_tensor(r, gen, (sum(lens_k), hkv, d), dtype, True) for _ in range(2))
        cu = [torch.tensor([0, *itertools.accumulate(ls)], dtype=torch.int32, device="cuda") for ls in (lens_q, lens_k)]
        extra = {"cu_seqlens_q": cu[0], "cu_seqlens_k": cu[1]}
        _poison(q.shape, (hq, q.shape[0]))
    else:
        q = _dense_tensor(r, gen, (batch, lens_q[0], hq, d), dtype, False)
        k, v = (_dense_tensor(r, gen, (batch, lens_k[0], hkv, d), dtype, False) for _ in range(2))
        extra = {}
        _poison(q.shape, (batch, hq, lens_q[0]))
    try:
        out, lse = fadsl.attention(q, k, v, name, params=params, softmax_scale=scale, return_lse=True, **extra)
    except fadsl.FadslError as e:
        pytest.fail(f"refused: {e}\nrequest: {request}")
    torch.cuda.synchronize()
    oq = ok = 0
    for i in range(batch):
        nq, nk = lens_q[i], lens_k[i]
        if varlen:
            qi, ki, vi = q[None, oq:oq + nq], k[None, ok:ok + nk], v[None, ok:ok + nk]
            oi, li = out[None, oq:oq + nq], lse[:, oq:oq + nq][None]
        else:
            qi, ki, vi, oi, li = q[i:i + 1], k[i:i + 1], v[i:i + 1], out[i:i + 1], lse[i:i + 1]
        oq, ok = oq + nq, ok + nk
        if nq == 0:
            continue
        if name == "document":
            seq_mask = lambda qp, kp, di=params["doc"][i]: (kp <= qp) & (di[kp] == di[qp.clamp_min(0)])  # noqa: E731
        else:
            seq_mask = lambda qp, kp, b=i: mask(qp, kp, b)   # noqa: E731
        ref_out, ref_lse = _reference(qi, ki.float(), vi.float(), seq_mask, score, scale, sinks)
        try:
            _check(oi, li, ref_out, ref_lse, dtype)
        except AssertionError as e:
            raise AssertionError(f"sequence {i} ({nq} queries, {nk} keys): {e}\nrequest: {request}") from None
