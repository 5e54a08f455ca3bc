"""fadsl.merge_states: combines two partial attention results over disjoint key sets."""


def merge_states(out_a, lse_a, out_b, lse_b):
    """Merges two attentions of the same queries over disjoint key sets (split-KV,
    cascade or prefix caching) into the attention over their union.

    out_a/out_b  [batch, seqlen, heads, head_dim] (or packed [total, heads, head_dim]),
                 floating point, one dtype
    lse_a/lse_b  float32 [batch, heads, seqlen] (or [heads, total]), natural log, as
                 fadsl.attention(..., return_lse=True) returns them
    Returns (out, lse): lse = logaddexp(lse_a, lse_b) and
    out = exp(lse_a - lse) * out_a + exp(lse_b - lse) * out_b, computed in float32 and
    cast to out_a's dtype. A part whose LSE is -inf saw no key: its out is ignored (it may
    hold anything); a row that sees no key in either part gives out 0 and lse -inf. A NaN
    LSE gives NaN. The C runtime's fadsl_merge_states follows the same rules.

    Written in PyTorch, so it takes any layout fadsl.attention returns.
    """
    import torch

    for name, t in (("out_a", out_a), ("out_b", out_b), ("lse_a", lse_a), ("lse_b", lse_b)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"fadsl.merge_states: {name} must be a torch.Tensor, got {type(t).__name__}")
        if t.device != out_a.device:
            raise ValueError(f"fadsl.merge_states: {name} is on {t.device}, out_a on {out_a.device}")
        if not t.is_floating_point():
            raise TypeError(f"fadsl.merge_states: {name} is {t.dtype}; outputs and LSEs are floating point "
                             "(LSEs as fadsl.attention returns them: float32)")
    if out_a.dtype != out_b.dtype:
        raise TypeError(f"fadsl.merge_states: out_a is {out_a.dtype} but out_b {out_b.dtype}: the merged "
                         "output takes one dtype, so give both parts the same")
    if out_a.dim() not in (3, 4):
        raise ValueError(f"fadsl.merge_states: out {tuple(out_a.shape)} has {out_a.dim()} dimensions; expected "
                         "[batch, seqlen, heads, head_dim] or packed [total, heads, head_dim]")
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
    out = 0
    for part, part_lse in ((out_a, lse_a), (out_b, lse_b)):
        weight = torch.exp(part_lse - finite).transpose(-1, -2).unsqueeze(-1)
        empty = torch.isneginf(part_lse).transpose(-1, -2).unsqueeze(-1)
        out = out + torch.where(empty, 0.0, weight * part.float())
    return out.to(out_a.dtype), lse
