"""The torch custom ops fadsl::attention and fadsl::paged_attention.

The ctypes call to fadsl_forward happens inside the ops' implementations, so the ops
trace through torch.compile (the fake implementations give the output shapes) and can be
captured in CUDA graphs (the launch goes to the current stream; nothing syncs the host; the
only allocations are the outputs and the split-KV workspace, through PyTorch's allocator).
Eager calls that the dispatcher adds nothing to run the implementation directly (call()).
Call an op once before capturing it: its first call for a key compiles or loads the kernel.

Op arguments must be schema types, so the variant's parameters travel as
  param_names    one str, the names joined by ",": the scalars' first, then the tensors'
  scalar_values  list[float], one a scalar name
  tensor_params  list[Tensor], one a tensor name
(names are DSL identifiers, which never contain a comma). fadsl/attention.py builds them.
"""
import ctypes
from typing import Optional

import torch
from torch.utils import _python_dispatch

from . import _lib
from .compile import check_tensor_params
from ._structs import DTYPE_NAMES, INT32_MAX, FadslFwdDesc, FadslPagedDesc, FadslParam

TORCH_DTYPES = {
    torch.float16: "fp16",
    torch.bfloat16: "bf16",
    torch.float8_e4m3fn: "fp8e4m3",
    torch.float8_e5m2: "fp8e5m2",
}


def dtype_code(dtype):
    """The fa_dtype value of a torch dtype."""
    return DTYPE_NAMES.index(TORCH_DTYPES[dtype])


def lse_shape(q, varlen, return_lse):
    """LSE shape: dense [batch, heads, seqlen_q], varlen [heads, total_q]; (0,) if unwanted."""
    if not return_lse:
        return (0,)
    return (q.shape[1], q.shape[0]) if varlen else (q.shape[0], q.shape[2], q.shape[1])


def _strides(t, dims):
    """The element strides of dims `dims` of t (batch, row, head order; a missing dim is
    None and gets 0). Size-1 dims get 0 too, unless that would make all three 0, which
    the C API reads as "contiguous"."""
    raw = [0 if d is None else t.stride(d) for d in dims]
    tidy = [0 if d is None or t.shape[d] == 1 else s for d, s in zip(dims, raw)]
    return tidy if any(tidy) else raw


def _head_contiguous(t):
    """t, or a contiguous copy of it: when head_dim is strided (the wrapper has already
    warned), or when t is broadcast over every other dim of more than one element (all those
    strides 0, which the C API would read as contiguous)."""
    outer = range(t.dim() - 1)
    broadcast = any(t.shape[i] > 1 for i in outer) and all(t.stride(i) == 0 or t.shape[i] == 1 for i in outer)
    return t if t.stride(-1) == 1 and not broadcast else t.contiguous()


def _set_params(desc, param_names, scalar_values, tensor_params, keep):
    """Points desc at a fadsl_param array of the encoded parameters (kept alive in keep)."""
    names = [n.encode() for n in param_names.split(",")] if param_names else []
    if len(names) != len(scalar_values) + len(tensor_params):
        raise ValueError(f"param_names {param_names!r} does not match {len(scalar_values)} scalars "
                         f"and {len(tensor_params)} tensors")
    if not names:
        desc.params, desc.num_params = None, 0
        return
    array = (FadslParam * len(names))()
    for i, name in enumerate(names):
        array[i].name = name
        if i < len(scalar_values):
            array[i].value = scalar_values[i]
        else:
            array[i].tensor = tensor_params[i - len(scalar_values)].data_ptr()
    desc.params = ctypes.cast(array, ctypes.POINTER(FadslParam))
    desc.num_params = len(names)
    keep += [names, array]


def _set_ints(struct, **fields):
    """Sets struct's C int fields from sizes; one past int32 (which ctypes would wrap) is
    refused."""
    for name, value in fields.items():
        if not 0 <= value <= INT32_MAX:
            raise ValueError(f"fadsl: {name} {value} does not fit the C API's int32")
        setattr(struct, name, value)


def _new_desc(variant, q, out, lse, softmax_scale, params, keep):
    """A descriptor with the fields every request shares (variant, q, o, lse, scale, params)."""
    d = FadslFwdDesc()
    keep.append(variant.encode())
    d.variant = keep[-1]
    d.dtype = dtype_code(q.dtype)
    d.q, d.o = q.data_ptr(), out.data_ptr()
    d.lse = lse.data_ptr() if lse.numel() else None
    d.softmax_scale = softmax_scale
    _set_params(d, *params, keep)
    return d


def dense_desc(q, k, v, out, lse, variant, params, softmax_scale, cu_seqlens_q, cu_seqlens_k,
               max_seqlen_q, max_seqlen_k):
    """(fadsl_fwd_desc, objects it points to) of a dense or varlen request; params is
    (param_names, scalar_values, tensor_params). An empty lse means none is wanted."""
    keep = []
    d = _new_desc(variant, q, out, lse, softmax_scale, params, keep)
    varlen = cu_seqlens_q is not None
    d.k, d.v = k.data_ptr(), v.data_ptr()
    _set_ints(d, q_heads=q.shape[-2], kv_heads=k.shape[-2], head_dim=q.shape[-1])
    dims = (None, 0, 1) if varlen else (0, 1, 2)
    d.q_stride[:], d.k_stride[:] = _strides(q, dims), _strides(k, dims)
    d.v_stride[:], d.o_stride[:] = _strides(v, dims), _strides(out, dims)
    if varlen:
        d.cu_seqlens_q, d.cu_seqlens_k = cu_seqlens_q.data_ptr(), cu_seqlens_k.data_ptr()
        # lse [heads, total_q]: rows past cu_seqlens_q[-1] are padding
        _set_ints(d, batch=cu_seqlens_q.shape[0] - 1, max_seqlen_q=max_seqlen_q, max_seqlen_k=max_seqlen_k,
                  total_q=q.shape[0])
    else:
        _set_ints(d, batch=q.shape[0], seqlen_q=q.shape[1], seqlen_k=k.shape[1])
    return d, keep


# Eager calls that want no LSE share one 0-element tensor per device instead of allocating
# one (~5 us of host time on the device machines' hosts); it never reaches the caller.
_NO_LSE = {}


def _lse(q, shape, eager):
    if eager and shape == (0,):
        empty = _NO_LSE.get(q.device.index)
        if empty is None:
            empty = _NO_LSE[q.device.index] = torch.empty(0, dtype=torch.float32, device=q.device)
        return empty
    return torch.empty(shape, dtype=torch.float32, device=q.device)


def _split_workspace(desc, device):
    """Gives a decode (paged, or a dense request of a few query rows a KV head) its split-KV
    scratch from PyTorch's allocator (stream-ordered, so it may be released as soon as the
    launch is queued; graph capture takes it from the graph's pool). Call with `device`
    current. Returns the tensor, or None when the request never splits."""
    size = ctypes.c_size_t(0)
    _lib.check(_lib.lib().fadsl_workspace_size(ctypes.byref(desc), ctypes.byref(size)))
    if size.value == 0:
        return None
    ws = torch.empty(size.value, dtype=torch.uint8, device=device)
    holder = desc.paged.contents if desc.paged else desc
    holder.workspace, holder.workspace_size = ws.data_ptr(), size.value
    return ws


def _check_tensors(fn, variant, param_names, tensor_params, extents):
    """check_tensor_params at execution time (inside the op, so torch.compile never traces
    it): the tensors are the last len(tensor_params) names of param_names."""
    if tensor_params:
        names = param_names.split(",")[-len(tensor_params):]
        check_tensor_params(fn, variant.encode(), dict(zip(names, tensor_params)), extents)


def _check_dense_params(q, k, variant, param_names, tensor_params, cu_seqlens_q, max_seqlen_q, max_seqlen_k):
    varlen = cu_seqlens_q is not None
    _check_tensors("attention", variant, param_names, tensor_params, {
        "q_heads": q.shape[-2], "kv_heads": k.shape[-2], "batch": cu_seqlens_q.shape[0] - 1 if varlen else q.shape[0],
        "q_len": max_seqlen_q if varlen else q.shape[1], "kv_len": max_seqlen_k if varlen else k.shape[1]})


def check_head_scale(fn, name, scale, kv_heads, device):
    """A per-head fp8 scale tensor: contiguous float32 [kv_heads] on `device` (metadata
    only: the C runtime trusts its length, and its values are never read on the host)."""
    if scale.device != device:
        raise ValueError(f"fadsl.{fn}: {name} is on {scale.device}, q on {device}")
    if scale.dtype != torch.float32 or tuple(scale.shape) != (kv_heads,) or not scale.is_contiguous():
        raise (TypeError if scale.dtype != torch.float32 else ValueError)(f"fadsl.{fn}: a per-head {name} must be a contiguous float32 tensor [heads_kv] = "
                         f"[{kv_heads}], got {scale.dtype} {tuple(scale.shape)}")


def _check_paged_params(q, k_cache, block_tables, seq_lens, variant, param_names, tensor_params, layout,
                        cu_seqlens_q, max_seqlen_q, k_scale_per_head, v_scale_per_head):
    block_size, kv_heads = paged_geometry(k_cache, layout)[1:3]
    for name, scale in (("k_scale", k_scale_per_head), ("v_scale", v_scale_per_head)):
        if scale is not None:
            check_head_scale("paged_attention", name, scale, kv_heads, q.device)
    _check_tensors("paged_attention", variant, param_names, tensor_params, {   # kv_len: the capacity
        "q_heads": q.shape[-2], "kv_heads": kv_heads, "batch": seq_lens.shape[0],
        "q_len": max_seqlen_q if cu_seqlens_q is not None else q.shape[1],
        "kv_len": block_tables.shape[1] * block_size})


# The current stream's handle without torch.cuda.current_stream's device-index checks
# (~10 us of host time a call); the public call where this PyTorch lacks the binding.
_raw_stream = getattr(torch._C, "_cuda_getCurrentRawStream", None) or \
    (lambda index: torch.cuda.current_stream(index).cuda_stream)


def _run(desc, device):
    workspace = _split_workspace(desc, device)
    _lib.check(_lib.lib().fadsl_forward(ctypes.byref(desc), _raw_stream(desc.device)))
    return workspace


def _launch(desc, device):
    """Runs fadsl_forward on the current stream of `device`, made the current device for the
    call when it is not; a request that may split (a decode) first gets its split-KV
    workspace, which is returned (held until the launch is queued)."""
    desc.device = device.index if device.index is not None else torch.cuda.current_device()
    if desc.device == torch.cuda.current_device():
        return _run(desc, device)
    with torch.cuda.device(desc.device):
        return _run(desc, device)


def _attention(q, k, v, variant, param_names, scalar_values, tensor_params, softmax_scale, return_lse,
               cu_seqlens_q, cu_seqlens_k, max_seqlen_q, max_seqlen_k, eager=False):
    _check_dense_params(q, k, variant, param_names, tensor_params, cu_seqlens_q, max_seqlen_q, max_seqlen_k)
    q, k, v = (_head_contiguous(t) for t in (q, k, v))
    out = torch.empty(q.shape, dtype=q.dtype, device=q.device)
    lse = _lse(q, lse_shape(q, cu_seqlens_q is not None, return_lse), eager)
    d, keep = dense_desc(q, k, v, out, lse, variant, (param_names, scalar_values, tensor_params),
                         softmax_scale, cu_seqlens_q, cu_seqlens_k, max_seqlen_q, max_seqlen_k)
    _launch(d, q.device)
    return out, lse


def attention_impl(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, variant: str, param_names: str,
                   scalar_values: list[float], tensor_params: list[torch.Tensor], softmax_scale: float,
                   return_lse: bool, cu_seqlens_q: Optional[torch.Tensor],
                   cu_seqlens_k: Optional[torch.Tensor], max_seqlen_q: int,
                   max_seqlen_k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Dense ([batch, seqlen, heads, D]) or varlen ([total, heads, D] + cu_seqlens) forward."""
    return _attention(q, k, v, variant, param_names, scalar_values, tensor_params, softmax_scale, return_lse,
                      cu_seqlens_q, cu_seqlens_k, max_seqlen_q, max_seqlen_k)


def attention_eager(*args):
    """attention_impl for call()'s direct path: the unwanted LSE is a shared empty tensor,
    which never reaches the caller (fadsl.attention returns out alone then)."""
    return _attention(*args, eager=True)


attention_op = torch.library.custom_op("fadsl::attention", mutates_args=(), device_types="cuda")(attention_impl)


@attention_op.register_fake
def _attention_fake(q, k, v, variant, param_names, scalar_values, tensor_params, softmax_scale,
                    return_lse, cu_seqlens_q, cu_seqlens_k, max_seqlen_q, max_seqlen_k):
    _check_dense_params(q, k, variant, param_names, tensor_params, cu_seqlens_q, max_seqlen_q, max_seqlen_k)
    return (q.new_empty(q.shape),
            q.new_empty(lse_shape(q, cu_seqlens_q is not None, return_lse), dtype=torch.float32))


def paged_geometry(k_cache, layout):
    """(num_blocks, block_size, kv_heads, head_dim) of a cache in layout 0 (HDB: [blocks,
    kv_heads, head_dim, block_size]) or 1 (NHD: [blocks, block_size, kv_heads, head_dim])."""
    n, a, b, c = k_cache.shape
    return (n, c, a, b) if layout == 0 else (n, a, b, c)


def paged_desc(q, k_cache, v_cache, block_tables, seq_lens, out, lse, variant, params, layout,
               scales, softmax_scale, cu_seqlens_q=None, max_seqlen_q=0):
    """(fadsl_fwd_desc, objects it points to) of a paged request (see dense_desc); q is
    [num_seqs, q_tokens_per_seq, heads, D], or packed [total_q, heads, D] with cu_seqlens_q;
    scales is (k_scale, k per-head tensor or None, v_scale, v per-head tensor or None)."""
    keep = []
    d = _new_desc(variant, q, out, lse, softmax_scale, params, keep)
    pg = FadslPagedDesc()
    pg.layout = layout
    pg.kv_dtype = dtype_code(k_cache.dtype)
    pg.k_cache, pg.v_cache = k_cache.data_ptr(), v_cache.data_ptr()
    num_blocks, block_size, num_kv_heads, head_dim = paged_geometry(k_cache, layout)
    _set_ints(pg, num_blocks=num_blocks, block_size=block_size, num_kv_heads=num_kv_heads, head_dim=head_dim)
    _set_ints(pg, max_blocks_per_seq=block_tables.shape[1], num_seqs=seq_lens.shape[0])
    pg.block_tables, pg.seq_lens = block_tables.data_ptr(), seq_lens.data_ptr()
    k_scale, k_heads, v_scale, v_heads = scales
    pg.k_descale, pg.v_descale = k_scale, v_scale
    pg.k_descale_per_head = k_heads.data_ptr() if k_heads is not None else None
    pg.v_descale_per_head = v_heads.data_ptr() if v_heads is not None else None
    keep.append(pg)
    d.paged = ctypes.pointer(pg)
    _set_ints(d, q_heads=q.shape[-2], kv_heads=pg.num_kv_heads, head_dim=q.shape[-1], batch=pg.num_seqs)
    if cu_seqlens_q is not None:
        d.cu_seqlens_q = cu_seqlens_q.data_ptr()
        # lse [heads, total_q]: rows past cu_seqlens_q[-1] are padding
        _set_ints(d, max_seqlen_q=max_seqlen_q, total_q=q.shape[0])
        dims = (None, 0, 1)
    else:
        _set_ints(pg, q_tokens_per_seq=q.shape[1])
        _set_ints(d, seqlen_q=q.shape[1])
        dims = (0, 1, 2)
    d.q_stride[:], d.o_stride[:] = _strides(q, dims), _strides(out, dims)
    return d, keep


def paged_attention_impl(q: torch.Tensor, k_cache: torch.Tensor, v_cache: torch.Tensor,
                         block_tables: torch.Tensor, seq_lens: torch.Tensor, variant: str,
                         param_names: str, scalar_values: list[float],
                         tensor_params: list[torch.Tensor], layout: int, k_scale: float,
                         k_scale_per_head: Optional[torch.Tensor], v_scale: float,
                         v_scale_per_head: Optional[torch.Tensor], softmax_scale: float, return_lse: bool,
                         cu_seqlens_q: Optional[torch.Tensor],
                         max_seqlen_q: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Forward over a paged KV cache; q is [num_seqs, q_tokens_per_seq, heads, D], or
    packed [total_q, heads, D] with cu_seqlens_q."""
    return _paged_attention(q, k_cache, v_cache, block_tables, seq_lens, variant, param_names, scalar_values,
                            tensor_params, layout, k_scale, k_scale_per_head, v_scale, v_scale_per_head,
                            softmax_scale, return_lse, cu_seqlens_q, max_seqlen_q)


def _paged_attention(q, k_cache, v_cache, block_tables, seq_lens, variant, param_names, scalar_values,
                     tensor_params, layout, k_scale, k_scale_per_head, v_scale, v_scale_per_head,
                     softmax_scale, return_lse, cu_seqlens_q, max_seqlen_q, eager=False):
    _check_paged_params(q, k_cache, block_tables, seq_lens, variant, param_names, tensor_params, layout,
                        cu_seqlens_q, max_seqlen_q, k_scale_per_head, v_scale_per_head)
    q = _head_contiguous(q)
    out = torch.empty(q.shape, dtype=q.dtype, device=q.device)
    lse = _lse(q, lse_shape(q, cu_seqlens_q is not None, return_lse), eager)
    d, keep = paged_desc(q, k_cache, v_cache, block_tables, seq_lens, out, lse, variant,
                         (param_names, scalar_values, tensor_params), layout,
                         (k_scale, k_scale_per_head, v_scale, v_scale_per_head), softmax_scale, cu_seqlens_q,
                         max_seqlen_q)
    _launch(d, q.device)
    return out, lse


def paged_attention_eager(*args):
    """paged_attention_impl for call()'s direct path: the unwanted LSE is a shared empty
    tensor, which never reaches the caller."""
    return _paged_attention(*args, eager=True)


paged_attention_op = torch.library.custom_op("fadsl::paged_attention", mutates_args=(),
                                            device_types="cuda")(paged_attention_impl)


@paged_attention_op.register_fake
def _paged_attention_fake(q, k_cache, v_cache, block_tables, seq_lens, variant, param_names,
                          scalar_values, tensor_params, layout, k_scale, k_scale_per_head, v_scale,
                          v_scale_per_head, softmax_scale, return_lse, cu_seqlens_q, max_seqlen_q):
    _check_paged_params(q, k_cache, block_tables, seq_lens, variant, param_names, tensor_params, layout,
                        cu_seqlens_q, max_seqlen_q, k_scale_per_head, v_scale_per_head)
    return (q.new_empty(q.shape),
            q.new_empty(lse_shape(q, cu_seqlens_q is not None, return_lse), dtype=torch.float32))


def call(op, impl, *args):
    """op(*args), or impl(*args) (the op's eager twin) directly when the dispatcher has
    nothing to add: plain CUDA tensors (no fake or functional subclass, no dispatch or
    torch-function mode), no autograd graph to record, not under torch.compile, export, jit
    tracing or a torch.func transform. Both run the same code and launch on the current stream without syncing (CUDA graphs
    capture either); the dispatcher's round trip costs twice the C launch path (30-40 us a
    call on the H100 machine's host against 15 us, bench/host_overhead.py)."""
    if (torch.compiler.is_compiling() or torch.jit.is_tracing() or _python_dispatch._get_current_dispatch_mode()
            is not None or torch._C._are_functorch_transforms_active() or torch._C._is_torch_function_mode_enabled()):
        return op(*args)
    grad = torch.is_grad_enabled()
    for a in args:
        for t in a if type(a) is list else (a,):
            if isinstance(t, torch.Tensor) and (type(t) is not torch.Tensor or (grad and t.requires_grad)):
                return op(*args)
    return impl(*args)
