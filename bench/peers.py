"""The peers fadsl is measured against, called on the same tensors in the same process:
PyTorch SDPA with one backend forced (FlashAttention-2, cuDNN, memory-efficient) and
compiled FlexAttention. Tensors are PyTorch's [batch, heads, seqlen, head_dim] (any
strides with head_dim contiguous)."""
import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel

SDPA_BACKENDS = {
    "sdpa_flash": SDPBackend.FLASH_ATTENTION,
    "sdpa_cudnn": SDPBackend.CUDNN_ATTENTION,
    "sdpa_efficient": SDPBackend.EFFICIENT_ATTENTION,
}
PEERS = (*SDPA_BACKENDS, "flex")

# Every FlexAttention shape and mod compiles once; the benchmark has a few dozen.
if hasattr(torch._dynamo.config, "recompile_limit"):
    torch._dynamo.config.recompile_limit = 256
else:
    torch._dynamo.config.cache_size_limit = 256

_flex_attention = None


def sdpa(backend, q, k, v, causal):
    """A callable running SDPA restricted to `backend` (causal: top-left aligned, so only
    for square shapes or one query row)."""
    gqa = q.shape[1] != k.shape[1]

    def run():
        with sdpa_kernel([SDPA_BACKENDS[backend]]):
            return F.scaled_dot_product_attention(q, k, v, is_causal=causal, enable_gqa=gqa)
    return run


def flex(q, k, v, mask_mod=None, score_mod=None):
    """A callable running torch.compile'd FlexAttention with a block mask built from
    mask_mod (None: no mask) and an optional score_mod."""
    global _flex_attention
    from torch.nn.attention.flex_attention import create_block_mask, flex_attention
    if _flex_attention is None:
        _flex_attention = torch.compile(flex_attention, dynamic=False)
    block_mask = None
    if mask_mod is not None:
        block_mask = create_block_mask(mask_mod, None, None, q.shape[2], k.shape[2], device=q.device)
    gqa = q.shape[1] != k.shape[1]
    return lambda: _flex_attention(q, k, v, score_mod=score_mod, block_mask=block_mask, enable_gqa=gqa)
