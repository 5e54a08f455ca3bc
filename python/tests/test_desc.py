"""The descriptors the custom ops hand to fadsl_forward, checked by the C runtime itself:
fadsl_make_key validates them and builds the dispatch key without a GPU (arch named).
CPU tensors stand in for device memory: only their addresses and strides are read."""
import ctypes

import pytest

torch = pytest.importorskip("torch")

from fadsl import FadslError, _lib  # noqa: E402
from fadsl import _ops  # noqa: E402
from fadsl._structs import ARCH_NAMES, DTYPE_NAMES, FaKey  # noqa: E402
from fadsl.attention import encode_params  # noqa: E402

NO_LSE = torch.empty(0)


def _key(desc):
    desc.arch = b"sm_90a"
    key = FaKey()
    _lib.check(_lib.lib().fadsl_make_key(ctypes.byref(desc), ctypes.byref(key)))
    return key


@pytest.fixture(autouse=True)
def _library(lib):
    return lib


def _dense(variant="causal", params=None, q=None, k=None, dtype=torch.bfloat16):
    q = torch.randn(2, 64, 8, 128, dtype=dtype) if q is None else q
    k = torch.randn(2, 96, 2, 128, dtype=dtype) if k is None else k
    out = torch.empty(q.shape, dtype=q.dtype)
    return _ops.dense_desc(q, k, k, out, NO_LSE, variant, encode_params("t", params, q.device), 0.0,
                           None, None, 0, 0)


def test_dense_key():
    desc, keep = _dense()
    assert (desc.batch, desc.seqlen_q, desc.seqlen_k, desc.q_heads, desc.kv_heads, desc.head_dim) == (2, 64, 96, 8, 2, 128)
    assert list(desc.q_stride) == [64 * 8 * 128, 8 * 128, 128]
    key = _key(desc)
    assert ARCH_NAMES[key.arch] == "sm_90a" and DTYPE_NAMES[key.dtype] == "bf16"
    assert (key.head_dim, key.gqa_ratio, key.varlen, key.causal) == (128, 4, False, True)
    assert key.variant == b"causal"


def test_transposed_q_strides_reach_the_descriptor():
    q = torch.randn(2, 8, 64, 128, dtype=torch.float16).transpose(1, 2)
    desc, keep = _dense(q=q, k=torch.randn(2, 96, 2, 128, dtype=torch.float16))
    assert list(desc.q_stride) == [8 * 64 * 128, 128, 64 * 128]
    assert list(desc.o_stride) == [64 * 8 * 128, 8 * 128, 128]
    assert DTYPE_NAMES[_key(desc).dtype] == "fp16"


def test_varlen_key_and_strides():
    q, k = torch.randn(100, 8, 64, dtype=torch.bfloat16), torch.randn(120, 8, 64, dtype=torch.bfloat16)
    cu_q, cu_k = torch.tensor([0, 40, 100], dtype=torch.int32), torch.tensor([0, 50, 120], dtype=torch.int32)
    out, lse = torch.empty(q.shape, dtype=q.dtype), torch.empty(8, 100)
    desc, keep = _ops.dense_desc(q, k, k, out, lse, "none", ("", [], []), 0.0, cu_q, cu_k, 60, 70)
    assert desc.batch == 2 and list(desc.q_stride) == [0, 8 * 64, 64] and desc.lse
    key = _key(desc)
    assert key.varlen and key.gqa_ratio == 1 and key.head_dim == 64


def test_scalar_and_tensor_params_reach_the_runtime():
    desc, keep = _dense("sliding_window", {"window_left": 256, "window_right": 0})
    assert _key(desc).variant == b"sliding_window"
    slopes = torch.rand(8)
    desc, keep = _dense("causal_alibi", {"slopes": slopes})
    assert desc.num_params == 1 and desc.params[0].tensor == slopes.data_ptr()
    _key(desc)


@pytest.mark.parametrize("variant, params, status", [
    ("sliding_window", {"no_such": 1}, "ERR_PARAM"),
    ("causal_alibi", None, "ERR_PARAM"),                     # tensor param missing
    ("causal_alibi", {"slopes": 0.5}, "ERR_PARAM"),          # scalar for a tensor
    ("sliding_window", {"window_left": 2.5}, "ERR_PARAM"),   # i32 with a fraction
    ("no_such_variant", None, "ERR_VARIANT"),
])
def test_parameter_errors_come_back_as_fadsl_errors(variant, params, status):
    desc, keep = _dense(variant, params)
    with pytest.raises(FadslError) as info:
        _key(desc)
    assert info.value.status == status, str(info.value)


def test_heads_not_a_multiple_is_refused_by_c_too():
    desc, keep = _dense(q=torch.randn(2, 64, 6, 128, dtype=torch.bfloat16),
                        k=torch.randn(2, 96, 4, 128, dtype=torch.bfloat16))
    with pytest.raises(FadslError) as info:
        _key(desc)
    assert info.value.status == "ERR_HEADS"


@pytest.mark.parametrize("layout, shape", [(0, (10, 2, 128, 16)), (1, (10, 16, 2, 128))])
def test_paged_key(layout, shape):
    q = torch.randn(3, 1, 8, 128, dtype=torch.bfloat16)
    cache = torch.randn(*shape, dtype=torch.bfloat16)
    tables, lens = torch.zeros(3, 4, dtype=torch.int32), torch.tensor([5, 17, 64], dtype=torch.int32)
    out = torch.empty(q.shape, dtype=q.dtype)
    desc, keep = _ops.paged_desc(q, cache, cache, tables, lens, out, NO_LSE, "causal", ("", [], []),
                                 layout, (0.0, None, 0.0, None), 0.0)
    pg = desc.paged.contents
    assert (pg.num_blocks, pg.block_size, pg.num_kv_heads, pg.head_dim) == (10, 16, 2, 128)
    assert (pg.max_blocks_per_seq, pg.num_seqs, pg.q_tokens_per_seq) == (4, 3, 1)
    key = _key(desc)
    assert (key.paged_block_size, key.paged_layout, key.gqa_ratio) == (16, layout, 4)


def test_paged_per_head_scales():
    """Per-head scale tensors reach the descriptor as device pointers; numbers as scalars."""
    q = torch.randn(3, 1, 8, 128, dtype=torch.bfloat16)
    cache = torch.zeros(10, 2, 128, 16, dtype=torch.float8_e4m3fn)
    tables, lens = torch.zeros(3, 4, dtype=torch.int32), torch.tensor([5, 17, 64], dtype=torch.int32)
    k_heads = torch.tensor([0.5, 2.0])
    desc, keep = _ops.paged_desc(q, cache, cache, tables, lens, torch.empty(q.shape, dtype=q.dtype), NO_LSE,
                                 "causal", ("", [], []), 0, (0.0, k_heads, 0.25, None), 0.0)
    pg = desc.paged.contents
    assert pg.k_descale_per_head == k_heads.data_ptr() and pg.v_descale_per_head is None
    assert pg.v_descale == 0.25 and _key(desc).kv_dtype == 2


def test_paged_bad_block_size():
    q = torch.randn(1, 1, 2, 64, dtype=torch.float16)
    cache = torch.randn(4, 12, 2, 64, dtype=torch.float16)   # nhd, block size 12
    desc, keep = _ops.paged_desc(q, cache, cache, torch.zeros(1, 2, dtype=torch.int32),
                                 torch.ones(1, dtype=torch.int32), torch.empty(q.shape, dtype=q.dtype),
                                 NO_LSE, "causal", ("", [], []), 1, (0.0, None, 0.0, None), 0.0)
    with pytest.raises(FadslError) as info:
        _key(desc)
    assert info.value.status == "ERR_BLOCK_SIZE"
