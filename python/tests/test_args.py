"""Python-side argument checks of fadsl.attention / fadsl.paged_attention, and the ops'
fake implementations (output shapes for torch.compile). Runs on the CPU: CUDA tensors are
fake tensors (no memory, no GPU), which also stops any call from reaching the C runtime."""
import warnings

import pytest

torch = pytest.importorskip("torch")
from torch._subclasses.fake_tensor import FakeTensorMode  # noqa: E402

import fadsl  # noqa: E402

BF16 = torch.bfloat16


@pytest.fixture()
def fake():
    with FakeTensorMode():
        yield lambda *shape, dtype=BF16: torch.empty(*shape, dtype=dtype, device="cuda")


def test_shapes_from_fake_implementation(fake):
    q, k = fake(2, 128, 8, 64), fake(2, 256, 2, 64)
    out, lse = fadsl.attention(q, k, k, return_lse=True)
    assert out.shape == q.shape and out.dtype == BF16 and out.is_contiguous()
    assert lse.shape == (2, 8, 128) and lse.dtype == torch.float32
    assert fadsl.attention(q, k, k, "none").shape == q.shape


def test_varlen_shapes(fake):
    q, k, cu = fake(100, 8, 64), fake(120, 4, 64), fake(3, dtype=torch.int32)
    out, lse = fadsl.attention(q, k, k, cu_seqlens_q=cu, cu_seqlens_k=cu, max_seqlen_q=60,
                               max_seqlen_k=70, return_lse=True)
    assert out.shape == (100, 8, 64) and lse.shape == (8, 100)


def test_paged_shapes(fake):
    q, cache = fake(4, 3, 8, 128), fake(32, 2, 128, 16)
    tables, lens = fake(4, 8, dtype=torch.int32), fake(4, dtype=torch.int32)
    out, lse = fadsl.paged_attention(q, cache, cache, tables, lens, return_lse=True)
    assert out.shape == q.shape and lse.shape == (4, 8, 3)
    nhd = fake(32, 16, 2, 128)
    assert fadsl.paged_attention(q, nhd, nhd, tables, lens, layout="nhd").shape == q.shape


def test_paged_layout_names(fake):
    """"hdb" names FA_PAGED_HDB; "hnd", its old name (FlashInfer's HND is another layout),
    still works but warns."""
    q, cache = fake(4, 3, 8, 128), fake(32, 2, 128, 16)
    tables, lens = fake(4, 8, dtype=torch.int32), fake(4, dtype=torch.int32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fadsl.paged_attention(q, cache, cache, tables, lens, layout="hdb").shape == q.shape
    with pytest.warns(DeprecationWarning, match='"hnd" is deprecated.*pass "hdb"') as caught:
        assert fadsl.paged_attention(q, cache, cache, tables, lens, layout="hnd").shape == q.shape
    assert caught[0].filename == __file__   # attributed to the caller
    _raises(ValueError, "layout must be one of hdb, nhd, got 'hbd'", fadsl.paged_attention, q, cache, cache,
            tables, lens, layout="hbd")


def test_head_dim_copy_warns(fake):
    q, k = fake(2, 16, 4, 128)[..., ::2], fake(2, 16, 4, 64)
    with pytest.warns(UserWarning, match="q is not contiguous in head_dim.*copy"):
        fadsl.attention(q, k, k)


def test_strided_but_head_contiguous_does_not_warn(fake):
    q = fake(2, 4, 16, 64).transpose(1, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fadsl.attention(q, q, q)


def _raises(error, match, fn, *args, **kwargs):
    with pytest.raises(error, match=match):
        fn(*args, **kwargs)


def test_cpu_tensors_are_refused():
    q = torch.randn(1, 8, 2, 64, dtype=BF16)
    _raises(ValueError, "q must be a CUDA tensor", fadsl.attention, q, q, q)


def test_dense_argument_errors(fake):
    q, k = fake(2, 16, 8, 64), fake(2, 16, 2, 64)
    _raises(TypeError, "q must be a torch.Tensor", fadsl.attention, [1], k, k)
    _raises(ValueError, "4-D", fadsl.attention, fake(16, 8, 64), k, k)
    _raises(TypeError, "float16 or bfloat16", fadsl.attention, fake(2, 16, 8, 64, dtype=torch.float32), k, k)
    _raises(TypeError, "share a dtype", fadsl.attention, q, fake(2, 16, 2, 64, dtype=torch.float16), k)
    _raises(ValueError, "k and v shapes differ", fadsl.attention, q, k, fake(2, 17, 2, 64))
    _raises(ValueError, "head_dim of q", fadsl.attention, q, fake(2, 16, 2, 128), fake(2, 16, 2, 128))
    _raises(ValueError, "not a multiple", fadsl.attention, q, fake(2, 16, 3, 64), fake(2, 16, 3, 64))
    _raises(ValueError, "batch of q", fadsl.attention, q, fake(3, 16, 2, 64), fake(3, 16, 2, 64))
    _raises(ValueError, "softmax_scale", fadsl.attention, q, k, k, softmax_scale=float("nan"))
    _raises(ValueError, "max_seqlen", fadsl.attention, q, k, k, max_seqlen_q=4)
    _raises(TypeError, "variant must be", fadsl.attention, q, k, k, variant=7)


def test_param_errors(fake):
    q = fake(2, 16, 8, 64)
    _raises(TypeError, "params must be a dict", fadsl.attention, q, q, q, params=[("w", 1)])
    _raises(ValueError, "not an identifier", fadsl.attention, q, q, q, params={"a,b": 1})
    _raises(TypeError, "number or a tensor", fadsl.attention, q, q, q, params={"w": "8"})
    _raises(TypeError, "float32 or int32", fadsl.attention, q, q, q, params={"s": fake(8, dtype=torch.float16)})
    _raises(ValueError, "must be contiguous", fadsl.attention, q, q, q, params={"s": fake(8, 2, dtype=torch.float32).t()})
    _raises(TypeError, "got bool", fadsl.attention, q, q, q, params={"window_left": True})
    _raises(ValueError, "is not a finite number", fadsl.attention, q, q, q, params={"window_left": 10**400})
    _raises(ValueError, "softmax_scale", fadsl.attention, q, q, q, softmax_scale=10**400)
    _raises(TypeError, "softmax_scale must be a number, got str", fadsl.attention, q, q, q, softmax_scale="0.1")


def test_varlen_argument_errors(fake):
    q, cu = fake(100, 8, 64), fake(3, dtype=torch.int32)
    _raises(ValueError, "both cu_seqlens_q and cu_seqlens_k", fadsl.attention, q, q, q, cu_seqlens_q=cu)
    _raises(ValueError, "3-D", fadsl.attention, fake(1, 100, 8, 64), q, q, cu_seqlens_q=cu, cu_seqlens_k=cu)
    _raises(TypeError, "int32", fadsl.attention, q, q, q, cu_seqlens_q=fake(3, dtype=torch.int64), cu_seqlens_k=cu)
    _raises(ValueError, r"\[batch \+ 1\]", fadsl.attention, q, q, q, cu_seqlens_q=cu,
            cu_seqlens_k=fake(4, dtype=torch.int32), max_seqlen_q=8, max_seqlen_k=8)
    _raises(ValueError, "max_seqlen_q must be a positive int", fadsl.attention, q, q, q, cu_seqlens_q=cu,
            cu_seqlens_k=cu, max_seqlen_q=0, max_seqlen_k=8)
    _raises(ValueError, "max_seqlen_q must be a positive int up to 2147483647", fadsl.attention, q, q, q,
            cu_seqlens_q=cu, cu_seqlens_k=cu, max_seqlen_q=2**32 + 32, max_seqlen_k=8)   # ctypes would wrap it
    _raises(TypeError, "max_seqlen_k must be an int, got float", fadsl.attention, q, q, q, cu_seqlens_q=cu,
            cu_seqlens_k=cu, max_seqlen_q=8, max_seqlen_k=8.0)


def test_paged_argument_errors(fake):
    q, cache = fake(4, 1, 8, 128), fake(32, 2, 128, 16)
    tables, lens = fake(4, 8, dtype=torch.int32), fake(4, dtype=torch.int32)
    call = fadsl.paged_attention
    _raises(ValueError, "layout must be", call, q, cache, cache, tables, lens, layout="bhsd")
    _raises(ValueError, "cache head_dim 16 differs", call, q, cache, cache, tables, lens, layout="nhd")
    _raises(ValueError, "must be contiguous", call, q, cache.transpose(2, 3), cache.transpose(2, 3), tables, lens)
    _raises(TypeError, "fp8", call, q, fake(32, 2, 128, 16, dtype=torch.float16), cache, tables, lens)
    _raises(ValueError, "fp8 caches only", call, q, cache, cache, tables, lens, k_scale=0.5)
    _raises(ValueError, "num_seqs = 4", call, q, cache, cache, fake(3, 8, dtype=torch.int32), lens)
    _raises(TypeError, "int32", call, q, cache, cache, fake(4, 8, dtype=torch.int64), lens)
    _raises(ValueError, r"q must be 3-D \[total_q", call, q, cache, cache, tables, lens, cu_seqlens_q=lens)
    packed = q.view(4, 8, 128)
    _raises(ValueError, r"cu_seqlens_q must be \[num_seqs \+ 1\]", call, packed, cache, cache, tables, lens, cu_seqlens_q=lens)
    _raises(ValueError, "max_seqlen_q goes with cu_seqlens_q", call, q, cache, cache, tables, lens, max_seqlen_q=3)
    fp8 = fake(32, 2, 128, 16, dtype=torch.float8_e4m3fn)
    assert call(q, fp8, fp8, tables, lens, k_scale=0.5, v_scale=2.0).shape == q.shape
    heads = fake(2, dtype=torch.float32)   # per-head scales: [heads_kv] float32
    assert call(q, fp8, fp8, tables, lens, k_scale=heads, v_scale=0.5).shape == q.shape
    _raises(ValueError, r"per-head v_scale must be a contiguous float32 tensor \[heads_kv\] = \[2\], got "
            r"torch.float32 \(3,\)", call, q, fp8, fp8, tables, lens, v_scale=fake(3, dtype=torch.float32))
    _raises(TypeError, "got torch.float16", call, q, fp8, fp8, tables, lens, k_scale=fake(2, dtype=torch.float16))
    _raises(ValueError, "fp8 caches only", call, q, cache, cache, tables, lens, v_scale=heads)
    _raises(ValueError, "positive finite number or a per-head tensor", call, q, fp8, fp8, tables, lens, k_scale=-1.0)
    _raises(ValueError, "v_scale 1e-50 is outside float32's normal range", call, q, fp8, fp8, tables, lens, v_scale=1e-50)
    _raises(ValueError, r"k_scale 1e\+39 is outside float32's normal range", call, q, fp8, fp8, tables, lens,
            k_scale=1e39)
    # the op checks them too (callers of torch.ops.fadsl.paged_attention skip the wrapper)
    _raises(ValueError, "per-head v_scale must be", torch.ops.fadsl.paged_attention, q, fp8, fp8, tables, lens,
            "causal", "", [], [], 0, 0.0, None, 0.0, fake(1, dtype=torch.float32), 0.0, False, None, 0)


def test_offsets_read_from_cu_seqlens_are_checked():
    """Without max_seqlen the offsets are read (one sync) and checked; CPU tensors stand in
    for the device ones. A given bound is trusted and nothing is read."""
    from fadsl.attention import _max_seqlen

    def cu(*values):
        return torch.tensor(values, dtype=torch.int32)

    def read(offsets, rows, lens=None):
        return _max_seqlen("f", "max_seqlen_q", None, "cu_seqlens_q", offsets, rows, "q", lens)

    assert read(cu(0, 3, 7), 7, cu(5, 4)) == 4
    assert read(cu(0, 0, 2), 2) == 2
    assert _max_seqlen("f", "max_seqlen_q", 9, "cu_seqlens_q", cu(5, 1), 7, "q") == 9
    _raises(ValueError, r"cu_seqlens_q\[0\] is 1; packed offsets start at 0", read, cu(1, 3, 7), 7)
    _raises(ValueError, r"cu_seqlens_q decreases from \[1\] = 3 to \[2\] = 2", read, cu(0, 3, 2), 2)
    assert read(cu(0, 3, 7), 9) == 4   # rows past the last offset: padding
    _raises(ValueError, r"cu_seqlens_q\[-1\] is 7, but q has only 6 rows", read, cu(0, 3, 7), 6)
    _raises(ValueError, r"cu_seqlens_q decreases from \[1\] = 2147482624 to \[2\] = -2048", read,
            cu(0, 2147482624, -2048, 7), 7)   # no int32 wrap
    _raises(ValueError, r"sequence 1 has 4 new tokens in cu_seqlens_q, but seq_lens\[1\] is 3", read,
            cu(0, 3, 7), 7, cu(5, 3))


def test_torch_compile_traces_the_ops_into_one_graph(fake):
    graphs = []

    def backend(gm, example_inputs):
        graphs.append(gm)
        return gm.forward

    def fn(q, slopes, cache, tables, lens):
        alibi = fadsl.attention(q, q, q, "causal_alibi", params={"slopes": slopes})
        window, lse = fadsl.attention(q, q, q, "sliding_window", params={"window_left": 16}, return_lse=True)
        decode = fadsl.paged_attention(q[:, -1:], cache, cache, tables, lens, layout="nhd")
        return alibi * 2 + window, lse, decode

    q, slopes = fake(2, 64, 8, 64), fake(8, dtype=torch.float32)
    cache, tables, lens = fake(16, 16, 2, 64), fake(2, 4, dtype=torch.int32), fake(2, dtype=torch.int32)
    out, lse, decode = torch.compile(fn, backend=backend, fullgraph=True)(q, slopes, cache, tables, lens)
    assert out.shape == q.shape and lse.shape == (2, 8, 64) and decode.shape == (2, 1, 8, 64)
    code = graphs[0].code
    assert code.count("torch.ops.fadsl.attention") == 2 and "torch.ops.fadsl.paged_attention" in code
    assert "'window_left', [16.0], []" in code


def test_tensor_params_checked_against_the_declaration(fake):
    """A tensor parameter shorter than its declared extents, or of the wrong dtype, is
    refused before any launch (the kernel would read past its end)."""
    q, k = fake(2, 128, 8, 64), fake(2, 256, 2, 64)
    fadsl.attention(q, k, k, "causal_alibi", params={"slopes": fake(8, dtype=torch.float32)})
    _raises(ValueError, r"'slopes' is declared f32\[q_heads=8\]: it needs 8 elements \(row-major\), got 4",
            fadsl.attention, q, k, k, "causal_alibi", params={"slopes": fake(4, dtype=torch.float32)})
    _raises(TypeError, "it must be a float32 tensor, got torch.int32",
            fadsl.attention, q, k, k, "causal_alibi", params={"slopes": fake(8, dtype=torch.int32)})
    fadsl.attention(q, k, k, "document", params={"doc": fake(2, 256, dtype=torch.int32)})
    _raises(ValueError, r"'doc' is declared i32\[batch=2, kv_len=256\]: it needs 512 elements",
            fadsl.attention, q, k, k, "document", params={"doc": fake(2, 128, dtype=torch.int32)})
    cache, tables, lens = fake(32, 16, 2, 64), fake(2, 8, dtype=torch.int32), fake(2, dtype=torch.int32)
    _raises(ValueError, r"kv_len=128\]: it needs 256 elements",
            fadsl.paged_attention, q[:, :3], cache, cache, tables, lens, "document", layout="nhd",
            params={"doc": fake(2, 100, dtype=torch.int32)})


def test_eager_calls_skip_the_dispatcher_only_when_it_adds_nothing():
    """_ops.call runs the implementation directly for plain tensors outside tracing and
    autograd, and goes through the op for fake tensors, tensors needing grad (also inside a
    tensor list) and torch.compile."""
    from fadsl import _ops
    seen = []
    op = lambda *a: seen.append("op") or a[0]          # noqa: E731
    impl = lambda *a: seen.append("impl") or a[0]      # noqa: E731
    plain, grad = torch.ones(2), torch.ones(2, requires_grad=True)
    _ops.call(op, impl, plain, "x", [plain])
    _ops.call(op, impl, grad, "x", [])
    _ops.call(op, impl, plain, "x", [grad])
    with torch.no_grad():
        _ops.call(op, impl, grad, "x", [])
    with FakeTensorMode():
        _ops.call(op, impl, torch.empty(2), "x", [])
    torch.compile(lambda t: _ops.call(op, impl, t, "x", []), backend="eager", fullgraph=False)(plain)
    assert seen[:6] == ["impl", "op", "op", "impl", "op", "op"]
    del seen[:]
    torch.jit.trace(lambda t: _ops.call(op, impl, t, "x", []), (plain,), check_trace=False)
    torch.func.vmap(lambda t: _ops.call(op, impl, t, "x", []))(torch.ones(3, 2))
    with torch.overrides.TorchFunctionMode():
        _ops.call(op, impl, plain, "x", [])
    assert seen == ["op", "op", "op"]


def test_return_lse_must_be_a_flag(fake):
    """A tensor's truth value raised a bare RuntimeError (or read one element)."""
    q, k = fake(2, 16, 8, 64), fake(2, 32, 2, 64)
    _raises(TypeError, "return_lse must be True or False, got .*Tensor", fadsl.attention, q, k, k,
            return_lse=fake(3))
    assert fadsl.attention(q, k, k, return_lse=1)[1].shape == (2, 8, 16)
