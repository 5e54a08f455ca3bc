"""fadsl.merge_states: combines two partial attention results over disjoint key sets."""


def merge_states(out_a, lse_a, out_b, lse_b):
    """Merges two attentions of the same queries over disjoint key sets (split-KV,
    cascade or prefix caching) into the attention over their union.

    out_a/out_b  [batch, seqlen, heads, head_dim] (or packed [total, heads, head_dim])
    lse_a/lse_b  float32 [batch, heads, seqlen] (or [heads, total]), natural log, as
                 fadsl.attention(..., return_lse=True) returns them
    Returns (out, lse): lse = logaddexp(lse_a, lse_b) and
    out = exp(lse_a - lse) * out_a + exp(lse_b - lse) * out_b, computed in float32 and
    cast to out_a's dtype. A row that sees no key in either part (both LSEs -inf) gives
    out 0 and lse -inf, never NaN.

    This is a PyTorch implementation, kept until the C runtime has a merge call.
    """
    import torch

    if out_a.shape != out_b.shape or lse_a.shape != lse_b.shape:
        raise ValueError(f"fadsl.merge_states: shapes differ: out {tuple(out_a.shape)} vs {tuple(out_b.shape)}, "
                         f"lse {tuple(lse_a.shape)} vs {tuple(lse_b.shape)}")
    if lse_a.dim() != out_a.dim() - 1 or lse_a.transpose(-1, -2).shape != out_a.shape[:-1]:
        raise ValueError(f"fadsl.merge_states: lse {tuple(lse_a.shape)} does not match out {tuple(out_a.shape)} "
                         "(expected [batch, heads, seqlen] for [batch, seqlen, heads, head_dim], "
                         "or [heads, total] for [total, heads, head_dim])")
    lse_a, lse_b = lse_a.float(), lse_b.float()
    lse = torch.logaddexp(lse_a, lse_b)
    # Where both parts are empty lse is -inf; subtracting 0 instead keeps the weights 0.
    finite = torch.where(torch.isneginf(lse), torch.zeros_like(lse), lse)
    weight_a = torch.exp(lse_a - finite).transpose(-1, -2).unsqueeze(-1)
    weight_b = torch.exp(lse_b - finite).transpose(-1, -2).unsqueeze(-1)
    out = weight_a * out_a.float() + weight_b * out_b.float()
    return out.to(out_a.dtype), lse
