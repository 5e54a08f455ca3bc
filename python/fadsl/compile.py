"""Ahead-of-time compilation (fadsl_compile) and the kernel cache's directory and counters.
None of this needs a GPU once an arch is named."""
import contextlib
import ctypes
import dataclasses
import functools
import os
import sys
import warnings
from typing import NamedTuple, Optional

from . import _lib
from ._structs import (ARCH_NAMES, DTYPE_NAMES, EXTENT_NAMES, INT32_MAX, ORIGIN_NAMES, PAGED_LAYOUTS,
                       PARAM_TYPES, PATH_NAMES, FaKey, FadslCacheStats, FadslCompileInfo, FaParamInfo)


class VariantParam(NamedTuple):
    """A variant's runtime parameter (fadsl.variant_params)."""
    name: str
    type: str          # "i32" or "f32"
    is_tensor: bool
    dims: tuple        # extent names ("q_heads", "kv_heads", "batch", "q_len", "kv_len") or ints
    default: Optional[float]


@dataclasses.dataclass(frozen=True)
class CompileResult:
    """What fadsl.compile found or built.

    kernel_name  the kernel's deterministic name (e.g. fa3_fwd_bf16_hd128_causal_sm90a)
    from_cache   True when the kernel came from the memory or disk cache
    origin       "compile" (NVRTC ran), "memory" or "disk"
    seconds      this call's wall time
    image_size   bytes of the cubin (or PTX)
    path         "cubin" or "ptx" (FADSL_PTX=1)
    smem_bytes, threads   the kernel's launch shape
    """
    kernel_name: str
    from_cache: bool
    origin: str
    seconds: float
    image_size: int
    path: str
    smem_bytes: int
    threads: int


def variant_spec(variant):
    """The C runtime's variant string: a stdlib name, a .fa path, or DSL source text."""
    if isinstance(variant, os.PathLike):
        variant = os.fspath(variant)
    if not isinstance(variant, str) or not variant:
        raise TypeError(f"variant must be a non-empty str (stdlib name, .fa path or DSL source), got {variant!r}")
    if "\0" in variant:   # the C string would end there
        raise ValueError(f"variant {variant!r} contains a NUL character")
    return variant.encode()


def _index(names, value, what):
    if value not in names:
        raise ValueError(f"{what} {value!r} is not one of {', '.join(names)}")
    return names.index(value)


def int_arg(value, what, low=1):
    """value, an int from `low` the C API's int holds (ctypes would wrap a larger one):
    TypeError for another type (a bool included), ValueError out of range."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, got {type(value).__name__} {value!r}")
    if not low <= value <= INT32_MAX:
        span = f"a positive int up to {INT32_MAX}" if low == 1 else f"an int from {low} to {INT32_MAX}"
        raise ValueError(f"{what} must be {span}, got {value!r}")
    return value


def device_arch(device=0):
    """The key arch name ("sm_90a") of CUDA device `device`; FadslError without a GPU."""
    int_arg(device, "device", low=0)
    arch = ctypes.c_int()
    # fadsl_device_init refuses another device than the thread's current context's: under
    # PyTorch, whose current device may differ, ask with `device` current (a device torch
    # does not have is left to fadsl_device_init's error).
    torch = sys.modules.get("torch")
    torch_device = torch is not None and torch.cuda.is_initialized() and device < torch.cuda.device_count()
    scope = torch.cuda.device(device) if torch_device else contextlib.nullcontext()
    with scope:
        _lib.check(_lib.lib().fadsl_device_init(device, ctypes.byref(arch)))
    return ARCH_NAMES[arch.value]


def paged_layout(layout, stacklevel):
    """`layout` with the deprecated "hnd" mapped to "hdb" (with a DeprecationWarning
    `stacklevel` frames up). fadsl called its HDB layout [num_blocks, heads_kv, head_dim,
    block_size] "hnd", which FlashInfer uses for [pages, heads, page_size, head_dim]."""
    if layout != "hnd":
        return layout
    warnings.warn('fadsl: paged layout "hnd" is deprecated: it names the HDB layout [num_blocks, heads_kv, '
                  'head_dim, block_size], not FlashInfer\'s HND [pages, heads, page_size, head_dim]; pass "hdb"',
                  DeprecationWarning, stacklevel=stacklevel + 1)
    return "hdb"


def _paged_fields(paged):
    """(block_size, layout code) of `paged`: None, a block size, or (block_size, layout)."""
    if paged is None:
        return 0, PAGED_LAYOUTS["hdb"]
    if not isinstance(paged, (int, tuple, list)) or (not isinstance(paged, int) and len(paged) != 2):
        raise TypeError(f"paged must be None, a block size or (block_size, layout), got {paged!r}")
    block, layout = (paged, "nhd") if isinstance(paged, int) else paged
    layout = paged_layout(layout, stacklevel=3)   # the caller of compile()
    return int_arg(block, "paged block size"), _index(tuple(PAGED_LAYOUTS), layout, "paged layout")


def compile(variant, arch=None, dtype="bf16", head_dim=128, gqa=1, paged=None, varlen=False):
    """Compiles `variant` for one dispatch key through the memory and disk caches.

    variant   standard-library name ("causal"), path to a .fa file, or DSL source text
    arch      "sm_80", "sm_86", "sm_89" or "sm_90a"; None: CUDA device 0's (needs a GPU)
    dtype     "fp16" or "bf16" (Q, K, V and O; use paged for an fp8 cache)
    head_dim, gqa   head dimension and query heads per KV head
    paged     None (contiguous K/V), a block size (layout "nhd", the chunked-prefill kernel), or
              (block_size, "hdb"|"nhd"); decode kernels are compiled on first use ("hnd", the
              old name of "hdb", still works with a DeprecationWarning)
    varlen    True for cu_seqlens packed batches
    Returns a CompileResult; raises FadslError (e.g. ERR_SYNTAX with the diagnostics).
    """
    spec = variant_spec(variant)
    key = FaKey()
    handle = _lib.lib()
    handle.fa_key_init(ctypes.byref(key))
    key.arch = _index(ARCH_NAMES, device_arch() if arch is None else arch, "arch")
    key.dtype = key.kv_dtype = _index(DTYPE_NAMES, dtype, "dtype")
    key.head_dim = int_arg(head_dim, "head_dim")
    key.gqa_ratio = int_arg(gqa, "gqa")
    key.paged_block_size, key.paged_layout = _paged_fields(paged)
    if not isinstance(varlen, int) or varlen not in (0, 1):   # a bool, or 0 / 1; bool("no") would be True
        raise TypeError(f"varlen must be True or False, got {varlen!r}")
    key.varlen = bool(varlen)
    info = FadslCompileInfo()
    _lib.check(handle.fadsl_compile(spec, ctypes.byref(key), ctypes.byref(info)))
    return CompileResult(
        kernel_name=info.kernel_name.decode(),
        from_cache=info.origin != 0,
        origin=ORIGIN_NAMES[info.origin],
        seconds=info.seconds,
        image_size=info.image_size,
        path=PATH_NAMES[info.path],
        smem_bytes=info.smem_bytes,
        threads=info.threads,
    )


def cache_stats():
    """The process's cache counters: memory_hits, disk_hits, compiles, corrupt_entries,
    write_failures."""
    stats = FadslCacheStats()
    _lib.lib().fadsl_cache_stats_get(ctypes.byref(stats))
    return {name: getattr(stats, name) for name, _ in FadslCacheStats._fields_}


def cache_dir():
    """The on-disk cache directory in use (FADSL_CACHE_DIR, $XDG_CACHE_HOME/fadsl, ~/.cache/fadsl)."""
    buf = ctypes.create_string_buffer(4096)
    _lib.check(_lib.lib().fadsl_cache_dir(buf, len(buf)))
    return buf.value.decode()


def cache_clear():
    """Removes every disk cache entry; returns how many were removed."""
    removed = ctypes.c_int()
    _lib.check(_lib.lib().fadsl_cache_clear(ctypes.byref(removed)))
    return removed.value


@functools.lru_cache(maxsize=256)
def _variant_params(spec):
    lib = _lib.lib()
    count = ctypes.c_int(0)
    _lib.check(lib.fadsl_variant_params(spec, None, 0, ctypes.byref(count)))
    infos = (FaParamInfo * max(count.value, 1))()
    _lib.check(lib.fadsl_variant_params(spec, infos, count.value, ctypes.byref(count)))
    out = []
    for p in infos[:count.value]:
        dims = tuple(int(p.const_dims[i]) if EXTENT_NAMES[p.dims[i]] == "<literal>" else EXTENT_NAMES[p.dims[i]]
                     for i in range(p.ndims))
        out.append(VariantParam(p.name.decode(), PARAM_TYPES[p.type], p.is_tensor, dims,
                                p.default_value if p.has_default else None))
    return tuple(out)


def variant_params(variant):
    """The runtime parameters of a variant, in slot order: VariantParam(name, type ("i32" or
    "f32"), is_tensor, dims (extent names such as "q_heads", or ints), default or None).
    Needs no GPU; raises FadslError when the variant does not compile."""
    return _variant_params(variant_spec(variant))


def check_tensor_params(fn, spec, params, extents):
    """Refuses a tensor parameter whose dtype or size does not fit the variant's declaration
    (row-major over its extents; `extents` gives q_heads, kv_heads, batch, q_len, kv_len as
    the kernel sees them): the kernel would read past its end."""
    if not params:
        return
    for p in _variant_params(spec):
        value = params.get(p.name)
        if not p.is_tensor or value is None or not hasattr(value, "numel"):
            continue
        want = 1
        for d in p.dims:
            want *= d if isinstance(d, int) else extents[d]
        dtype = "float32" if p.type == "f32" else "int32"
        if str(value.dtype) != f"torch.{dtype}":
            raise TypeError(f"fadsl.{fn}: parameter '{p.name}' is declared {p.type}{list(p.dims)}: "
                            f"it must be a {dtype} tensor, got {value.dtype}")
        if value.numel() < want:
            shape = ", ".join(f"{d}={extents[d]}" if isinstance(d, str) else str(d) for d in p.dims)
            raise ValueError(f"fadsl.{fn}: parameter '{p.name}' is declared {p.type}[{shape}]: it needs "
                             f"{want} elements (row-major), got {value.numel()}")
