"""fadsl.attention and fadsl.paged_attention: argument checks in Python (clear errors
before any C call), parameter encoding, then the custom ops of fadsl/_ops.py."""
import math
import warnings

from .compile import int_arg, paged_layout, variant_spec
from ._structs import PAGED_LAYOUTS

try:
    import torch
except ImportError:   # compile() and the cache helpers work without PyTorch
    torch = None
else:
    from . import _ops

def _require_torch(fn):
    if torch is None:
        raise ImportError(f"fadsl.{fn} needs PyTorch (pip install torch)")


def _tensor(fn, name, t, ndim, layout):
    """Checks that t is a CUDA tensor of ndim dims (layout names them in the message)."""
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"fadsl.{fn}: {name} must be a torch.Tensor, got {type(t).__name__}")
    if t.device.type != "cuda":
        raise ValueError(f"fadsl.{fn}: {name} must be a CUDA tensor, got device {t.device}")
    if t.dim() != ndim:
        raise ValueError(f"fadsl.{fn}: {name} must be {ndim}-D {layout}, got shape {tuple(t.shape)}")


def _same_device(fn, ref, **tensors):
    for name, t in tensors.items():
        if t.device != ref.device:
            raise ValueError(f"fadsl.{fn}: {name} is on {t.device}, q on {ref.device}")


def _float_dtype(fn, name, t):
    if t.dtype not in (torch.float16, torch.bfloat16):
        raise TypeError(f"fadsl.{fn}: {name} must be float16 or bfloat16, got {t.dtype}")


def _int32_vector(fn, name, t, ndim, layout):
    _tensor(fn, name, t, ndim, layout)
    if t.dtype != torch.int32:
        raise TypeError(f"fadsl.{fn}: {name} must be int32, got {t.dtype}")
    if not t.is_contiguous():
        raise ValueError(f"fadsl.{fn}: {name} must be contiguous")


def _head_contiguous(name, t):
    """t, or a contiguous copy with a warning when head_dim is not contiguous."""
    if t.stride(-1) == 1:
        return t
    warnings.warn(f"fadsl: {name} is not contiguous in head_dim (stride {t.stride(-1)}); "
                  "a contiguous copy was made", stacklevel=3)
    return t.contiguous()


def _flag(fn, name, value):
    """A yes/no argument: a bool (or an int, as 0/1 are); a tensor or anything else is refused
    (a tensor's truth value would raise, or be one element's)."""
    if not isinstance(value, int):
        raise TypeError(f"fadsl.{fn}: {name} must be True or False, got {type(value).__name__}")
    return bool(value)


def _is_number(x):
    """x is an int or a float, not a bool (True would pass as 1)."""
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _finite(x):
    """math.isfinite of a number; an int past float's range is not finite."""
    try:
        return math.isfinite(x)
    except OverflowError:
        return False


def _scale(fn, softmax_scale):
    if softmax_scale is None:
        return 0.0   # the C default, 1/sqrt(head_dim)
    if not _is_number(softmax_scale):
        raise TypeError(f"fadsl.{fn}: softmax_scale must be a number, got {type(softmax_scale).__name__}")
    if not _finite(softmax_scale) or softmax_scale <= 0:
        raise ValueError(f"fadsl.{fn}: softmax_scale must be a positive finite number, got {softmax_scale!r}")
    return float(softmax_scale)


def encode_params(fn, params, device):
    """(param_names, scalar_values, tensor_params) of a params dict, as the ops take them:
    numbers become scalars, tensors (CUDA, contiguous, float32 or int32) device pointers."""
    if params is None:
        return "", [], []
    if not isinstance(params, dict):
        raise TypeError(f"fadsl.{fn}: params must be a dict of name -> number or tensor, got {type(params).__name__}")
    scalars, tensors = [], []
    for name, value in params.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"fadsl.{fn}: parameter name {name!r} is not an identifier")
        if isinstance(value, torch.Tensor):
            if value.device != device:
                raise ValueError(f"fadsl.{fn}: parameter '{name}' is on {value.device}, q on {device}")
            if value.dtype not in (torch.float32, torch.int32):
                raise TypeError(f"fadsl.{fn}: parameter '{name}' must be float32 or int32, got {value.dtype}")
            if not value.is_contiguous():
                raise ValueError(f"fadsl.{fn}: parameter '{name}' must be contiguous")
            tensors.append((name, value))
        elif _is_number(value):
            if not _finite(value):
                raise ValueError(f"fadsl.{fn}: parameter '{name}' value {value!r} is not a finite number")
            scalars.append((name, float(value)))
        else:
            raise TypeError(f"fadsl.{fn}: parameter '{name}' must be a number or a tensor, got {type(value).__name__}")
    names = ",".join(name for name, _ in scalars + tensors)
    return names, [v for _, v in scalars], [t for _, t in tensors]


def _max_seqlen(fn, name, given, cu_name, cu_seqlens, rows, rows_name, lens=None):
    """The given bound `name` (the caller vouches for cu_seqlens: no sync, capturable), or
    the longest sequence of cu_seqlens, read with one host sync that also checks the
    offsets: 0 first, never decreasing, ending within `rows` (the packed tensor's; rows
    past the last offset are padding: not read, their output rows not written), no count
    above lens (a paged cache's seq_lens, which hold each sequence's new tokens)."""
    if given is not None:
        return int_arg(given, f"fadsl.{fn}: {name}")
    cu = cu_seqlens.long()   # int32 differences of far-apart offsets would wrap
    counts = cu[1:] - cu[:-1]
    over = counts > lens if lens is not None else torch.zeros_like(counts, dtype=torch.bool)
    first, last, low, high, n_over = torch.stack([cu[0], cu[-1], counts.min(), counts.max(), over.sum()]).tolist()
    if first != 0:
        raise ValueError(f"fadsl.{fn}: {cu_name}[0] is {first}; packed offsets start at 0")
    if low < 0:
        i = int((counts < 0).nonzero()[0])
        raise ValueError(f"fadsl.{fn}: {cu_name} decreases from [{i}] = {int(cu[i])} to [{i + 1}] = {int(cu[i + 1])}")
    if last > rows:
        raise ValueError(f"fadsl.{fn}: {cu_name}[-1] is {last}, but {rows_name} has only {rows} rows")
    if n_over:
        i = int(over.nonzero()[0])
        raise ValueError(f"fadsl.{fn}: sequence {i} has {int(counts[i])} new tokens in {cu_name}, "
                         f"but seq_lens[{i}] is {int(lens[i])} (its new tokens are in the cache)")
    return high


def attention(q, k, v, variant="causal", params=None, softmax_scale=None, return_lse=False,
              cu_seqlens_q=None, cu_seqlens_k=None, max_seqlen_q=None, max_seqlen_k=None):
    """Attention forward with a fadsl variant, on the current CUDA stream.

    q [batch, seqlen_q, heads_q, head_dim], k/v [batch, seqlen_k, heads_kv, head_dim]
    (heads_q a multiple of heads_kv); or packed q [total_q, heads_q, head_dim], k/v
    [total_k, heads_kv, head_dim] with cu_seqlens_q/cu_seqlens_k ([batch + 1] int32).
    max_seqlen_q/k default to the longest sequence, read from cu_seqlens with a host sync
    that also checks them (0 first, never decreasing, ending within q's and k's rows;
    rows past the last offset are padding, whose output rows are not written): pass them
    under CUDA graph capture (then the offsets are the caller's to get right, or
    FADSL_DEBUG_CHECKS=1 checks them). float16 or bfloat16; any strides with head_dim
    contiguous (otherwise a copy is made, with a warning). Masks are bottom-right aligned.
    Decode-sized requests (a few query tokens x heads_q / heads_kv) run on the decode
    kernel, split over the SMs with scratch from PyTorch's allocator (docs/PYTHON.md).

    variant         stdlib name ("causal", "sliding_window", ...), .fa path, or DSL source
    params          {name: number or CUDA tensor} runtime parameters of the variant
    softmax_scale   default 1/sqrt(head_dim)
    return_lse      also return the float32 log-sum-exp: [batch, heads_q, seqlen_q], or
                    [heads_q, total_q] when packed
    Returns out (same shape as q, contiguous), or (out, lse). Raises FadslError when the
    runtime refuses the request or the variant does not compile.
    """
    fn = "attention"
    _require_torch(fn)
    spec = variant_spec(variant).decode()
    varlen = cu_seqlens_q is not None or cu_seqlens_k is not None
    if varlen and (cu_seqlens_q is None or cu_seqlens_k is None):
        raise ValueError("fadsl.attention: give both cu_seqlens_q and cu_seqlens_k, or neither")
    if not varlen and (max_seqlen_q is not None or max_seqlen_k is not None):
        raise ValueError("fadsl.attention: max_seqlen_q/max_seqlen_k go with cu_seqlens_q/cu_seqlens_k")
    ndim, layout = (3, "[total, heads, head_dim]") if varlen else (4, "[batch, seqlen, heads, head_dim]")
    for name, t in (("q", q), ("k", k), ("v", v)):
        _tensor(fn, name, t, ndim, layout)
    _same_device(fn, q, k=k, v=v)
    _float_dtype(fn, "q", q)
    if k.dtype != q.dtype or v.dtype != q.dtype:
        raise TypeError(f"fadsl.attention: q, k, v must share a dtype, got {q.dtype}, {k.dtype}, {v.dtype}")
    if k.shape != v.shape:
        raise ValueError(f"fadsl.attention: k and v shapes differ: {tuple(k.shape)} vs {tuple(v.shape)}")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"fadsl.attention: head_dim of q ({q.shape[-1]}) and k ({k.shape[-1]}) differ")
    if k.shape[-2] == 0 or q.shape[-2] % k.shape[-2]:
        raise ValueError(f"fadsl.attention: heads_q {q.shape[-2]} is not a multiple of heads_kv {k.shape[-2]}")
    if not varlen and q.shape[0] != k.shape[0]:
        raise ValueError(f"fadsl.attention: batch of q ({q.shape[0]}) and k ({k.shape[0]}) differ")
    if varlen:
        _int32_vector(fn, "cu_seqlens_q", cu_seqlens_q, 1, "[batch + 1]")
        _int32_vector(fn, "cu_seqlens_k", cu_seqlens_k, 1, "[batch + 1]")
        _same_device(fn, q, cu_seqlens_q=cu_seqlens_q, cu_seqlens_k=cu_seqlens_k)
        if cu_seqlens_q.shape != cu_seqlens_k.shape or cu_seqlens_q.shape[0] < 2:
            raise ValueError("fadsl.attention: cu_seqlens_q and cu_seqlens_k must both be [batch + 1] "
                             f"with batch >= 1, got {tuple(cu_seqlens_q.shape)} and {tuple(cu_seqlens_k.shape)}")
        max_seqlen_q = _max_seqlen(fn, "max_seqlen_q", max_seqlen_q, "cu_seqlens_q", cu_seqlens_q, q.shape[0], "q")
        max_seqlen_k = _max_seqlen(fn, "max_seqlen_k", max_seqlen_k, "cu_seqlens_k", cu_seqlens_k, k.shape[0], "k")
    q, k, v = _head_contiguous("q", q), _head_contiguous("k", k), _head_contiguous("v", v)
    names, scalars, tensors = encode_params(fn, params, q.device)
    out, lse = _ops.call(_ops.attention_op, _ops.attention_eager, q, k, v, spec, names, scalars, tensors,
                         _scale(fn, softmax_scale), _flag(fn, "return_lse", return_lse), cu_seqlens_q, cu_seqlens_k,
                         max_seqlen_q or 0, max_seqlen_k or 0)
    return (out, lse) if return_lse else out


_FLT_MIN, _FLT_MAX = 1.1754943508222875e-38, 3.4028234663852886e38   # float32's normal range


def _descale(fn, name, scale, fp8, kv_heads, device):
    """(scalar, per-head tensor or None) of k_scale or v_scale: a positive finite number,
    or a float32 CUDA tensor [heads_kv] (its values are the caller's: reading them would
    sync). fp8 caches only; None means 1."""
    if scale is None:
        return 0.0, None   # the C default, 1
    if not fp8:
        raise ValueError(f"fadsl.{fn}: {name} applies to fp8 caches only")
    if isinstance(scale, torch.Tensor):
        _ops.check_head_scale(fn, name, scale, kv_heads, device)
        return 0.0, scale
    if not _is_number(scale):
        raise TypeError(f"fadsl.{fn}: {name} must be a number or a per-head tensor, got {type(scale).__name__}")
    if not _finite(scale) or scale <= 0:
        raise ValueError(f"fadsl.{fn}: {name} must be a positive finite number or a per-head tensor, got {scale!r}")
    if not _FLT_MIN <= scale <= _FLT_MAX:   # passed as float32: 0 would mean 1, a denormal is flushed
        raise ValueError(f"fadsl.{fn}: {name} {scale!r} is outside float32's normal range "
                         f"[{_FLT_MIN:.7g}, {_FLT_MAX:.7g}]")
    return float(scale), None


def paged_attention(q, k_cache, v_cache, block_tables, seq_lens, variant="causal", params=None,
                    layout="hdb", k_scale=None, v_scale=None, return_lse=False, softmax_scale=None,
                    cu_seqlens_q=None, max_seqlen_q=None):
    """Attention over a vLLM-style paged KV cache (decode, or chunked prefill).

    q             [num_seqs, q_tokens_per_seq, heads_q, head_dim]: each sequence's newest
                  tokens, whose keys are already in the cache (the last positions)
    k_cache, v_cache  contiguous, layout "hdb" (FA_PAGED_HDB): [num_blocks, heads_kv,
                  head_dim, block_size]; or "nhd" (FA_PAGED_NHD): [num_blocks, block_size,
                  heads_kv, head_dim]; q's dtype, or float8_e4m3fn / float8_e5m2 ("hnd", the
                  old name of "hdb", still works with a DeprecationWarning)
    block_tables  [num_seqs, max_blocks_per_seq] int32; seq_lens [num_seqs] int32
    k_scale, v_scale  fp8 caches: stored value * scale = real value (default 1): a number,
                  or a float32 CUDA tensor [heads_kv] of per-head scales
    variant, params, softmax_scale, return_lse  as for fadsl.attention (lse is
                  [num_seqs, heads_q, q_tokens_per_seq])
    cu_seqlens_q  packed queries (varlen chunked prefill): q is [total_q, heads_q, head_dim],
                  sequence i's new tokens are rows cu_seqlens_q[i]..cu_seqlens_q[i+1]
                  ([num_seqs + 1] int32); max_seqlen_q bounds their counts (when omitted,
                  read from cu_seqlens_q with a host sync that also checks it: 0 first,
                  never decreasing, ending within total_q, no count above seq_lens); lse is
                  [heads_q, total_q]. Every layout and cache type; rows of q past the
                  last sequence's are padding (their out rows are not written).
    Returns out (like q), or (out, lse). Paged kernels are partly unbuilt: the runtime may
    refuse a key with FadslError status ERR_UNSUPPORTED.
    """
    fn = "paged_attention"
    _require_torch(fn)
    packed = cu_seqlens_q is not None
    if max_seqlen_q is not None and not packed:
        raise ValueError("fadsl.paged_attention: max_seqlen_q goes with cu_seqlens_q")
    spec = variant_spec(variant).decode()
    layout = paged_layout(layout, stacklevel=2)   # the caller of paged_attention
    if layout not in PAGED_LAYOUTS:
        raise ValueError(f"fadsl.paged_attention: layout must be one of {', '.join(PAGED_LAYOUTS)}, got {layout!r}")
    code = PAGED_LAYOUTS[layout]
    if packed:
        _tensor(fn, "q", q, 3, "[total_q, heads, head_dim] (packed with cu_seqlens_q)")
    else:
        _tensor(fn, "q", q, 4, "[num_seqs, q_tokens_per_seq, heads, head_dim]")
    _float_dtype(fn, "q", q)
    cache_layout = "[num_blocks, heads, head_dim, block_size]" if code == 0 else "[num_blocks, block_size, heads, head_dim]"
    for name, t in (("k_cache", k_cache), ("v_cache", v_cache)):
        _tensor(fn, name, t, 4, cache_layout)
        if not t.is_contiguous():
            raise ValueError(f"fadsl.paged_attention: {name} must be contiguous (the layout fixes its strides)")
    _int32_vector(fn, "block_tables", block_tables, 2, "[num_seqs, max_blocks_per_seq]")
    _int32_vector(fn, "seq_lens", seq_lens, 1, "[num_seqs]")
    _same_device(fn, q, k_cache=k_cache, v_cache=v_cache, block_tables=block_tables, seq_lens=seq_lens)
    fp8 = k_cache.dtype in (torch.float8_e4m3fn, torch.float8_e5m2)
    if k_cache.dtype != v_cache.dtype or not (fp8 or k_cache.dtype == q.dtype):
        raise TypeError(f"fadsl.paged_attention: k_cache and v_cache must both be q's dtype ({q.dtype}) "
                        f"or one fp8 dtype, got {k_cache.dtype} and {v_cache.dtype}")
    if k_cache.shape != v_cache.shape:
        raise ValueError(f"fadsl.paged_attention: k_cache and v_cache shapes differ: "
                         f"{tuple(k_cache.shape)} vs {tuple(v_cache.shape)}")
    _, _, kv_heads, head_dim = _ops.paged_geometry(k_cache, code)
    if head_dim != q.shape[-1]:
        raise ValueError(f"fadsl.paged_attention: cache head_dim {head_dim} differs from q's {q.shape[-1]} "
                         f"(layout {layout!r} is {cache_layout})")
    if kv_heads == 0 or q.shape[-2] % kv_heads:
        raise ValueError(f"fadsl.paged_attention: heads_q {q.shape[-2]} is not a multiple of the cache's heads_kv {kv_heads}")
    num_seqs = seq_lens.shape[0] if packed else q.shape[0]
    if num_seqs == 0:
        raise ValueError("fadsl.paged_attention: no sequences (num_seqs is 0)")
    if block_tables.shape[0] != num_seqs or seq_lens.shape[0] != num_seqs:
        raise ValueError(f"fadsl.paged_attention: block_tables {tuple(block_tables.shape)} and seq_lens "
                         f"{tuple(seq_lens.shape)} must have num_seqs = {num_seqs} rows")
    if packed:
        _int32_vector(fn, "cu_seqlens_q", cu_seqlens_q, 1, "[num_seqs + 1]")
        _same_device(fn, q, cu_seqlens_q=cu_seqlens_q)
        if cu_seqlens_q.shape[0] != num_seqs + 1:
            raise ValueError(f"fadsl.paged_attention: cu_seqlens_q must be [num_seqs + 1] = [{num_seqs + 1}], "
                             f"got {tuple(cu_seqlens_q.shape)}")
        max_seqlen_q = _max_seqlen(fn, "max_seqlen_q", max_seqlen_q, "cu_seqlens_q", cu_seqlens_q, q.shape[0], "q",
                                   seq_lens)
    q = _head_contiguous("q", q)
    names, scalars, tensors = encode_params(fn, params, q.device)
    out, lse = _ops.call(
        _ops.paged_attention_op, _ops.paged_attention_eager,
        q, k_cache, v_cache, block_tables, seq_lens, spec, names, scalars, tensors, code,
        *_descale(fn, "k_scale", k_scale, fp8, kv_heads, q.device), *_descale(fn, "v_scale", v_scale, fp8, kv_heads, q.device),
        _scale(fn, softmax_scale), _flag(fn, "return_lse", return_lse), cu_seqlens_q if packed else None,
        int(max_seqlen_q) if packed else 0)
    return (out, lse) if return_lse else out
