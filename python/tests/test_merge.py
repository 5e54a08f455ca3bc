"""fadsl.merge_states against attention computed over the union of the keys (CPU)."""
import math

import pytest

torch = pytest.importorskip("torch")

import fadsl  # noqa: E402


def _attend(q, k, v):
    """float64 attention and LSE: q [B,S,H,D], k/v [B,L,H,D] -> out [B,S,H,D], lse [B,H,S]."""
    s = torch.einsum("bshd,blhd->bhsl", q, k) / math.sqrt(q.shape[-1])
    lse = torch.logsumexp(s, dim=-1)
    out = torch.einsum("bhsl,blhd->bshd", torch.softmax(s, dim=-1), v)
    return out, lse


def test_merge_equals_attention_over_all_keys():
    torch.manual_seed(0)
    q, k, v = (torch.randn(2, 5, 3, 16, dtype=torch.float64) for _ in range(3))
    k2, v2 = torch.randn(2, 7, 3, 16, dtype=torch.float64), torch.randn(2, 7, 3, 16, dtype=torch.float64)
    out_a, lse_a = _attend(q, k, v)
    out_b, lse_b = _attend(q, k2, v2)
    ref_out, ref_lse = _attend(q, torch.cat([k, k2], 1), torch.cat([v, v2], 1))
    out, lse = fadsl.merge_states(out_a.float(), lse_a.float(), out_b.float(), lse_b.float())
    torch.testing.assert_close(out.double(), ref_out, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(lse.double(), ref_lse, rtol=1e-5, atol=1e-5)


def test_packed_layout_and_empty_parts():
    out_a, out_b = torch.randn(6, 2, 8), torch.randn(6, 2, 8)
    lse_a, lse_b = torch.randn(2, 6), torch.full((2, 6), -math.inf)
    lse_a[1, 3] = -math.inf                        # a row empty in both parts
    out, lse = fadsl.merge_states(out_a, lse_a, out_b, lse_b)
    assert not torch.isnan(out).any()
    assert torch.equal(out[3, 1], torch.zeros(8)) and lse[1, 3] == -math.inf
    mask = torch.ones(2, 6, dtype=torch.bool)
    mask[1, 3] = False
    torch.testing.assert_close(lse[mask], lse_a[mask])
    torch.testing.assert_close(out.transpose(0, 1)[mask], out_a.transpose(0, 1)[mask])


def test_empty_parts_are_ignored_and_nan_is_passed_on():
    """An empty part (LSE -inf) counts for nothing whatever its out holds; a NaN LSE makes
    the row NaN (the C merge's rules)."""
    out_a, out_b = torch.randn(1, 3, 2, 8), torch.randn(1, 3, 2, 8)
    lse_a, lse_b = torch.randn(1, 2, 3), torch.randn(1, 2, 3)
    out_a[0, 0, 0] = math.nan
    lse_a[0, 0, 0] = -math.inf                     # empty, with a NaN out
    lse_b[0, 1, 2] = math.nan
    out, lse = fadsl.merge_states(out_a, lse_a, out_b, lse_b)
    torch.testing.assert_close(out[0, 0, 0], out_b[0, 0, 0])
    assert lse[0, 0, 0] == lse_b[0, 0, 0]
    assert torch.isnan(out[0, 2, 1]).all() and torch.isnan(lse[0, 1, 2])
    keep = ~torch.isnan(lse)
    assert not torch.isnan(out.transpose(1, 2)[keep]).any()


def test_output_dtype_follows_out_a():
    out = torch.randn(1, 4, 2, 8, dtype=torch.bfloat16)
    lse = torch.randn(1, 2, 4)
    merged, _ = fadsl.merge_states(out, lse, out, lse)
    assert merged.dtype == torch.bfloat16
    torch.testing.assert_close(merged.float(), out.float())


def test_shape_errors():
    out, lse = torch.randn(1, 4, 2, 8), torch.randn(1, 2, 4)
    with pytest.raises(ValueError, match="does not match"):
        fadsl.merge_states(out, lse.transpose(1, 2), out, lse.transpose(1, 2))
    with pytest.raises(ValueError, match="shapes differ"):
        fadsl.merge_states(out, lse, out[:, :3], lse)


def test_type_and_rank_errors():
    out, lse = torch.randn(1, 4, 2, 8), torch.randn(1, 2, 4)
    with pytest.raises(TypeError, match="out_a is torch.int64"):
        fadsl.merge_states(out.long(), lse, out.long(), lse)
    with pytest.raises(TypeError, match="lse_b is torch.int64"):
        fadsl.merge_states(out, lse, out, lse.long())
    with pytest.raises(TypeError, match="out_a is torch.float16 but out_b torch.bfloat16"):
        fadsl.merge_states(out.half(), lse, out.bfloat16(), lse)
    with pytest.raises(ValueError, match="has 2 dimensions"):
        fadsl.merge_states(torch.randn(3, 8), torch.randn(3), torch.randn(3, 8), torch.randn(3))
