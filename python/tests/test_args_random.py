"""Random arguments to fadsl.attention, fadsl.paged_attention and fadsl.merge_states (CPU:
CUDA tensors are fake, so no call reaches a GPU). Each call starts from a valid one with a few arguments
replaced by something odd: another rank, an empty or mismatched dimension, another dtype
or device, a transposed view, a non-tensor, a negative, NaN or boolean number, an unknown
variant, layout or parameter. Each must return outputs of q's shape or raise ValueError,
TypeError or FadslError with a message; never another exception (an IndexError or
AttributeError is a check that is missing)."""
import random

import pytest

torch = pytest.importorskip("torch")
from torch._subclasses.fake_tensor import DataDependentOutputException, FakeTensorMode  # noqa: E402

import fadsl  # noqa: E402

CALLS = 1500
EXPECTED = (ValueError, TypeError, fadsl.FadslError)
DIMS = (0, 1, 2, 3, 4, 8, 16, 64, 128)
DTYPES = (torch.bfloat16, torch.float16, torch.float32, torch.int32, torch.int64, torch.float8_e4m3fn, torch.bool)
ODD = (None, 0, -1, 1.5, float("nan"), float("inf"), True, "x", [], {}, (1, 2))


def _odd_tensor(r):
    """A tensor of random rank, sizes, dtype and device, sometimes a transposed view."""
    shape = [r.choice(DIMS) for _ in range(r.randint(0, 5))]
    t = torch.empty(shape, dtype=r.choice(DTYPES), device=r.choice(["cuda", "cuda", "cpu"]))
    return t.transpose(0, -1) if t.dim() > 1 and r.random() < 0.3 else t


def _odd_value(r, fake):
    return _odd_tensor(r) if r.random() < 0.3 else r.choice(ODD + (fake(4, dtype=torch.int32),))


def _paged_call(r, fake):
    """A valid paged call (dense or packed queries), as (args, kwargs)."""
    layout = r.choice(["hdb", "nhd"])
    cache = fake(32, 2, 128, 16) if layout == "hdb" else fake(32, 16, 2, 128)
    if r.random() < 0.3:
        q, kwargs = fake(10, 8, 128), {"cu_seqlens_q": fake(5, dtype=torch.int32), "max_seqlen_q": 4}
    else:
        q, kwargs = fake(4, r.choice([1, 3]), 8, 128), {}
    args = [q, cache, cache, fake(4, 8, dtype=torch.int32), fake(4, dtype=torch.int32)]
    kwargs.update(variant=r.choice(["causal", "sliding_window", "gpt_oss", "none"]), layout=layout)
    if kwargs["variant"] == "gpt_oss":
        kwargs["params"] = {"sinks": fake(8, dtype=torch.float32)}
    return args, kwargs


def _dense_call(r, fake):
    if r.random() < 0.3:
        q, k = fake(100, 8, 64), fake(120, 2, 64)
        kwargs = {"cu_seqlens_q": fake(3, dtype=torch.int32), "cu_seqlens_k": fake(3, dtype=torch.int32),
                  "max_seqlen_q": 60, "max_seqlen_k": 70}
    else:
        q, k, kwargs = fake(2, 16, 8, 64), fake(2, 32, 2, 64), {}
    kwargs["variant"] = r.choice(["causal", "sliding_window", "causal_alibi", "softcap"])
    if kwargs["variant"] == "causal_alibi":
        kwargs["params"] = {"slopes": fake(8, dtype=torch.float32)}
    return [q, k, k], kwargs


def _merge_call(r, fake):
    """A valid merge_states call: dense or packed states."""
    if r.random() < 0.3:
        out, lse = fake(100, 8, 64), fake(8, 100, dtype=torch.float32)
    else:
        out, lse = fake(2, 16, 8, 64), fake(2, 8, 16, dtype=torch.float32)
    return [out, lse, fake(*out.shape), fake(*lse.shape, dtype=torch.float32)], {}


PAGED_KEYS = ("variant", "params", "layout", "k_scale", "v_scale", "return_lse", "softmax_scale", "cu_seqlens_q",
              "max_seqlen_q")
DENSE_KEYS = ("variant", "params", "softmax_scale", "return_lse", "cu_seqlens_q", "cu_seqlens_k", "max_seqlen_q",
              "max_seqlen_k")
ODD_KWARGS = {"variant": ("no_such", "", 7, None, "variant v { mask = ; }", "a/b.fa"),
              "layout": ("hbd", 1, None, "NHD"),
              "params": ({"window": "x"}, {1: 2}, {"nope": 1}, [], {"window_left": -5}, {"sinks": None})}


def _mutate(r, fake, args, kwargs, keys):
    if not keys or r.random() < 0.5:
        args[r.randrange(len(args))] = _odd_value(r, fake)
    else:
        key = r.choice(keys)
        pool = ODD_KWARGS.get(key)
        kwargs[key] = r.choice(pool) if pool and r.random() < 0.6 else _odd_value(r, fake)


CALLS_OF = {"attention": (_dense_call, DENSE_KEYS), "paged_attention": (_paged_call, PAGED_KEYS),
            "merge_states": (_merge_call, ())}


@pytest.mark.parametrize("fn", list(CALLS_OF))
def test_random_arguments_raise_only_expected_errors(fn):
    r = random.Random(fn)
    outcomes = {"returned": 0, "refused": 0}
    with FakeTensorMode():
        def fake(*shape, dtype=torch.bfloat16):
            return torch.empty(*shape, dtype=dtype, device="cuda")
        for i in range(CALLS):
            draw, keys = CALLS_OF[fn]
            args, kwargs = draw(r, fake)
            for _ in range(r.choice([0, 1, 1, 1, 2, 3])):   # some calls stay valid
                _mutate(r, fake, args, kwargs, keys)
            try:
                result = getattr(fadsl, fn)(*args, **kwargs)
            except EXPECTED as e:
                assert str(e), f"call {i}: {type(e).__name__} without a message"
                outcomes["refused"] += 1
                continue
            except DataDependentOutputException:   # an offsets read (max_seqlen omitted): fake tensors only
                continue
            except Exception as e:   # noqa: BLE001 - the point of the test
                pytest.fail(f"call {i}: {type(e).__name__}: {e}\nargs: {[_show(a) for a in args]}\n"
                            f"kwargs: { {k: _show(v) for k, v in kwargs.items()} }")
            out = result[0] if isinstance(result, tuple) else result
            assert out.shape == args[0].shape
            outcomes["returned"] += 1
    assert outcomes["returned"] > CALLS // 20 and outcomes["refused"] > CALLS // 2, outcomes


def _show(v):
    if isinstance(v, torch.Tensor):
        return f"tensor{tuple(v.shape)} {v.dtype} {v.device.type}{'' if v.is_contiguous() else ' strided'}"
    if isinstance(v, dict):
        return {k: _show(x) for k, x in v.items()}
    return repr(v)
